"""Tabular analyst exports: PatentsView query results, and any CSV or XLSX table described by a
small TOML mapping file (docs/mappings.md).

A table is claimed by the `tabular` reader when a mapping lies beside it (`<file>.mapping.toml`,
`<stem>.mapping.toml` or `mapping.toml` in the same folder) or when a shipped mapping in
`ingest/mappings/*.toml` names columns that its header has. Positions are physical line numbers
(the header is line 1), which is also the spreadsheet row number of a table without line breaks
inside cells.

This module also holds the table plumbing the Lens readers share: `table_rows()`, a CSV row stream
that quarantines a malformed row (a stray quote, a short row) and goes on with the next one, and
`guess_lang()`, a small language guess for titles whose language the source does not state.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import io
import re
import tomllib
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import IO, Any, cast

from ...errors import ConfigError, InvalidNumber, RecordError
from ...model import SOURCE_RANK, Classification, DocType, Party, Provenance, Publication, Text, renumber
from ...normalize import (
    canonical_number,
    clean_name,
    clean_text,
    family_key_from_priorities,
    ipc_symbol,
    lang_code,
    parse_date,
    parse_number,
)
from ..base import Outcome, Quarantined, Reader, Skipped, Source, register

# ------------------------------------------------------------------------------------ CSV rows


@dataclass(frozen=True)
class Row:
    line: int  # physical line where the record starts; the header is line 1
    values: list[Any]


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str
    excerpt: str


class _Lines:
    """Physical lines that can be handed back, so that the lines a stray quote swallowed are read
    again as rows of their own."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._it = iter(lines)
        self._back: list[str] = []
        self.line = 0  # number of the last line handed out
        self.taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        s = self._back.pop() if self._back else next(self._it)
        self.line += 1
        self.taken.append(s)
        return s

    def give_back(self, lines: list[str]) -> None:
        self._back.extend(reversed(lines))
        self.line -= len(lines)


def table_rows(lines: Iterable[str], *, delimiter: str = ",",
               starts_record: Callable[[str], bool] | None = None) -> Iterator[Row | BadRow]:
    """The header (a `Row` at line 1), then every record with exactly as many fields as the header.

    A record with another field count, or one the csv module refuses, becomes a `BadRow` for its
    first physical line; when it spanned several lines (an unterminated quote runs on until the
    next quote character, possibly the end of the file) the following lines are parsed again, so
    one broken row costs one row. `starts_record(line)` tells a continuation line from the start of
    a new record where the format allows it (the Lens `#` counter); a multi-line record that
    swallowed such a line is broken too. Blank rows are passed over.
    """
    src = _Lines(lines)
    reader = csv.reader(src, delimiter=delimiter)
    width: int | None = None
    while True:
        src.taken = []
        start = src.line + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            taken = src.taken
            src.give_back(taken[1:])
            reader = csv.reader(src, delimiter=delimiter)
            yield BadRow(start, f"malformed CSV row: {e}", _excerpt(taken[0] if taken else ""))
            continue
        if not values or not any(v.strip() for v in values):
            continue
        taken = src.taken
        if width is None:
            width = len(values)
            yield Row(start, values)
            continue
        runaway = len(taken) > 1 and starts_record is not None and any(starts_record(s) for s in taken[1:])
        if len(values) != width or runaway:
            if len(taken) > 1:
                src.give_back(taken[1:])
                reader = csv.reader(src, delimiter=delimiter)
            why = ("a quoted field is not closed" if len(taken) > 1
                   else f"{len(values)} fields where the header has {width}")
            yield BadRow(start, f"malformed row: {why}", _excerpt(taken[0]))
            continue
        yield Row(start, values)


def _excerpt(line: str) -> str:
    return line.rstrip("\r\n")[:300]


def quarantined(line: int, reason: object, excerpt: str, number: str | None = None) -> Quarantined:
    """A broken row, named by its line (and its number as printed, when it has one)."""
    record = f"{number} (line {line})" if number else f"line {line}"
    return Quarantined(line, record, str(reason), excerpt[:300])


