"""The public portal and REST API as one FastAPI application.

`create_app(settings)` builds it over a catalogue; `patentdesk serve` runs it with uvicorn. With
several workers uvicorn imports `patentdesk.web.app:app_from_env` in each, which rebuilds the same
app from the environment that `serve` writes (`PATENTDESK_HOME`, `PATENTDESK_DATABASE_URL`,
`PATENTDESK_WEB_*`).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .. import __version__
from ..config import Settings, resolve
from ..search.api import SearchRequest, SearchResult
from ..store.catalogue import Catalogue

log = logging.getLogger("patentdesk.web")

STATIC_DIR = Path(__file__).resolve().parent / "static"


@dataclass(frozen=True)
class WebOptions:
    """Limits of the public service. Each field can be set as `PATENTDESK_WEB_<FIELD>`."""

    max_query_length: int = 2000
    max_offset: int = 10_000  # deeper paging is refused: export is the way to take everything
    max_body_bytes: int = 64 * 1024
    max_upload_bytes: int = 10 * 1024 * 1024 + 64 * 1024  # service desk attachments (desk limit + form)
    api_rate: float = 10.0  # requests per second per client on /api/; 0 turns the limit off
    api_burst: int = 60
    export_limit: int = 10_000  # most records one export returns

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WebOptions:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f"PATENTDESK_WEB_{f.name.upper()}")
            if raw is not None:
                values[f.name] = float(raw) if f.type == "float" else int(raw)
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        return {f"PATENTDESK_WEB_{f.name.upper()}": str(getattr(self, f.name)) for f in dataclasses.fields(self)}


class SearchBackend(Protocol):
    """What the web layer needs from the search engine (`patentdesk.search.engine` by default)."""

    def run_search(self, settings: Settings, catalogue: Catalogue, request: SearchRequest) -> SearchResult: ...

    def matching_numbers(self, settings: Settings, catalogue: Catalogue, query: str) -> list[str]: ...


class DefaultBackend:
    """Every mode: the keyword engine for the query language, semantic and hybrid search over the
    passage vectors (`patentdesk.search.semantic.run`, which picks hybrid for plain text)."""

    def run_search(self, settings: Settings, catalogue: Catalogue, request: SearchRequest) -> SearchResult:
        from ..search import semantic

        return semantic.run(settings, catalogue, request)

    def matching_numbers(self, settings: Settings, catalogue: Catalogue, query: str) -> list[str]:
        from ..search import engine

        return engine.matching_numbers(settings, catalogue, query)


class Services:
    """What the routes share: settings, options, the catalogue (opened on first use) and search."""

    def __init__(self, settings: Settings, options: WebOptions, search: SearchBackend | None) -> None:
        self.settings = settings
        self.options = options
        self._search = search
        self._catalogue: Catalogue | None = None
        self._usage: Any = None
        self._lock = threading.Lock()

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            with self._lock:
                if self._catalogue is None:
                    self.settings.ensure()
                    self._catalogue = Catalogue(self.settings.database_url)
        return self._catalogue

    @property
    def backend(self) -> SearchBackend:
        if self._search is None:
            self._search = DefaultBackend()
        assert self._search is not None
        return self._search

    @property
    def usage(self) -> Any:
        """The usage counter's buffer (`patentdesk.desk.stats.UsageBuffer`) over this catalogue."""
        if self._usage is None:
            from ..desk.stats import UsageBuffer

            engine = self.catalogue.engine  # outside the lock: opening the catalogue takes it
            with self._lock:
                if self._usage is None:
                    self._usage = UsageBuffer(engine)
        return self._usage

    def search(self, request: SearchRequest) -> SearchResult:
        return self.backend.run_search(self.settings, self.catalogue, request)

    def matching_numbers(self, query: str) -> list[str]:
        return self.backend.matching_numbers(self.settings, self.catalogue, query)

    def close(self) -> None:
        if self._usage is not None:
            try:
                self._usage.flush()
            except Exception:  # the server is stopping: say so in the log, do not fail the shutdown
                logging.getLogger(__name__).warning("could not write the last usage counts", exc_info=True)
            self._usage = None
        if self._catalogue is not None:
            self._catalogue.close()
            self._catalogue = None


def create_app(settings: Settings, options: WebOptions | None = None, *,
               search: SearchBackend | None = None) -> FastAPI:
    """The portal and the REST API over the catalogue that `settings` names."""
    from . import (
        analytics_pages,
        api,
        classification_pages,
        desk_api,
        errors,
        middleware,
        pages,
    )

    options = options or WebOptions()
    services = Services(settings, options, search)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        services.close()

    app = FastAPI(
        title="patentdesk",
        version=__version__,
        summary="Patent search and documents from a library's own catalogue.",
        description="The REST API of a patentdesk server. See docs/api.md for the query language, "
                    "limits and error codes.",
        docs_url=None,  # the interactive pages load scripts from elsewhere; the CSP forbids that
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.services = services
    app.include_router(api.router)
    app.include_router(api.health_router)
    app.include_router(pages.router)
    app.include_router(classification_pages.router)
    app.include_router(analytics_pages.router)
    app.include_router(analytics_pages.api_router)
    desk_api.install(app)  # the service desk: its API, portal pages and usage counter
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    errors.install(app)
    middleware.install(app, options)
    api.install_openapi(app)
    from . import metrics

    metrics.install(app)
    return app


def app_from_env() -> FastAPI:
    """The app as `serve --workers N` starts it in each worker process."""
    return create_app(resolve(), WebOptions.from_env())
