"""Search benchmark: the tantivy engine against SQLite FTS5 on the same generated corpus and queries.

``python -m bench.search_bench --out bench/results [--n 1000000] [--queries 200] [--quick]``
writes ``search.json``. ``--quick`` means ``--n 20000``.

1. Corpus: ``--n`` publications from `bench.generator` (real titles, abstract sentences, claims,
   description paragraphs, names and class profiles recombined; see its docstring). The same
   records (same seed) stream into both engines; a million do not fit in memory.
2. Build: the product's index (`patentdesk.index.fulltext.add_publications`: the documents
   `patentdesk index rebuild` writes, minus reading the catalogue) and an FTS5 table with the
   same text columns (``porter unicode61 remove_diacritics 2``) plus metadata and facet tables,
   each from the first record to the last commit (FTS5 ``optimize`` included). The generator's
   CPU time is measured on its own thread as it runs (``generator_cpu_seconds``) and left out of
   ``build_seconds`` (wall, approximate: the generator is CPU-bound) and ``build_cpu_seconds``
   (CPU of every thread; tantivy indexes in threads of its own; on a shared machine CPU seconds
   are the steadier figure). Sizes on disk.
3. Queries: ``--queries`` mixed queries drawn with a fixed seed from words of the corpus itself:
   single words, AND lists, phrases, proximity, truncation, names, OR/NOT, date and class
   filters, plain text. Each runs on both engines asking for the 20 best hits, the exact total
   and the facets year, country, applicant and ipc_subclass; the product also makes its snippets.
   Latency is wall time per query, p50/p99 over all queries, after one warm-up pass; ``cpu`` has
   the same percentiles of the process's CPU time per query (steadier on a shared machine).
   The two engines do not have the same semantics (stemmers, sentence bounds, proximity), so the
   totals are compared only as a sanity check (share of queries whose totals agree within 10%).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from bench import generator
from bench.run import envelope, write_result

NAME = "search"
QUICK_N = 20_000
FACETS = ("year", "country", "applicant", "ipc_subclass")
STOP = set("""a an and are as at be by for from has have in is it its of on or said that the this to
was were which with wherein whereby thereof first second one two each into than then when where
such being between about also more least other within""".split())


# ------------------------------------------------------------------------------------ queries
@dataclass(frozen=True)
class BenchQuery:
    kind: str
    cql: str  # patentdesk query language
    fts: str  # FTS5 MATCH expression
    where: str = ""  # extra SQL condition on meta (alias m)
    params: tuple[Any, ...] = ()


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in STOP]


def make_queries(sample: list[Any], count: int, seed: int = 7) -> list[BenchQuery]:
    """A fixed mix of query shapes, their words drawn from sample records."""
    rng = random.Random(seed)
    out: list[BenchQuery] = []
    kinds = ["word", "and", "phrase", "prox", "trunc", "name", "or_not", "filters", "plain", "claims"]
    while len(out) < count:
        kind = kinds[len(out) % len(kinds)]
        p = rng.choice(sample)
        title = _words(p.title or "")
        abstract = _words(p.abstract or "")
        claims = _words(p.text("claims") or "")
        if len(title) < 2 or len(abstract) < 3:
            continue
        q = _one(kind, rng, p, title, abstract, claims)
        if q is not None:
            out.append(q)
    return out


def _one(kind: str, rng: random.Random, p: Any, title: list[str], abstract: list[str],
         claims: list[str]) -> BenchQuery | None:
    ta = "{ti ab}"
    txt = "{ti ab cl desc}"
    if kind == "word":
        w = rng.choice(abstract)
        return BenchQuery(kind, f"ta={w}", f"{ta} : {w}")
    if kind == "and":
        a, b = rng.sample(abstract, 2)
        return BenchQuery(kind, f'txt all "{a} {b}"', f"{txt} : {a} AND {txt} : {b}")
    if kind == "phrase":
        words = re.findall(r"[a-z0-9]+", (p.title or "").lower())
        if len(words) < 2:
            return None
        i = rng.randrange(len(words) - 1)
        a, b = words[i], words[i + 1]
        return BenchQuery(kind, f'ti="{a} {b}"', f'ti : "{a} {b}"')
    if kind == "prox":
        if len(claims) < 4:
            return None
        i = rng.randrange(len(claims) - 3)
        a, b = claims[i], claims[i + 2]
        if a == b:
            return None
        return BenchQuery(kind, f"cl=({a} w/3 {b})", f"cl : NEAR({a} {b}, 2)")
    if kind == "trunc":
        w = rng.choice([x for x in title if len(x) >= 6] or [None])
        if w is None:
            return None
        stem = w[: rng.randint(4, 5)]
        return BenchQuery(kind, f"ti={stem}*", f"ti : {stem}*")
    if kind == "name":
        names = _words(" ".join(p.applicants))
        if not names:
            return None
        w = rng.choice(names)
        return BenchQuery(kind, f"pa={w}", f"pa : {w}")
    if kind == "or_not":
        a, b = rng.sample(title, 2)
        return BenchQuery(kind, f"(ta={a} or ta={b}) not cc={p.country}",
                          f"({ta} : {a} OR {ta} : {b})", "m.country <> ?", (p.country,))
    if kind == "filters":
        w = rng.choice(abstract)
        ipc = [s for s in p.classes("ipc") if re.match(r"[A-HY]\d\d[A-Z]", s)]
        if not ipc:
            return None
        sub = ipc[0][:4]
        y = p.publication_date.year
        return BenchQuery(kind, f'ta={w} and pd within "{y - 5},{y + 5}" and ipc={sub}', f"{ta} : {w}",
                          "m.year BETWEEN ? AND ? AND m.rowid IN (SELECT doc FROM ipc WHERE subclass = ?)",
                          (y - 5, y + 5, sub))
    if kind == "plain":
        words = re.findall(r"[a-z0-9]+", (p.title or "").lower())
        if len(words) < 2:
            return None
        w = rng.choice(abstract)
        return BenchQuery(kind, f'"{words[0]} {words[1]}" {w}', f'"{words[0]} {words[1]}" AND {w}')
    if kind == "claims":
        if len(claims) < 2:
            return None
        a, b = rng.sample(claims, 2)
        return BenchQuery(kind, f"cl=({a} and {b}) and pd>=2010", f"cl : {a} AND cl : {b}", "m.year >= ?",
                          (2010,))
    raise AssertionError(kind)


# ------------------------------------------------------------------------------------ FTS5 side
FTS_SCHEMA = """
CREATE VIRTUAL TABLE docs USING fts5(ti, ab, cl, desc, pa, inv,
    tokenize = 'porter unicode61 remove_diacritics 2');
