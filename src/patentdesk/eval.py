"""Retrieval evaluation: known-item sets and TREC qrels, per language and search mode.

Known items are JSON lines ``{"id", "lang", "query", "target"}`` (extra keys are kept as
provenance): one query, one publication it should find. A target without a kind code
(``US6207936``) matches any kind of that publication. TREC relevance judgements are the usual
``qid 0 docno relevance`` lines, with the queries in a topics file (JSON lines
``{"id", "query", "lang"}`` or ``qid<TAB>query`` lines).

Queries are descriptions in natural language, so the ``keyword`` mode runs them the way hybrid
search does: their content words OR-ed and ranked by BM25 (`semantic.keyword_query`), not as a
query-language expression (which would AND every word).

Reported per mode and language: recall@1, @10, @100 (share of relevant documents in the top k)
and MRR@10 (mean reciprocal rank of the first relevant hit, 0 below rank 10), plus the query count.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Settings
from .errors import InvalidNumber, UserError
from .normalize import parse_number
from .search.api import SearchRequest

KS = (1, 10, 100)
MRR_DEPTH = 10


@dataclass(frozen=True)
class Topic:
    id: str
    query: str
    lang: str
    relevant: frozenset[str]  # publication numbers (kind optional)


def read_known_items(path: str | Path) -> list[Topic]:
    topics = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            topics.append(Topic(str(row["id"]), str(row["query"]), str(row.get("lang") or "und"),
                                frozenset([str(row["target"])])))
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise UserError(f"{path}:{n}: not a known-item line ({e}); expected "
                            '{"id", "lang", "query", "target"}') from None
    return topics


def read_trec(qrels: str | Path, topics: str | Path) -> list[Topic]:
    judged: dict[str, set[str]] = defaultdict(set)
    for n, line in enumerate(Path(qrels).read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4:
            raise UserError(f"{qrels}:{n}: expected 'qid iteration docno relevance'")
        qid, _, docno, rel = parts
        try:
            if int(rel) > 0:
                judged[qid].add(docno)
        except ValueError:
            raise UserError(f"{qrels}:{n}: relevance {rel!r} is not an integer") from None
    out = []
    for qid, query, lang in _read_topics(topics):
        if judged.get(qid):
            out.append(Topic(qid, query, lang, frozenset(judged[qid])))
    return out


def _read_topics(path: str | Path) -> Iterable[tuple[str, str, str]]:
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            try:
                row = json.loads(line)
                yield str(row["id"]), str(row["query"]), str(row.get("lang") or "und")
            except (json.JSONDecodeError, KeyError) as e:
                raise UserError(f"{path}:{n}: bad topic line ({e})") from None
        else:
            qid, sep, query = line.partition("\t")
            if not sep:
                raise UserError(f"{path}:{n}: expected 'qid<TAB>query' or a JSON line")
            yield qid.strip(), query.strip(), "und"


# ----------------------------------------------------------------------------- matching
def _key(number: str) -> tuple[str, str, str | None]:
    try:
        pn = parse_number(number)
    except InvalidNumber:
        return (number.upper(), "", None)
    return (pn.country, pn.number, pn.kind)


def is_relevant(hit_number: str, relevant: Iterable[str]) -> bool:
    hc, hn, hk = _key(hit_number)
    for r in relevant:
        rc, rn, rk = _key(r)
        if (hc, hn) == (rc, rn) and (rk is None or rk == hk):
            return True
    return False


# ----------------------------------------------------------------------------- running
Searcher = Callable[[str, str, int], list[str]]
"""(mode, query, depth) -> ranked publication numbers."""


def default_searcher(settings: Settings, catalogue: Any, **fusion_kw: Any) -> Searcher:
    from .search import semantic

    fusion = semantic.Fusion(**fusion_kw) if fusion_kw else semantic.DEFAULT_FUSION

    def search(mode: str, query: str, depth: int) -> list[str]:
        if mode == "keyword":
            return [h.number for h in semantic.keyword_ranking(settings, catalogue, query, depth, None, None)]
        res = semantic.run(settings, catalogue, SearchRequest(query, limit=depth, mode=mode), fusion=fusion)
        return [h.publication_number for h in res.hits]

    return search


@dataclass
class Scores:
    n: int = 0
    recall: dict[int, float] = field(default_factory=lambda: {k: 0.0 for k in KS})
    mrr: float = 0.0

    def add(self, ranked: Sequence[str], relevant: frozenset[str]) -> int | None:
        """Add one query; returns the rank of the first relevant hit (1-based) or None."""
        self.n += 1
        flags = [is_relevant(x, relevant) for x in ranked[:max(KS)]]
        for k in KS:
            self.recall[k] += min(sum(flags[:k]), len(relevant)) / len(relevant)
        first = next((i + 1 for i, f in enumerate(flags) if f), None)
        if first is not None and first <= MRR_DEPTH:
            self.mrr += 1.0 / first
        return first

    def summary(self) -> dict[str, float | int]:
        n = max(self.n, 1)
        out: dict[str, float | int] = {"queries": self.n}
        for k in KS:
            out[f"recall@{k}"] = round(self.recall[k] / n, 4)
        out[f"mrr@{MRR_DEPTH}"] = round(self.mrr / n, 4)
        return out


@dataclass
class Report:
    results: dict[str, dict[str, Scores]]  # mode -> language -> scores ("all" included)
    ranks: dict[str, dict[str, int | None]]  # mode -> topic id -> first relevant rank
    seconds: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {"modes": {m: {lang: s.summary() for lang, s in by.items()} for m, by in self.results.items()},
                "seconds": {m: round(s, 3) for m, s in self.seconds.items()},
                "ranks": self.ranks}

    def table(self) -> str:
        cols = ["queries", *[f"recall@{k}" for k in KS], f"mrr@{MRR_DEPTH}"]
        lines = [f"{'mode':9} {'lang':8} " + " ".join(f"{c:>9}" for c in cols)]
        for mode, by in self.results.items():
            for lang in sorted(by, key=lambda x: (x == "all", x)):
                s = by[lang].summary()
                lines.append(f"{mode:9} {lang:8} " + " ".join(
                    f"{s[c]:>9}" if c == "queries" else f"{s[c]:>9.3f}" for c in cols))
        return "\n".join(lines)


def evaluate(topics: Sequence[Topic], modes: Sequence[str], searcher: Searcher, depth: int = max(KS),
             progress: Callable[[int], None] | None = None) -> Report:
    results: dict[str, dict[str, Scores]] = {}
    ranks: dict[str, dict[str, int | None]] = {}
    seconds: dict[str, float] = {}
    for mode in modes:
        by_lang: dict[str, Scores] = defaultdict(Scores)
        ranks[mode] = {}
        t0 = time.perf_counter()
        for t in topics:
            ranked = searcher(mode, t.query, depth)
            first = by_lang[t.lang].add(ranked, t.relevant)
            by_lang["all"].add(ranked, t.relevant)
            ranks[mode][t.id] = first
            if progress:
                progress(1)
        seconds[mode] = time.perf_counter() - t0
        results[mode] = dict(by_lang)
    return Report(results, ranks, seconds)
