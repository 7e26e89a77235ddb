"""Ingest benchmark: throughput against a bare lxml parse, and peak memory on a weekly-size file.

``python -m bench.ingest_bench --out bench/results [--quick] [--size-mb N] [--repeat N] [--profile]``
writes ``ingest.json``.

1. Throughput. The real USPTO weekly slices (v4.0-v4.3, 225 grants and 5 sequence listings) are
   processed three ways in the same run, each repeated and timed best-of-N:
   * ``bare_parse``: split the bytes at each ``<?xml`` line and ``lxml.etree.fromstring`` every
     document; nothing else. This is the floor any XML ingest stands on.
   * ``read_only``: the product's reader (detection, safe parsing, extraction to `Publication`s),
     records not stored.
   * ``ingest``: the whole `patentdesk.ingest.pipeline.ingest` into a fresh SQLite catalogue
     (reader, provenance, batching, transactions, child rows, versions).
   Documents/s and MB/s are of the same documents and bytes; ``ratio`` = ingest speed / bare
   parse speed, target >= 1/3.
2. Peak memory. `bench.generator.write_uspto_weekly` writes a synthetic weekly grant file (real
   grant documents with new numbers) of ``--size-mb`` (500 MB; 50 MB with ``--quick``);
   ``patentdesk ingest`` loads it in a subprocess whose RSS high-water mark comes from
   ``os.wait4`` (``ru_maxrss``). Target: peak < 500 MB, i.e. memory stays flat with file size.
3. When the ratio misses its target (or with ``--profile``) one ingest pass runs under cProfile and
   the functions taking the most time are recorded with their share of the total.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from lxml import etree

from bench import generator
from bench.run import envelope, write_result

NAME = "ingest"
RATIO_TARGET = 1 / 3
PEAK_TARGET_MB = 500
_DOC_START = re.compile(rb"(?m)^(?=<\?xml)")


def corpus_files() -> list[Path]:
    return sorted((generator.data_dir() / "uspto-xml" / "weekly-slices").glob("*.xml"))


def _best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), times, result


def bare_parse(blobs: list[bytes]) -> int:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    n = 0
    for data in blobs:
        for doc in _DOC_START.split(data):
            if doc.strip():
                etree.fromstring(doc, parser)
                n += 1
    return n


def read_only(files: list[Path]) -> int:
    from patentdesk.ingest.base import detect
    from patentdesk.ingest.sources import FileSource

    n = 0
    for path in files:
        source = FileSource(path)
        reader = detect(source)
        assert reader is not None, path
        for _ in reader.read(source):
            n += 1
    return n


def ingest_fresh(files: list[Path], workdir: Path, tag: str) -> Callable[[], dict[str, Any]]:
    """A timed ingest into a catalogue created (and migrated) before the clock starts."""
    from patentdesk.ingest.pipeline import ingest
    from patentdesk.store.catalogue import Catalogue

    counter = iter(range(1_000_000))
    state: dict[str, Any] = {}

    def prepare() -> None:
        state["cat"] = Catalogue(f"sqlite:///{workdir / f'{tag}-{next(counter)}.sqlite'}")

    def run() -> dict[str, Any]:
        cat = state.pop("cat")
        try:
            return ingest(cat, [str(p) for p in files]).to_dict()
        finally:
            cat.close()

    run.prepare = prepare  # type: ignore[attr-defined]
    return run


def _timed_ingests(files: list[Path], workdir: Path, repeat: int) -> tuple[float, list[float], dict[str, Any]]:
    run = ingest_fresh(files, workdir, "tp")
    times, summary = [], {}
    for _ in range(repeat):
        run.prepare()  # type: ignore[attr-defined]
        start = time.perf_counter()
        summary = run()
        times.append(time.perf_counter() - start)
    return min(times), times, summary


def _rate(seconds: float, docs: int, size: int) -> dict[str, Any]:
    return {"seconds": round(seconds, 4), "docs_per_s": round(docs / seconds, 1),
            "mb_per_s": round(size / seconds / 2**20, 2)}


def throughput(workdir: Path, repeat: int) -> dict[str, Any]:
    files = corpus_files()
    blobs = [p.read_bytes() for p in files]
    size = sum(len(b) for b in blobs)
    bare_parse(blobs)  # warm-up: imports, page cache
    read_only(files)
    bare_t, bare_all, docs = _best_of(lambda: bare_parse(blobs), repeat)
    read_t, read_all, outcomes = _best_of(lambda: read_only(files), repeat)
    ingest_t, ingest_all, summary = _timed_ingests(files, workdir, repeat)
    ratio = bare_t / ingest_t
    return {
        "corpus": {"files": [p.name for p in files], "bytes": size, "documents": docs,
                   "records": summary.get("added"), "skipped": summary.get("skipped")},
        "repeat": repeat,
        "bare_parse": {**_rate(bare_t, docs, size), "median_seconds": round(statistics.median(bare_all), 4)},
        "read_only": {**_rate(read_t, docs, size), "median_seconds": round(statistics.median(read_all), 4),
                      "outcomes": outcomes},
        "ingest": {**_rate(ingest_t, docs, size), "median_seconds": round(statistics.median(ingest_all), 4),
                   "summary": {k: v for k, v in summary.items() if k != "errors"}},
        "ratio": round(ratio, 3),
        "ratio_target": round(RATIO_TARGET, 3),
        "meets_target": ratio >= RATIO_TARGET,
    }


# ------------------------------------------------------------------------------------- memory

def _child_peak(cmd: list[str]) -> tuple[int, float, int, str, str]:
    """Run `cmd`; returns (exit status, seconds, peak RSS in KiB, stdout, stderr)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return (proc.returncode, seconds, usage.ru_maxrss, out.read().decode("utf-8", "replace"),
                err.read().decode("utf-8", "replace"))


