"""Semantic, hybrid and "more like this" search over the passage vectors.

`run(settings, catalogue, request)` is the one entry point for every mode:

* ``keyword``: the keyword engine, unchanged;
* ``semantic``: the query text is embedded and documents rank by their best passage (cosine);
* ``hybrid``: the semantic ranking fused with a keyword ranking of the same text;
* ``None``: hybrid for plain text, keyword for a query that uses the query language (fields,
  phrases, operators other than an implied "and", truncation) or that is a single word-like term.
  Until vectors exist, plain text is read by the keyword engine: every word, or when no document
  has them all, any of them ranked by BM25.

The novelty cut-offs (`published_before`, `priority_before`, both exclusive, unknown dates never
pass) apply in every mode and to both rankings of a hybrid search.

Fusion. Keyword evidence is only evidence in the query's own language: a Chinese query shares no
words with an English abstract, and whatever BM25 finds for it (a number, a stray Latin acronym, a
Portuguese word that happens to be English) is noise that a rank fusion promotes to the top (a
plain reciprocal-rank fusion halves Chinese MRR on the development set). And even good keyword
evidence only exists for documents in the query's language, so adding it to their cosines would
push every same-language document above better matches written in another language.

So the candidates (the best `Fusion.depth` of each ranking) are grouped by language: the group of
the query's language, and one group per other language. Within a group, documents are re-ordered by
standardized cosine + `weight` x standardized keyword score (hits standardized among themselves,
a document the keyword ranking missed counts -1; groups of other languages get `foreign` x
`weight`). The re-ordered group then takes back the cosine values it had, best first, and the
groups merge by those values: keywords re-order documents *within* a language and never move a
language's documents past another's. A query in English over English documents gets nearly full
keyword influence; a Chinese query over English documents keeps its semantic ranking, refined by
shared terms. The score of a hybrid hit is the cosine slot it took.

Translated evidence. A query in another language is also read as English: each of its words as the
nearest English word of the catalogue's lexicon (`patentdesk.index.lexicon`: the model places a
word near its translations), and the English documents are re-ordered by those words' BM25 with the
full weight, as an English query's own words would re-order them.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..config import Settings
from ..errors import NotFound, QuerySyntaxError, UserError
from ..index import vectors as V
from ..index.embed import Encoder, default_encoder
from .api import FACETS, FacetValue, Hit, SearchRequest, SearchResult

MODES = ("keyword", "semantic", "hybrid")
MAX_RESULTS = 1000
"""Semantic rankings are cut here: every document has a cosine, only the head is a result."""
WHY_CHARS = 320
FACET_DEPTH = 200

_PASSAGE_LABEL = {"title_abstract": "title/abstract", "claim1": "claim 1", "claims": "claims",
                  "description": "description", "title": "title"}


@dataclass(frozen=True)
class Fusion:
    """How hybrid search weighs the keyword ranking against the semantic one (tuned on the
    development set tests/data/devset; `python -m bench.embed_bench` reports the result)."""

    weight: float = 0.5
    """Weight of the standardized keyword score against the standardized cosine."""
    foreign: float = 0.3
    """Share of that weight for documents without text in the query's language (shared acronyms,
    numbers, formulas and cognates are some evidence across languages; most words are none)."""
    depth: int = 100
    """Candidates taken from each ranking."""


DEFAULT_FUSION = Fusion()


# ----------------------------------------------------------------------------- modes
_FIELD_RE = re.compile(r"(?i)(?:^|[\s(])([a-z]+)\s*(?:=|:|<|>|\s(?:all|any|within)\s+[\"(\w])")
_ANY_FIELD_RE = re.compile(r"(?:^|[\s(])[A-Za-z]+\s*(?:=|<|>)")
_OPERATOR_RE = re.compile(r"(?i)(?:^|\s)(?:or|not|prox\S*|w/\S+|near/\S+|pre/\S+|adj/\S+)(?=\s|$)")
_UPPER_OPERATOR_RE = re.compile(r"(?:^|[\s(])(?:AND|OR|NOT)(?=[\s(]|$)")


def default_mode(query: str) -> str:
    """hybrid for plain text (an inventor's description), keyword for the query language.

    Anything that looks like the query language goes to the keyword engine, which reads it exactly
    or says what is wrong with it: a field clause (known or not: ``zz=foo`` is an error to show,
    not words to look for), an upper-case operator, a phrase, truncation, an unbalanced parenthesis.
    """
    q = query.strip()
    if not q:
        return "keyword"
    from . import fields as F

    if any(F.lookup(m.group(1)) for m in _FIELD_RE.finditer(q)) or _ANY_FIELD_RE.search(q):
        return "keyword"  # a field clause: ti=..., pa all "...", pd<2010, zz=foo
    if _OPERATOR_RE.search(q) or _UPPER_OPERATOR_RE.search(q) or '"' in q or any(c in q for c in "*?#"):
        return "keyword"
    if not _balanced(q):
        return "keyword"
    words = re.findall(r"\w+", q)
    if len(words) <= 1 and V.detect_language(q) != "zh":
        return "keyword"  # one term: a number, an acronym, a word: the keyword engine's job
    return "hybrid"


def _balanced(text: str) -> bool:
    depth = 0
    for c in text:
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def run(settings: Settings, catalogue: Any, request: SearchRequest, *, encoder: Encoder | None = None,
        fusion: Fusion = DEFAULT_FUSION) -> SearchResult:
    """Search in any mode (see the module docstring)."""
    mode = request.mode or default_mode(request.query)
    if mode not in MODES:
        raise UserError(f"unknown search mode {mode!r}: use one of {', '.join(MODES)}")
    if mode == "keyword":
        from .engine import run_search

        result = run_search(settings, catalogue, replace(request, mode=None))
        result.mode = "keyword"
        return result
    _check(request)
    encoder = encoder or default_encoder()
    try:
        idx = V.VectorStore.of(settings).load(encoder_info=encoder.info)
    except V.StaleVectors:
        if request.mode is not None:
            raise  # an explicit mode says why it cannot run (no vectors, or another model's)
        # the default mode falls back to keywords until `patentdesk embed` has (re)built the vectors:
        # the text as a keyword query (every word), and when nothing has them all, as the keyword
        # side of hybrid search reads it: its words OR-ed and ranked by BM25
        from .engine import run_search

        try:
            result = run_search(settings, catalogue, replace(request, mode=None))
        except QuerySyntaxError:
            result = None
        if result is None or result.total == 0:
            words = keyword_query(request.query) or request.query
            result = run_search(settings, catalogue, replace(request, query=words, mode=None))
        result.query, result.mode = request.query, "keyword"
        return result
    if mode == "semantic":
        return _semantic(settings, catalogue, request, idx, encoder)
    return _hybrid(settings, catalogue, request, idx, encoder, fusion)


def _check(request: SearchRequest) -> None:
    for name in ("published_before", "priority_before"):
        value = getattr(request, name)
        if value:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                raise UserError(f"invalid cut-off date {value!r} (use YYYY-MM-DD)") from None
    if request.limit < 0 or request.offset < 0:
        raise UserError("limit and offset cannot be negative")
    if request.offset + request.limit > MAX_RESULTS:
        raise UserError(f"semantic and hybrid results stop at {MAX_RESULTS}; narrow the query or add cut-offs")
    if request.sort != "relevance":
        raise UserError("semantic and hybrid results are ranked by relevance; sort by date in keyword mode")
    unknown = [f for f in request.facets if f not in FACETS]
    if unknown:
        raise UserError(f"unknown facet {unknown[0]!r}: use any of {', '.join(FACETS)}")


# ----------------------------------------------------------------------------- semantic
@dataclass
class Ranked:
    doc: int
    score: float
    cosine: float
    passage: tuple[str, int] | None = None
    keyword: float | None = None
    snippet: str | None = None


def semantic_ranking(idx: V.VectorIndex, qvec: np.ndarray, k: int, mask: np.ndarray | None) -> list[Ranked]:
    return [Ranked(h.doc, h.score, h.score, (h.passage_kind, h.passage_ordinal))
            for h in idx.search(qvec, k, mask)]


def _semantic(settings: Settings, catalogue: Any, request: SearchRequest, idx: V.VectorIndex,
              encoder: Encoder) -> SearchResult:
    qvec = encoder.encode([request.query])
    mask = idx.doc_mask(request.published_before, request.priority_before)
    depth = max(request.offset + request.limit, FACET_DEPTH if request.facets else 0)
    ranked = semantic_ranking(idx, qvec, depth, mask)
    return _result(catalogue, request, idx, ranked, "semantic", _total(idx, mask))


def _total(idx: V.VectorIndex, mask: np.ndarray | None) -> int:
    n = idx.n_docs if mask is None else int(np.count_nonzero(mask))
    return min(n, MAX_RESULTS)


# ----------------------------------------------------------------------------- hybrid
_STOP = frozenset(
    ["a", "an", "the", "of", "and", "or", "not", "in", "on", "at", "to", "for", "with", "by", "from", "as", "is", "are", "be", "been", "was", "were", "this", "that", "these", "those", "it", "its", "into", "onto", "than", "then", "such", "which", "who", "whom", "whose", "what", "when", "where", "how", "can", "may", "said", "each", "one", "two", "more", "most", "other", "some", "any", "all", "also", "has", "have", "had", "having", "do", "does", "done", "using", "used", "use", "via", "wherein", "thereof", "o", "os", "as", "um", "uma", "uns", "umas", "de", "do", "da", "dos", "das", "em", "no", "na", "nos", "nas", "por", "pelo", "pela", "pelos", "pelas", "para", "com", "sem", "que", "se", "e", "é", "ao", "aos", "à", "às", "ou", "seu", "sua", "seus", "suas", "entre", "mais", "como", "onde", "qual", "quais"]
)
_HAN_STOP = frozenset(["的", "和", "与", "及", "或", "在", "用", "以", "将", "把", "对", "等", "中", "其", "为", "是", "了", "并", "从", "于", "由", "被", "所", "上", "下", "一", "一种", "进行", "通过", "使用", "利用", "方法", "系统", "装置", "包括", "其中", "可以", "能够", "之", "於", "與", "對", "為", "並", "從", "種", "進行", "通過", "使用", "利用", "方法", "系統", "裝置"])
_MAX_TERMS = 40


def keyword_terms(text: str) -> list[str]:
    """The content words of a plain-text description, analyzed the way the index cuts them
    (Chinese segmented, case and accents folded), stop words dropped, at most `_MAX_TERMS`."""
    from ..index import analysis as A

    toks, _, _ = A.tokenize(text)
    terms: list[str] = []
    for t in toks:
        w = t.text
        if w in _STOP or w in _HAN_STOP:
            continue
        if A.is_han(w):
            if len(w) < 2:
                continue
        elif len(w) < 2 or not re.fullmatch(r"[^\W_]+", w):
            continue
        if w not in terms:
            terms.append(w)
    return terms[:_MAX_TERMS]


def keyword_query(text: str) -> str | None:
    """A keyword-engine query for a plain-text description: its content words, OR-ed.

    An inventor's sentence is not a boolean query (the engine would AND every word), so any of
    its words may match; BM25 ranks documents by how many and how rare.
    """
    terms = keyword_terms(text)
    return " or ".join(terms) if terms else None


@dataclass
class KeywordHit:
    number: str
    score: float
    snippet: str | None


def keyword_ranking(settings: Settings, catalogue: Any, text: str, k: int, published_before: str | None,
                    priority_before: str | None, *, query: str | None = None) -> list[KeywordHit]:
    from .engine import run_search

    q = query if query is not None else keyword_query(text)
    if q is None:
        return []
    try:
        res = run_search(settings, catalogue, SearchRequest(q, limit=min(k, 1000), published_before=published_before,
                                                            priority_before=priority_before))
    except QuerySyntaxError:
        return []  # the text cannot be put as a keyword query: no keyword evidence
    return [KeywordHit(h.publication_number, h.score, h.snippet) for h in res.hits]


def translated_ranking(settings: Settings, catalogue: Any, text: str, encoder: Encoder, k: int,
                       published_before: str | None, priority_before: str | None) -> list[KeywordHit]:
    """Keyword evidence for the English documents of a query in another language: its words read
    as their nearest English words of the catalogue (`patentdesk.index.lexicon`), OR-ed, by BM25.
    Empty when there is no lexicon (an older store) or no word has a translation."""
    lex = V.VectorStore.of(settings).lexicon.load(encoder.info.key())
    if lex is None:
        return []
    words = lex.translate(encoder, keyword_terms(text))
    if not words:
        return []
    return keyword_ranking(settings, catalogue, text, k, published_before, priority_before,
                           query=" or ".join(words))


def fuse(idx: V.VectorIndex, qvec: np.ndarray, semantic: Sequence[Ranked], keyword: Sequence[KeywordHit],
         query_lang: str, fusion: Fusion = DEFAULT_FUSION,
         translated: Sequence[KeywordHit] = ()) -> list[Ranked]:
    """Combine the rankings (see the module docstring); returns all candidates, best first.
    `translated` is the English keyword evidence of a query in another language: it takes the
    place of the query's own words for the English documents, with the full weight."""
    cands: dict[int, Ranked] = {r.doc: Ranked(r.doc, r.cosine, r.cosine, r.passage) for r in semantic}
    sem_rank = {r.doc: i for i, r in enumerate(semantic)}
    kw_rank: dict[int, int] = {}
    english: dict[int, float] = {}

    def candidate(d: int) -> Ranked:
        r = cands.get(d)
        if r is None:
            rows = idx.passage_rows(d)
            sims = idx.vectors[rows] @ qvec[0]
            j = int(np.argmax(sims))
            r = cands[d] = Ranked(d, float(sims[j]), float(sims[j]), idx.doc_passages(d)[j])
        return r

    for h in keyword:
        d = idx.by_number.get(h.number)
        if d is None or d in kw_rank:
            continue  # not embedded (yet): it cannot be placed against cosines
        kw_rank[d] = len(kw_rank)
        r = candidate(d)
        r.keyword = h.score
        r.snippet = h.snippet
    for h in translated:
        d = idx.by_number.get(h.number)
        if d is None or d in english:
            continue
        english[d] = h.score
        candidate(d)
    use_translated = bool(translated) and query_lang != "en"

    def tie(d: int) -> tuple[int, int, int]:
        # equal scores (often the same abstract in two publications of a family): keyword order first
        return (kw_rank.get(d, 1 << 30), sem_rank.get(d, 1 << 30), d)

    groups: dict[str, list[int]] = {}
    for d in cands:
        langs = idx.docs[d].langs.split(",")
        key = query_lang if query_lang in langs else "en" if use_translated and "en" in langs else langs[0]
        groups.setdefault(key, []).append(d)
    for lang, docs in groups.items():
        if use_translated and lang == "en":
            w, scores = fusion.weight, np.array([english.get(d, 0.0) for d in docs])
        else:
            w = fusion.weight * (1.0 if lang == query_lang else fusion.foreign)
            scores = np.array([cands[d].keyword or 0.0 for d in docs])
        cos = np.array([cands[d].cosine for d in docs])
        fused = _z(cos)
        if w > 0:
            fused = fused + w * _keyword_z(scores)
        order = sorted(range(len(docs)), key=lambda i: (-fused[i], tie(docs[i])))
        for i, slot in zip(order, sorted(cos, reverse=True)):
            cands[docs[i]].score = float(slot)
    return sorted(cands.values(), key=lambda r: (-r.score, tie(r.doc)))


def _z(x: np.ndarray) -> np.ndarray:
    sd = float(x.std())
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x)


