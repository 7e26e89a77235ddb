"""Run every benchmark: ``python -m bench.run --out bench/results [--only NAME] [--quick]``.

Finds the modules ``bench/*_bench.py`` and runs each (see `bench` for the contract); each writes its
own JSON file into ``--out``. ``--only ingest`` (or ``--only ingest_bench``) runs one, and may be
given several times; ``--quick`` asks every benchmark for a short run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import pkgutil
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import bench

REPO = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------------------------- shared parts

def command_line() -> str:
    """The exact command that started this process."""
    return shlex.join(getattr(sys, "orig_argv", [sys.executable, *sys.argv]))


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return platform.processor() or None


def _memory_total_mb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def machine_info() -> dict[str, Any]:
    import sqlite3

    import lxml.etree
    import sqlalchemy

    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "memory_mb": _memory_total_mb(),
        "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)),
        "libxml2": ".".join(map(str, lxml.etree.LIBXML_VERSION)),
        "sqlalchemy": sqlalchemy.__version__,
        "sqlite": sqlite3.sqlite_version,
        "commit": _git("rev-parse", "HEAD"),
        "tree_modified": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }


def envelope(name: str) -> dict[str, Any]:
    """The part every benchmark result starts with: what ran, where and when."""
    return {
        "benchmark": name,
        "command": command_line(),
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine_info(),
    }


def write_result(out_dir: Path, name: str, result: dict[str, Any]) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


# ------------------------------------------------------------------------------------- runner

def discover() -> list[str]:
    """Names of the benchmark modules, sorted: ingest_bench, search_bench, ..."""
    return sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.endswith("_bench"))


def _selected(names: list[str], only: list[str] | None) -> list[str]:
    if not only:
        return names
    wanted = {o if o.endswith("_bench") else f"{o}_bench" for o in only}
    unknown = wanted - set(names)
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}; found: {', '.join(names)}")
    return [n for n in names if n in wanted]


def run_one(name: str, out_dir: Path, quick: bool) -> None:
    module = importlib.import_module(f"bench.{name}")
    runner = getattr(module, "run", None)
    if callable(runner):
        runner(out_dir, quick=quick)
        return
    cmd = [sys.executable, "-m", f"bench.{name}", "--out", str(out_dir), *(["--quick"] if quick else [])]
    subprocess.run(cmd, check=True, cwd=REPO)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results", help="folder for the JSON results")
    parser.add_argument("--only", action="append", help="run only this benchmark (repeatable)")
    parser.add_argument("--quick", action="store_true", help="short runs (smaller corpora, fewer repeats)")
    args = parser.parse_args(argv)
    names = _selected(discover(), args.only)
    failed = []
    for name in names:
        start = time.perf_counter()
        print(f"== {name}", file=sys.stderr, flush=True)
        try:
            run_one(name, args.out, args.quick)
        except (Exception, SystemExit) as e:  # one broken benchmark must not hide the others' results
            failed.append(name)
            print(f"!! {name} failed: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
            continue
        print(f"== {name} done in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
