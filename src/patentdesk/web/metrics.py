"""Prometheus metrics of the web service: `/metrics` in the text exposition format.

* ``patentdesk_http_request_duration_seconds`` (histogram; method, route template, status):
  request latencies; its ``_count`` gives request and error rates;
* ``patentdesk_searches_total`` (interface api|page, mode): searches answered;
* collected at scrape time: ``patentdesk_catalogue_publications``, ``patentdesk_index_documents``,
  ``patentdesk_ingest_running``, ``patentdesk_last_ingest_*`` (the catalogue's last ingest run),
  and ``patentdesk_ingest_progress_{files,records,bytes}`` of ingests and loads running now
  (`ops.progress`).

Every app has its own registry (tests build many apps in one process). With several worker
processes set ``PROMETHEUS_MULTIPROC_DIR`` (settings ``[metrics] multiproc_dir``) to an empty folder
before they start: the workers then share their values through it and any worker's `/metrics`
answers for all of them.

`/metrics` is not part of the API schema and should not be public: the reverse proxy keeps it to
the monitoring network (docs/deployment.md).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from fastapi import FastAPI

log = logging.getLogger(__name__)

SEARCH_ROUTES = {"/api/v1/search": "api", "/search": "page"}
MODES = ("keyword", "semantic", "hybrid")
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self.registry = CollectorRegistry(auto_describe=True)
        self.latency = Histogram("patentdesk_http_request_duration_seconds", "Time to answer a request",
                                 ("method", "route", "status"), buckets=BUCKETS, registry=self.registry)
        self.searches = Counter("patentdesk_searches_total", "Searches answered", ("interface", "mode"),
                                registry=self.registry)


class MetricsMiddleware:
    """Times every HTTP request and counts searches; the route label is the matched template
    (``/publication/{number:path}``), so label values stay few whatever clients ask for."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def record_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = _route(scope)
            code = status["code"]
            self.metrics.latency.labels(scope.get("method", "GET"), route, str(code)).observe(
                time.perf_counter() - started)
            interface = SEARCH_ROUTES.get(route)
            if interface and code < 400:
                self.metrics.searches.labels(interface, _mode(scope)).inc()


def _route(scope: Scope) -> str:
    route = scope.get("route")  # set by the router on the same scope once a route matched
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    if scope.get("path", "").startswith("/static/"):
        return "/static"
    return "unmatched"


def _mode(scope: Scope) -> str:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("mode")
    mode = values[0] if values else "default"
    return mode if mode in MODES or mode == "default" else "other"


class ServiceCollector:
    """Numbers read when Prometheus scrapes: catalogue, index, ingest runs and progress."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        services = self.app.state.services
        settings = services.settings
        pubs = GaugeMetricFamily("patentdesk_catalogue_publications", "Publications in the catalogue")
        running = GaugeMetricFamily("patentdesk_ingest_running", "Ingest runs the catalogue marks as running")
        last_ts = GaugeMetricFamily("patentdesk_last_ingest_timestamp_seconds", "When the last ingest run started")
        last = GaugeMetricFamily("patentdesk_last_ingest_records", "Records of the last ingest run, by outcome",
                                 labels=["outcome"])
        try:
            from sqlalchemy import func, select

            from ..store import schema as S

            cat = services.catalogue
            pubs.add_metric([], cat.count())
            with cat.engine.connect() as conn:
                n = conn.execute(select(func.count()).select_from(S.ingest_runs)
                                 .where(S.ingest_runs.c.status == "running")).scalar_one()
                running.add_metric([], int(n))
            runs = cat.runs(1)
            if runs:
                r = runs[0]
                last_ts.add_metric([], r.started_at.timestamp())
                for outcome in ("read", "added", "updated", "unchanged", "skipped", "quarantined"):
                    last.add_metric([outcome], getattr(r, outcome))
        except Exception as e:  # noqa: BLE001 - a scrape must answer even when the database does not
            log.warning("metrics: the catalogue did not answer: %s", e)
        yield from (pubs, running, last_ts, last)

        docs = GaugeMetricFamily("patentdesk_index_documents", "Documents in the full-text index")
        try:
            from ..index import fulltext

            meta = fulltext.status(settings)
            if meta.get("documents") is not None:
                docs.add_metric([], meta["documents"])
        except Exception as e:  # noqa: BLE001 - no index yet: no sample
            log.debug("metrics: no index documents: %s", e)
        yield docs

        from ..ops.progress import active_jobs

        files = GaugeMetricFamily("patentdesk_ingest_progress_files", "Files read by a running job", labels=["job"])
        records = GaugeMetricFamily("patentdesk_ingest_progress_records", "Records stored by a running job",
                                    labels=["job"])
        size = GaugeMetricFamily("patentdesk_ingest_progress_bytes", "Bytes read by a running job", labels=["job"])
        for job in active_jobs(settings):
            label = [f"{job.get('job')}-{job.get('pid')}"]
            files.add_metric(label, job.get("files", 0))
            records.add_metric(label, job.get("records", 0))
            size.add_metric(label, job.get("bytes", 0))
        yield from (files, records, size)


def install(app: FastAPI) -> Metrics:
    """Time every request of `app` and serve `/metrics` (outside the API schema). Once per app:
    a second call returns the metrics the first installed."""
    existing: Metrics | None = getattr(app.state, "metrics", None)
    if existing is not None:
        return existing
    metrics = app.state.metrics = Metrics()
    collector = ServiceCollector(app)
    app.add_middleware(MetricsMiddleware, metrics=metrics)

    def scrape(request: Request) -> Response:
        from prometheus_client import (
            CONTENT_TYPE_LATEST,
            CollectorRegistry,
            generate_latest,
        )

        if _shared_values():
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
        else:
            registry = CollectorRegistry()
            registry.register(_Forward(metrics.registry))
        registry.register(collector)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.add_api_route("/metrics", scrape, methods=["GET"], include_in_schema=False)
    return metrics


def _shared_values() -> bool:
    """Whether this process keeps its metric values in PROMETHEUS_MULTIPROC_DIR: decided by
    prometheus_client when it was imported, so a variable set later changes nothing here."""
    from prometheus_client import values

    return getattr(values.ValueClass, "__name__", "") == "MmapedValue"


class _Forward:
    """Puts the app's own metrics into a scrape registry without registering them twice."""

    def __init__(self, registry: Any) -> None:
        self.registry = registry

    def collect(self) -> Iterator[Any]:
        return iter(self.registry.collect())
