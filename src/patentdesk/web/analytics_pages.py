"""The analytics page, its landscape reports, and the analysis as JSON.

    /analytics?q=&year_basis=                the statistics of a query's result set as charts
                                             (empty q: the whole catalogue)
    /analytics/report?q=&year_basis=&format=html|pdf|xlsx
                                             the landscape report of the same set, as a download
    /analytics/charts.js                     the vendored chart script (Vega, Vega-Lite, Vega-Embed)
    /api/v1/analyze?q=                       the analysis, as `patentdesk analyze --json` prints it

The charts are the Vega-Lite specifications of the landscape report (`reports/charts.py`). Each is
carried as a JSON data block, drawn by the one vendored script (bundled by vl-convert on first
use and kept in the home's cache), and shown as a table as well, so the page works without
JavaScript and every number is readable by a screen reader. Vega runs in its CSP-safe mode
(expressions interpreted, no `eval`), so the page lives under the portal's strict policy.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from markupsafe import Markup

from ..analysis.core import YEAR_BASES, Options, ResultSet
from ..errors import QuerySyntaxError, UserError
from ..reports import FORMATS
from ..reports import strings as T
from ..reports.charts import Chart
from ..reports.document import Column, Report, build_report
from ..reports.html import cell
from .api import _ERRORS
from .app import Services
from .errors import BadParameter, QueryTooLong
from .render import language, render

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", responses=_ERRORS)

DEFAULT_BASIS = "priority"  # as `patentdesk analyze`
ALL = "all"  # the API's (and the CLI's) name for the whole catalogue
CACHED_ANALYSES = 8
REPORT_MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The page shows the report's sections that have charts (key figures and method are shown apart),
# and the network's, which says how many documents have co-applicants even when none do.
SHOWN_WITHOUT_CHART = {"collaboration"}


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _check_length(services: Services, q: str) -> None:
    limit = services.options.max_query_length
    if len(q) > limit:
        raise QueryTooLong(f"the query is longer than {limit} characters")


# ----------------------------------------------------------------------------- the analysis
class _Analyses:
    """The last few analyses, by query, options and catalogue state: the page, its report
    downloads and the API ask for the same set one after the other."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[Any, ...], make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = make()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


_analyses = _Analyses(CACHED_ANALYSES)


def _all_numbers(services: Services) -> list[str]:
    from sqlalchemy import select

    from ..store import schema as S

    with services.catalogue.engine.connect() as conn:
        return [r[0] for r in conn.execute(select(S.publications.c.number))]


def analyse(services: Services, query: str | None, options: Options, with_topics: bool = True) -> dict[str, Any]:
    """`analyze()` over the publications `query` matches (None: the whole catalogue), as
    `patentdesk analyze` runs it."""
    from ..analysis import analyze
    from ..analysis.snapshot import catalogue_state

    options.check()
    state = catalogue_state(services.catalogue).key
    key = (services.settings.database_url, state, query, options, with_topics)

    def make() -> dict[str, Any]:
        if query is None:
            rs = ResultSet(numbers=tuple(_all_numbers(services)), query=ALL)
        else:
            rs = ResultSet(numbers=tuple(services.matching_numbers(query)), query=query)
        return analyze(services.settings, services.catalogue, rs, options, with_topics=with_topics)

    return _analyses.get(key, make)


def _error(e: UserError) -> dict[str, Any]:
    """What the query error box shows (macros.html `query_error`)."""
    if isinstance(e, QuerySyntaxError):
        return {"message": e.message, "position": e.position, "hint": e.hint}
    return {"message": str(e), "position": None, "hint": None}


def _basis(value: str | None) -> str:
    return value if value in YEAR_BASES else DEFAULT_BASIS


