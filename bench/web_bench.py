"""Web benchmark: requests/s and latency of ``/api/v1/search`` under 16 concurrent clients.

``python -m bench.web_bench --out bench/results [--n N] [--seed S] [--duration S] [--quick] [--fresh]``
writes ``web.json``.

1. Corpus. ``n`` publications (default 1,000,000; 20,000 with ``--quick``) from
   `bench.generator.generate(n, seed)` (real records recombined, see there) are stored with
   `Catalogue.apply` in batches and the same records indexed (`patentdesk.index.fulltext.add_publications`,
   the writer `rebuild` uses) in one pass, in a home
   folder under the benchmark cache (`bench.generator.cache_dir()`). A built corpus is reused by
   later runs with the same n, seed, generator and index schema; when only the index schema
   changed, the stored catalogue is kept and the same generated records are indexed again
   (`reindex_corpus`). ``--fresh`` builds it all again.
2. Server. ``patentdesk serve --workers 2`` over that home on a free port of 127.0.0.1, with the
   per-client rate limit off (every request of the load tool comes from one address, which the
   limit exists to slow down). Each query is sent once first: it must answer 200, and its hit
   count and single-request time are recorded.
3. Load. ``wrk`` (Debian package ``wrk``) with ``--connections 16`` for ``--duration`` seconds
   (30) and a Lua script that cycles through `QUERIES`, a mix of words, phrases, fields, boolean
   operators, dates, sorting, paging and facets. The server, the load tool and this script share
   the machine's cores, as they would on a small library server that also runs its own checks.
   Latency percentiles are wrk's, over every request of the run.

Target: at least 200 requests/s with p99 under 250 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from bench import generator
from bench.run import envelope, write_result

NAME = "web"
DEFAULT_N = 1_000_000
QUICK_N = 20_000
TARGET_RPS = 200.0
TARGET_P99_MS = 250.0
CONNECTIONS = 16
THREADS = 2
DURATION_S = 30
WORKERS = 2
BATCH = 2_000
START_TIMEOUT_S = 120.0

# What the portal's visitors send: common words, phrases, fields, boolean queries, date ranges,
# newest-first sorting, a second page, and the facet counts the results page asks for.
QUERIES: tuple[dict[str, Any], ...] = (
    {"q": "battery"},
    {"q": "engine"},
    {"q": "neural network"},
    {"q": '"neural network"'},
    {"q": "ti=turbine"},
    {"q": "ti=engine AND ab=fuel"},
    {"q": "semiconductor OR transistor", "sort": "-date"},
    {"q": "vehicle NOT hybrid"},
    {"q": "ipc=G06N"},
    {"q": "ipc=F02C AND cc=US"},
    {"q": "cc=CN AND pd>=2015"},
    {"q": "sensor", "offset": 20},
    {"q": "wireless communication", "facets": "country,year"},
    {"q": "motor", "limit": 50},
    {"q": "cpc=H01M", "sort": "date"},
    {"q": "blade cooling", "facets": "applicant,ipc_subclass"},
)


def query_paths() -> list[str]:
    # keyword mode throughout: the corpus has no vectors, and without `mode` plain text such as
    # "neural network" would be answered as a ranked OR of its words (the hybrid fallback)
    return ["/api/v1/search?" + urlencode({**q, "mode": "keyword"}) for q in QUERIES]


# ------------------------------------------------------------------------------------- corpus

def _generator_digest() -> str:
    return hashlib.sha256(Path(generator.__file__).read_bytes()).hexdigest()[:16]


def corpus_home(n: int, seed: int) -> Path:
    return generator.cache_dir() / f"web-corpus-n{n}-seed{seed}"


def _corpus_key(n: int, seed: int) -> dict[str, Any]:
    from patentdesk.index import fulltext

    return {"n": n, "seed": seed, "generator": _generator_digest(), "index_schema": fulltext.SCHEMA_VERSION}


def _folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build_corpus(home: Path, n: int, seed: int) -> dict[str, Any]:
    """Store `n` generated records in a new catalogue under `home` and index them, in one pass:
    each batch the generator makes is stored, and the same records go on to the index writer
    (reading a million records back from the catalogue would double the time)."""
    from patentdesk.config import resolve
    from patentdesk.index import fulltext
    from patentdesk.store.catalogue import Catalogue

    shutil.rmtree(home, ignore_errors=True)
    settings = resolve(home, f"sqlite:///{home / 'catalogue.sqlite'}").ensure()
    started = time.perf_counter()
    store_s = 0.0
    with Catalogue(settings.database_url) as cat:

        def stored() -> Iterator[Any]:
            nonlocal store_s
            batch: list[Any] = []
            for i, pub in enumerate(generator.generate(n, seed), 1):
                batch.append(pub)
                if len(batch) == BATCH or i == n:
                    t = time.perf_counter()
                    cat.apply(batch)
                    store_s += time.perf_counter() - t
                    yield from batch
                    batch = []
                    _progress("stored and indexed", i, n)

        indexed = fulltext.add_publications(settings, stored())
        count = cat.count()
    total_s = time.perf_counter() - started
    info = {**_corpus_key(n, seed), "publications": count, "indexed": indexed,
            "store_s": round(store_s, 1), "generate_and_index_s": round(total_s - store_s, 1),
            "database_bytes": (home / "catalogue.sqlite").stat().st_size,
            "index_bytes": _folder_bytes(fulltext.index_path(settings))}
    (home / "corpus.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


def _progress(what: str, done: int, total: int) -> None:
    if done % 20_000 == 0 or done == total:
        print(f"   {what} {done:,} / {total:,}", file=sys.stderr, flush=True)


def reindex_corpus(home: Path, info: dict[str, Any]) -> dict[str, Any]:
    """A new index for a stored corpus whose index has an older schema: the generator gives the
    same records again (same `n`, seed and generator), so the catalogue is kept as it is."""
    from patentdesk.config import resolve
    from patentdesk.index import fulltext

    settings = resolve(home, f"sqlite:///{home / 'catalogue.sqlite'}")
    started = time.perf_counter()

    def records() -> Iterator[Any]:
        for i, pub in enumerate(generator.generate(info["n"], info["seed"]), 1):
            yield pub
            _progress("indexed", i, info["n"])

    indexed = fulltext.add_publications(settings, records())
    info = {**info, **_corpus_key(info["n"], info["seed"]), "indexed": indexed,
            "generate_and_index_s": round(time.perf_counter() - started, 1),
            "index_bytes": _folder_bytes(fulltext.index_path(settings)), "reindexed": True}
    (home / "corpus.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


def corpus(n: int, seed: int, fresh: bool) -> tuple[Path, dict[str, Any], bool]:
    """The corpus home, its description, and whether it was built (or re-indexed) by this run."""
    home = corpus_home(n, seed)
    marker = home / "corpus.json"
    if not fresh and marker.exists():
        info = json.loads(marker.read_text(encoding="utf-8"))
        key = _corpus_key(n, seed)
        if all(info.get(k) == v for k, v in key.items()):
            return home, info, False
        if all(info.get(k) == v for k, v in key.items() if k != "index_schema"):
            return home, reindex_corpus(home, info), True
    return home, build_corpus(home, n, seed), True


# ------------------------------------------------------------------------------------- server

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """`patentdesk serve` in its own process group, stopped by its pid."""

    def __init__(self, home: Path, workers: int, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.command = [sys.executable, "-m", "patentdesk.cli", "serve", "--home", str(home), "--host", "127.0.0.1",
                        "--port", str(self.port), "--workers", str(workers)]
        # only this corpus and these limits: a PATENTDESK_DATABASE_URL of the shell must not leak in
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("PATENTDESK_")},
               "PATENTDESK_WEB_API_RATE": "0"}
        with log.open("wb") as out:
            self.proc = subprocess.Popen(self.command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                         start_new_session=True)

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"patentdesk serve exited with {self.proc.returncode}: {self.tail()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass  # not listening yet
            time.sleep(0.25)
        raise RuntimeError(f"patentdesk serve did not answer /healthz in {START_TIMEOUT_S:.0f} s: {self.tail()}")

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the group is the server and its workers
            self.proc.wait(timeout=5)


def warm_up(url: str) -> list[dict[str, Any]]:
    """Every query once (twice, the second timed): all must succeed; their hit counts show what
    the load is made of."""
    rows = []
    with httpx.Client(base_url=url, timeout=60.0) as client:
        for params, path in zip(QUERIES, query_paths(), strict=True):
            client.get(path)
            start = time.perf_counter()
            r = client.get(path)
            ms = (time.perf_counter() - start) * 1000
            if r.status_code != 200:
                raise RuntimeError(f"{path} answered {r.status_code}: {r.text[:300]}")
            rows.append({"query": params, "total": r.json()["total"], "single_request_ms": round(ms, 1)})
    return rows


# ------------------------------------------------------------------------------------- load

LUA = """\
-- Cycles through the benchmark's queries; each thread starts at another place in the list.
local paths = { %(paths)s }
local next_offset = 0