def text_lines(source: Source, encoding: str = "utf-8-sig") -> Iterator[str]:
    """Lines of a text source, line ends kept (the csv module needs them inside quoted fields)."""
    with io.TextIOWrapper(cast(IO[bytes], source.open()), encoding=encoding, newline="") as stream:
        try:
            yield from stream
        except UnicodeDecodeError as e:
            raise RecordError(f"the file is not {encoding} text ({e.reason}); the rows after that point "
                              "were not read") from e


def header_of(head: bytes, delimiter: str = ",") -> list[str]:
    """The header row of a CSV file from the first bytes of it (for `sniff`)."""
    if b"\x00" in head[:4096]:
        return []
    text = head.decode("utf-8-sig", "replace")
    first = text.splitlines()[0] if text else ""
    try:
        return [c.strip() for c in next(csv.reader([first], delimiter=delimiter), [])]
    except csv.Error:
        return []


def split_values(cell: str | None, separator: str | None) -> list[str]:
    if not cell:
        return []
    parts = cell.split(separator) if separator else [cell]
    return [p.strip() for p in parts if p and p.strip()]


# ------------------------------------------------------------------------------------ languages

_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_SCRIPTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]"), "ko"),
    (re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]"), "zh"),
    (re.compile(r"[\u0400-\u04ff]"), "ru"),
    (re.compile(r"[\u0370-\u03ff]"), "el"),
    (re.compile(r"[\u0600-\u06ff]"), "ar"),
    (re.compile(r"[\u0590-\u05ff]"), "he"),
    (re.compile(r"[\u0e00-\u0e7f]"), "th"),
)
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_WORDS = {
    "en": {"the", "of", "and", "for", "with", "method", "device", "system", "apparatus", "using", "an", "in",
           "to", "from", "by", "or", "thereof", "process", "composition", "use"},
    "de": {"und", "für", "fuer", "mit", "der", "die", "das", "des", "zur", "zum", "von", "eine", "einer", "eines",
           "ein", "verfahren", "vorrichtung", "anordnung", "einrichtung", "zu", "bei", "aus"},
    "fr": {"et", "pour", "le", "la", "les", "du", "une", "au", "aux", "procédé", "procede", "dispositif", "avec",
           "sur", "dans", "par"},
    "es": {"y", "para", "el", "los", "las", "del", "con", "procedimiento", "una", "método", "metodo"},
    "pt": {"e", "para", "com", "do", "da", "dos", "das", "processo", "uma", "método", "metodo", "em"},
}
_LETTERS = {"de": "äöüß", "fr": "èêëàâîôûç", "es": "ñ¿¡", "pt": "ãõç"}
_DE_SUFFIXES = ("maschine", "vorrichtung", "verfahren", "einrichtung", "triebwerk", "anlage", "einheit", "ung")


def guess_lang(text: str | None, country: str | None = None) -> str:
    """The language of a short text (a title) when the source does not say.

    Scripts decide first: kana is Japanese; Hangul Korean; Han alone Chinese (Japanese for JP
    documents); Cyrillic Russian (Ukrainian when it has і/ї/є/ґ, Bulgarian for BG documents).
    Latin text is English unless common German, French, Spanish or Portuguese words or letters
    outvote English words: Lens translates most titles, and English is the safe default for search.
    """
    if not text:
        return "und"
    if _KANA.search(text):
        return "ja"
    latin = len(_LATIN.findall(text))
    best, best_n = "", 0
    for pattern, lang in _SCRIPTS:
        n = len(pattern.findall(text))
        if n > best_n:
            best, best_n = lang, n
    if best and best_n >= latin:
        if best == "zh" and country == "JP":
            return "ja"
        if best == "ru":
            if re.search(r"[іїєґІЇЄҐ]", text):
                return "uk"
            if country == "BG":
                return "bg"
        return best
    if not latin:
        return "und"
    # whole words only: "a.r.e.g." holds no Portuguese "e"
    words = [w for w in (t.strip(".,;:()[]\"'") for t in text.lower().split()) if w.isalpha()]
    scores = {lang: sum(w in vocab for w in words) for lang, vocab in _WORDS.items()}
    for lang, letters in _LETTERS.items():
        scores[lang] += sum(2 for ch in text.lower() if ch in letters)
    scores["de"] += sum(1 for w in words if len(w) > 12 and w.endswith(_DE_SUFFIXES))
    lang = max(scores, key=lambda k: (scores[k], k == "en"))
    return lang if scores[lang] > scores["en"] else "en"


