"""The REST API, version 1: search, publications, export; plus /healthz. Bodies are the library's
own `to_dict()` output; errors are `{"error": {...}}` (see errors.py). Described in docs/api.md."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response, StreamingResponse

from .. import __version__
from ..errors import NotFound
from ..model import Publication
from ..search.api import FACETS, SearchRequest
from . import classification_pages as CP
from . import queries
from .app import Services
from .errors import BadParameter, QueryTooLong, error_body
from .schemas import (
    ClassificationResponse,
    ErrorResponse,
    Health,
    SearchResponse,
    SimilarResponse,
)

MAX_PAGE_SIZE = 100
MAX_EXPORT_NUMBERS = 500  # publications one export may name with `numbers`

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Bad request: query syntax (with position and hint), "
                                                 "query too long, unknown number format."},
    422: {"model": ErrorResponse, "description": "A parameter is missing or out of range."},
    429: {"model": ErrorResponse, "description": "Rate limit reached; see the Retry-After header."},
}

router = APIRouter(prefix="/api/v1", responses=_ERRORS)
log = logging.getLogger("patentdesk.web")
health_router = APIRouter()

Sort = Literal["relevance", "date", "-date"]
Mode = Literal["keyword", "semantic", "hybrid"]
Format = Literal["csv", "jsonl", "ris", "bibtex", "xlsx"]


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _check_query(services: Services, q: str) -> str:
    q = q.strip()
    if not q:
        raise BadParameter("q: the query is empty")
    if len(q) > services.options.max_query_length:
        raise QueryTooLong(f"the query is longer than {services.options.max_query_length} characters")
    return q


def _facets(values: list[str]) -> tuple[str, ...]:
    names = [n.strip() for v in values for n in v.split(",") if n.strip()]
    unknown = [n for n in names if n not in FACETS]
    if unknown:
        raise BadParameter(f"facets: unknown facet {unknown[0]!r} (known: {', '.join(FACETS)})")
    return tuple(dict.fromkeys(names))


@router.get("/search", response_model=SearchResponse, summary="Search the catalogue",
            responses={503: {"model": ErrorResponse, "description": "Semantic or hybrid mode asked for while the "
                             "vectors are missing or were made by another model (`stale_vectors`, "
                             "`vectors_missing`): keyword search still works."}})
def search(
    request: Request,
    q: Annotated[str, Query(description="Query in the patentdesk query language (summary in docs/api.md).")],
    limit: Annotated[int, Query(ge=0, le=MAX_PAGE_SIZE, description="Hits per page; 0 for counts only.")] = 20,
    offset: Annotated[int, Query(ge=0, description="Hits to skip (at most 10,000 by default).")] = 0,
    sort: Annotated[Sort, Query(description="relevance, date (oldest first) or -date (newest first).")]
    = "relevance",
    facets: Annotated[list[str], Query(description="Facets to count, comma-separated or repeated: "
                                                   + ", ".join(FACETS) + ".")] = [],  # noqa: B006
    facet_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Values per facet, most frequent "
                                                                     "first (`year` lists every year).")] = 20,
    mode: Annotated[Mode | None, Query(description="Retrieval mode; the engine's default when left out.")] = None,
    published_before: Annotated[dt.date | None, Query(description="Only documents published before this "
                                                                   "date (exclusive).")] = None,
    priority_before: Annotated[dt.date | None, Query(description="Only documents whose earliest priority is "
                                                                 "before this date (exclusive).")] = None,
) -> Response:
    services = _services(request)
    query = _check_query(services, q)
    if offset > services.options.max_offset:
        raise BadParameter(f"offset: at most {services.options.max_offset}; use /api/v1/export for more")
    result = services.search(SearchRequest(
        query, limit=limit, offset=offset, sort=sort, facets=_facets(facets), facet_size=facet_size, mode=mode,
        published_before=published_before.isoformat() if published_before else None,
        priority_before=priority_before.isoformat() if priority_before else None,
    ))
    return JSONResponse(result.to_dict())


# declared before /publications/{number}, whose path would take ".../similar" as part of the number
@router.get("/publications/{number:path}/similar", response_model=SimilarResponse,
            summary="Publications similar in meaning to one",
            responses={404: {"model": ErrorResponse, "description": "Not in the catalogue."},
                       503: {"model": ErrorResponse, "description": "No passage vectors (code vectors_missing), "
                                                                    "or vectors of another model (stale_vectors): "
                                                                    "`patentdesk embed` builds them."}})
def similar(
    request: Request,
    number: str,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="How many publications.")] = 10,
) -> Response:
    """"More like this": the publications whose passages are closest to this one's title, abstract
    and first claim, in any language (as `patentdesk similar`). Any common spelling of the number."""
    from ..errors import ConfigError
    from ..index.vectors import StaleVectors
    from ..search import semantic

    services = _services(request)
    canonical = number if services.catalogue.get(number) else services.catalogue.resolve(number)
    try:
        result = semantic.similar(services.settings, services.catalogue, canonical, limit=limit)
    except StaleVectors as e:
        return JSONResponse(error_body(e.code, str(e)), status_code=503)
    except ConfigError as e:
        log.error("similar %s: the passage vectors cannot be read", canonical, exc_info=e)
        return JSONResponse(error_body("vectors_unavailable", "the passage vectors cannot be read"), status_code=503)
    return JSONResponse({"number": canonical, "hits": result.to_dict()["hits"]})


@router.get("/publications/{number:path}", response_model=Publication, summary="One publication",
            responses={404: {"model": ErrorResponse, "description": "Not in the catalogue."}})
def publication(request: Request, number: str) -> Response:
    """The record as `patentdesk show --json` prints it, except that `provenance.file` is the file's
    own name (and archive member), never the server's folders. Any common spelling of the number is
    accepted (`US 7,783,348 B2`, `us7783348b2`); the body's `number` is the canonical one."""
    from .pages import _file_name

    catalogue = _services(request).catalogue
    pub = catalogue.get(number) or catalogue.get(catalogue.resolve(number))
    if pub is None:  # removed between the two reads
        raise NotFound(f"no publication {number!r} in the catalogue")
    body = pub.to_dict()
    if body.get("provenance"):
        body["provenance"]["file"] = _file_name(body["provenance"]["file"])
    return JSONResponse(body, headers={"Content-Location": f"/api/v1/publications/{pub.number}"})


