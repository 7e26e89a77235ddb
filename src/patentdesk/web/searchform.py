"""The search form beyond the query box: retrieval modes, novelty cut-offs, the query builder that
writes the query language for people who do not know its field codes, and the labels that facet
values show in the portal's language.

The builder composes the same query in two places: here (`compose`, behind GET /search/build, so
it works without scripts) and in static/search.js (live, as the rows are edited). Both follow the
rules below; tests/web/test_web_search_page.py checks the server side and the browser test the
script against it.

* A text or name row: one word is ``ti=word``; several are ``ti all "a b"`` (every word),
  ``ti any "a b"`` (any word) or ``ti="a b"`` (the phrase).
* A number, class or code row: one value is ``ipc=H01M``; several (space or comma separated) are
  ``ipc any "H01M G06N"``.
* Rows join left to right with and / or / not, as the query language reads them.
* The date line adds ``pd within "A,B"``, ``pd>=A`` or ``pd<=B`` with and.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache

from markupsafe import Markup

from ..errors import UserError
from ..export import FORMATS
from ..search import fields as SF
from .render import N_


class BadCutoff(UserError):
    code = "invalid_parameter"


class SemanticUnavailable(UserError):
    """Semantic or hybrid search was asked for but the passage vectors are missing or stale."""

    code = "semantic_unavailable"


# ----------------------------------------------------------------------------- modes
MODES = ("keyword", "semantic", "hybrid")  # patentdesk.search.semantic.MODES, without loading numpy
MODE_LABELS = {
    "": N_("Automatic"),
    "keyword": N_("Keywords (query language)"),
    "semantic": N_("Meaning (semantic)"),
    "hybrid": N_("Meaning and keywords (hybrid)"),
}
assert set(MODE_LABELS) == {"", *MODES}


def mode_param(value: str | None) -> str | None:
    """A known mode, else None (automatic): an odd value falls back like an odd sort does."""
    v = (value or "").strip().lower()
    return v if v in MODES else None


def cutoff_param(name: str, value: str | None) -> str | None:
    """An ISO date (YYYY-MM-DD) or None when empty; anything else is a clear error."""
    v = (value or "").strip()
    if not v:
        return None
    try:
        if len(v) == 10:
            return dt.date.fromisoformat(v).isoformat()
    except ValueError:
        pass
    raise BadCutoff(f"{name}: {v!r} is not a date (use YYYY-MM-DD)")


# ----------------------------------------------------------------------------- builder
BUILDER_FIELDS = (
    ("ta", N_("Title or abstract")),
    ("ti", N_("Title")),
    ("ab", N_("Abstract")),
    ("cl", N_("Claims")),
    ("txt", N_("Full text")),
    ("pa", N_("Applicant")),
    ("in", N_("Inventor")),
    ("pn", N_("Publication number")),
    ("ap", N_("Application number")),
    ("ipc", N_("IPC")),
    ("cpc", N_("CPC")),
    ("cc", N_("Country")),
    ("kind", N_("Kind code")),
)
DATE_FIELDS = (
    ("pd", N_("Publication date")),
    ("prd", N_("Priority date")),
    ("ad", N_("Application date")),
)
MATCHES = (
    ("all", N_("all of the words")),
    ("any", N_("any of the words")),
    ("phrase", N_("the exact phrase")),
)
OPERATORS = (("and", N_("AND")), ("or", N_("OR")), ("not", N_("NOT")))
BUILDER_ROWS = 3  # rows shown without scripts (the script adds more)
MAX_ROWS = 12

_KIND = {code: SF.BY_NAME[code].kind for code, _ in BUILDER_FIELDS + DATE_FIELDS}
_BARE = re.compile(r"^[\w*?#./+-]+$")
_RESERVED = re.compile(r"(?i)^(and|or|not|all|any|within|prox.*|(w|near|pre|adj)/.*)$")
_DATE = re.compile(r"^\d{4}(-?\d{2}(-?\d{2})?)?$")


@dataclass(frozen=True)
class Row:
    field: str
    terms: str
    match: str = "all"
    op: str = "and"


def _words(terms: str, split_commas: bool) -> list[str]:
    text = terms.replace('"', " ").replace("“", " ").replace("”", " ")
    if split_commas:
        text = text.replace(",", " ").replace(";", " ")
    return text.split()


def _value(word: str) -> str:
    return word if _BARE.match(word) and not _RESERVED.match(word) else f'"{word}"'


def clause(row: Row) -> str | None:
    """One row as a query-language clause; None when the row is empty or its field unknown."""
    kind = _KIND.get(row.field)
    if kind is None or kind in ("date", "integer"):
        return None
    words = _words(row.terms, split_commas=kind not in ("text", "name"))
    if not words:
        return None
    if kind in ("text", "name"):
        if len(words) == 1:
            return f"{row.field}={_value(words[0])}"
        if row.match == "phrase":
            return f'{row.field}="{" ".join(words)}"'
        return f'{row.field} {"any" if row.match == "any" else "all"} "{" ".join(words)}"'
    if len(words) == 1:
        return f"{row.field}={_value(words[0])}"
    return f'{row.field} any "{" ".join(words)}"'


def date_clause(field: str, start: str, end: str) -> str | None:
    """The date line as a clause; a value that is no date is a clear error."""
    if _KIND.get(field) != "date":
        field = "pd"
    start, end = start.strip(), end.strip()
    for v in (start, end):
        if v and not _DATE.match(v):
            raise BadCutoff(f"{v!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    if start and end:
        return f'{field} within "{start},{end}"'
    if start:
        return f"{field}>={start}"
    if end:
        return f"{field}<={end}"
    return None


def compose(rows: list[Row], date_field: str = "pd", start: str = "", end: str = "") -> str:
    """The query the builder's rows and date line stand for ("" when they are all empty)."""
    query = ""
    for row in rows:
        c = clause(row)
        if c is None:
            continue
        op = row.op if row.op in ("and", "or", "not") else "and"
        if not query:
            query = f"not {c}" if op == "not" else c
        else:
            query = f"{query} {op} {c}"
    d = date_clause(date_field, start, end)
    if d:
        query = f"{query} and {d}" if query else d
    return query


