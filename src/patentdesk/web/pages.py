"""The portal's pages. Their addresses are a public contract:

    /                          search home
    /search?q=&limit=&offset=&sort=&mode=&published_before=&priority_before=
    /search/build?f1=&t1=&m1=&o1=...&df=&from=&to=   the query builder without scripts: redirects to /search
    /help/query                the query language: fields, relations, operators, with examples
    /publication/{number}      any spelling of the number redirects to the canonical one
    /classification[/{symbol}]  the IPC browser (classification_pages.py)
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote as urlquote
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ..errors import InvalidNumber, NotFound, QuerySyntaxError, UserError
from ..model import Citation, Party, Publication, Text
from ..search.api import FACETS, SORTS, Hit, SearchRequest, SearchResult
from . import facets as F
from . import queries
from . import searchform as SFM
from .api import MAX_EXPORT_NUMBERS
from .app import Services
from .claims import split_claims
from .classification_pages import symbol_entry
from .errors import QueryTooLong
from .render import N_, gettext_for, language, render

router = APIRouter(include_in_schema=False)
log = logging.getLogger("patentdesk.web")

PAGE_SIZES = (10, 20, 50, 100)
FACET_VALUES_SHOWN = 10  # per facet beside the results

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

SIMILAR_SHOWN = 10  # "similar documents" listed on a document page

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
def _form(mode: str | None = None, published_before: str | None = None,
          priority_before: str | None = None) -> dict[str, Any]:
    """What the search form (macros.html `search_form`) and the query builder show."""
    return {"form": {"mode": mode or "", "published_before": published_before or "",
                     "priority_before": priority_before or "", "modes": SFM.MODE_LABELS},
            "builder": SFM.builder_context(), "search_script": SFM.SEARCH_SCRIPT}


@router.get("/")
def home(request: Request) -> Response:
    count = _services(request).catalogue.count()
    return render(request, "home.html", q="", count=count, **_form())


@router.get("/search/build")
def build_query(request: Request) -> Response:
    """The query builder's form without scripts: the rows become a query and the results open."""
    params = request.query_params
    query = SFM.compose(SFM.rows_from(params), params.get("df", "pd"), params.get("from", ""), params.get("to", ""))
    if not query:
        return RedirectResponse("/", status_code=303)
    keep = {k: params.get(k) or None for k in ("mode", "published_before", "priority_before")}
    return RedirectResponse(search_url(query, **keep), status_code=303)


@router.get("/help/query")
def query_help(request: Request) -> Response:
    context: dict[str, Any] = {**SFM.help_context(), **_form()}
    return render(request, "help_query.html", q="", search_url=search_url, **context)


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
                sort: str = "relevance", mode: str | None = None, published_before: str | None = None,
                priority_before: str | None = None) -> Response:
    from ..export import FORMATS
    from ..index.vectors import StaleVectors

    services = _services(request)
    q = q.strip()
    if not q:
        return RedirectResponse("/", status_code=303)
    size = _int(limit, 20, 1, max(PAGE_SIZES))
    start = _int(offset, 0, 0, services.options.max_offset)
    sort = sort if sort in SORTS else "relevance"
    chosen = SFM.mode_param(mode)
    # kept in every link of the page as given (an invalid date is reported below, not dropped)
    keep = {"mode": chosen, "published_before": (published_before or "").strip() or None,
            "priority_before": (priority_before or "").strip() or None}
    context: dict[str, Any] = {"q": q, "limit": size, "offset": start, "sort": sort, "sorts": SORT_LABELS,
                               "page_sizes": PAGE_SIZES, "error": None, "result": None, "pager": None,
                               "facets": [], "search_url": search_url, "keep": keep,
                               "mode_labels": SFM.MODE_LABELS, "formats": FORMATS,
                               "format_labels": SFM.EXPORT_LABELS,
                               "export_limit": services.options.export_limit,
                               "max_selected": MAX_SELECTED, "keyword_url": None,
                               **_form(chosen, keep["published_before"], keep["priority_before"])}
    _ = gettext_for(request)
    try:
        _check_query(services, q)
        before = SFM.cutoff_param("published_before", published_before)
        prior = SFM.cutoff_param("priority_before", priority_before)
        if chosen in ("semantic", "hybrid") and sort != "relevance":
            raise UserError(_("Search by meaning ranks by relevance only: choose keyword search to sort by date."))
        try:
            result = services.search(SearchRequest(
                q, limit=size, offset=start, sort=sort, facets=FACETS,
                # a date order is a keyword search: the automatic choice would refuse it for plain text
                mode=chosen or ("keyword" if sort != "relevance" else None),
                published_before=before, priority_before=prior))
        except StaleVectors as e:
            raise SFM.SemanticUnavailable(_(
                "Search by meaning is not available: the documents have not been embedded yet, or were "
                "embedded with another model (an administrator runs “patentdesk embed”). "
                "Keyword search works meanwhile.")) from e
    except UserError as e:
        context["error"] = _error(e)
        if chosen in ("semantic", "hybrid"):
            context["keyword_url"] = search_url(q, **{**keep, "mode": "keyword"})
        return render(request, "search.html", status=400, **context)
    context.update(result=result, pager=_pager(result.total, size, start, services.options.max_offset),
                   facets=_facet_blocks(q, result, FACET_VALUES_SHOWN, keep=keep, request=request),
                   whole_set=_with_cutoffs(q, before, prior))
    return render(request, "search.html", **context)