function setup(thread)
  thread:set("offset", next_offset)
  next_offset = next_offset + 5
end

function init(args)
  i = offset or 0
end

function request()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests":%%d,"duration_us":%%d,"bytes":%%d,' ..
    '"errors":{"connect":%%d,"read":%%d,"write":%%d,"status":%%d,"timeout":%%d},' ..
    '"latency_us":{"min":%%d,"mean":%%.1f,"stdev":%%.1f,"max":%%d,"p50":%%d,"p90":%%d,"p99":%%d,"p999":%%d}}\\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
end
"""


def lua_script(paths: list[str]) -> str:
    quoted = ", ".join(json.dumps(p) for p in paths)  # JSON string syntax is valid Lua for these ASCII paths
    return LUA % {"paths": quoted}


def wrk_command(url: str, script: Path, connections: int, threads: int, duration: int) -> list[str]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk (scripts/system-deps installs it)")
    return [wrk, "--threads", str(threads), "--connections", str(connections), "--duration", f"{duration}s",
            "--timeout", "10s", "--latency", "--script", str(script), url]


def parse_wrk(stdout: str) -> dict[str, Any]:
    line = next((ln for ln in stdout.splitlines() if ln.startswith("WRK-JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{stdout[-2000:]}")
    raw = json.loads(line.removeprefix("WRK-JSON "))
    lat = raw["latency_us"]
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "seconds": round(seconds, 2),
        "requests_per_s": round(raw["requests"] / seconds, 1),
        "latency_ms": {k: round(lat[k] / 1000, 2) for k in ("min", "mean", "p50", "p90", "p99", "p999", "max")},
        "errors": raw["errors"],  # "status": answers that were not 2xx or 3xx
        "transfer_mb": round(raw["bytes"] / 2**20, 2),
    }


def load(url: str, work: Path, connections: int, threads: int, duration: int) -> dict[str, Any]:
    script = work / "queries.lua"
    script.write_text(lua_script(query_paths()), encoding="utf-8")
    cmd = wrk_command(url + "/", script, connections, threads, duration)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr[-2000:]}")
    return {"tool": _wrk_version(), "command": shlex.join(cmd), "lua": script.read_text(encoding="utf-8"),
            "connections": connections, "threads": threads, "duration_s": duration, **parse_wrk(done.stdout),
            "output": done.stdout}


def _wrk_version() -> str:
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "wrk"


# ------------------------------------------------------------------------------------- entry points

def run(out_dir: Path, *, quick: bool = False, n: int | None = None, seed: int = 0, duration: int = DURATION_S,
        connections: int = CONNECTIONS, threads: int = THREADS, workers: int = WORKERS,
        fresh: bool = False) -> dict[str, Any]:
    n = n or (QUICK_N if quick else DEFAULT_N)
    result = envelope(NAME)
    result.update({"quick": quick, "n": n, "seed": seed})
    home, info, built = corpus(n, seed, fresh)
    result["corpus"] = {**info, "home": str(home), "built_by_this_run": built,
                        "how": "bench.generator.generate(n, seed) -> Catalogue.apply -> fulltext.rebuild"}
    with tempfile.TemporaryDirectory(prefix="patentdesk-web-bench-") as tmp:
        work = Path(tmp)
        server = Server(home, workers, work / "serve.log")
        try:
            server.wait_healthy()
            result["server"] = {"command": shlex.join(server.command), "workers": workers, "rate_limit": "off"}
            result["queries"] = warm_up(server.url)
            result["load"] = load(server.url, work, connections, threads, duration)
        finally:
            server.stop()
    measured = result["load"]
    errors = sum(measured["errors"].values())
    result["requests_per_s"] = measured["requests_per_s"]
    result["latency_ms"] = {"p50": measured["latency_ms"]["p50"], "p99": measured["latency_ms"]["p99"]}
    result["errors"] = errors
    result["target"] = {"requests_per_s": TARGET_RPS, "p99_ms": TARGET_P99_MS, "connections": CONNECTIONS}
    result["meets_target"] = (measured["requests_per_s"] >= TARGET_RPS and measured["latency_ms"]["p99"] < TARGET_P99_MS
                              and errors == 0)
    write_result(out_dir, NAME, result)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.web_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--n", type=int, help=f"corpus size (default {DEFAULT_N:,}; {QUICK_N:,} with --quick)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed")
    parser.add_argument("--quick", action="store_true", help=f"a {QUICK_N:,}-record corpus")
    parser.add_argument("--duration", type=int, default=DURATION_S, help="seconds of load")
    parser.add_argument("--connections", type=int, default=CONNECTIONS, help="concurrent clients")
    parser.add_argument("--threads", type=int, default=THREADS, help="wrk threads")
    parser.add_argument("--workers", type=int, default=WORKERS, help="server worker processes")
    parser.add_argument("--fresh", action="store_true", help="build the corpus again even when a built one exists")
    args = parser.parse_args(argv)
    r = run(args.out, quick=args.quick, n=args.n, seed=args.seed, duration=args.duration,
            connections=args.connections, threads=args.threads, workers=args.workers, fresh=args.fresh)
    print(f"n={r['n']:,}: {r['requests_per_s']} requests/s, p50 {r['latency_ms']['p50']} ms, "
          f"p99 {r['latency_ms']['p99']} ms, errors {r['errors']} at {r['load']['connections']} connections "
          f"(target >= {TARGET_RPS:.0f}/s, p99 < {TARGET_P99_MS:.0f} ms: "
          f"{'met' if r['meets_target'] else 'missed'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