# ----------------------------------------------------------------------------- the chart script
_INIT = """
function patentdeskCharts() {
  var blocks = document.querySelectorAll('script[type="application/json"][data-chart]');
  blocks.forEach(function (block) {
    var target = document.getElementById(block.getAttribute('data-chart'));
    if (!target) { return; }
    var spec;
    try { spec = JSON.parse(block.textContent); } catch (e) { return; }
    var width = target.clientWidth;
    if (width < 560 && spec.config) {  // a phone: shorter axis labels, one legend column
      if (spec.config.axis) { spec.config.axis.labelLimit = Math.max(80, Math.round(width * 0.35)); }
      if (spec.config.legend) { spec.config.legend.columns = 1; }
    }
    vegaEmbed(target, spec, {renderer: 'svg', ast: true, defaultStyle: false, actions: false,
                             tooltip: {disableDefaultStyle: true}})
      .then(function () {
        target.setAttribute('data-rendered', 'true');
        var table = document.getElementById(target.getAttribute('data-table') || '');
        if (table) { table.open = false; }
      })
      .catch(function (err) { target.setAttribute('data-error', String(err)); });
  });
}
if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', patentdeskCharts); }
else { patentdeskCharts(); }
"""


@cache
def _script_key() -> str:
    from importlib.metadata import version

    return f"{version('vl-convert-python')}-{hashlib.sha256(_INIT.encode()).hexdigest()[:12]}"


_script_lock = threading.Lock()
_scripts: dict[str, str] = {}


def chart_script(cache_dir: Path) -> str:
    """Vega, Vega-Lite and Vega-Embed with the page's init code (interpreted expressions: no
    `eval`), bundled by vl-convert once and kept in `cache_dir`."""
    key = _script_key()
    with _script_lock:
        if key not in _scripts:
            path = cache_dir / f"analytics-{key}.js"
            if path.is_file():
                _scripts[key] = path.read_text(encoding="utf-8")
            else:
                import vl_convert as vlc

                bundle = str(vlc.javascript_bundle(snippet=_INIT))
                cache_dir.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(path.name + ".tmp")
                tmp.write_text(bundle, encoding="utf-8")
                tmp.replace(path)
                _scripts[key] = bundle
        return _scripts[key]


@router.get("/analytics/charts.js")
def charts_js(request: Request) -> Response:
    script = chart_script(_services(request).settings.home / "cache")
    return Response(script, media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=86400"})


# ----------------------------------------------------------------------------- the page
# The columns of each chart's table: (dataset field, label key of reports.strings, kind).
_COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "filing-trends": [("year", "year", "code"), ("documents", "documents", "int"), ("families", "families", "int"),
                      ("cumulative", "cumulative", "int")],
    "trends-by-jurisdiction": [("year", "year", "code"), ("jurisdiction", "jurisdiction", "text"),
                               ("documents", "documents", "int")],
    "top-applicants": [("rank", "rank", "int"), ("name", "applicant", "text"), ("documents", "documents", "int"),
                       ("share", "share", "pct"), ("trend", "trend", "text")],
    "top-inventors": [("rank", "rank", "int"), ("name", "inventor", "text"), ("documents", "documents", "int"),
                      ("share", "share", "pct"), ("trend", "trend", "text")],
    "applicant-year": [("applicant", "applicant", "text"), ("year", "year", "code"),
                       ("documents", "documents", "int")],
    "applicant-class": [("applicant", "applicant", "text"), ("code", "code", "code"),
                        ("documents", "documents", "int")],
    "tech-fields": [("name", "field", "text"), ("sector", "sector", "text"), ("documents", "documents", "int"),
                    ("share", "share", "pct")],
    "jurisdictions": [("country", "jurisdiction", "code"), ("documents", "documents", "int"),
                      ("share", "share", "pct")],
    "applicant-countries": [("country", "applicant_country", "code"), ("documents", "documents", "int"),
                            ("share", "share", "pct")],
    "new-entrants": [("year", "year", "code"), ("new", "new", "int"), ("active", "active", "int")],
    "collaboration-nodes": [("name", "applicant", "text"), ("documents", "documents", "int"),
                            ("partners", "degree", "int"), ("community", "community", "int")],
    "collaboration-edges": [("source", "partner_a", "text"), ("target", "partner_b", "text"),
                            ("weight", "joint_documents", "int")],
    "most-cited": [("number", "number", "code"), ("title", "title", "text"), ("applicant", "applicant", "text"),
                   ("forward_in_set", "forward_in_set", "int"), ("forward_catalogue", "forward_catalogue", "int")],
    "family-sizes": [("size", "family_size", "int"), ("families", "families", "int")],
    "life-cycle": [("year", "year", "code"), ("documents", "documents", "int"),
                   ("applicants", "applicants", "int")],
    "topic-clusters": [("topic", "topic", "int"), ("label", "topic", "text"), ("size", "documents", "int"),
                       ("terms", "terms", "text")],
}
_CLASS_COLUMNS = [("code", "code", "code"), ("title", "title", "text"), ("documents", "documents", "int"),
                  ("share", "share", "pct")]
