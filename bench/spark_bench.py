"""Spark against the embedded engine: ingest throughput on the same generated input.

``python -m bench.spark_bench --out bench/results [--quick] [--files N] [--docs N] [--master local[2]]``
writes ``spark.json``.

Input: ``--files`` synthetic USPTO weekly grant files of ``--docs`` documents each, written by
`bench.generator.write_uspto_weekly` (real grant documents of the shared slices with new numbers;
no full bulk files exist here). The same files go through four paths, each timed on its own:

* ``ingest``: `patentdesk ingest` into a fresh SQLite catalogue (no index): the embedded default;
* ``bulk_embedded``: `bulk ingest --engine embedded`: the same readers, rows to a Parquet lake;
* ``bulk_spark``: `bulk ingest --engine spark --master M`: the same, one Spark task per file (the
  JVM's start and the Python workers' first start are timed apart, as a cluster has them running);
* ``load``: `patentdesk load` of the Spark lake into a fresh SQLite catalogue (no index).

Documents/s and MB/s are of the same documents and bytes. ``spark_vs_embedded`` is the parse
speed-up of Spark over the embedded engine (both write a lake); ``end_to_end`` compares
bulk ingest on Spark plus load with one `patentdesk ingest`. On a 2-core machine Spark has two
workers; its gain grows with cores and machines while `load` stays one writer.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import generator
from bench.run import envelope, write_result

NAME = "spark"


def _rate(seconds: float, docs: int, size: int) -> dict[str, Any]:
    return {"seconds": round(seconds, 3), "docs_per_s": round(docs / seconds, 1) if seconds else None,
            "mb_per_s": round(size / 2**20 / seconds, 2) if seconds else None}


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def _warm(_: int) -> bool:
    from patentdesk.bulk import lake  # noqa: F401
    from patentdesk.ingest.base import formats

    return bool(formats())


def make_input(folder: Path, files: int, docs: int, seed: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(files):
        p = folder / f"ipg-synthetic-{i:03d}.xml"
        generator.write_uspto_weekly(p, docs, seed=seed * 1000 + i)
        paths.append(p)
    return paths


def measure(work: Path, files: int, docs: int, master: str) -> dict[str, Any]:
    from patentdesk.bulk import lake as L
    from patentdesk.ingest.pipeline import ingest
    from patentdesk.store.catalogue import Catalogue

    inputs = [str(p) for p in make_input(work / "input", files, docs)]
    size = sum(Path(p).stat().st_size for p in inputs)
    out: dict[str, Any] = {"input": {"files": files, "docs_per_file": docs, "bytes": size,
                                     "generator": "bench.generator.write_uspto_weekly"}}

    with Catalogue(f"sqlite:///{work / 'embedded.sqlite'}") as cat:
        secs, summary = _timed(lambda: ingest(cat, inputs))
    n = summary.read
    out["documents"] = n
    out["ingest"] = _rate(secs, n, size)

    secs, _ = _timed(lambda: L.embedded_ingest(inputs, work / "lake-embedded"))
    out["bulk_embedded"] = _rate(secs, n, size)

    try:
        from patentdesk.bulk import spark as S

        jvm, session = _timed(lambda: S.session(master, driver_memory="1g"))
    except Exception as e:  # noqa: BLE001 - no Java or no pyspark: the result says so
        out["bulk_spark"] = {"skipped": f"{type(e).__name__}: {e}"}
        return out
    try:
        out["spark_start_seconds"] = round(jvm, 2)
        # Python workers start on a cluster's first job and stay: started here, timed apart
        par = session.sparkContext.defaultParallelism
        warm, _ = _timed(lambda: session.sparkContext.parallelize(range(par), par).map(_warm).collect())
        out["worker_start_seconds"] = round(warm, 2)
        out["master"] = master
        out["spark"] = session.version
        secs, bulk = _timed(lambda: S.spark_ingest(session, inputs, work / "lake-spark"))
        assert bulk.read == n, (bulk.read, n)
        out["bulk_spark"] = _rate(secs, n, size)
    finally:
        session.stop()

    with Catalogue(f"sqlite:///{work / 'loaded.sqlite'}") as cat:
        secs, loaded = _timed(lambda: L.load_lake(cat, work / "lake-spark"))
        assert loaded.added == summary.added, (loaded.added, summary.added)
    out["load"] = _rate(secs, n, size)

    emb, s = out["bulk_embedded"]["seconds"], out["bulk_spark"]["seconds"]
    out["spark_vs_embedded"] = round(emb / s, 2) if s else None
    out["end_to_end"] = {"ingest_seconds": out["ingest"]["seconds"],
                         "spark_plus_load_seconds": round(s + out["load"]["seconds"], 3),
                         "ratio": round(out["ingest"]["seconds"] / (s + out["load"]["seconds"]), 2)}
    return out


def run(out_dir: Path, *, quick: bool = False, files: int | None = None, docs: int | None = None,
        master: str = "local[2]") -> dict[str, Any]:
    files = files or (4 if quick else 8)
    docs = docs or (100 if quick else 400)
    result = envelope(NAME)
    result["quick"] = quick
    work = Path(tempfile.mkdtemp(prefix="patentdesk-spark-bench-"))
    try:
        result.update(measure(work, files, docs, master))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_result(out_dir, NAME, result)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.spark_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--quick", action="store_true", help="4 files of 100 documents")
    parser.add_argument("--files", type=int, help="synthetic weekly files (default 8, quick 4)")
    parser.add_argument("--docs", type=int, help="documents per file (default 400, quick 100)")
    parser.add_argument("--master", default="local[2]", help="Spark master (default local[2])")
    args = parser.parse_args(argv)
    r = run(args.out, quick=args.quick, files=args.files, docs=args.docs, master=args.master)
    if "docs_per_s" not in r.get("bulk_spark", {}):
        print(f"ingest {r['ingest']['docs_per_s']} docs/s; spark skipped: {r['bulk_spark'].get('skipped')}")
        return 0
    print(f"{r['documents']} documents: ingest {r['ingest']['docs_per_s']} docs/s, bulk embedded "
          f"{r['bulk_embedded']['docs_per_s']} docs/s, bulk spark ({r['master']}) {r['bulk_spark']['docs_per_s']} "
          f"docs/s (x{r['spark_vs_embedded']} of embedded), load {r['load']['docs_per_s']} docs/s; "
          f"spark + load vs ingest x{r['end_to_end']['ratio']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
