"""The domain records every layer speaks.

All records are frozen dataclasses built from tuples, so a `Publication` is immutable and hashable
in content. `Publication.to_dict()` / `Publication.from_dict()` give the JSON shape printed by
`patentdesk show --json` (documented in docs/contracts.md); `content_hash()` fingerprints everything
except provenance, which is how the catalogue tells "unchanged" from "updated".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterable


class DocType(str, Enum):
    GRANT = "grant"
    APPLICATION = "application"
    UTILITY_MODEL = "utility_model"
    DESIGN = "design"
    PLANT = "plant"
    REISSUE = "reissue"
    SIR = "sir"
    SEARCH_REPORT = "search_report"
    OTHER = "other"


class PartyRole(str, Enum):
    APPLICANT = "applicant"
    ASSIGNEE = "assignee"
    INVENTOR = "inventor"
    OWNER = "owner"
    AGENT = "agent"
    EXAMINER = "examiner"


class TextKind(str, Enum):
    TITLE = "title"
    ABSTRACT = "abstract"
    CLAIMS = "claims"
    DESCRIPTION = "description"


@dataclass(frozen=True)
class Party:
    name: str
    role: str = PartyRole.APPLICANT.value
    sequence: int = 0
    country: str | None = None
    city: str | None = None
    address: str | None = None
    kind: str | None = None  # "organization" | "person" when the source says so


@dataclass(frozen=True)
class Classification:
    """A classification symbol. `symbol` is compact: "H01M10/052", "G06N3/08", "1404" (Locarno)."""

    scheme: str  # ipc | cpc | locarno | national | fi | fterm
    symbol: str
    sequence: int = 0
    version: str | None = None  # IPCR version date, e.g. "20060101"
    level: str | None = None  # IPCR level: "A" advanced / "C" core / "S" subclass
    value: str | None = None  # "I" inventive / "N" additional; "F" first / "L" later
    country: str | None = None  # for national schemes: which office


@dataclass(frozen=True)
class Citation:
    sequence: int = 0
    kind: str = "patent"  # patent | npl
    cited_number: str | None = None  # canonical number when the cited document is a patent
    cited_country: str | None = None
    cited_date: dt.date | None = None
    text: str | None = None  # NPL text, or the patent reference as printed
    cited_by: str | None = None  # examiner | applicant | third-party | other
    category: str | None = None  # X / Y / A ... when the source gives it


@dataclass(frozen=True)
class Priority:
    country: str | None
    number: str
    date: dt.date | None = None
    sequence: int = 0
    kind: str | None = None


@dataclass(frozen=True)
class Text:
    kind: str  # title | abstract | claims | description
    lang: str  # ISO 639-1 where known ("en", "zh", "de"), "und" otherwise
    text: str


@dataclass(frozen=True)
class LegalEvent:
    date: dt.date | None
    code: str
    sequence: int = 0
    description: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class Identifier:
    scheme: str  # e.g. "lens", "docdb", "file"
    value: str


@dataclass(frozen=True)
class Provenance:
    source: str  # reader name, e.g. "uspto-grant-v4"
    file: str  # path as given (archive members as "a.zip!member.xml")
    position: int  # 1-based record position within the file
    run_id: int | None = None


SOURCE_RANK = {
    # A record from a richer source is never replaced by one from a poorer source.
    "official-fulltext": 30,
    "official-biblio": 20,
    "analyst-export": 10,
}


@dataclass(frozen=True)
class Publication:
    number: str  # canonical: US7783348B2
    country: str
    doc_number: str
    kind: str | None
    doc_type: str = DocType.OTHER.value
    publication_date: dt.date | None = None
    application_number: str | None = None
    application_date: dt.date | None = None
    application_country: str | None = None
    priorities: tuple[Priority, ...] = ()
    earliest_priority_date: dt.date | None = None
    texts: tuple[Text, ...] = ()
    parties: tuple[Party, ...] = ()
    classifications: tuple[Classification, ...] = ()
    citations: tuple[Citation, ...] = ()
    family_id: str | None = None
    family_source: str | None = None  # "source" | "priorities"
    legal_events: tuple[LegalEvent, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    lang: str | None = None  # language of filing/publication
    source_rank: int = SOURCE_RANK["analyst-export"]
    provenance: Provenance | None = field(default=None, compare=False)

    # ---- convenient views -------------------------------------------------------------
    def texts_of(self, kind: str) -> list[Text]:
        return [t for t in self.texts if t.kind == kind]

    def text(self, kind: str, lang: str | None = None) -> str | None:
        found = self.texts_of(kind)
        if not found:
            return None
        if lang:
            for t in found:
                if t.lang == lang:
                    return t.text
        for t in found:
            if t.lang == "en":
                return t.text
        return found[0].text

    @property
    def title(self) -> str | None:
        return self.text(TextKind.TITLE.value)

    @property
    def abstract(self) -> str | None:
        return self.text(TextKind.ABSTRACT.value)

    def parties_of(self, *roles: str) -> list[Party]:
        return sorted((p for p in self.parties if p.role in roles), key=lambda p: (p.role, p.sequence))

    @property
    def applicants(self) -> list[str]:
        """Applicants, else assignees/owners: the parties a searcher means by `pa=`."""
        for roles in (("applicant",), ("assignee",), ("owner",)):
            names = [p.name for p in self.parties_of(*roles)]
            if names:
                return names
        return []

    @property
    def inventors(self) -> list[str]:
        return [p.name for p in self.parties_of("inventor")]

    def classes(self, scheme: str) -> list[str]:
        return [c.symbol for c in sorted(self.classifications, key=lambda c: c.sequence) if c.scheme == scheme]

    # ---- serialization ----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return _to_jsonable(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Publication":
        d = dict(data)
        d["publication_date"] = _date(d.get("publication_date"))
        d["application_date"] = _date(d.get("application_date"))
        d["earliest_priority_date"] = _date(d.get("earliest_priority_date"))
        d["priorities"] = tuple(Priority(**{**p, "date": _date(p.get("date"))}) for p in d.get("priorities", ()))
        d["texts"] = tuple(Text(**t) for t in d.get("texts", ()))
        d["parties"] = tuple(Party(**p) for p in d.get("parties", ()))
        d["classifications"] = tuple(Classification(**c) for c in d.get("classifications", ()))
        d["citations"] = tuple(
            Citation(**{**c, "cited_date": _date(c.get("cited_date"))}) for c in d.get("citations", ())
        )
        d["legal_events"] = tuple(LegalEvent(**{**e, "date": _date(e.get("date"))}) for e in d.get("legal_events", ()))
        d["identifiers"] = tuple(Identifier(**i) for i in d.get("identifiers", ()))
        prov = d.get("provenance")
        d["provenance"] = Provenance(**prov) if prov else None
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})

    def content_hash(self) -> str:
        """SHA-256 of the record's content, provenance excluded."""
        payload = self.to_dict()
        payload.pop("provenance", None)
        return _canonical_digest(payload)

    def with_provenance(self, provenance: Provenance) -> "Publication":
        return dataclasses.replace(self, provenance=provenance)