def _keyword_z(scores: np.ndarray) -> np.ndarray:
    """Keyword hits standardized among themselves; documents the keyword ranking missed get -1."""
    hit = scores > 0
    if np.count_nonzero(hit) < 2:
        return np.where(hit, 1.0, 0.0)
    vals = scores[hit]
    sd = float(vals.std())
    return np.where(hit, (scores - vals.mean()) / sd if sd > 0 else 0.0, -1.0)


def _hybrid(settings: Settings, catalogue: Any, request: SearchRequest, idx: V.VectorIndex, encoder: Encoder,
            fusion: Fusion) -> SearchResult:
    qvec = encoder.encode([request.query])
    mask = idx.doc_mask(request.published_before, request.priority_before)
    depth = max(fusion.depth, request.offset + request.limit, FACET_DEPTH if request.facets else 0)
    sem = semantic_ranking(idx, qvec, depth, mask)
    kw = keyword_ranking(settings, catalogue, request.query, depth, request.published_before, request.priority_before)
    lang = V.detect_language(request.query)
    translated = [] if lang == "en" else translated_ranking(settings, catalogue, request.query, encoder, depth,
                                                            request.published_before, request.priority_before)
    ranked = fuse(idx, qvec, sem, kw, lang, fusion, translated)
    return _result(catalogue, request, idx, ranked, "hybrid", _total(idx, mask))


