"""`/metrics`: request latencies by route template, search counts, catalogue, index and ingest
progress; shared across worker processes through PROMETHEUS_MULTIPROC_DIR."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from patentdesk.config import Settings
from patentdesk.web import metrics
from patentdesk.web.app import WebOptions, create_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(found: dict[Any, float], name: str, **labels: str) -> float | None:
    return found.get((name, tuple(sorted(labels.items()))))


def test_metrics_count_requests_searches_and_the_catalogue(ops_settings: Settings) -> None:
    app = create_app(ops_settings, WebOptions(api_rate=0))
    metrics.install(app)
    with TestClient(app) as client:
        for _ in range(2):
            assert client.get("/api/v1/search", params={"q": "timepiece"}).status_code == 200
        assert client.get("/api/v1/search", params={"q": "face", "mode": "keyword"}).status_code == 200
        assert client.get("/search", params={"q": "timepiece"}).status_code == 200
        assert client.get("/publication/USD558629S1").status_code == 200
        assert client.get("/no/such/page").status_code == 404
        assert client.get("/healthz").status_code == 200
        res = client.get("/metrics")
        schema = client.get("/openapi.json").json()
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/plain")
    found = samples(res.text)
    hist = "patentdesk_http_request_duration_seconds_count"
    assert value(found, hist, method="GET", route="/api/v1/search", status="200") == 3
    assert value(found, hist, method="GET", route="/publication/{number:path}", status="200") == 1
    assert value(found, hist, method="GET", route="unmatched", status="404") == 1
    assert value(found, "patentdesk_searches_total", interface="api", mode="default") == 2
    assert value(found, "patentdesk_searches_total", interface="api", mode="keyword") == 1
    assert value(found, "patentdesk_searches_total", interface="page", mode="default") == 1
    # 25 grants of the slice + 3 good documents of the broken weekly file
    assert value(found, "patentdesk_catalogue_publications") == 28
    assert value(found, "patentdesk_index_documents") == 28
    assert value(found, "patentdesk_last_ingest_records", outcome="quarantined") == 1
    assert value(found, "patentdesk_ingest_running") == 0
    assert "/metrics" not in schema["paths"]


def test_running_jobs_show_their_progress(ops_settings: Settings) -> None:
    from patentdesk.ops.progress import ProgressFile

    app = create_app(ops_settings, WebOptions(api_rate=0))
    metrics.install(app)
    with TestClient(app) as client, ProgressFile.for_settings(ops_settings, "load") as p:
        p.update("file", {"name": "a.xml", "size": 10})
        p.update("file_done", {"name": "a.xml", "size": 10})
        p._write(force=True)
        p.update("records", {"count": 7})
        p._write(force=True)
        found = samples(client.get("/metrics").text)
        job = f"load-{os.getpid()}"
        assert value(found, "patentdesk_ingest_progress_records", job=job) == 7
        assert value(found, "patentdesk_ingest_progress_files", job=job) == 1
        assert value(found, "patentdesk_ingest_progress_bytes", job=job) == 10
    found = samples(TestClient(app).get("/metrics").text)
    assert value(found, "patentdesk_ingest_progress_records", job=job) is None  # finished: gone


WORKER = r"""
import json, sys, warnings
from patentdesk.config import resolve
from patentdesk.web import metrics
from patentdesk.web.app import WebOptions, create_app
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx`")
    from fastapi.testclient import TestClient
app = create_app(resolve(sys.argv[1]), WebOptions(api_rate=0))
metrics.install(app)
c = TestClient(app)
for _ in range(int(sys.argv[2])):
    assert c.get("/healthz").status_code == 200
print(c.get("/metrics").text)
"""


def test_workers_share_their_metrics(ops_settings: Settings, tmp_path: Path) -> None:
    shared = tmp_path / "metrics"
    shared.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(shared)}
    outs = [subprocess.run([sys.executable, "-c", WORKER, str(ops_settings.home), str(n)], env=env,
                           capture_output=True, text=True, check=True, timeout=120).stdout for n in (2, 3)]
    hist = "patentdesk_http_request_duration_seconds_count"
    first, second = samples(outs[0]), samples(outs[1])
    assert value(first, hist, method="GET", route="/healthz", status="200") == 2
    # the second worker's /metrics counts the first worker's requests too
    assert value(second, hist, method="GET", route="/healthz", status="200") == 5
    assert value(second, "patentdesk_catalogue_publications") == 28
    assert json.dumps(sorted(p.name for p in shared.iterdir()))  # the value files are there