_SKIPPED = {"topic-points"}  # every document of the map: the clusters' table stands for it
_LAYOUT = {"x", "y", "x2", "y2", "label"}  # drawing positions, not data


@dataclass(frozen=True)
class DataTable:
    id: str
    caption: str
    columns: list[Column]
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class PageChart:
    id: str
    title: str
    tables: list[DataTable]
    data_block: Markup  # the spec as a JSON data block (not executable)


@dataclass(frozen=True)
class PageSection:
    id: str
    title: str
    paragraphs: list[str]
    charts: list[PageChart]


def _label(lang: str, key: str) -> str:
    return T.text(lang, key) if key in T.STRINGS else key.replace("_", " ")


def _columns(name: str, rows: list[dict[str, Any]], lang: str) -> list[Column]:
    if name in _COLUMNS:
        picked = _COLUMNS[name]
    elif name.startswith(("ipc-", "cpc-")):
        picked = _CLASS_COLUMNS
    else:
        keys = [k for k in dict.fromkeys(k for r in rows for k in r) if k not in _LAYOUT]
        picked = [(k, k, "text") for k in keys]
    return [Column(key, _label(lang, label), kind) for key, label, kind in picked]


NARROW_LABELS = 150  # pixels of a legend label on the page


def _data_block(chart: Chart) -> Markup:
    """The spec as a JSON data block, sized to its container and with its legend below it, so it
    fits a phone's screen; the title is the page's caption."""
    config = dict(chart.spec.get("config") or {})
    config["legend"] = {**config.get("legend", {}), "orient": "bottom", "direction": "horizontal", "columns": 2,
                        "labelLimit": NARROW_LABELS}
    spec = {k: v for k, v in chart.spec.items() if k != "title"}  # the page's own caption, which wraps
    spec.update(width="container", autosize={"type": "fit-x", "contains": "padding"}, config=config)
    # record text (applicant names, titles) is in there: no "<", ">" or "&" reaches the page as such
    raw = json.dumps(spec, ensure_ascii=False, separators=(",", ":"))
    block = Markup(raw.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))
    return Markup('<script type="application/json" data-chart="chart-{}">{}</script>').format(chart.id, block)


def _page_chart(chart: Chart, lang: str) -> PageChart:
    tables = []
    for name, rows in chart.datasets().items():
        if name in _SKIPPED:
            continue
        caption = chart.title if len(chart.datasets()) == 1 else f"{chart.title}: {_label(lang, name)}"
        tables.append(DataTable(name, caption, _columns(name, rows, lang), rows))
    return PageChart(chart.id, chart.title, tables, _data_block(chart))


def page_sections(report: Report) -> list[PageSection]:
    out = []
    for s in report.sections:
        if s.id in ("summary", "methodology") or not (s.charts or s.id in SHOWN_WITHOUT_CHART):
            continue
        out.append(PageSection(s.id, s.title, s.paragraphs, [_page_chart(c, report.lang) for c in s.charts]))
    return out


def _summary_facts(report: Report) -> list[tuple[str, str]]:
    return next((s.facts for s in report.sections if s.id == "summary"), [])


def _urls(q: str, basis: str, lang: str) -> dict[str, str]:
    params = {"q": q, "year_basis": basis}
    out = {fmt: "/analytics/report?" + urlencode({**params, "format": fmt, "lang": lang}) for fmt in FORMATS}
    out["json"] = "/api/v1/analyze?" + urlencode({"q": q or ALL, "year_basis": basis})
    return out


BASIS_LABELS = {"publication": "year_publication", "application": "year_application", "priority": "year_priority"}