def _with_cutoffs(q: str, published_before: str | None, priority_before: str | None) -> str:
    """The query with its cut-offs written in, for the export and analytics links (which take a query only)."""
    clauses = [f"pd<{published_before}" if published_before else "", f"prd<{priority_before}" if priority_before else ""]
    clauses = [c for c in clauses if c]
    return " AND ".join([f"({q})", *clauses]) if clauses else q


MAX_SELECTED = MAX_EXPORT_NUMBERS  # documents one export of a selection names at most


def _error(e: UserError) -> dict[str, Any]:
    if isinstance(e, QuerySyntaxError):
        return {"message": e.message, "position": e.position, "hint": e.hint}
    return {"message": str(e), "position": None, "hint": None, "syntax": False}


def _refined_url(q: str, facet: str, value: str, keep: dict[str, Any] | None = None) -> str | None:
    refined = F.refine(q, facet, value)
    return search_url(refined, **(keep or {})) if refined else None


def _facet_blocks(q: str, result: SearchResult, shown: int | None = None, *, keep: dict[str, Any] | None = None,
                  request: Request | None = None) -> list[dict[str, Any]]:
    """Facet values with their filter links. Beside the results (`shown` set) at most `shown`
    values each, the latest years first; in full tables, years in order. `keep`: parameters the
    links carry besides the query (mode, cut-offs); `request`: the reader, whose language names
    the values that have names (technology fields, countries)."""
    lang = language(request) if request is not None else "en"
    gettext = gettext_for(request) if request is not None else (lambda m: m)
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
                        "url": _refined_url(q, name, v.value, keep),
                        "label": SFM.value_label(name, v.value, lang, gettext)} for v in values],
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
    classes: dict[str, list[dict[str, Any]]] = {}
    for c in sorted(pub.classifications, key=lambda c: c.sequence):
        symbols = classes.setdefault(c.scheme, [])
        if all(e["symbol"] != c.symbol for e in symbols):
            symbols.append(symbol_entry(c.scheme, c.symbol))
    cited_numbers = [c.cited_number for c in pub.citations if c.cited_number and c.kind != "npl"]
    targets = queries.citation_targets(catalogue, cited_numbers) if cited_numbers else {}
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
        "cited_targets": targets,
        "cited_by_labels": CITED_BY,
        "citing": queries.cited_by(catalogue, pub.number),
        "family": queries.family_members(catalogue, pub.family_id, pub.number),
        "source_file": _file_name(pub.provenance.file) if pub.provenance else None,
        # the catalogue keeps a record loaded without provenance as source "unknown", file ""
        "provenance": pub.provenance if pub.provenance and pub.provenance.file else None,
        "loaded_at": queries.loaded_at(catalogue, pub.number),
        "similar": _similar(request, pub),
        "party_line": _party_line,
        "citation_label": _citation_label,
    }


def _similar(request: Request, pub: Publication) -> list[Hit]:
    """The publications closest in meaning ("more like this"); none without passage vectors."""
    from ..errors import PatentdeskError
    from ..search import semantic

    services = _services(request)
    try:
        return semantic.similar(services.settings, services.catalogue, pub.number, limit=SIMILAR_SHOWN).hits
    except PatentdeskError as e:  # no vectors yet, vectors of another model, no text to compare
        log.debug("no similar documents for %s: %s", pub.number, e)
        return []


def _party_line(p: Party) -> str:
    where = ", ".join(x for x in (p.city, p.country) if x)
    return f"{p.name} ({where})" if where else p.name


def _citation_label(c: Citation) -> str:
    return c.cited_number or c.text or ""
