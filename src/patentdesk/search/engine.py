"""The keyword search engine: query -> tantivy -> ranked hits, exact totals, facets, snippets.

`run_search` serves the CLI, the portal and the REST API alike; `matching_numbers` gives every
match of a query for exports and analytics. Both raise `QuerySyntaxError` for a query that
cannot be read, and never run a query other than the one written.
"""

from __future__ import annotations

import concurrent.futures
import html
import json
import threading
from typing import TYPE_CHECKING, Any

from ..config import Settings
from ..errors import UserError
from ..index import analysis as A
from ..index import fulltext as FT
from . import query as Qy
from .api import FACETS, SORTS, FacetValue, Hit, SearchRequest, SearchResult
from .planner import Highlight, Planner

if TYPE_CHECKING:
    from ..store.catalogue import Catalogue

MAX_LIMIT = 1000
MAX_WINDOW = 100_000  # offset + limit; beyond it use matching_numbers (export)
SNIPPET_CHARS = 240
YEAR_FACET_SIZE = 500


def _check(request: SearchRequest) -> None:
    if request.sort not in SORTS:
        raise UserError(f"unknown sort {request.sort!r}: use one of {', '.join(SORTS)}")
    unknown = [f for f in request.facets if f not in FACETS]
    if unknown:
        raise UserError(f"unknown facet {unknown[0]!r}: use any of {', '.join(FACETS)}")
    if not 0 <= request.limit <= MAX_LIMIT:
        raise UserError(f"limit must be between 0 and {MAX_LIMIT}")
    if request.offset < 0:
        raise UserError("offset cannot be negative")
    if request.offset + request.limit > MAX_WINDOW:
        raise UserError(f"offset + limit must stay within {MAX_WINDOW}; narrow the query or export the results")
    if request.mode not in (None, "keyword"):
        raise UserError(f"search mode {request.mode!r} is not served by the keyword engine")
    if request.facet_size < 1:
        raise UserError("facet_size must be at least 1")


def build_ast(request_query: str, published_before: str | None = None,
              priority_before: str | None = None) -> Qy.Node:
    """The AST of a query with the request's novelty cut-offs added as date filters."""
    node = Qy.parse(request_query)
    cutoffs = []
    for name, value in (("pd", published_before), ("prd", priority_before)):
        if value:
            field = Qy.F.lookup(name)
            assert field is not None
            try:
                low, _ = Qy.date_bounds(value, 1, value)
            except Qy.QuerySyntaxError:
                raise UserError(f"invalid cut-off date {value!r} (use YYYY-MM-DD)") from None
            cutoffs.append(Qy.Range(field, None, Qy.before(field, low), 0))
    if cutoffs:
        node = Qy.Bool("and", (node, *cutoffs))
    return node


def _open(settings: Settings, catalogue: Catalogue | None) -> Any | None:
    """The index, or None when there is none and the catalogue is empty (nothing to find)."""
    try:
        return FT.open_index(settings)
    except FT.IndexMissing:
        if catalogue is not None and catalogue.count() == 0:
            return None
        raise


def run_search(settings: Settings, catalogue: Catalogue | None, request: SearchRequest) -> SearchResult:
    """One page of hits, the exact total and the facets asked for. `catalogue` supplies claims and
    descriptions for snippets (the index stores titles and abstracts); None skips that."""
    global _in_flight
    _check(request)
    node = build_ast(request.query, request.published_before, request.priority_before)
    idx = _open(settings, catalogue)
    if idx is None:
        return SearchResult(total=0, hits=[], facets={f: [] for f in request.facets}, query=request.query)
    planner = Planner(idx.schema)
    # With facets, aggregations count the documents and their facet values while this thread
    # collects the page (tantivy releases the interpreter lock), so the page's search need not
    # count. The facets go in two aggregations, so that both cores share a large result set, when
    # evaluating the query is cheap next to counting them (no positions to check) and no other
    # search of this process wants the cores (each aggregation evaluates the query again).
    with _IN_FLIGHT_LOCK:
        _in_flight += 1
        alone = _in_flight == 1
    try:
        return _run(request, idx, planner, planner.plan(node), catalogue, alone)
    finally:
        with _IN_FLIGHT_LOCK:
            _in_flight -= 1