@router.get("/classification/{symbol:path}", response_model=ClassificationResponse,
            summary="One level of the IPC with the catalogue's counts",
            responses={404: {"model": ErrorResponse, "description": "Not an IPC symbol, or a level that the IPC "
                                                                    "lacks and no publication uses."}})
def classification(request: Request, symbol: str) -> Response:
    """Title, the levels above and the levels below that the catalogue uses, each with its count
    (publications with an IPC symbol at or under it: the total of `ipc=SYMBOL`). Any spelling of
    the symbol (`h01m 10/05`); the body's `symbol` is the compact one."""
    services = _services(request)
    code = CP.parse_symbol(symbol)
    info = CP.describe(CP.class_tree(services.settings, services.catalogue), code)
    fields = ("symbol", "level", "title", "count")
    body = {k: info[k] for k in fields}
    body["parents"] = [{k: p[k] for k in fields} for p in info["parents"]]
    body["children"] = [{k: c[k] for k in fields} for c in info["children"]]
    return JSONResponse(body)


MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "bibtex": "application/x-bibtex; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/export", summary="Export the publications a query matches, or chosen publications",
            responses={200: {"description": "The file, as an attachment, in the engine's order (with `numbers`: "
                                            "in the order given).",
                             "content": {m.split(";")[0]: {} for m in MEDIA_TYPES.values()}}})