# ------------------------------------------------------------------------------------ mappings

SCALAR_FIELDS = ("country", "number", "kind", "doc_type", "publication_date", "application_number",
                 "application_country", "application_date", "priority_date", "title", "abstract", "language",
                 "family_id")
PARTY_FIELDS = {"applicants": "applicant", "assignees": "assignee", "inventors": "inventor", "owners": "owner",
                "agents": "agent"}
CLASS_FIELDS = {"ipc": "ipc", "cpc": "cpc"}
DATE_FIELDS = ("publication_date", "application_date", "priority_date")
_SPEC_KEYS = {"column", "value", "format", "pattern", "separator", "map"}
_TOP_KEYS = {"name", "description", "columns", "delimiter", "encoding", "sheet", "null_values", "date_format",
             "fields"}
DEFAULT_NULLS = ("", "nan", "NaN", "NULL", "null", "None", "N/A", "#N/A")


@dataclass(frozen=True)
class FieldSpec:
    """Where one field comes from: a `column` of the table, or a fixed `value`."""

    column: str | None = None
    value: str | None = None
    format: str | None = None  # strptime format of a date column ("%d/%m/%Y")
    pattern: str | None = None  # regular expression; its first group (or the match) is the value
    separator: str | None = None  # several values in one cell ("; ")
    map: tuple[tuple[str, str], ...] = ()  # cell value -> value ("Granted Patent" -> "grant")


@dataclass(frozen=True)
class TableMapping:
    name: str
    origin: str  # the mapping file, for messages
    fields: dict[str, FieldSpec]
    columns: tuple[str, ...] = ()  # header columns that identify the table
    description: str = ""
    delimiter: str | None = None  # None: "," (tab for .tsv)
    encoding: str = "utf-8-sig"
    sheet: str | None = None  # XLSX sheet; None: the first one
    null_values: frozenset[str] = field(default_factory=lambda: frozenset(DEFAULT_NULLS))
    date_format: str | None = None  # default for date fields without a `format`

    def missing_columns(self, header: list[str]) -> list[str]:
        have = {h.strip().casefold() for h in header}
        needed = list(self.columns) + [s.column for s in self.fields.values() if s.column]
        return sorted({c for c in needed if c.strip().casefold() not in have})

    def matches(self, header: list[str]) -> bool:
        """A shipped mapping claims a table whose header has every column the mapping names."""
        return bool(self.columns) and not self.missing_columns(header)


def load_mapping(path: Path) -> TableMapping:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"mapping {path}: cannot read it: {e}") from e
    return mapping_from_dict(data, str(path))


