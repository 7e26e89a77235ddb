#!/usr/bin/env python3
"""Soak test of a local deployment: mixed search, page, analytics and ingest load for a bounded
time, then throughput, latency percentiles, errors (there must be none) and whether the
catalogue's count is what it was.

    .venv/bin/python scripts/soak.py                      # 10 minutes, its own server and home
    .venv/bin/python scripts/soak.py --duration 60 --concurrency 2 --data data/demo/uspto
    .venv/bin/python scripts/soak.py --base-url http://127.0.0.1:8000 --home /srv/patentdesk ...

Without --base-url it makes a home in a temporary folder, loads --data into it (SQLite, or
--database-url), and starts `patentdesk serve --workers N` on 127.0.0.1 with a free port and the
API rate limit off. Meanwhile clients send searches (API and page), publication pages, analytics
pages and API record requests, while an ingest of the same data runs again and again (every record
comes back unchanged, so the count must not move) and `patentdesk index rebuild` swaps in a new
index now and then under the readers.

Traffic goes to loopback addresses only: any other --base-url is refused. Every loop is bounded by
--duration (default 600 s, at most 3600 s). Exit status 0 when there were no errors and the count
is unchanged, 1 otherwise. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
MAX_DURATION = 3600.0
MIX = (("api_search", 45), ("page_search", 15), ("publication", 15), ("api_record", 10), ("analytics", 15))


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)

    def error(self, kind: str, what: str) -> None:
        with self.lock:
            self.error_count += 1
            if len(self.errors) < 20:
                self.errors.append(f"{kind}: {what}")


def loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(args: list[str], env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "patentdesk.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=REPO, check=False)


def catalogue_count(env: dict[str, str], home: str) -> int:
    res = cli(["stats", "--home", home, "--json"], env)
    if res.returncode != 0:
        raise SystemExit(f"patentdesk stats failed: {res.stderr}")
    return int(json.loads(res.stdout)["publications"])


def sample_queries(env: dict[str, str], home: str) -> tuple[list[str], list[str]]:
    """Words of real titles and real publication numbers of the catalogue under test."""
    code = ("import json,sys\nfrom patentdesk.config import resolve\nfrom patentdesk.store.catalogue import Catalogue\n"
            "c=Catalogue(resolve(sys.argv[1]).database_url)\nout=[]\n"
            "for i,p in enumerate(c.iter_publications()):\n"
            "    out.append([p.number,p.title or ''])\n"
            "    if i>=400: break\nprint(json.dumps(out))\n")
    res = subprocess.run([sys.executable, "-c", code, home], env=env, capture_output=True, text=True, check=True)
    pairs = json.loads(res.stdout)
    numbers = [n for n, _ in pairs]
    words = sorted({w.lower() for _, t in pairs for w in t.split() if w.isalpha() and len(w) > 4})
    queries = words[:200] + [f"{a} AND {b}" for a, b in zip(words[::7], words[3::7])][:50] + \
        [f'ti="{a}"' for a in words[::11]][:30]
    return queries or ["engine"], numbers


def client_loop(base: str, deadline: float, queries: list[str], numbers: list[str], stats: Stats, seed: int) -> None:
    import httpx

    rng = random.Random(seed)
    kinds = [k for k, w in MIX for _ in range(w)]
    with httpx.Client(base_url=base, timeout=30.0) as http:
        while time.monotonic() < deadline:
            kind = rng.choice(kinds)
            q = rng.choice(queries)
            req: tuple[str, dict[str, str | int]]
            if kind == "api_search":
                req = ("/api/v1/search", {"q": q, "facets": "year,country", "limit": 20})
            elif kind == "page_search":
                req = ("/search", {"q": q})
            elif kind == "publication":
                req = (f"/publication/{rng.choice(numbers)}", {})
            elif kind == "api_record":
                req = (f"/api/v1/publications/{rng.choice(numbers)}", {})
            else:
                req = ("/analytics", {"q": q})
            started = time.perf_counter()
            try:
                res = http.get(req[0], params=req[1])
            except httpx.HTTPError as e:
                stats.error(kind, f"{type(e).__name__}: {e}")
                continue
            took = time.perf_counter() - started
            if res.status_code != 200:
                stats.error(kind, f"HTTP {res.status_code} for {req[0]} {req[1]}: {res.text[:200]}")
            else:
                stats.ok(kind, took)


def writer_loop(env: dict[str, str], home: str, data: list[str], deadline: float, ingest_every: float,
                rebuild_every: float, stats: Stats, log: dict[str, Any]) -> None:
    """Ingests of the same data (unchanged records) and index rebuilds, until the deadline."""
    next_ingest = time.monotonic() + ingest_every
    next_rebuild = time.monotonic() + rebuild_every
    while True:
        now = time.monotonic()
        upcoming = min(next_ingest, next_rebuild)
        if upcoming >= deadline:
            return
        time.sleep(max(0.0, upcoming - now))
        if time.monotonic() >= next_ingest:
            started = time.perf_counter()
            res = cli(["ingest", "--home", home, "--json", *data], env)
            log["ingests"].append(round(time.perf_counter() - started, 2))
            if res.returncode != 0:
                stats.error("ingest", f"exit {res.returncode}: {res.stderr[-300:]}")
            else:
                s = json.loads(res.stdout)
                if s["added"] or s["updated"]:
                    stats.error("ingest", f"re-ingest changed records: {s}")
            next_ingest = time.monotonic() + ingest_every
        if time.monotonic() >= next_rebuild:
            started = time.perf_counter()
            res = cli(["index", "rebuild", "--home", home], env)
            log["rebuilds"].append(round(time.perf_counter() - started, 2))
            if res.returncode != 0:
                stats.error("rebuild", f"exit {res.returncode}: {res.stderr[-300:]}")
            next_rebuild = time.monotonic() + rebuild_every


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))
    return s[k]


def summarize(stats: Stats, seconds: float) -> dict[str, Any]:
    every = [x for v in stats.latencies.values() for x in v]
    per = {}
    for kind, v in sorted(stats.latencies.items()):
        per[kind] = {"requests": len(v), "p50_ms": round(percentile(v, 50) * 1000, 1),
                     "p99_ms": round(percentile(v, 99) * 1000, 1)}
    return {"seconds": round(seconds, 1), "requests": len(every) + stats.error_count,
            "throughput_rps": round(len(every) / seconds, 1) if seconds else 0.0,
            "p50_ms": round(percentile(every, 50) * 1000, 1), "p95_ms": round(percentile(every, 95) * 1000, 1),
            "p99_ms": round(percentile(every, 99) * 1000, 1), "max_ms": round(max(every, default=0) * 1000, 1),
            "errors": stats.error_count, "error_samples": stats.errors, "by_kind": per}


def wait_healthy(base: str, server: subprocess.Popen[str] | None, timeout: float = 120) -> None:
    import httpx

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if server is not None and server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{base} did not become healthy in {timeout:.0f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=600.0, help="seconds of load (default 600, at most 3600)")
    ap.add_argument("--concurrency", type=int, default=4, help="client threads")
    ap.add_argument("--workers", type=int, default=2, help="web worker processes of the server started here")
    ap.add_argument("--data", action="append", help="input to load and re-ingest (default: data/demo)")
    ap.add_argument("--home", help="use this home (with --base-url: the served one); default: a temporary one")
    ap.add_argument("--database-url", help="catalogue URL (default: SQLite in the home)")
    ap.add_argument("--base-url", help="soak a server that is already running (loopback only)")
    ap.add_argument("--ingest-every", type=float, default=20.0, help="seconds between re-ingests")
    ap.add_argument("--rebuild-every", type=float, default=30.0, help="seconds between index rebuilds (0: none)")
    ap.add_argument("--report", type=Path, help="also write the report as JSON here")
    args = ap.parse_args(argv)
    if not 0 < args.duration <= MAX_DURATION:
        ap.error(f"--duration must be in (0, {MAX_DURATION:.0f}]")
    if args.base_url and not loopback(args.base_url):
        ap.error("--base-url must be a loopback address (127.0.0.0/8, ::1 or localhost)")
    if args.base_url and not args.home:
        ap.error("--base-url needs --home (the home the server serves) for the ingests and the count")
    data = args.data or [str(REPO / "data" / "demo")]
    tmp = tempfile.mkdtemp(prefix="patentdesk-soak-")
    home = args.home or str(Path(tmp) / "home")
    env = {**os.environ, "PATENTDESK_WEB_API_RATE": "0", "PATENTDESK_LOG_LEVEL": "warning"}
    env["PATENTDESK_HOME"] = home
    if args.database_url:
        env["PATENTDESK_DATABASE_URL"] = args.database_url
    server: subprocess.Popen[str] | None = None
    server_log = None
    try:
        if not args.base_url:
            print(f"loading {' '.join(data)} into {home} ...", file=sys.stderr, flush=True)
            res = cli(["ingest", "--home", home, *data], env, timeout=3600)
            if res.returncode not in (0, 3):
                raise SystemExit(f"initial ingest failed: {res.stderr}")
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            metrics_dir = Path(tmp) / "metrics"
            metrics_dir.mkdir()
            env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
            server_log = open(Path(tmp) / "server.log", "w")  # noqa: SIM115 - closed with the server
            server = subprocess.Popen(
                [sys.executable, "-m", "patentdesk.cli", "serve", "--home", home, "--host", "127.0.0.1",
                 "--port", str(port), "--workers", str(args.workers)],
                env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=server_log, text=True)
        else:
            base = args.base_url.rstrip("/")
        wait_healthy(base, server)
        queries, numbers = sample_queries(env, home)
        before = catalogue_count(env, home)
        print(f"soaking {base} for {args.duration:.0f} s with {args.concurrency} clients "
              f"({len(queries)} queries, {len(numbers)} numbers, {before} publications)", file=sys.stderr, flush=True)
        stats = Stats()
        log: dict[str, Any] = {"ingests": [], "rebuilds": []}
        started = time.monotonic()
        deadline = started + args.duration
        clients = [threading.Thread(target=client_loop, args=(base, deadline, queries, numbers, stats, i), daemon=True)
                   for i in range(args.concurrency)]
        writer = threading.Thread(target=writer_loop, daemon=True,
                                  args=(env, home, data, deadline, args.ingest_every, args.rebuild_every or 1e12,
                                        stats, log))
        for t in [*clients, writer]:
            t.start()
        for t in clients:
            t.join(timeout=args.duration + 60)
        elapsed = time.monotonic() - started  # the clients' window: throughput is over it
        writer.join(timeout=960)  # an ingest or rebuild begun before the deadline finishes
        after = catalogue_count(env, home)
        report = summarize(stats, elapsed)
        metrics_text = ""
        try:
            import httpx

            metrics_text = httpx.get(base + "/metrics", timeout=10).text
        except Exception:  # noqa: BLE001 - metrics are optional in the report
            metrics_text = ""
        report.update(publications_before=before, publications_after=after, count_unchanged=before == after,
                      ingests=len(log["ingests"]), ingest_seconds=log["ingests"], rebuilds=len(log["rebuilds"]),
                      rebuild_seconds=log["rebuilds"], concurrency=args.concurrency,
                      workers=None if args.base_url else args.workers, base_url=base,
                      metrics_exposed="patentdesk_http_request_duration_seconds" in metrics_text)
        log_path = Path(tmp) / "server.log"
        if report["errors"] and log_path.is_file():
            report["server_log_tail"] = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        text = json.dumps(report, indent=2)
        print(text)
        if args.report:
            args.report.write_text(text + "\n", encoding="utf-8")
        return 0 if report["errors"] == 0 and before == after else 1
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if server_log is not None:
            server_log.close()
        shutil.rmtree(tmp, ignore_errors=True)  # the home is in it unless --home named another


if __name__ == "__main__":
    sys.exit(main())