CREATE TABLE meta (rowid INTEGER PRIMARY KEY, number TEXT, title TEXT, pd TEXT, year INTEGER,
    country TEXT, kind TEXT, applicants TEXT);
CREATE TABLE applicant (doc INTEGER, name TEXT);
CREATE TABLE ipc (doc INTEGER, subclass TEXT);
"""
FTS_INDEXES = """
CREATE INDEX meta_year ON meta(year);
CREATE INDEX meta_country ON meta(country);
CREATE INDEX applicant_doc ON applicant(doc);
CREATE INDEX ipc_doc ON ipc(doc);
CREATE INDEX ipc_subclass ON ipc(subclass, doc);
"""


def _batches(pubs: Iterable[Any], size: int) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for p in pubs:
        batch.append(p)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def build_fts(path: Path, pubs: Iterable[Any]) -> None:
    db = sqlite3.connect(path)
    db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;" + FTS_SCHEMA)
    rowid = 0
    for batch in _batches(pubs, 2000):
        with db:
            for p in batch:
                rowid += 1
                db.execute("INSERT INTO docs(rowid, ti, ab, cl, desc, pa, inv) VALUES (?,?,?,?,?,?,?)",
                           (rowid, p.title, p.abstract, p.text("claims"), p.text("description"),
                            "\n".join(p.applicants), "\n".join(p.inventors)))
                d = p.publication_date
                db.execute("INSERT INTO meta VALUES (?,?,?,?,?,?,?,?)",
                           (rowid, p.number, p.title, d.isoformat() if d else None, d.year if d else None,
                            p.country, p.kind, json.dumps(p.applicants)))
                db.executemany("INSERT INTO applicant VALUES (?,?)", [(rowid, a) for a in dict.fromkeys(p.applicants)])
                db.executemany("INSERT INTO ipc VALUES (?,?)",
                               [(rowid, s) for s in dict.fromkeys(x[:4] for x in p.classes("ipc"))])
    with db:
        db.executescript(FTS_INDEXES)
        db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
    db.close()


def fts_search(db: sqlite3.Connection, q: BenchQuery) -> dict[str, Any]:
    """Top 20 by bm25 with snippets, the exact total, and the four facets."""
    cond = f" AND {q.where}" if q.where else ""
    db.execute("DROP TABLE IF EXISTS temp.hits")
    db.execute(f"CREATE TEMP TABLE hits AS SELECT docs.rowid AS rowid FROM docs JOIN meta m ON m.rowid = docs.rowid "
               f"WHERE docs MATCH ?{cond}", (q.fts, *q.params))
    total = db.execute("SELECT count(*) FROM temp.hits").fetchone()[0]
    top = db.execute(
        f"SELECT m.number, m.title, m.pd, m.applicants, bm25(docs), "
        f"snippet(docs, -1, '<mark>', '</mark>', '…', 24) FROM docs JOIN meta m ON m.rowid = docs.rowid "
        f"WHERE docs MATCH ?{cond} ORDER BY bm25(docs) LIMIT 20", (q.fts, *q.params)).fetchall()
    facets = {
        "year": db.execute("SELECT year, count(*) FROM meta JOIN temp.hits USING(rowid) GROUP BY year").fetchall(),
        "country": db.execute("SELECT country, count(*) c FROM meta JOIN temp.hits USING(rowid) GROUP BY country "
                              "ORDER BY c DESC LIMIT 20").fetchall(),
        "applicant": db.execute("SELECT name, count(*) c FROM applicant JOIN temp.hits ON doc = rowid GROUP BY name "
                                "ORDER BY c DESC LIMIT 20").fetchall(),
        "ipc_subclass": db.execute("SELECT subclass, count(*) c FROM ipc JOIN temp.hits ON doc = rowid "
                                   "GROUP BY subclass ORDER BY c DESC LIMIT 20").fetchall(),
    }
    return {"total": total, "hits": len(top), "facets": facets}


# ------------------------------------------------------------------------------------ product side
def _settings(home: Path) -> Any:
    from patentdesk.config import Settings

    return Settings(home=home, database_url=f"sqlite:///{home / 'unused.sqlite'}")


def build_product(settings: Any, pubs: Iterable[Any]) -> int:
    from patentdesk.index import fulltext

    return fulltext.add_publications(settings, pubs)


def product_search(settings: Any, q: BenchQuery) -> dict[str, Any]:
    from patentdesk.search.api import SearchRequest
    from patentdesk.search.engine import run_search

    res = run_search(settings, None, SearchRequest(query=q.cql, limit=20, facets=FACETS))
    return {"total": res.total, "hits": len(res.hits)}


# ------------------------------------------------------------------------------------ measuring
def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _percentiles(ms: list[float]) -> dict[str, float]:
    s = sorted(ms)

    def pct(p: float) -> float:
        return round(s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))], 2)

    return {"p50_ms": pct(50), "p90_ms": pct(90), "p99_ms": pct(99), "max_ms": round(s[-1], 2),
            "mean_ms": round(statistics.fmean(s), 2)}


class _Timed:
    """Wraps the generator and adds up the CPU time its thread spends producing records. Tantivy
    indexes in threads of its own while the generator runs, so only this thread's clock tells the
    generator's share (the process clock and the wall clock include tantivy's work)."""

    def __init__(self, records: Iterable[Any]) -> None:
        self.records = iter(records)
        self.cpu = 0.0

    def __iter__(self) -> "_Timed":
        return self

    def __next__(self) -> Any:
        c = time.thread_time()
        try:
            return next(self.records)
        finally:
            self.cpu += time.thread_time() - c


def _cpu() -> float:
    """CPU seconds of this process, every thread included."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _build(fn: Callable[[Iterable[Any]], Any], n: int, seed: int) -> tuple[dict[str, float], Any]:
    records = _Timed(generator.generate(n, seed))
    wall, cpu = time.perf_counter(), _cpu()
    out = fn(records)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    return {"build_seconds": round(wall - records.cpu, 2), "build_cpu_seconds": round(cpu - records.cpu, 2),
            "wall_seconds_with_generator": round(wall, 2), "generator_cpu_seconds": round(records.cpu, 2)}, out