def mapping_from_dict(data: dict[str, Any], origin: str) -> TableMapping:
    def fail(msg: str) -> ConfigError:
        return ConfigError(f"mapping {origin}: {msg}")

    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise fail(f"unknown keys {sorted(unknown)}; known: {sorted(_TOP_KEYS)}")
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, dict) or not raw_fields:
        raise fail("a [fields] table is required")
    known = set(SCALAR_FIELDS) | set(PARTY_FIELDS) | set(CLASS_FIELDS)
    fields: dict[str, FieldSpec] = {}
    for name, raw in raw_fields.items():
        if name not in known:
            raise fail(f"unknown field {name!r}; known fields: {', '.join(sorted(known))}")
        fields[name] = _field_spec(name, raw, fail)
    if "number" not in fields:
        raise fail("the `number` field is required")
    doc_type = fields.get("doc_type")
    allowed = {t.value for t in DocType}
    if doc_type is not None:
        for v in [doc_type.value] + [to for _, to in doc_type.map]:
            if v is not None and v not in allowed:
                raise fail(f"doc_type {v!r} is not one of {', '.join(sorted(allowed))}")
    columns = data.get("columns", [])
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise fail("`columns` must be a list of column names")
    nulls = data.get("null_values", list(DEFAULT_NULLS))
    if not isinstance(nulls, list) or not all(isinstance(c, str) for c in nulls):
        raise fail("`null_values` must be a list of strings")
    for key in ("name", "description", "delimiter", "encoding", "sheet", "date_format"):
        if key in data and not isinstance(data[key], str):
            raise fail(f"`{key}` must be a string")
    return TableMapping(
        name=data.get("name") or Path(origin).name.split(".")[0], origin=origin, fields=fields,
        columns=tuple(columns), description=data.get("description", ""), delimiter=data.get("delimiter"),
        encoding=data.get("encoding", "utf-8-sig"), sheet=data.get("sheet"),
        null_values=frozenset(n.strip() for n in nulls), date_format=data.get("date_format"))


def _field_spec(name: str, raw: Any, fail: Callable[[str], ConfigError]) -> FieldSpec:
    if isinstance(raw, str):
        return FieldSpec(column=raw)
    if not isinstance(raw, dict):
        raise fail(f"field {name!r}: give a column name or a table like {{ column = \"...\" }}")
    unknown = set(raw) - _SPEC_KEYS
    if unknown:
        raise fail(f"field {name!r}: unknown keys {sorted(unknown)}; known: {sorted(_SPEC_KEYS)}")
    if ("column" in raw) == ("value" in raw):
        raise fail(f"field {name!r}: give exactly one of `column` and `value`")
    for key in ("column", "value", "format", "pattern", "separator"):
        if key in raw and not isinstance(raw[key], str):
            raise fail(f"field {name!r}: `{key}` must be a string")
    if "pattern" in raw:
        try:
            re.compile(raw["pattern"])
        except re.error as e:
            raise fail(f"field {name!r}: bad pattern: {e}") from e
    mapping = raw.get("map", {})
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise fail(f"field {name!r}: `map` must be a table of strings")
    if raw.get("separator") and name not in PARTY_FIELDS and name not in CLASS_FIELDS:
        raise fail(f"field {name!r} holds one value; `separator` is for parties and classifications")
    if "format" in raw and name not in DATE_FIELDS:
        raise fail(f"field {name!r} is not a date; `format` is for {', '.join(DATE_FIELDS)}")
    return FieldSpec(column=raw.get("column"), value=raw.get("value"), format=raw.get("format"),
                     pattern=raw.get("pattern"), separator=raw.get("separator"),
                     map=tuple(sorted(mapping.items())))


@functools.lru_cache(maxsize=1)
def shipped_mappings() -> tuple[TableMapping, ...]:
    """The mappings shipped in `patentdesk/ingest/mappings/*.toml`, by file name."""
    folder = resources.files("patentdesk.ingest") / "mappings"
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            out.append(mapping_from_dict(data, f"patentdesk/ingest/mappings/{entry.name}"))
    return tuple(out)


def beside_mapping(source: Source) -> Path | None:
    """`<file>.mapping.toml`, `<stem>.mapping.toml`, then `mapping.toml` in the folder of a plain file."""
    path = getattr(source, "path", None)
    if not isinstance(path, Path):
        return None  # archive members have no folder to look in
    stem = path.name.split(".")[0]
    for candidate in (path.with_name(path.name + ".mapping.toml"), path.with_name(stem + ".mapping.toml"),
                      path.with_name("mapping.toml")):
        if candidate.is_file():
            return candidate
    return None