# ----------------------------------------------------------------------------- similar
def similar(settings: Settings, catalogue: Any, number: str, *, limit: int = 20, offset: int = 0,
            published_before: str | None = None, priority_before: str | None = None,
            include_family: bool = False, encoder: Encoder | None = None) -> SearchResult:
    """Publications closest to a given one ("more like this"): its title/abstract and first claim
    against every passage. Never returns the publication itself, nor (unless asked) its family."""
    request = SearchRequest(number, limit=limit, offset=offset, published_before=published_before,
                            priority_before=priority_before, mode="semantic")
    _check(request)
    encoder = encoder or default_encoder()
    canonical = catalogue.resolve(number)
    pub = catalogue.get(canonical)
    if pub is None:  # pragma: no cover - resolve() raises first
        raise NotFound(f"no publication {number!r} in the catalogue")
    idx = V.VectorStore.of(settings).load(encoder_info=encoder.info)
    d = idx.by_number.get(canonical)
    if d is not None:
        kinds = idx.doc_passages(d)
        rows = [i for i, (k, _) in enumerate(kinds) if k in ("title_abstract", "claim1")] or list(range(len(kinds)))
        qvecs = idx.doc_vectors(d)[rows]
    else:
        pas = [p for p in V.passages(pub) if p.kind in ("title_abstract", "claim1")] or V.passages(pub)
        if not pas:
            raise UserError(f"{canonical} has no text to compare with")
        qvecs = encoder.encode([p.text for p in pas])
    exclude = [d] if d is not None else []
    if not include_family and pub.family_id:
        exclude += [i for i, e in enumerate(idx.docs) if e.family == pub.family_id]
    mask = idx.doc_mask(published_before, priority_before, exclude=exclude)
    ranked = [Ranked(h.doc, h.score, h.score, (h.passage_kind, h.passage_ordinal))
              for h in idx.search(qvecs, offset + limit, mask)]
    ranked = [r for r in ranked if idx.docs[r.doc].number != canonical]
    result = _result(catalogue, request, idx, ranked, "semantic", _total(idx, mask))
    result.query = canonical
    return result