def measure(n: int, n_queries: int, workdir: Path, seed: int = 0) -> dict[str, Any]:
    # Both builds stream the generator (a million records do not fit in memory); the time spent
    # in the generator is measured as it runs and left out of the build times.
    generator.seed_material()  # parsed once and cached: not a per-record cost
    product_home = workdir / "product"
    product_home.mkdir()
    settings = _settings(product_home)
    product_build, _ = _build(lambda recs: build_product(settings, recs), n, seed)
    fts_path = workdir / "fts5.sqlite"
    fts_build, _ = _build(lambda recs: build_fts(fts_path, recs), n, seed)
    rng = random.Random(seed)
    sample = [generator.make_publication(i, seed) for i in sorted(rng.sample(range(n), min(n, 5000)))]
    queries = make_queries(sample, n_queries)

    db = sqlite3.connect(fts_path)
    timings: dict[str, list[float]] = {"patentdesk": [], "fts5": []}
    cpu_timings: dict[str, list[float]] = {"patentdesk": [], "fts5": []}
    per_query = []
    for q in queries:  # warm-up: page cache, term dictionaries
        product_search(settings, q)
        fts_search(db, q)
    for i, q in enumerate(queries):
        order = [("patentdesk", lambda: product_search(settings, q)), ("fts5", lambda: fts_search(db, q))]
        if i % 2:
            order.reverse()  # neither engine always runs first
        got = {}
        for name, fn in order:
            start, cpu = time.perf_counter(), _cpu()
            got[name] = fn()
            timings[name].append((time.perf_counter() - start) * 1000)
            cpu_timings[name].append((_cpu() - cpu) * 1000)
        per_query.append({"kind": q.kind, "query": q.cql, "fts5": q.fts, "total": got["patentdesk"]["total"],
                          "fts5_total": got["fts5"]["total"],
                          "ms": round(timings["patentdesk"][-1], 2), "fts5_ms": round(timings["fts5"][-1], 2)})
    db.close()
    agree = sum(1 for r in per_query if abs(r["total"] - r["fts5_total"]) <= 0.1 * max(r["total"], r["fts5_total"], 1))
    by_kind: dict[str, dict[str, Any]] = {}
    for kind in sorted({r["kind"] for r in per_query}):
        rows = [r for r in per_query if r["kind"] == kind]
        by_kind[kind] = {"queries": len(rows), "patentdesk_p50_ms": _percentiles([r["ms"] for r in rows])["p50_ms"],
                         "fts5_p50_ms": _percentiles([r["fts5_ms"] for r in rows])["p50_ms"],
                         "mean_total": round(statistics.fmean(r["total"] for r in rows), 1)}
    return {
        "documents": n,
        "queries": len(queries),
        "patentdesk": {**product_build, "index_bytes": _dir_size(product_home / "index"),
                       **_percentiles(timings["patentdesk"]),
                       "cpu": _percentiles(cpu_timings["patentdesk"])},
        "fts5": {**fts_build, "index_bytes": fts_path.stat().st_size + _wal_size(fts_path),
                 **_percentiles(timings["fts5"]), "cpu": _percentiles(cpu_timings["fts5"])},
        "load_average_after": round(os.getloadavg()[0], 2),
        "totals_agree_within_10pct": round(agree / len(per_query), 3),
        "by_kind": by_kind,
        "per_query": per_query,
    }


def _wal_size(path: Path) -> int:
    wal = Path(str(path) + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def run(out_dir: Path, *, quick: bool = False, n: int | None = None, n_queries: int = 200,
        workdir: Path | None = None) -> dict[str, Any]:
    n = n or (QUICK_N if quick else 1_000_000)
    tmp = Path(tempfile.mkdtemp(prefix="search-bench-", dir=workdir))
    try:
        result = {**envelope(NAME), "quick": quick, "what": "top-20 hits + exact total + facets "
                  f"({', '.join(FACETS)}) per query; index built from bench.generator records",
                  **measure(n, n_queries, tmp)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    write_result(out_dir, NAME, result)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--n", type=int, help=f"documents (default 1,000,000; {QUICK_N} with --quick)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workdir", type=Path, help="where to build the two indexes (default: the temp folder)")
    args = parser.parse_args(argv)
    result = run(args.out, quick=args.quick, n=args.n, n_queries=args.queries, workdir=args.workdir)
    summary = {k: result[k] for k in ("documents", "queries", "patentdesk", "fts5", "totals_agree_within_10pct")}
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