_LONG_TEXT = 2000  # characters; shorter texts are left to the json module
_PLACEHOLDER = "\x00{}\x00"
# every byte but the control characters: `bytes.translate(None, _NOT_CONTROL)` keeps only those
_NOT_CONTROL = bytes(range(0x20, 0x100))


def _canonical_digest(payload: dict[str, Any]) -> str:
    """SHA-256 (hex) of the UTF-8 of `json.dumps(payload, sort_keys=True, ensure_ascii=False,
    separators=(",", ":"))`, computed faster for records with long texts (descriptions run to tens
    of thousands of characters): the json module escapes them character by character, while the
    UTF-8 of a text without control characters other than newlines needs only three byte
    replacements (the escaped characters are ASCII, which UTF-8 never uses inside a multi-byte
    character).

    Each long text is swapped for a placeholder before the dump, and the digest takes the dump's
    bytes around the placeholders and each text's JSON bytes in their place. A placeholder that does
    not come out exactly once (some other value holds the same characters) sends the record the
    plain way."""
    texts = payload.get("texts")
    long_texts: list[tuple[dict[str, Any], str]] = []
    if isinstance(texts, list):
        for t in texts:
            if isinstance(t, dict) and isinstance(t.get("text"), str) and len(t["text"]) >= _LONG_TEXT:
                long_texts.append((t, t["text"]))
    if not long_texts:
        return hashlib.sha256(_dumps(payload).encode("utf-8")).hexdigest()
    try:
        for i, (t, _text) in enumerate(long_texts):
            t["text"] = _PLACEHOLDER.format(i)
        raw = _dumps(payload).encode("utf-8")
    finally:
        for t, text in long_texts:
            t["text"] = text
    places = []
    for i, (_t, text) in enumerate(long_texts):
        token = json.dumps(_PLACEHOLDER.format(i)).encode("ascii")
        if raw.count(token) != 1:
            return hashlib.sha256(_dumps(payload).encode("utf-8")).hexdigest()
        places.append((raw.find(token), len(token), text))
    digest = hashlib.sha256()
    done = 0
    for at, size, text in sorted(places, key=lambda x: x[0]):
        digest.update(raw[done:at])
        digest.update(_json_string_utf8(text))
        done = at + size
    digest.update(raw[done:])
    return digest.hexdigest()


def _dumps(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _json_string_utf8(text: str) -> bytes:
    """UTF-8 of `json.dumps(text, ensure_ascii=False)`, which escapes backslash, quote and the
    characters below U+0020 only."""
    data = text.encode("utf-8")
    controls = data.translate(None, _NOT_CONTROL)
    if len(controls) != controls.count(b"\n"):
        return json.dumps(text, ensure_ascii=False).encode("utf-8")
    return b'"' + data.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"\n", b"\\n") + b'"'


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


# JSON-ready values pass `_to_jsonable` unchanged; checking the exact type first spares the generic
# tests for the many strings and numbers of a record.
_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})
# per type of value: its dataclass field names in declaration order, or None when it is no dataclass
# (`dataclasses.fields()` is slow to ask every time)
_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(obj: Any) -> tuple[str, ...] | None:
    cls = type(obj)
    try:
        return _FIELD_NAMES[cls]
    except KeyError:
        pass
    if isinstance(obj, type):
        return None  # a class, dataclass or not, is a value here; its type says nothing about that
    names = tuple(f.name for f in dataclasses.fields(obj)) if dataclasses.is_dataclass(obj) else None
    _FIELD_NAMES[cls] = names
    return names


def _to_jsonable(obj: Any) -> Any:
    if type(obj) in _PLAIN_TYPES:
        return obj
    names = _field_names(obj)
    if names is not None:
        out = {}
        for name in names:
            value = getattr(obj, name)
            out[name] = value if type(value) in _PLAIN_TYPES else _to_jsonable(value)
        return out
    if isinstance(obj, (list, tuple)):
        return [x if type(x) in _PLAIN_TYPES else _to_jsonable(x) for x in obj]
    if isinstance(obj, dt.date):
        return obj.isoformat()
    if isinstance(obj, Enum):
        return obj.value
    return obj


def renumber(items: Iterable[Any]) -> tuple[Any, ...]:
    """Give records 1-based `sequence` numbers in the order given."""
    return tuple(dataclasses.replace(x, sequence=i) for i, x in enumerate(items, 1))
