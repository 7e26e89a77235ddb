"""The search fields: one table read by the parser, the planner and the generated reference page.

Every field has a kind that decides which relations it takes and how a value is matched:

* ``text``: analyzed words (stemmed and unstemmed) in one or more zones; phrases, truncation, proximity;
* ``name``: words of party names (unstemmed); phrases, truncation, proximity;
* ``number``: publication / application / priority / cited numbers in any common spelling;
* ``class``: IPC / CPC symbols, every prefix searchable, ``/low`` for the subtree;
* ``keyword``: exact codes (country, kind, language, family);
* ``date``: dates given as YYYY, YYYYMM, YYYYMMDD or YYYY-MM-DD; comparisons and ``within``;
* ``integer``: plain numbers; comparisons and ``within``.
"""

from __future__ import annotations

from dataclasses import dataclass

TEXT_ZONES = ("ti", "ab", "cl", "desc")
NAME_ZONES = ("pa", "in")
STEMMED_ZONES = TEXT_ZONES

POSITIONAL_KINDS = ("text", "name")
RANGE_KINDS = ("date", "integer")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    targets: tuple[str, ...]  # zones (text/name) or index fields (other kinds)
    description: str
    example: str
    aliases: tuple[str, ...] = ()


FIELDS: tuple[Field, ...] = (
    Field("ti", "text", ("ti",), "title", 'ti="electric motor"'),
    Field("ab", "text", ("ab",), "abstract", "ab=lithium"),
    Field("cl", "text", ("cl",), "claims (Espacenet's cl is a classification; here it is the claims)",
          "cl=(rotor prox/distance<=3 blade)"),
    Field("desc", "text", ("desc",), "description", 'desc all "heat sink"'),
    Field("ta", "text", ("ti", "ab"), "title or abstract", 'ta all "lithium battery"'),
    Field("txt", "text", TEXT_ZONES, "all text: title, abstract, claims, description", "txt=turbofan",
          aliases=("ftxt",)),
    Field("pa", "name", ("pa",), "applicant (else assignee, else owner), words of the name", "pa=samsung"),
    Field("in", "name", ("in",), "inventor, words of the name", 'in="smith john"'),
    Field("ia", "name", ("pa", "in"), "applicant or inventor", "ia=siemens"),
    Field("pn", "number", ("pn",), "publication number, with or without kind code", "pn=US7783348B2"),
    Field("ap", "number", ("ap",), "application number", "ap=US11480235"),
    Field("pr", "number", ("pr",), "priority number", "pr=JP2005123456"),
    Field("num", "number", ("pn", "ap", "pr"), "publication, application or priority number", "num=EP1000000"),
    Field("ct", "number", ("ct",), "cited patent document (publication number)", "ct=US5000000"),
    Field("pd", "date", ("pd",), "publication date", 'pd within "2005,2013"'),
    Field("ad", "date", ("ad",), "application (filing) date", "ad>=20100101"),
    Field("prd", "date", ("prd",), "earliest priority date", "prd<2001"),
    Field("py", "integer", ("py",), "publication year", "py>=2010"),
    Field("nct", "integer", ("nct",), "number of cited documents (patent and non-patent)", "nct>20"),
    Field("ipc", "class", ("ipc",), "IPC symbol or any prefix of it; add /low for the subtree", "ipc=H01M10/05/low"),
    Field("cpc", "class", ("cpc",), "CPC symbol or any prefix of it; add /low for the subtree", "cpc=Y02E"),
    Field("cc", "keyword", ("cc",), "publishing country or office (two-letter code)", "cc=EP",
          aliases=("country",)),
    Field("kind", "keyword", ("kind",), "kind code; a single letter matches every kind starting with it",
          "kind=B"),
    Field("lang", "keyword", ("lang",), "language of the publication (else of its texts), ISO 639-1", "lang=zh"),
    Field("fam", "keyword", ("fam",), "family identifier", "fam=P:0123456789abcdef"),
)

BY_NAME: dict[str, Field] = {}
for _f in FIELDS:
    BY_NAME[_f.name] = _f
    for _a in _f.aliases:
        BY_NAME[_a] = _f

DEFAULT_FIELD = Field("(none)", "text", TEXT_ZONES + NAME_ZONES,
                      "words without a field: all text and party names; a word with a digit also "
                      "searches publication, application and priority numbers", '"jet engine" bird')

RELATIONS: dict[str, str] = {
    "=": "matches the value: a word, a quoted phrase, or a parenthesized sub-query in this field",
    ":": "same as =",
    "all": "every word of the quoted list occurs in the field, in any order",
    "any": "at least one word of the quoted list occurs in the field",
    "within": 'dates or numbers between two inclusive bounds: pd within "2005,2013"',
    "<": "before / less than (dates and numbers)",
    "<=": "on or before / at most",
    ">": "after / more than",
    ">=": "on or after / at least",
}

RELATIONS_BY_KIND: dict[str, tuple[str, ...]] = {
    "text": ("=", ":", "all", "any"),
    "name": ("=", ":", "all", "any"),
    "number": ("=", ":", "any"),
    "class": ("=", ":", "any"),
    "keyword": ("=", ":", "any"),
    "date": ("=", ":", "within", "<", "<=", ">", ">="),
    "integer": ("=", ":", "within", "<", "<=", ">", ">="),
}


def lookup(name: str) -> Field | None:
    return BY_NAME.get(name.lower())


def field_names() -> list[str]:
    return sorted(BY_NAME)