def _run(request: SearchRequest, idx: Any, planner: Planner, q: Any, catalogue: Catalogue | None,
         alone: bool) -> SearchResult:
    searcher = idx.searcher()
    limit = max(request.limit, 1)  # tantivy refuses 0: ask for one hit, drop it when only the total is wanted
    groups = facet_groups(request.facets, split=alone and not planner.positional)
    pending = [_pool().submit(facets_and_total, searcher, q, group, request.facet_size) for group in groups]
    if request.sort == "relevance":
        res = searcher.search(q, limit, count=not pending, offset=request.offset)
    else:
        key = FT.SORT_NEWEST if request.sort == "-date" else FT.SORT_OLDEST
        res = searcher.search(q, limit, count=not pending, order_by_field=key, offset=request.offset)
    counted: dict[str, list[FacetValue]] = {}
    total = 0 if pending else int(res.count)
    for job in pending:
        got, total = job.result()
        counted.update(got)
    facets = {name: counted[name] for name in request.facets}
    page = []
    for order_key, addr in res.hits[: request.limit]:
        doc = searcher.doc(addr)
        score = float(order_key) if request.sort == "relevance" else 0.0
        page.append((doc["number"][0], json.loads(bytes(doc["hit"][0]).decode("utf-8")), score))
    if request.sort != "relevance" and page:
        scores = _scores(q, searcher, idx.schema, [number for number, _, _ in page])
        page = [(number, summary, scores.get(number, 0.0)) for number, summary, _ in page]
    hits = _hits(page, planner.highlight, catalogue)
    return SearchResult(total=total, hits=hits, facets=facets, query=request.query)


def _scores(q: Any, searcher: Any, schema: Any, numbers: list[str]) -> dict[str, float]:
    """The relevance scores of a date-sorted page: the query again, limited to the page's documents
    by a filter that adds nothing to the score (one search, where explaining each hit costs ~1 ms)."""
    import tantivy

    only = tantivy.Query.const_score_query(tantivy.Query.term_set_query(schema, "number", numbers), 0.0)
    both = tantivy.Query.boolean_query([(tantivy.Occur.Must, q), (tantivy.Occur.Must, only)])
    res = searcher.search(both, len(numbers))
    return {searcher.doc(addr)["number"][0]: float(score) for score, addr in res.hits}


def matching_numbers(settings: Settings, catalogue: Catalogue | None, query: str) -> list[str]:
    """Every publication number matching the query, newest first."""
    node = build_ast(query)
    idx = _open(settings, catalogue)
    if idx is None:
        return []
    q = Planner(idx.schema).plan(node)
    searcher = idx.searcher()
    total = searcher.search(q, 1, count=True).count
    if not total:
        return []
    res = searcher.search(q, total, count=False, order_by_field=FT.SORT_NEWEST)
    return [searcher.doc(addr)["number"][0] for _, addr in res.hits]


# ----------------------------------------------------------------------------------- facets
_POOL: concurrent.futures.ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()
_IN_FLIGHT_LOCK = threading.Lock()
_in_flight = 0  # searches of this process running now
_TOTAL = "__total__"


def _pool() -> concurrent.futures.ThreadPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="patentdesk-facets")
        return _POOL


# What counting a facet over a result set costs, relatively (measured at 1M documents: values of
# multi-valued columns cost more, applicants, the most numerous, most of all)
FACET_COST = {"applicant": 4, "ipc_subclass": 2, "tech_field": 2, "year": 1, "country": 1, "kind": 1}


def facet_groups(names: tuple[str, ...] | list[str], split: bool) -> list[tuple[str, ...]]:
    """The facets each aggregation counts: one group, or two of about equal cost when `split`."""
    if not names:
        return []
    if not split or len(names) < 2:
        return [tuple(names)]
    groups: tuple[list[str], list[str]] = ([], [])
    cost = [0, 0]
    for name in sorted(names, key=lambda n: -FACET_COST.get(n, 1)):
        i = 0 if cost[0] <= cost[1] else 1
        groups[i].append(name)
        cost[i] += FACET_COST.get(name, 1)
    return [tuple(g) for g in groups]


def facets_and_total(searcher: Any, q: Any, names: tuple[str, ...] | list[str],
                     size: int = 20) -> tuple[dict[str, list[FacetValue]], int]:
    """Counts over the whole result set, the `size` most frequent values of each facet (every year
    for `year`), and the number of matching documents, from one aggregation (every document has
    one `SORT_NEWEST` value)."""
    segment_size = 100_000
    while True:
        aggs: dict[str, Any] = {name: {"terms": {"field": FT.FACET_FIELDS[name],
                                                 "size": YEAR_FACET_SIZE if name == "year" else size,
                                                 "segment_size": segment_size}} for name in names}
        aggs[_TOTAL] = {"value_count": {"field": FT.SORT_NEWEST}}
        raw = searcher.aggregate(q, aggs)
        # counts of the shown values are exact only when no segment cut its list short
        if all(raw[n].get("doc_count_error_upper_bound", 0) == 0 for n in names) or segment_size >= 10**8:
            break
        segment_size *= 100
    out: dict[str, list[FacetValue]] = {}
    for name in names:
        buckets = [FacetValue(str(b["key"]), int(b["doc_count"])) for b in raw[name]["buckets"]]
        if name == "year":
            buckets.sort(key=lambda v: v.value)
        else:
            buckets.sort(key=lambda v: (-v.count, v.value))
        out[name] = buckets
    return out, int(raw[_TOTAL].get("value") or 0)


