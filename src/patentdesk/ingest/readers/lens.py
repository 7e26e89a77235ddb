"""Lens.org analyst exports: the native CSV export, collection JSON lines, and Lens API records
flattened to CSV (with their applicants table beside them).

All three give biblio only (rank "analyst-export"). Lens gives family sizes but no family ids, so
`family_id` is derived from the priority claims (or from the application when there are none).
Counters (cited-by counts, family sizes, the collection `index`) have no place in the record and
are left out: the same document from two exports or collections gives the same `content_hash()`.
Positions are line numbers (the header of a CSV is line 1).
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ...errors import InvalidNumber, RecordError
from ...model import (
    SOURCE_RANK,
    Citation,
    Classification,
    DocType,
    Identifier,
    Party,
    Priority,
    Provenance,
    Publication,
    Text,
    renumber,
)
from ...normalize import (
    canonical_number,
    clean_doc_number,
    clean_name,
    clean_text,
    family_key_from_priorities,
    ipc_symbol,
    lang_code,
    parse_date,
)
from ..base import Outcome, Quarantined, Reader, Skipped, Source, register
from .tabular import BadRow, Row, guess_lang, header_of, quarantined, split_values, table_rows, text_lines

SEP = ";;"  # Lens joins several values in one CSV cell with ";;"
_LENS_ID = re.compile(r"^\d{3}-\d{3}-\d{3}-\d{3}-\d{2}[0-9X]$")
_KIND = re.compile(r"^[A-Z][0-9]?$")
_DATE8 = re.compile(r"^(?:1[89]|20)\d{6}$")
# "US 65784810 A 20100129", "AU 2003 904499 A 20030821" (the number may hold spaces)
_PRIORITY = re.compile(r"^([A-Z]{2})\s+(.+?)\s+([A-Z][0-9]?)\s+((?:1[89]|20)\d{6})$")
# "US 65784810 A", "US 2017/0031758 W", "BE 537620D A"
_APPLICATION = re.compile(r"^([A-Z]{2})\s+(.+?)(?:\s+([A-Z][0-9]?))?$")
_OWNER_DATE = re.compile(r"\s*\((?:1[89]|20)\d{2}-\d{2}-\d{2}\)$")  # "ISUZU MOTORS LIMITED (2007-09-26)"

DOC_TYPES = {
    "granted patent": DocType.GRANT.value,
    "patent application": DocType.APPLICATION.value,
    # Lens's "limited patent": utility models, petty and innovation patents (CN U/Y, DE U1, AU A4/B3)
    "limited patent": DocType.UTILITY_MODEL.value,
    "design right": DocType.DESIGN.value,
    "plant right": DocType.PLANT.value,
    "amended patent": DocType.GRANT.value,  # corrected grants (B8/B9, AU C1); US "E" is a reissue below
    "search report": DocType.SEARCH_REPORT.value,
}


def doc_type(lens_type: str | None, country: str, kind: str | None) -> str:
    """DocType from Lens's publication type ("Granted Patent", "GRANTED_PATENT"); "unknown",
    "ambiguous", "Abstract" and SPCs are "other"."""
    key = (lens_type or "").strip().lower().replace("_", " ")
    if key == "amended patent" and country == "US" and kind == "E":
        return DocType.REISSUE.value
    return DOC_TYPES.get(key, DocType.OTHER.value)


def publication_key(key: str, jurisdiction: str | None = None, kind: str | None = None) -> tuple[str, str, str]:
    """(country, doc_number, kind) from "US 2011/0185700 A1", "WO_2008_155316_A1",
    "CN_218289675_U_20230113", "US 2009 0068101 A9 20090312" or "TW I324218 B"."""
    tokens = key.replace("_", " ").split()
    if len(tokens) > 3 and _DATE8.match(tokens[-1]):
        tokens = tokens[:-1]  # doc keys end with the publication date
    if len(tokens) >= 2 and not _KIND.match(tokens[-1]) and kind:
        tokens.append(kind)
    if len(tokens) < 3 or not re.fullmatch(r"[A-Z]{2}", tokens[0]) or not _KIND.match(tokens[-1]):
        raise RecordError(f"not a Lens publication number: {key!r}")
    cc, k, num = tokens[0], tokens[-1], "".join(tokens[1:-1])
    if jurisdiction and cc != jurisdiction.strip().upper():
        raise RecordError(f"publication number {key!r} is not of jurisdiction {jurisdiction!r}")
    if kind and k != kind.strip().upper():
        raise RecordError(f"publication number {key!r} does not have kind {kind!r}")
    doc_number = clean_doc_number(cc, num)
    if not re.search(r"\d", doc_number):
        raise RecordError(f"not a Lens publication number: {key!r}")
    return cc, doc_number, k


def priority(text: str, sequence: int) -> Priority:
    m = _PRIORITY.match(clean_text(text) or "")
    if not m:
        raise RecordError(f"not a Lens priority number: {text!r}")
    cc, num, kind, date = m.groups()
    return Priority(country=cc, number=num.replace(" ", ""), date=parse_date(date), sequence=sequence, kind=kind)


def application(text: str | None) -> tuple[str | None, str | None]:
    """(country, number) of "US 65784810 A"; the application kind letter is not kept."""
    s = clean_text(text)
    if not s:
        return None, None
    m = _APPLICATION.match(s)
    if not m:
        raise RecordError(f"not a Lens application number: {text!r}")
    return m.group(1), m.group(2).replace(" ", "")


def date_of(value: Any, label: str) -> dt.date | None:
    try:
        return parse_date(value)
    except ValueError:
        raise RecordError(f"{label}: not a date: {value!r}") from None


def lens_id(value: Any) -> str:
    s = str(value or "").strip()
    if not _LENS_ID.match(s):
        raise RecordError(f"not a Lens ID: {s!r}")
    return s


def title_text(title: str | None, country: str, number_text: str, canonical: str) -> Text | None:
    """The title, unless Lens filled the field with the publication number for want of a title."""
    t = clean_text(title)
    if not t:
        return None
    compact = re.sub(r"[\s_/,.-]", "", t.upper())
    if compact in (re.sub(r"[\s_/,.-]", "", number_text.upper()), canonical):
        return None
    return Text("title", guess_lang(t, country), t)


def parties(groups: Iterable[tuple[str, Iterable[str]]]) -> tuple[Party, ...]:
    out: list[Party] = []
    for role, names in groups:
        cleaned = [n for n in (clean_name(x) for x in names) if n]
        out += renumber(Party(name=n, role=role) for n in cleaned)
    return tuple(out)


def classifications(cpc: Iterable[str], ipcr: Iterable[str], us: Iterable[str]) -> tuple[Classification, ...]:
    out: list[Classification] = []
    for scheme, symbols in (("cpc", cpc), ("ipc", ipcr)):
        for s in symbols:
            sym = ipc_symbol(s)
            if sym is None:
                raise RecordError(f"not a {scheme.upper()} symbol: {s!r}")
            out.append(Classification(scheme=scheme, symbol=sym))
    for s in us:
        sym = clean_text(s)
        if sym:
            out.append(Classification(scheme="national", symbol=sym, country="US"))
    return renumber(out)


def family(priorities: tuple[Priority, ...], app_country: str | None,
           app_number: str | None) -> tuple[str | None, str | None]:
    keys = [(p.country, p.number) for p in priorities] or ([(app_country, app_number)] if app_number else [])
    fid = family_key_from_priorities(keys)
    return fid, ("priorities" if fid else None)


def build(*, key: str, jurisdiction: str | None, kind: str | None, lens: Any, lens_type: str | None,
          published: Any, app_text: str | None, app_date: Any, priority_texts: Iterable[str],
          title: str | None, party_groups: Iterable[tuple[str, Iterable[str]]], cpc: Iterable[str],
          ipcr: Iterable[str], us: Iterable[str], npl: Iterable[str], source: str, file: str,
          position: int, abstract: Text | None = None, earliest: Any = None,
          app_country: str | None = None) -> Publication:
    """One Lens record, whatever the export it came from."""
    cc, doc_number, k = publication_key(key, jurisdiction, kind)
    number = canonical_number(cc, doc_number, k)
    acc, anum = application(app_text)
    prios = tuple(priority(p, i) for i, p in enumerate((p for p in priority_texts if p and p.strip()), 1))
    application_date = date_of(app_date, "application date")
    dates = [p.date for p in prios if p.date]
    earliest_date = min(dates) if dates else (date_of(earliest, "earliest priority date") or application_date)
    fid, fsource = family(prios, acc, anum)
    texts = tuple(t for t in (title_text(title, cc, key, number), abstract) if t)
    citations = renumber(Citation(kind="npl", text=t) for t in (clean_text(x) for x in npl) if t)
    return Publication(
        number=number, country=cc, doc_number=doc_number, kind=k, doc_type=doc_type(lens_type, cc, k),
        publication_date=date_of(published, "publication date"), application_number=anum,
        application_date=application_date, application_country=acc or app_country, priorities=prios,
        earliest_priority_date=earliest_date, texts=texts, parties=parties(party_groups),
        classifications=classifications(cpc, ipcr, us), citations=citations, family_id=fid,
        family_source=fsource, identifiers=(Identifier("lens", lens_id(lens)),),
        source_rank=SOURCE_RANK["analyst-export"],
        provenance=Provenance(source=source, file=file, position=position),
    )


# ------------------------------------------------------------------------------------ native CSV

_EXPORT_COLUMNS = ("#", "Jurisdiction", "Kind", "Publication Number", "Lens ID", "Publication Date")


def _cells(header: list[str], values: list[Any]) -> dict[str, str]:
    return {h: (v or "").strip() for h, v in zip(header, values)}


def _excerpt(values: list[Any]) -> str:
    return ",".join(str(v) for v in values)


@register
class LensCsvReader(Reader):
    name = "lens-csv"
    description = "Lens.org patent export, CSV (#, Jurisdiction, Kind, Publication Number, Lens ID, ...; ';;' lists)"
    priority = 40
    extensions = (".csv",)

    def sniff(self, source: Source, head: bytes) -> bool:
        header = header_of(head)
        return bool(header) and header[0] == "#" and all(c in header for c in _EXPORT_COLUMNS)

    def read(self, source: Source) -> Iterator[Outcome]:
        # each record starts with the "#" counter and the jurisdiction: a line inside a quoted field
        # that looks like that was swallowed by an unclosed quote
        rows = table_rows(text_lines(source), starts_record=lambda s: re.match(r"^\d+,[A-Z]{2},", s) is not None)
        head = next(rows, None)
        if not isinstance(head, Row):
            raise RecordError("no header row")
        header = [str(h).strip() for h in head.values]
        for row in rows:
            if isinstance(row, BadRow):
                yield quarantined(row.line, row.reason, row.excerpt)
                continue
            c = _cells(header, row.values)
            try:
                yield self.publication(c, source.name, row.line)
            except (RecordError, InvalidNumber) as e:
                yield quarantined(row.line, e, _excerpt(row.values), c.get("Publication Number"))

    def publication(self, c: dict[str, str], file: str, line: int) -> Publication:
        if not c.get("Publication Number"):
            raise RecordError("no publication number")

        def many(column: str) -> list[str]:
            return split_values(c.get(column), SEP)

        owners = [_OWNER_DATE.sub("", o) for o in many("Owners (US)")]
        return build(
            key=c["Publication Number"], jurisdiction=c.get("Jurisdiction"), kind=c.get("Kind"),
            lens=c.get("Lens ID"), lens_type=c.get("Type"), published=c.get("Publication Date"),
            app_text=c.get("Application Number"), app_date=c.get("Application Date"),
            priority_texts=many("Priority Numbers"), earliest=c.get("Earliest Priority Date"),
            title=c.get("Title"),
            party_groups=[("applicant", many("Applicants")), ("inventor", many("Inventors")), ("owner", owners)],
            cpc=many("CPC Classifications"), ipcr=many("IPCR Classifications"), us=many("US Classifications"),
            npl=many("NPL Citations"), source=self.name, file=file, position=line)


# ------------------------------------------------------------------------------------ JSON lines

def _strings(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RecordError(f"{field}: expected a list of strings")
    return value


@register
class LensJsonLinesReader(Reader):
    name = "lens-jsonl"
    description = "Lens.org collection records, one JSON object a line (lensId, publicationKey, ...)"
    priority = 40
    extensions = (".jsonl", ".json", ".ndjson")

    def sniff(self, source: Source, head: bytes) -> bool:
        first = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
        return first.startswith(b"{") and b'"lensId"' in first and b'"publicationKey"' in first

    def read(self, source: Source) -> Iterator[Outcome]:
        for line_no, line in enumerate(text_lines(source, "utf-8-sig"), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                yield quarantined(line_no, f"not valid JSON: {e}", line)
                continue
            if not isinstance(obj, dict):
                yield quarantined(line_no, "not a JSON object", line)
                continue
            try:
                yield self.publication(obj, source.name, line_no)
            except (RecordError, InvalidNumber) as e:
                yield quarantined(line_no, e, line, obj.get("displayKey") or obj.get("publicationKey"))

    def publication(self, o: dict[str, Any], file: str, line: int) -> Publication:
        key = o.get("publicationKey") or o.get("displayKey")
        if not isinstance(key, str) or not key.strip():
            raise RecordError("no publicationKey")
        owners = []
        for item in o.get("owners") or []:
            name = item.get("name") if isinstance(item, dict) else item
            if isinstance(name, str):
                owners.append(name)
        return build(
            key=key, jurisdiction=o.get("jurisdiction"), kind=o.get("kindCode"), lens=o.get("lensId"),
            lens_type=o.get("docType"), published=o.get("publicationDate"), app_text=o.get("filingNumber"),
            app_date=o.get("filingDate"), priority_texts=_strings(o.get("priorityFilingKeysActive"), "priorities"),
            earliest=o.get("earliestPriorityDate"), title=o.get("title") if isinstance(o.get("title"), str) else None,
            party_groups=[("applicant", _strings(o.get("applicants"), "applicants")),
                          ("inventor", _strings(o.get("inventors"), "inventors")), ("owner", owners)],
            cpc=_strings(o.get("cpcClassifications"), "cpcClassifications"),
            ipcr=_strings(o.get("ipcrClassifications"), "ipcrClassifications"),
            us=_strings(o.get("usClassifications"), "usClassifications"),
            npl=_strings(o.get("nplCitations"), "nplCitations"), source=self.name, file=file, position=line)


# ------------------------------------------------------------------------------------ API flat CSV

_API_COLUMNS = ("lens_id", "doc_key", "jurisdiction", "date_published")
_APPLICANT_COLUMNS = ("lens_id", "doc_key", "extracted_name")
APPLICANTS_SKIPPED = "applicants table; loaded with its patents file"


def applicants_table_for(path: Path) -> Path | None:
    """The applicants table beside a patents file: "patents" in the name becomes "applicants"
    (api-flat-construction-patents.csv -> api-flat-construction-applicants.csv); a name without
    "patents" gets "-applicants" or "_applicants" before its suffix."""
    name = path.name
    candidates = []
    i = name.rfind("patents")
    if i >= 0:
        candidates.append(name[:i] + "applicants" + name[i + len("patents"):])
    stem, dot, suffix = name.partition(".")
    candidates += [f"{stem}-applicants{dot}{suffix}", f"{stem}_applicants{dot}{suffix}"]
    for c in candidates:
        p = path.with_name(c)
        if p != path and p.is_file():
            return p
    return None


def _owner_names(cell: str | None) -> list[str]:
    """The API's owner cell is a printed Python dict: "{'value': 'SIKA TECHNOLOGY AG'}" (or a list)."""
    s = (cell or "").strip()
    if not s:
        return []
    try:
        value = ast.literal_eval(s)  # literals only: nothing in the cell is executed
    except (ValueError, SyntaxError):
        return [s]
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        name = (item.get("value") or item.get("name")) if isinstance(item, dict) else item
        if isinstance(name, str):
            out.append(name)
    return out