@router.get("/analytics")
def analytics_page(request: Request, q: str = "", year_basis: str | None = None) -> Response:
    services = _services(request)
    q = q.strip()
    basis = _basis(year_basis)
    lang = language(request)
    context: dict[str, Any] = {
        "q": q, "basis": basis, "bases": [(b, T.text(lang, BASIS_LABELS[b])) for b in YEAR_BASES],
        "error": None, "report": None, "sections": [], "facts": [], "total": None, "urls": _urls(q, basis, lang),
        "script": None, "data_blocks": Markup(""), "cell": lambda row, col: cell(lang, row, col),
    }
    try:
        _check_length(services, q)
        analysis = analyse(services, q or None, Options(year_basis=basis))
    except UserError as e:
        context["error"] = _error(e)
        return render(request, "analytics.html", status=400, **context)
    report = build_report(analysis, None, lang)
    sections = page_sections(report)
    blocks = [c.data_block for s in sections for c in s.charts]
    context.update(report=report, sections=sections, facts=_summary_facts(report),
                   total=analysis["summary"]["documents"], rerun=analysis["methodology"]["rerun"])
    if blocks:
        src = "/analytics/charts.js?" + urlencode({"v": _script_key()})
        script = Markup('<script src="{}" defer></script>').format(src)
        context["data_blocks"] = Markup("\n").join([script, *blocks])
    return render(request, "analytics.html", **context)


# ----------------------------------------------------------------------------- reports
_report_slots = threading.BoundedSemaphore(2)  # printing starts a browser: a few at a time


@router.get("/analytics/report")
def analytics_report(request: Request, q: str = "", format: str = "html", year_basis: str | None = None) -> Response:
    """The landscape report of the set, in the portal's language, as a download."""
    from ..reports import write_report

    services = _services(request)
    q = q.strip()
    if format not in FORMATS:
        raise BadParameter(f"format: use one of {', '.join(FORMATS)}")
    _check_length(services, q)
    analysis = analyse(services, q or None, Options(year_basis=_basis(year_basis)))
    with _report_slots, tempfile.TemporaryDirectory(prefix="patentdesk-report-") as folder:
        out = Path(folder) / f"patentdesk-landscape.{format}"
        write_report(analysis, out, lang=language(request), fmt=format, inline_script=True,
                     cache_dir=services.settings.home / "cache")
        body = out.read_bytes()
    headers = {"Content-Disposition": f'attachment; filename="{out.name}"', "Cache-Control": "no-store"}
    return Response(body, media_type=REPORT_MEDIA_TYPES[format], headers=headers)


# ----------------------------------------------------------------------------- REST
YearBasis = Literal["publication", "application", "priority"]


@api_router.get("/analyze", summary="Landscape statistics of a query's result set",
                responses={200: {"description": "The analysis, as `patentdesk analyze --json` prints it "
                                                "(docs/analytics.md lists each key).",
                                 "content": {"application/json": {}}}})
def analyze(
    request: Request,
    q: Annotated[str, Query(description="Query in the patentdesk query language; `all` for the whole "
                                        "catalogue.")],
    year_basis: Annotated[YearBasis, Query(description="Which year every per-year statistic uses.")] = "priority",
    from_year: Annotated[int | None, Query(description="Keep documents from this year on.")] = None,
    to_year: Annotated[int | None, Query(description="Keep documents up to this year.")] = None,
    country: Annotated[list[str], Query(description="Keep this jurisdiction (repeatable).")] = [],  # noqa: B006
    doc_type: Annotated[list[str], Query(description="Keep this document type (repeatable).")] = [],  # noqa: B006
    top: Annotated[int, Query(ge=1, le=100, description="Entries in each ranked list.")] = 20,
    network_nodes: Annotated[int, Query(ge=2, le=200, description="Applicants drawn in the collaboration "
                                                                  "network.")] = 40,
    topic_docs: Annotated[int, Query(ge=10, le=5000, description="Documents placed on the topic map.")] = 2000,
    topics: Annotated[int | None, Query(ge=2, le=50, description="Topics on the map (default: from the set's "
                                                                 "size).")] = None,
    with_topics: Annotated[bool, Query(description="false leaves out the topic map (the slowest part).")] = True,
) -> Response:
    services = _services(request)
    query = q.strip()
    if not query:
        raise BadParameter("q: the query is empty (use `all` for the whole catalogue)")
    _check_length(services, query)
    options = Options(year_basis=year_basis, from_year=from_year, to_year=to_year, countries=tuple(country),
                      doc_types=tuple(doc_type), top=top, network_nodes=network_nodes, topic_docs=topic_docs,
                      topics=topics)
    result = analyse(services, None if query.lower() == ALL else query, options, with_topics)
    return JSONResponse(result)