# ----------------------------------------------------------------------------------- hits
def _hits(page: list[tuple[str, dict[str, Any], float]], hl: Highlight, catalogue: Catalogue | None) -> list[Hit]:
    """The page's hits with their snippets: from the abstract or title the index stores, else (the
    match is in the claims or description) from those texts, fetched for the whole page at once."""
    snippets: dict[str, str | None] = {}
    missing = []
    for number, summary, _ in page:
        snippets[number] = _stored_snippet(summary, hl)
        if snippets[number] is None and not hl.empty():
            missing.append(number)
    if missing and catalogue is not None:
        texts = catalogue.texts_of(missing, ("claims", "description"))
        for number in missing:
            for kind in ("claims", "description"):
                for k, lang, text in texts.get(number, []):
                    if k == kind and snippets[number] is None:
                        snippets[number] = snippet(text, lang, hl)
    out = []
    for number, summary, score in page:
        got = snippets[number]
        if got is None:
            got = _plain_snippet(summary)
        out.append(Hit(publication_number=number, title=summary.get("title"),
                       publication_date=summary.get("publication_date"),
                       applicants=summary.get("applicants") or [], score=round(score, 6), snippet=got))
    return out


def _candidates(summary: dict[str, Any]) -> list[tuple[str | None, str | None]]:
    return [(summary.get("abstract"), summary.get("abstract_lang")), (summary.get("title"), summary.get("title_lang"))]


def _stored_snippet(summary: dict[str, Any], hl: Highlight) -> str | None:
    if hl.empty():
        return None
    for text, lang in _candidates(summary):
        if text:
            got = snippet(text, lang, hl)
            if got:
                return got
    return None


def _plain_snippet(summary: dict[str, Any]) -> str | None:
    for text, _ in _candidates(summary):
        if text:
            return _escape_window(text, 0, min(len(text), SNIPPET_CHARS))
    return None


def snippet(text: str, lang: str | None, hl: Highlight, width: int = SNIPPET_CHARS) -> str | None:
    """HTML-escaped passage of `text` around the densest cluster of matches in the first line
    (paragraph, claim) that has any, each match in <mark>; None when nothing in the text matches."""
    offset = 0
    for line in text.splitlines(keepends=True):
        spans = _match_spans(line, lang, hl) if hl.may_match(line) else []
        if spans:
            return _render(line, spans, width, before=offset > 0, after=offset + len(line) < len(text.rstrip()))
        offset += len(line)
    return None


_WS = " \t\n\r\f\v"


def _match_spans(text: str, lang: str | None, hl: Highlight) -> list[tuple[int, int]]:
    """(start, end) of every token of `text` the query matched, in order.

    An ASCII line is not tokenized whole: only its blank-delimited chunks that hold one of the
    highlight's needles (`Highlight.may_match`) can hold a match, and tokens never cross blanks,
    so those chunks alone are cut into tokens (a long abstract has a handful)."""
    finder = hl.needle_finder() if text.isascii() else None
    if finder is None:
        return _spans_in(text, 0, lang, hl)
    low = text.lower()
    spans: list[tuple[int, int]] = []
    end = -1
    for m in finder.finditer(low):
        if m.start() < end:
            continue  # inside the chunk just read
        start = max(low.rfind(c, 0, m.start()) for c in _WS) + 1
        stops = [i for i in (low.find(c, m.end()) for c in _WS) if i >= 0]
        end = min(stops) if stops else len(low)
        spans += _spans_in(text[start:end], start, lang, hl)
    return spans


def _spans_in(text: str, offset: int, lang: str | None, hl: Highlight) -> list[tuple[int, int]]:
    toks, words, _ = A.tokenize(text)
    variant = A.stem_language(lang)
    spans: list[tuple[int, int]] = []
    for t, w in zip(toks, words):
        if hl.matches(t.text, w, variant):
            if spans and offset + t.start < spans[-1][1]:  # sub-words of a Chinese word share its span
                spans[-1] = (spans[-1][0], max(spans[-1][1], offset + t.end))
            else:
                spans.append((offset + t.start, offset + t.end))
    return spans


def _render(text: str, spans: list[tuple[int, int]], width: int, before: bool, after: bool) -> str:
    best, best_count = 0, 0
    for i, (s, _) in enumerate(spans):
        count = sum(1 for a, b in spans[i:] if b <= s + width)
        if count > best_count:
            best, best_count = i, count
    anchor = spans[best][0]
    start = max(0, anchor - width // 4)
    if start > 0:
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and anchor - space < width // 2 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    out = ["…"] if start > 0 or before else []
    cur = start
    for a, b in spans:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        out.append(html.escape(text[cur:a]))
        out.append("<mark>" + html.escape(text[a:b]) + "</mark>")
        cur = b
    out.append(html.escape(text[cur:end].rstrip()))
    if end < len(text.rstrip()) or after:
        out.append("…")
    return "".join(out)


def _escape_window(text: str, start: int, end: int) -> str:
    out = html.escape(text[start:end])
    return out + ("…" if end < len(text) else "")