# ------------------------------------------------------------------------------------ table files

def table_kind(name: str, head: bytes) -> str | None:
    n = name.lower()
    n = n.removesuffix(".gz")
    if n.endswith(".xlsx") and head.startswith(b"PK"):
        return "xlsx"
    if n.endswith((".csv", ".tsv", ".txt")) and b"\x00" not in head[:4096]:
        return "csv"
    return None


def _delimiter(mapping: TableMapping, name: str) -> str:
    if mapping.delimiter:
        return mapping.delimiter
    return "\t" if name.lower().removesuffix(".gz").endswith(".tsv") else ","


def xlsx_rows(source: Source, sheet: str | None) -> Generator[Row, None, None]:
    """Rows of a worksheet (read-only mode keeps memory flat); the first row is the header."""
    from openpyxl import load_workbook

    path = getattr(source, "path", None)
    if isinstance(path, Path) and path.suffix.lower() == ".xlsx":
        target: Any = path
    else:
        with source.open() as f:  # openpyxl needs a seekable file; archive members are not
            target = io.BytesIO(f.read())
    try:
        wb = load_workbook(target, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises zipfile/KeyError/ValueError alike for a broken workbook
        raise RecordError(f"not a readable XLSX workbook: {e}") from e
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise RecordError(f"no sheet {sheet!r} in the workbook (sheets: {', '.join(wb.sheetnames)})")
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        for i, values in enumerate(ws.iter_rows(values_only=True), 1):
            if any(v is not None and str(v).strip() for v in values):
                yield Row(i, list(values))
    finally:
        wb.close()


def _xlsx_header(source: Source, sheet: str | None = None) -> list[str]:
    with contextlib.closing(xlsx_rows(source, sheet)) as rows:
        first = next(rows, None)
    return [_cell_text(v) for v in first.values] if first else []


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# ------------------------------------------------------------------------------------ mapped rows

class MappedRow:
    """One table row seen through a mapping: typed field values, or RecordError saying why not."""

    def __init__(self, mapping: TableMapping, index: dict[str, int], values: list[Any]) -> None:
        self.m = mapping
        self.index = index
        self.values = values

    def raw(self, name: str) -> Any:
        spec = self.m.fields.get(name)
        if spec is None:
            return None
        if spec.value is not None:
            return spec.value
        i = self.index[(spec.column or "").strip().casefold()]
        v = self.values[i] if i < len(self.values) else None
        if isinstance(v, str):
            v = v.strip()
            if v in self.m.null_values:
                return None
        if v is None:
            return None
        if spec.pattern and not isinstance(v, dt.date):
            found = re.search(spec.pattern, _cell_text(v))
            if not found:
                raise RecordError(f"{self.label(name)}: {_cell_text(v)!r} does not match {spec.pattern!r}")
            v = found.group(1) if found.groups() else found.group(0)
            if not v:
                return None  # an optional group that did not take part: the cell holds no value
        if spec.map and not isinstance(v, dt.date):
            v = dict(spec.map).get(_cell_text(v), v)
        return v

    def label(self, name: str) -> str:
        spec = self.m.fields[name]
        return f"{name} ({spec.column})" if spec.column else name

    def text(self, name: str) -> str | None:
        v = self.raw(name)
        return clean_text(_cell_text(v)) if v is not None else None

    def date(self, name: str) -> dt.date | None:
        v = self.raw(name)
        if v is None or isinstance(v, dt.date):
            return v.date() if isinstance(v, dt.datetime) else v
        s = _cell_text(v)
        fmt = self.m.fields[name].format or self.m.date_format
        try:
            if fmt:
                return dt.datetime.strptime(s, fmt).date()
            return parse_date(s)
        except ValueError:
            hint = f" (expected {fmt})" if fmt else ""
            raise RecordError(f"{self.label(name)}: not a date: {s!r}{hint}") from None

    def values_of(self, name: str) -> list[str]:
        v = self.raw(name)
        if v is None:
            return []
        return split_values(_cell_text(v), self.m.fields[name].separator)


def number_parts(country: str | None, cell: str, kind: str | None) -> tuple[str, str, str | None]:
    """(country, doc_number, kind) from a number cell that may or may not carry country and kind."""
    s = cell.strip().upper()
    if not s:
        raise RecordError("no publication number")
    if country and not s.startswith(country):
        s = country + s  # "RE36823" with country US is USRE36823, not a number of country "RE"
    try:
        pn = parse_number(s)
    except InvalidNumber:
        raise RecordError(f"not a publication number: {cell!r}") from None
    if country and pn.country != country:
        raise RecordError(f"number {cell!r} is not a {country} number")
    return pn.country, pn.number, (kind or pn.kind)


def publication_from_row(row: MappedRow, source_name: str, file: str, line: int) -> Publication:
    country = (row.text("country") or "").upper() or None
    cell = row.text("number")
    if not cell:
        raise RecordError(f"{row.label('number')}: no publication number")
    kind_value = (row.text("kind") or "").upper() or None
    try:
        cc, doc_number, kind = number_parts(country, cell, kind_value)
    except RecordError as e:
        raise RecordError(f"{row.label('number')}: {e}") from None
    doc_type = row.text("doc_type") or DocType.OTHER.value
    if doc_type not in {t.value for t in DocType}:
        raise RecordError(f"{row.label('doc_type')}: {doc_type!r} is not a document type; add a `map`")
    lang_value = row.text("language")
    texts = []
    for kind_name in ("title", "abstract"):
        t = row.text(kind_name)
        if t:
            lang = guess_lang(t, cc) if lang_value == "auto" else lang_code(lang_value)
            texts.append(Text(kind_name, lang, t))
    parties = []
    for fname, role in PARTY_FIELDS.items():
        names = [n for n in (clean_name(v) for v in row.values_of(fname)) if n]
        parties += list(renumber(Party(name=n, role=role) for n in names))
    classes = []
    for fname, scheme in CLASS_FIELDS.items():
        for v in row.values_of(fname):
            sym = ipc_symbol(v)
            if sym is None:
                raise RecordError(f"{row.label(fname)}: not a classification symbol: {v!r}")
            classes.append(Classification(scheme=scheme, symbol=sym))
    app_number = row.text("application_number")
    app_country = (row.text("application_country") or "").upper() or (cc if app_number else None)
    app_date = row.date("application_date")
    family_id, family_source = row.text("family_id"), "source"
    if not family_id and app_number:
        # no priority numbers in a table: the application itself keys the family
        family_id, family_source = family_key_from_priorities([(app_country, app_number)]), "priorities"
    return Publication(
        number=canonical_number(cc, doc_number, kind), country=cc, doc_number=doc_number, kind=kind,
        doc_type=doc_type, publication_date=row.date("publication_date"), application_number=app_number,
        application_date=app_date, application_country=app_country,
        earliest_priority_date=row.date("priority_date") or app_date, texts=tuple(texts), parties=tuple(parties),
        classifications=renumber(classes), family_id=family_id, family_source=family_source if family_id else None,
        lang=lang_code(lang_value) if lang_value and lang_value != "auto" else None,
        source_rank=SOURCE_RANK["analyst-export"],
        provenance=Provenance(source=source_name, file=file, position=line),
    )


# ------------------------------------------------------------------------------------ readers

@register
class TabularReader(Reader):
    name = "tabular"
    description = ("CSV or XLSX table described by a mapping file beside it (<file>.mapping.toml or "
                   "mapping.toml) or by a shipped mapping whose columns the header has (docs/mappings.md)")
    # before the format-specific table readers: a mapping placed beside the data is the user's choice
    priority = 20
    extensions = (".csv", ".tsv", ".txt", ".xlsx")

    def sniff(self, source: Source, head: bytes) -> bool:
        kind = table_kind(source.name, head)
        if kind is None:
            return False
        return beside_mapping(source) is not None or self.shipped_for(source, head, kind) is not None

    @staticmethod
    def shipped_for(source: Source, head: bytes, kind: str) -> TableMapping | None:
        """The first shipped mapping whose columns the table's header has."""
        for m in shipped_mappings():
            if kind == "xlsx":
                try:
                    header = _xlsx_header(source, m.sheet)
                except RecordError:
                    continue  # the mapping's sheet is not in this workbook
            else:
                header = header_of(head, _delimiter(m, source.name))
            if m.matches(header):
                return m
        return None

    def read(self, source: Source) -> Iterator[Outcome]:
        head = source.head(65536)
        kind = table_kind(source.name, head) or "csv"
        beside = beside_mapping(source)
        mapping = load_mapping(beside) if beside is not None else self.shipped_for(source, head, kind)
        if mapping is None:
            raise RecordError("no mapping describes this table: put <file>.mapping.toml or mapping.toml beside it "
                              "(see docs/mappings.md)")
        rows: Iterator[Row | BadRow]
        if kind == "xlsx":
            rows = xlsx_rows(source, mapping.sheet)
        else:
            rows = table_rows(text_lines(source, mapping.encoding), delimiter=_delimiter(mapping, source.name))
        yield from self._mapped(mapping, rows, source)

    def _mapped(self, mapping: TableMapping, rows: Iterator[Row | BadRow], source: Source) -> Iterator[Outcome]:
        header_row = next(rows, None)
        if not isinstance(header_row, Row):
            raise RecordError("no header row")
        header = [_cell_text(v) for v in header_row.values]
        missing = mapping.missing_columns(header)
        if missing:
            raise RecordError(f"mapping {mapping.origin}: the header has no column {', '.join(map(repr, missing))}")
        index = {h.strip().casefold(): i for i, h in reversed(list(enumerate(header)))}
        reader_name = f"{self.name}:{mapping.name}"
        for row in rows:
            if isinstance(row, BadRow):
                yield quarantined(row.line, row.reason, row.excerpt)
                continue
            mapped = MappedRow(mapping, index, row.values)
            try:
                yield publication_from_row(mapped, reader_name, source.name, row.line)
            except (RecordError, InvalidNumber) as e:
                yield quarantined(row.line, e, _row_excerpt(row.values), _number_cell(mapped))


def _number_cell(row: MappedRow) -> str | None:
    try:
        return row.text("number")
    except RecordError:
        return None


def _row_excerpt(values: list[Any]) -> str:
    return ",".join(_cell_text(v) for v in values)[:300]


@register
class MappingFileReader(Reader):
    """A folder given to `ingest` holds the mapping files beside the tables; they are not data."""

    name = "tabular-mapping"
    description = "a mapping file for tabular import (*.mapping.toml, mapping.toml): skipped, it is not data"
    priority = 5
    extensions = (".toml",)

    def sniff(self, source: Source, head: bytes) -> bool:
        base = source.name.replace("\\", "/").rsplit("/", 1)[-1].rsplit("!", 1)[-1]
        return base == "mapping.toml" or base.endswith(".mapping.toml")

    def read(self, source: Source) -> Iterator[Outcome]:
        yield Skipped(0, None, "mapping file for tabular import; it describes the tables beside it")


# ------------------------------------------------------------------------------------ PatentsView

_PV_COLUMNS = ("patent_number", "patent_date", "patent_title")
_FIRST_B_KIND = dt.date(2001, 1, 2)  # USPTO kind codes B1/B2 replaced "A" for grants from this day


def patentsview_kind(doc_number: str, date: dt.date | None) -> tuple[str | None, str]:
    """(kind, doc_type) of a US grant known only by number and date.

    The kind is given only where the number and date settle it: utility grants before 2001-01-02
    are "A", reissues "E", statutory invention registrations "H", designs "S". A utility grant from
    2001 on is B1 or B2 depending on whether an application was published first, which the number
    does not tell, so its kind stays None (number "US7783348", found by `lookup("US 7783348")`).
    """
    if doc_number.startswith("RE"):
        return "E", DocType.REISSUE.value
    if doc_number.startswith("H"):
        return "H", DocType.SIR.value
    if doc_number.startswith("D"):
        return "S", DocType.DESIGN.value
    if doc_number.startswith("PP"):
        return None, DocType.PLANT.value
    if doc_number.isdigit() and date is not None and date < _FIRST_B_KIND:
        return "A", DocType.GRANT.value
    return None, DocType.GRANT.value


_TWICE_QUOTED = re.compile(r'^"((?:[^"]|"")*)"$', re.DOTALL)


def unquote_twice(value: str) -> str:
    """Some PatentsView exports quote a cell that holds quotes twice: the parsed value still reads
    '" A ""Barometer"" Neuron ... "'. Undo the second quoting."""
    m = _TWICE_QUOTED.match(value)
    if m and '"' in m.group(1):
        return m.group(1).replace('""', '"')
    return value


@register
class PatentsViewReader(Reader):
    name = "patentsview-csv"
    description = "PatentsView query result as CSV (patent_number, patent_date, patent_title, patent_abstract)"
    priority = 40
    extensions = (".csv",)

    def sniff(self, source: Source, head: bytes) -> bool:
        header = set(header_of(head))
        return table_kind(source.name, head) == "csv" and all(c in header for c in _PV_COLUMNS)

    def read(self, source: Source) -> Iterator[Outcome]:
        rows = table_rows(text_lines(source))
        header_row = next(rows, None)
        if not isinstance(header_row, Row):
            raise RecordError("no header row")
        col = {h.strip(): i for i, h in enumerate(header_row.values)}
        missing = [c for c in _PV_COLUMNS if c not in col]
        if missing:
            raise RecordError(f"not a PatentsView table: no column {', '.join(missing)}")
        for row in rows:
            if isinstance(row, BadRow):
                yield quarantined(row.line, row.reason, row.excerpt)
                continue
            cells = {name: row.values[i] for name, i in col.items()}
            try:
                yield self.publication(cells, source.name, row.line)
            except (RecordError, InvalidNumber) as e:
                yield quarantined(row.line, e, _row_excerpt(row.values), cells.get("patent_number"))

    def publication(self, cells: dict[str, str], file: str, line: int) -> Publication:
        raw = (cells.get("patent_number") or "").strip()
        if not raw:
            raise RecordError("patent_number: no patent number")
        try:
            date = parse_date(cells.get("patent_date"))
        except ValueError:
            raise RecordError(f"patent_date: not a date: {cells.get('patent_date')!r}") from None
        _, doc_number, _ = number_parts("US", raw, None)
        kind, doc_type = patentsview_kind(doc_number, date)
        texts = []
        for kind_name, column in (("title", "patent_title"), ("abstract", "patent_abstract")):
            t = clean_text(unquote_twice(cells.get(column) or ""))
            if t:
                texts.append(Text(kind_name, "en", t))
        return Publication(
            number=canonical_number("US", doc_number, kind), country="US", doc_number=doc_number, kind=kind,
            doc_type=doc_type, publication_date=date, texts=tuple(texts), lang="en",
            source_rank=SOURCE_RANK["analyst-export"],
            provenance=Provenance(source=self.name, file=file, position=line),
        )


__all__ = [
    "BadRow", "FieldSpec", "MappedRow", "MappingFileReader", "PatentsViewReader", "Row", "TableMapping",
    "TabularReader", "beside_mapping", "guess_lang", "header_of", "load_mapping", "mapping_from_dict",
    "number_parts", "patentsview_kind", "quarantined", "shipped_mappings", "split_values", "table_rows",
    "text_lines", "unquote_twice",
]