# ----------------------------------------------------------------------------- results
def _result(catalogue: Any, request: SearchRequest, idx: V.VectorIndex, ranked: list[Ranked], mode: str,
            total: int) -> SearchResult:
    page = ranked[request.offset:request.offset + request.limit]
    wanted = [idx.docs[r.doc].number for r in (ranked[:FACET_DEPTH] if request.facets else page)]
    pubs = catalogue.get_many(dict.fromkeys(wanted + [idx.docs[r.doc].number for r in page]))
    hits = []
    for r in page:
        number = idx.docs[r.doc].number
        pub = pubs.get(number)
        why = None
        if pub is not None and r.passage is not None:
            text = V.passage_text(pub, *r.passage)
            if text:
                why = f"{_PASSAGE_LABEL[r.passage[0]]}: {_shorten(text, WHY_CHARS)}"
        snippet = r.snippet
        if snippet is None and pub is not None and pub.abstract:
            snippet = html.escape(_shorten(pub.abstract, 240))
        hits.append(Hit(
            publication_number=number,
            title=pub.title if pub else None,
            publication_date=pub.publication_date.isoformat() if pub and pub.publication_date else None,
            applicants=pub.applicants if pub else [],
            score=round(float(r.score), 6),
            snippet=snippet,
            why=why,
        ))
    facets: dict[str, list[FacetValue]] = {}
    if request.facets:
        top = [pubs[idx.docs[r.doc].number] for r in ranked[:FACET_DEPTH] if idx.docs[r.doc].number in pubs]
        facets = facet_counts(top, request.facets, request.facet_size)
    return SearchResult(total=max(total, len(ranked)) if ranked else 0, hits=hits, facets=facets,
                        query=request.query, mode=mode)