def _abstract_lang(value: str | None, text: str, country: str) -> str:
    lang = lang_code(value)
    if lang.startswith("zh"):
        return "zh"  # "zh-cn": one Chinese for search
    if lang in ("und", "unknown"):
        return guess_lang(text, country)
    return lang


class _Applicants:
    """lens_id -> applicant parties, read once from the applicants table."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.by_id: dict[str, list[tuple[str, str | None, str | None]]] = {}
        self.bad_lines: list[int] = []
        rows = table_rows(_file_lines(path))
        head = next(rows, None)
        if not isinstance(head, Row):
            return
        col = {str(h).strip(): i for i, h in enumerate(head.values)}
        if any(c not in col for c in _APPLICANT_COLUMNS):
            raise RecordError(f"{path.name} is not a Lens applicants table (columns {', '.join(_APPLICANT_COLUMNS)})")
        for row in rows:
            if isinstance(row, BadRow):
                self.bad_lines.append(row.line)
                continue

            def cell(name: str, row: Row = row) -> str | None:
                i = col.get(name)
                return ((row.values[i] or "").strip() or None) if i is not None else None

            name = clean_name(cell("extracted_name"))
            lid = cell("lens_id")
            if not name or not lid:
                continue
            entry = (name, cell("residence"), clean_text(cell("extracted_address")))
            names = self.by_id.setdefault(lid, [])
            if entry not in names:  # the table repeats some applicants verbatim
                names.append(entry)

    def parties(self, lid: str) -> list[Party]:
        return [Party(name=n, role="applicant", sequence=i, country=cc, address=addr)
                for i, (n, cc, addr) in enumerate(self.by_id.get(lid, []), 1)]


def _file_lines(path: Path) -> Iterator[str]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        try:
            yield from f
        except UnicodeDecodeError as e:
            raise RecordError(f"{path.name} is not UTF-8 text ({e.reason})") from e


@register
class LensApiFlatReader(Reader):
    name = "lens-api-csv"
    description = ("Lens API records flattened to CSV (lens_id, doc_key, ...), with the applicants table "
                   "beside it (*-applicants.csv, loaded with the patents file)")
    priority = 40
    extensions = (".csv",)

    def sniff(self, source: Source, head: bytes) -> bool:
        header = header_of(head)
        return bool(header) and header[0] == "lens_id" and (
            all(c in header for c in _API_COLUMNS) or all(c in header for c in _APPLICANT_COLUMNS))

    def read(self, source: Source) -> Iterator[Outcome]:
        header = header_of(source.head(65536))
        if "extracted_name" in header and "date_published" not in header:
            yield Skipped(0, None, APPLICANTS_SKIPPED)
            return
        applicants = None
        path = getattr(source, "path", None)
        table = applicants_table_for(path) if isinstance(path, Path) else None
        if table is not None:
            applicants = _Applicants(table)
            if applicants.bad_lines:
                lines = ", ".join(map(str, applicants.bad_lines[:20]))
                yield Quarantined(0, table.name, f"{table.name}: malformed rows at lines {lines}; "
                                  "their applicants are missing from the records")
        rows = table_rows(text_lines(source))
        head = next(rows, None)
        if not isinstance(head, Row):
            raise RecordError("no header row")
        names = [str(h).strip() for h in head.values]
        for row in rows:
            if isinstance(row, BadRow):
                yield quarantined(row.line, row.reason, row.excerpt)
                continue
            c = _cells(names, row.values)
            try:
                yield self.publication(c, applicants, source.name, row.line)
            except (RecordError, InvalidNumber) as e:
                yield quarantined(row.line, e, _excerpt(row.values), c.get("doc_key"))

    def publication(self, c: dict[str, str], applicants: _Applicants | None, file: str, line: int) -> Publication:
        key = c.get("doc_key")
        if not key:
            raise RecordError("no doc_key")
        country = (c.get("jurisdiction") or "").upper()
        text = clean_text(c.get("abstract"))
        abstract = Text("abstract", _abstract_lang(c.get("abstract_lang"), text, country), text) if text else None
        lid = c.get("lens_id") or ""
        owners = _owner_names(c.get("owner"))
        pub = build(
            key=key, jurisdiction=c.get("jurisdiction"), kind=c.get("publication_reference_kind") or None,
            lens=lid, lens_type=c.get("publication_type"), published=c.get("date_published"), app_text=None,
            app_date=c.get("application_reference_date"), priority_texts=(),
            earliest=c.get("priority_claims_earliest_claim_date"), title=c.get("invention_title"),
            party_groups=[("owner", owners)], cpc=(), ipcr=(), us=(), npl=(), abstract=abstract,
            app_country=(c.get("application_reference_jurisdiction") or "").upper() or None,
            source=self.name, file=file, position=line)
        if applicants is None:
            return pub
        return _with_parties(pub, tuple(applicants.parties(lid)) + pub.parties)


def _with_parties(pub: Publication, parties: tuple[Party, ...]) -> Publication:
    return dataclasses.replace(pub, parties=parties)


__all__ = [
    "APPLICANTS_SKIPPED", "LensApiFlatReader", "LensCsvReader", "LensJsonLinesReader", "applicants_table_for",
    "doc_type", "publication_key",
]
