"""The portal's pages. Their addresses are a public contract:

    /                          search home
    /search?q=&limit=&offset=&sort=
    /publication/{number}      any spelling of the number redirects to the canonical one
    /classification/{symbol}   an IPC symbol: how many documents, and a search for them
    /analytics?q=              counts behind a query (charts are to come)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote as urlquote
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ..errors import InvalidNumber, NotFound, QuerySyntaxError, UserError
from ..model import Citation, Party, Publication, Text
from ..normalize import ipc_symbol
from ..search.api import FACETS, SORTS, SearchRequest, SearchResult
from . import facets as F
from . import queries
from .app import Services
from .claims import split_claims
from .errors import QueryTooLong
from .render import N_, language, render

router = APIRouter(include_in_schema=False)

PAGE_SIZES = (10, 20, 50, 100)
FACET_VALUES_SHOWN = 10  # per facet beside the results; the analytics page lists them all

SORT_LABELS = {
    "relevance": N_("Relevance"),
    "-date": N_("Newest first"),
    "date": N_("Oldest first"),
}
assert set(SORT_LABELS) == set(SORTS)

DOC_TYPES = {
    "grant": N_("Patent grant"),
    "application": N_("Patent application"),
    "utility_model": N_("Utility model"),
    "design": N_("Design patent"),
    "plant": N_("Plant patent"),
    "reissue": N_("Reissued patent"),
    "sir": N_("Statutory invention registration"),
    "search_report": N_("Search report"),
    "other": N_("Other document"),
}

ROLES = (
    ("applicant", N_("Applicants")),
    ("assignee", N_("Assignees")),
    ("owner", N_("Owners")),
    ("inventor", N_("Inventors")),
    ("agent", N_("Agents")),
    ("examiner", N_("Examiners")),
)

SCHEMES = {
    "ipc": N_("IPC"),
    "cpc": N_("CPC"),
    "locarno": N_("Locarno"),
    "national": N_("National classification"),
    "fi": N_("FI"),
    "fterm": N_("F-term"),
}

CITED_BY = {"examiner": N_("examiner"), "applicant": N_("applicant"), "third-party": N_("third party")}

# Which record language a reader of each portal language sees first.
_TEXT_LANG = {"en": "en", "zh-Hans": "zh", "zh-Hant": "zh", "pt": "pt"}


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _int(value: str | None, default: int, low: int, high: int) -> int:
    """A lenient integer parameter: the portal clamps odd values instead of refusing the page."""
    try:
        n = int(value) if value is not None else default
    except ValueError:
        n = default
    return max(low, min(high, n))


def _check_query(services: Services, q: str) -> None:
    limit = services.options.max_query_length
    if len(q) > limit:
        raise QueryTooLong(f"the query is longer than {limit} characters")


def search_url(q: str, **params: Any) -> str:
    return "/search?" + urlencode({"q": q, **{k: v for k, v in params.items() if v is not None}})


# ----------------------------------------------------------------------------- home
@router.get("/")
def home(request: Request) -> Response:
    count = _services(request).catalogue.count()
    return render(request, "home.html", q="", count=count)


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Pager:
    page: int
    pages: int
    prev_offset: int | None
    next_offset: int | None


def _pager(total: int, limit: int, offset: int, max_offset: int) -> Pager:
    reachable = min(total, max_offset + limit)
    pages = max(1, math.ceil(reachable / limit))
    page = offset // limit + 1
    prev_offset = max(0, offset - limit) if offset > 0 else None
    next_offset = offset + limit if offset + limit < reachable and offset + limit <= max_offset else None
    return Pager(page, pages, prev_offset, next_offset)


@router.get("/search")
def search_page(request: Request, q: str = "", limit: str | None = None, offset: str | None = None,
                sort: str = "relevance") -> Response:
    services = _services(request)
    q = q.strip()
    if not q:
        return RedirectResponse("/", status_code=303)
    size = _int(limit, 20, 1, max(PAGE_SIZES))
    start = _int(offset, 0, 0, services.options.max_offset)
    sort = sort if sort in SORTS else "relevance"
    context: dict[str, Any] = {"q": q, "limit": size, "offset": start, "sort": sort, "sorts": SORT_LABELS,
                               "page_sizes": PAGE_SIZES, "error": None, "result": None, "pager": None,
                               "facets": [], "search_url": search_url}
    try:
        _check_query(services, q)
        result = services.search(SearchRequest(q, limit=size, offset=start, sort=sort, facets=FACETS))
    except UserError as e:
        context["error"] = _error(e)
        return render(request, "search.html", status=400, **context)
    context.update(result=result, pager=_pager(result.total, size, start, services.options.max_offset),
                   facets=_facet_blocks(q, result, FACET_VALUES_SHOWN))
    return render(request, "search.html", **context)


def _error(e: UserError) -> dict[str, Any]:
    if isinstance(e, QuerySyntaxError):
        return {"message": e.message, "position": e.position, "hint": e.hint}
    return {"message": str(e), "position": None, "hint": None}


def _refined_url(q: str, facet: str, value: str) -> str | None:
    refined = F.refine(q, facet, value)
    return search_url(refined) if refined else None


def _facet_blocks(q: str, result: SearchResult, shown: int | None = None) -> list[dict[str, Any]]:
    """Facet values with their filter links. Beside the results (`shown` set) at most `shown`
    values each, the latest years first; in full tables, years in order."""
    blocks = []
    for name in FACETS:
        values = list(result.facets.get(name) or [])
        if not values:
            continue
        if shown is not None:
            values = (values[::-1] if name == "year" else values)[:shown]
        blocks.append({
            "name": name,
            "label": F.LABELS[name],
            "values": [{"value": v.value, "count": v.count, "applied": F.is_applied(q, name, v.value),
                        "url": _refined_url(q, name, v.value)} for v in values],
        })
    return blocks


# ----------------------------------------------------------------------------- documents
@router.get("/publication/{number:path}")
def publication_page(request: Request, number: str) -> Response:
    catalogue = _services(request).catalogue
    pub = catalogue.get(number)
    if pub is None:
        try:
            found = catalogue.lookup(number)
        except InvalidNumber:
            found = []
        if not found:
            raise NotFound(f"no publication {number!r} in the catalogue")
        if len(found) > 1:
            return render(request, "choose.html", number=number, found=found)
        target = "/publication/" + urlquote(found[0], safe="")
        if request.url.query:
            target += "?" + request.url.query
        return RedirectResponse(target, status_code=301)
    return render(request, "publication.html", **_document(request, pub))


def _pick(texts: list[Text], preferred: str) -> tuple[Text | None, list[Text]]:
    """The text to show first (reader's language, else English, else the first) and the others."""
    if not texts:
        return None, []
    for lang in (preferred, "en"):
        for t in texts:
            if t.lang == lang:
                return t, [x for x in texts if x is not t]
    return texts[0], texts[1:]


def _paragraphs(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").splitlines() if p.strip()]


def _file_name(path: str) -> str:
    """Only the file's own name: the server's folders are nobody's business."""
    outer, sep, member = path.partition("!")
    name = PureWindowsPath(PurePosixPath(outer).name).name
    return name + (sep + member if sep else "")


def _document(request: Request, pub: Publication) -> dict[str, Any]:
    catalogue = _services(request).catalogue
    preferred = _TEXT_LANG[language(request)]
    texts: dict[str, Any] = {}
    for kind in ("title", "abstract", "claims", "description"):
        main, others = _pick(pub.texts_of(kind), preferred)
        texts[kind] = {"main": main, "others": others}
    claims = split_claims(texts["claims"]["main"].text) if texts["claims"]["main"] else []
    other_claims = [(t.lang, split_claims(t.text)) for t in texts["claims"]["others"]]
    parties = [(label, pub.parties_of(role)) for role, label in ROLES]
    classes: dict[str, list[str]] = {}
    for c in sorted(pub.classifications, key=lambda c: c.sequence):
        symbols = classes.setdefault(c.scheme, [])
        if c.symbol not in symbols:
            symbols.append(c.symbol)
    cited_numbers = [c.cited_number for c in pub.citations if c.cited_number]
    held = queries.existing(catalogue, cited_numbers) if cited_numbers else set()
    main_description = texts["description"]["main"]
    descriptions = ([main_description] if main_description else []) + texts["description"]["others"]
    return {
        "pub": pub,
        "title": texts["title"]["main"],
        "texts": texts,
        "claims": claims,
        "other_claims": other_claims,
        "description": [(t.lang, _paragraphs(t.text)) for t in descriptions],
        "doc_type": DOC_TYPES.get(pub.doc_type, DOC_TYPES["other"]),
        "parties": [(label, people) for label, people in parties if people],
        "classes": [(scheme, SCHEMES.get(scheme, scheme), symbols) for scheme, symbols in classes.items()],
        "patent_citations": [c for c in pub.citations if c.kind != "npl"],
        "npl_citations": [c for c in pub.citations if c.kind == "npl"],
        "held": held,
        "cited_by_labels": CITED_BY,
        "citing": queries.cited_by(catalogue, pub.number),
        "family": queries.family_members(catalogue, pub.family_id, pub.number),
        "source_file": _file_name(pub.provenance.file) if pub.provenance else None,
        "party_line": _party_line,
        "citation_label": _citation_label,
    }


def _party_line(p: Party) -> str:
    where = ", ".join(x for x in (p.city, p.country) if x)
    return f"{p.name} ({where})" if where else p.name


def _citation_label(c: Citation) -> str:
    return c.cited_number or c.text or ""


# ----------------------------------------------------------------------------- classification
_SECTION_OR_CLASS = re.compile(r"^([A-HY])(\d{2})?$")


def canonical_ipc(symbol: str) -> str | None:
    s = symbol.strip().upper()
    if _SECTION_OR_CLASS.match(s):
        return s
    return ipc_symbol(s)


def ipc_levels(symbol: str) -> list[str]:
    """The symbol and the levels above it: H01M10/0525 -> H, H01, H01M, H01M10, H01M10/0525."""
    levels = [symbol[:1]]
    if len(symbol) >= 3:
        levels.append(symbol[:3])
    if len(symbol) >= 4:
        levels.append(symbol[:4])
    m = re.match(r"^[A-HY]\d{2}[A-Z]\d+", symbol)
    if m:
        levels.append(m.group(0))
    if symbol not in levels:
        levels.append(symbol)
    return levels


@router.get("/classification/{symbol:path}")
def classification_page(request: Request, symbol: str) -> Response:
    services = _services(request)
    canonical = canonical_ipc(symbol)
    if canonical is None:
        raise NotFound(f"{symbol!r} is not an IPC symbol")
    if canonical != symbol:
        target = "/classification/" + urlquote(canonical, safe="/")
        return RedirectResponse(target + ("?" + request.url.query if request.url.query else ""), status_code=301)
    query = f"ipc={canonical}"
    result = services.search(SearchRequest(query, limit=10, sort="-date", facets=("year", "country")))
    return render(request, "classification.html", symbol=canonical, query=query, result=result,
                  levels=ipc_levels(canonical), search_url=search_url)


# ----------------------------------------------------------------------------- analytics
@router.get("/analytics")
def analytics_page(request: Request, q: str = "") -> Response:
    services = _services(request)
    q = q.strip()
    tables: list[dict[str, Any]] = []
    total: int | None = None
    if q:
        try:
            _check_query(services, q)
            result = services.search(SearchRequest(q, limit=0, facets=FACETS))
        except UserError as e:
            return render(request, "analytics.html", status=400, q=q, total=None, tables=[], error=_error(e))
        total = result.total
        tables = _facet_blocks(q, result)
    else:
        stats = services.catalogue.stats()
        total = stats["publications"]
        for name, key in (("year", "by_year"), ("country", "by_country"), ("kind", "by_kind")):
            values = [{"value": k, "count": v, "applied": False, "url": None} for k, v in stats[key].items()]
            tables.append({"name": name, "label": F.LABELS[name], "values": values})
    return render(request, "analytics.html", q=q, total=total, tables=tables, error=None)