def export(
    request: Request,
    q: Annotated[str | None, Query(description="Query in the patentdesk query language (needed unless "
                                               "`numbers` is given).")] = None,
    format: Annotated[Format, Query(description="File format.")] = "csv",
    limit: Annotated[int | None, Query(ge=1, description="Most records (default and cap: the server's export "
                                                         "limit, 10,000 unless configured).")] = None,
    numbers: Annotated[list[str], Query(description="Publications to export instead of a query's matches, "
                                                    f"comma-separated or repeated, at most {MAX_EXPORT_NUMBERS}; "
                                                    "any common spelling of a number.")] = [],  # noqa: B006
) -> Response:
    from .. import export as writers
    from .exporting import body

    services = _services(request)
    cap = services.options.export_limit
    if numbers:
        matched = _chosen(services, numbers)
    elif not (q or "").strip():
        raise BadParameter("q: give a query, or the numbers of the publications to export")
    else:
        matched = services.matching_numbers(_check_query(services, q or ""))
    numbers = matched[: min(limit or cap, cap)]
    headers = {"Content-Disposition": f'attachment; filename="patentdesk-export{writers.EXTENSIONS[format]}"',
               "X-Total-Count": str(len(matched)), "X-Exported-Count": str(len(numbers))}
    return StreamingResponse(body(format, _publications(services, numbers)), media_type=MEDIA_TYPES[format],
                             headers=headers)


def _chosen(services: Services, values: list[str]) -> list[str]:
    """The canonical numbers of `numbers`, in the order given, each once; an unknown or ambiguous
    one is refused."""
    from ..errors import InvalidNumber

    wanted = [n.strip() for v in values for n in v.split(",") if n.strip()]
    if len(wanted) > MAX_EXPORT_NUMBERS:
        raise BadParameter(f"numbers: at most {MAX_EXPORT_NUMBERS} publications; export a query for more")
    too_long = next((n for n in wanted if len(n) > 40), None)
    if too_long is not None:
        raise BadParameter(f"numbers: {too_long[:40]!r}... is not a publication number")
    held = queries.existing(services.catalogue, wanted)
    found: list[str] = []
    for n in wanted:
        if n not in held:
            try:
                spelled = services.catalogue.lookup(n)
            except InvalidNumber:
                spelled = []
            if len(spelled) != 1:
                why = "is ambiguous; give the kind code" if spelled else "is not in the catalogue"
                raise BadParameter(f"numbers: {n!r} {why}")
            n = spelled[0]
        found.append(n)
    return list(dict.fromkeys(found))


def _publications(services: Services, numbers: list[str], batch: int = 200) -> Iterator[Publication]:
    """Publications in the engine's order, loaded a batch at a time so memory stays flat."""
    for i in range(0, len(numbers), batch):
        chunk = numbers[i:i + batch]
        found = services.catalogue.get_many(chunk)
        yield from (found[n] for n in chunk if n in found)


@health_router.get("/healthz", response_model=Health, summary="Liveness and database check",
                   responses={503: {"model": ErrorResponse, "description": "The catalogue cannot be reached."}})
def healthz(request: Request) -> Response:
    try:
        queries.ping(_services(request).catalogue)
    except Exception:  # noqa: BLE001 - any failure to reach the database means "not healthy"
        return JSONResponse(error_body("unavailable", "the catalogue cannot be reached"), status_code=503)
    return JSONResponse({"status": "ok", "version": __version__})


# ----------------------------------------------------------------------------- OpenAPI
def install_openapi(app: FastAPI) -> None:
    """The schema with our error shape in place of FastAPI's validation-error shape."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, summary=app.summary,
                                 description=app.description, routes=app.routes)
            ref = {"$ref": "#/components/schemas/ErrorResponse"}
            for ops in schema.get("paths", {}).values():
                for op in ops.values():
                    res = op.get("responses", {}).get("422")
                    if res:
                        res["content"] = {"application/json": {"schema": ref}}
            comps = schema.get("components", {}).get("schemas", {})
            comps.pop("HTTPValidationError", None)
            comps.pop("ValidationError", None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