def memory(workdir: Path, size_mb: int, seed: int = 0) -> dict[str, Any]:
    n_docs = generator.docs_for_bytes(size_mb * 2**20)
    path = workdir / f"ipg-synthetic-{size_mb}mb.xml"
    start = time.perf_counter()
    size = generator.write_uspto_weekly(path, n_docs, seed)
    written_s = time.perf_counter() - start
    baseline_cmd = [sys.executable, "-c", "import patentdesk.cli, patentdesk.ingest.pipeline, "
                    "patentdesk.ingest.readers, patentdesk.store.catalogue"]
    _, _, baseline_kb, _, _ = _child_peak(baseline_cmd)
    cmd = [sys.executable, "-m", "patentdesk.cli", "ingest", str(path), "--database-url",
           f"sqlite:///{workdir / 'memory.sqlite'}", "--home", str(workdir / "home"), "--no-index", "--json"]
    rc, seconds, peak_kb, stdout, stderr = _child_peak(cmd)
    if rc != 0:
        raise RuntimeError(f"ingest of the synthetic file failed ({rc}): {stderr[-2000:]}")
    summary = json.loads(stdout)
    peak_mb = peak_kb / 1024
    return {
        "file": {"bytes": size, "documents": n_docs, "seed": seed, "generated_in_s": round(written_s, 2),
                 "how": "bench.generator.write_uspto_weekly: real grants of the weekly slices, renumbered"},
        "command": shlex.join(cmd),
        "seconds": round(seconds, 2),
        "docs_per_s": round(n_docs / seconds, 1),
        "mb_per_s": round(size / seconds / 2**20, 2),
        "summary": {k: v for k, v in summary.items() if k != "errors"},
        "peak_rss_mb": round(peak_mb, 1),
        "baseline_rss_mb": round(baseline_kb / 1024, 1),
        "peak_target_mb": PEAK_TARGET_MB,
        "meets_target": peak_mb < PEAK_TARGET_MB,
        "database_bytes": (workdir / "memory.sqlite").stat().st_size,
    }


# ------------------------------------------------------------------------------------- profile

def profile(workdir: Path, top: int = 25) -> dict[str, Any]:
    """One ingest of the slices under cProfile: where the time goes."""
    files = corpus_files()
    run = ingest_fresh(files, workdir, "prof")
    run.prepare()  # type: ignore[attr-defined]
    prof = cProfile.Profile()
    prof.runcall(run)
    stats = pstats.Stats(prof, stream=io.StringIO())
    total = stats.total_tt  # type: ignore[attr-defined]

    def rows(key: int) -> list[dict[str, Any]]:
        entries = sorted(stats.stats.items(), key=lambda kv: kv[1][key], reverse=True)[:top]  # type: ignore[attr-defined]
        out = []
        for (file, line, func), (_cc, calls, tt, ct, _callers) in entries:
            out.append({"function": f"{_short(file)}:{line}({func})", "calls": calls,
                        "self_s": round(tt, 4), "self_share": round(tt / total, 4),
                        "cumulative_s": round(ct, 4), "cumulative_share": round(ct / total, 4)})
        return out

    return {"total_s": round(total, 4), "by_self_time": rows(2), "by_cumulative_time": rows(3)}


def _short(path: str) -> str:
    for marker in ("site-packages/", "src/", "lib/python"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


# ------------------------------------------------------------------------------------- entry points

def run(out_dir: Path, *, quick: bool = False, size_mb: int | None = None, repeat: int | None = None,
        with_profile: bool = False) -> dict[str, Any]:
    size_mb = size_mb or (50 if quick else 500)
    repeat = repeat or (2 if quick else 5)
    result = envelope(NAME)
    result["quick"] = quick
    with tempfile.TemporaryDirectory(prefix="patentdesk-bench-") as tmp:
        work = Path(tmp)
        result["throughput"] = throughput(work, repeat)
        result["memory"] = memory(work, size_mb)
        if with_profile or not result["throughput"]["meets_target"]:
            result["profile"] = profile(work)
    write_result(out_dir, NAME, result)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--quick", action="store_true", help="50 MB memory file, 2 repeats")
    parser.add_argument("--size-mb", type=int, help="size of the synthetic weekly file (default 500, quick 50)")
    parser.add_argument("--repeat", type=int, help="throughput repeats, best of (default 5, quick 2)")
    parser.add_argument("--profile", action="store_true", help="profile one ingest even when the target is met")
    args = parser.parse_args(argv)
    result = run(args.out, quick=args.quick, size_mb=args.size_mb, repeat=args.repeat, with_profile=args.profile)
    tp, mem = result["throughput"], result["memory"]
    print(f"bare parse {tp['bare_parse']['docs_per_s']} docs/s {tp['bare_parse']['mb_per_s']} MB/s; "
          f"read only {tp['read_only']['docs_per_s']} docs/s; ingest {tp['ingest']['docs_per_s']} docs/s "
          f"{tp['ingest']['mb_per_s']} MB/s; ratio {tp['ratio']} (target {tp['ratio_target']}); "
          f"peak RSS {mem['peak_rss_mb']} MB on {mem['file']['bytes'] / 2**20:.0f} MB (target < {PEAK_TARGET_MB})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