def rows_from(params: Mapping[str, str]) -> list[Row]:
    """Rows from the builder form's fields: f1, t1, m1, o1, f2, t2, ..."""
    rows = []
    for i in range(1, MAX_ROWS + 1):
        terms = params.get(f"t{i}", "")
        if terms.strip():
            rows.append(Row(params.get(f"f{i}", "ta"), terms, params.get(f"m{i}", "all"), params.get(f"o{i}", "and")))
    return rows


# the pages' one script, from this file and not the templates (which hold no script element)
SEARCH_SCRIPT = Markup('<script src="/static/search.js" defer></script>')


def builder_context() -> dict[str, object]:
    """What the builder's template needs: its choices, each field's kind (the script reads it)."""
    return {"fields": [(code, label, _KIND[code]) for code, label in BUILDER_FIELDS],
            "date_fields": DATE_FIELDS, "matches": MATCHES, "operators": OPERATORS,
            "rows": range(1, BUILDER_ROWS + 1)}


EXPORT_LABELS = {"csv": "CSV", "xlsx": N_("Excel workbook (XLSX)"), "ris": "RIS", "bibtex": "BibTeX",
                 "jsonl": N_("JSON lines")}
assert tuple(EXPORT_LABELS) == FORMATS


# ----------------------------------------------------------------------------- help page
FIELD_LABELS = {
    "ti": N_("title"),
    "ab": N_("abstract"),
    "cl": N_("claims"),
    "desc": N_("description"),
    "ta": N_("title or abstract"),
    "txt": N_("all text: title, abstract, claims, description"),
    "pa": N_("applicant (else assignee, else owner), words of the name"),
    "in": N_("inventor, words of the name"),
    "ia": N_("applicant or inventor"),
    "pn": N_("publication number, with or without kind code"),
    "ap": N_("application number"),
    "pr": N_("priority number"),
    "num": N_("publication, application or priority number"),
    "ct": N_("cited patent document (publication number)"),
    "pd": N_("publication date"),
    "ad": N_("application (filing) date"),
    "prd": N_("earliest priority date"),
    "py": N_("publication year"),
    "nct": N_("number of cited documents (patent and non-patent)"),
    "ipc": N_("IPC symbol or any prefix of it; add /low for the subtree"),
    "cpc": N_("CPC symbol or any prefix of it; add /low for the subtree"),
    "cc": N_("publishing country or office (two-letter code)"),
    "kind": N_("kind code; a single letter matches every kind starting with it"),
    "lang": N_("language of the publication (else of its texts), ISO 639-1"),
    "fam": N_("family identifier"),
}
assert set(FIELD_LABELS) == {f.name for f in SF.FIELDS}

RELATION_LABELS = {
    "=": N_("matches the value: a word, a quoted phrase, or a parenthesized sub-query in this field"),
    ":": N_("same as ="),
    "all": N_("every word of the quoted list occurs in the field, in any order"),
    "any": N_("at least one word of the quoted list occurs in the field"),
    "within": N_("dates or numbers between two inclusive bounds"),
    "<": N_("before / less than (dates and numbers)"),
    "<=": N_("on or before / at most"),
    ">": N_("after / more than"),
    ">=": N_("on or after / at least"),
}
assert set(RELATION_LABELS) == set(SF.RELATIONS)