def _shorten(text: str, n: int) -> str:
    text = " ".join(text.split())
    if len(text) <= n:
        return text
    cut = text.rfind(" ", 0, n)
    return text[: cut if cut > n // 2 else n] + "…"


def facet_counts(pubs: Iterable[Any], names: Sequence[str], size: int) -> dict[str, list[FacetValue]]:
    """Facets over the head of a semantic ranking (the documents it actually proposes)."""
    from ..index.fulltext import ipc_subclass
    from . import techfields

    counters: dict[str, Counter[str]] = {n: Counter() for n in names}
    for pub in pubs:
        values: dict[str, list[str]] = {
            "year": [str(pub.publication_date.year)] if pub.publication_date else [],
            "country": [pub.country] if pub.country else [],
            "kind": [pub.kind] if pub.kind else [],
            "applicant": list(dict.fromkeys(pub.applicants)),
            "ipc_subclass": list(dict.fromkeys(s for s in (ipc_subclass(x) for x in pub.classes("ipc")) if s)),
            "tech_field": list(dict.fromkeys(techfields.fields_of(pub.classes("ipc")))),
        }
        for n in names:
            counters[n].update(values.get(n, []))
    out: dict[str, list[FacetValue]] = {}
    for n in names:
        items = sorted(counters[n].items(), key=lambda kv: kv[0] if n == "year" else (-kv[1], kv[0]))
        if n != "year":
            items = items[:size]
        out[n] = [FacetValue(k, v) for k, v in items]
    return out