RELATION_EXAMPLES = {
    "=": 'ti="electric motor"', ":": "pa:siemens", "all": 'ta all "lithium battery"',
    "any": 'ab any "rotor stator"', "within": 'pd within "2005,2013"', "<": "prd<2001",
    "<=": "pd<=2010-06-30", ">": "nct>20", ">=": "ad>=20100101",
}
assert set(RELATION_EXAMPLES) == set(SF.RELATIONS)

OPERATOR_HELP = (
    ("battery AND cell", N_("both words (two words without an operator mean the same)")),
    ("battery OR accumulator", N_("either word")),
    ("battery NOT lithium", N_("the first without the second")),
    ('"neural network"', N_("an exact phrase")),
    ("batter*", N_("truncation: * any letters, ? one letter or none, # exactly one letter")),
    ("(engine OR motor) AND ti=electric", N_("parentheses group; and, or, not are read left to right")),
    ("cl=(rotor prox/distance<=3 blade)", N_("proximity: the words at most 3 words apart")),
    ("battery w/5 electrode", N_("proximity, as commercial tools write it")),
)


def help_context() -> dict[str, object]:
    fields = [{"name": f.name, "aliases": f.aliases, "kind": f.kind, "label": FIELD_LABELS[f.name],
               "example": f.example, "relations": SF.RELATIONS_BY_KIND[f.kind]} for f in SF.FIELDS]
    relations = [(r, RELATION_LABELS[r], RELATION_EXAMPLES[r]) for r in SF.RELATIONS]
    return {"fields": fields, "relations": relations, "operators": OPERATOR_HELP,
            "default_example": SF.DEFAULT_FIELD.example}


# ----------------------------------------------------------------------------- facet values
# WIPO's technology fields by their English names (search/techfields.py; a test checks both agree)
TECH_FIELDS = {
    "Electrical machinery, apparatus, energy": N_("Electrical machinery, apparatus, energy"),
    "Audio-visual technology": N_("Audio-visual technology"),
    "Telecommunications": N_("Telecommunications"),
    "Digital communication": N_("Digital communication"),
    "Basic communication processes": N_("Basic communication processes"),
    "Computer technology": N_("Computer technology"),
    "IT methods for management": N_("IT methods for management"),
    "Semiconductors": N_("Semiconductors"),
    "Optics": N_("Optics"),
    "Measurement": N_("Measurement"),
    "Analysis of biological materials": N_("Analysis of biological materials"),
    "Control": N_("Control"),
    "Medical technology": N_("Medical technology"),
    "Organic fine chemistry": N_("Organic fine chemistry"),
    "Biotechnology": N_("Biotechnology"),
    "Pharmaceuticals": N_("Pharmaceuticals"),
    "Macromolecular chemistry, polymers": N_("Macromolecular chemistry, polymers"),
    "Food chemistry": N_("Food chemistry"),
    "Basic materials chemistry": N_("Basic materials chemistry"),
    "Materials, metallurgy": N_("Materials, metallurgy"),
    "Surface technology, coating": N_("Surface technology, coating"),
    "Micro-structural and nano-technology": N_("Micro-structural and nano-technology"),
    "Chemical engineering": N_("Chemical engineering"),
    "Environmental technology": N_("Environmental technology"),
    "Handling": N_("Handling"),
    "Machine tools": N_("Machine tools"),
    "Engines, pumps, turbines": N_("Engines, pumps, turbines"),
    "Textile and paper machines": N_("Textile and paper machines"),
    "Other special machines": N_("Other special machines"),
    "Thermal processes and apparatus": N_("Thermal processes and apparatus"),
    "Mechanical elements": N_("Mechanical elements"),
    "Transport": N_("Transport"),
    "Furniture, games": N_("Furniture, games"),
    "Other consumer goods": N_("Other consumer goods"),
    "Civil engineering": N_("Civil engineering"),
}

# offices that are no country (Babel's territory names cover the others)
OFFICES = {
    "EP": N_("European Patent Office"),
    "WO": N_("WIPO (PCT)"),
    "EA": N_("Eurasian Patent Organization"),
    "AP": N_("ARIPO"),
    "OA": N_("OAPI"),
    "GC": N_("GCC Patent Office"),
}

_BABEL_LOCALE = {"en": "en", "zh-Hans": "zh_Hans", "zh-Hant": "zh_Hant", "pt": "pt"}


@cache
def _territories(lang: str) -> Mapping[str, str]:
    from babel import Locale

    return Locale.parse(_BABEL_LOCALE.get(lang, "en")).territories


def value_label(facet: str, value: str, lang: str, gettext: Callable[[str], str]) -> str | None:
    """A facet value's name in the portal language, where it has one (None: show the value alone)."""
    if facet == "tech_field":
        return gettext(TECH_FIELDS[value]) if value in TECH_FIELDS else None
    if facet == "country":
        code = value.upper()
        if code in OFFICES:
            return gettext(OFFICES[code])
        return _territories(lang).get(code) if len(code) == 2 and code.isalpha() else None
    return None
