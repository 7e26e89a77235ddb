"""Export publications to the files librarians hand on: CSV, XLSX, RIS, BibTeX and JSON lines.

Every writer streams over an iterable of `Publication`s, so an export of the whole catalogue keeps
memory flat (XLSX is written with xlsxwriter's ``constant_memory`` mode, one row at a time).

Formats:

* ``csv`` and ``xlsx``: one row per publication with the columns of `COLUMNS` (the first row holds
  their names); multi-valued columns join their values with ``"; "``; dates are ISO ``YYYY-MM-DD``
  in CSV and real date cells in XLSX. A text cell that a spreadsheet would run as a formula (it
  starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with a single
  quote, so an exported title can never run as a formula.
* ``ris``: reference type ``PAT``; ``TI`` title, ``AU`` each inventor, ``A2`` each applicant and
  ``PB`` the first applicant, ``PY`` year, ``DA`` publication date (``YYYY/MM/DD``), ``PN`` the
  canonical publication number, ``AB`` abstract, ``KW`` each IPC and CPC symbol, ``ER`` ends the
  record. There is no ``UR``: the catalogue holds no stable public URL.
* ``bibtex``: ``@patent`` entries keyed by the canonical number (stable across exports), with
  ``author`` (inventors), ``holder`` (applicants), ``title``, ``number``, ``location`` (country),
  ``date``, ``year``, ``abstract`` and ``keywords``; TeX special characters, braces included,
  are escaped.
* ``jsonl``: one `Publication.to_dict()` object per line (the ``show --json`` shape).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator

from .errors import UserError
from .model import Publication

FORMATS = ("csv", "xlsx", "ris", "bibtex", "jsonl")
EXTENSIONS = {"csv": ".csv", "xlsx": ".xlsx", "ris": ".ris", "bibtex": ".bib", "jsonl": ".jsonl"}
TEXT_FORMATS = ("csv", "ris", "bibtex", "jsonl")
SEPARATOR = "; "
# Excel refuses longer cell strings
XLSX_MAX_CELL = 32767

Cell = str | dt.date | None


def _join(values: Iterable[str | None]) -> str | None:
    vals = [v for v in values if v]
    return SEPARATOR.join(vals) if vals else None


def _priorities(p: Publication) -> str | None:
    return _join(f"{pr.country or ''}{pr.number}" for pr in sorted(p.priorities, key=lambda x: x.sequence))


def _cited(p: Publication) -> str | None:
    return _join(c.cited_number for c in sorted(p.citations, key=lambda c: c.sequence) if c.kind == "patent")


def _one_line(text: str | None) -> str | None:
    return " ".join(text.split()) if text else None


# The documented column set of CSV and XLSX exports: (name, description, value).
COLUMNS: tuple[tuple[str, str, Callable[[Publication], Cell]], ...] = (
    ("publication_number", "canonical publication number, e.g. US7783348B2", lambda p: p.number),
    ("country", "publishing office (two-letter code)", lambda p: p.country),
    ("kind", "kind code", lambda p: p.kind),
    ("doc_type", "grant, application, utility_model, design, plant, reissue, ...", lambda p: p.doc_type),
    ("publication_date", "publication date", lambda p: p.publication_date),
    ("title", "title (English when there is one)", lambda p: _one_line(p.title)),
    ("applicants", "applicants, else assignees, else owners", lambda p: _join(p.applicants)),
    ("inventors", "inventors", lambda p: _join(p.inventors)),
    ("application_number", "application number as the source prints it", lambda p: p.application_number),
    ("application_date", "application (filing) date", lambda p: p.application_date),
    ("earliest_priority_date", "earliest priority date", lambda p: p.earliest_priority_date),
    ("priorities", "priority claims, country + number", _priorities),
    ("ipc", "IPC symbols", lambda p: _join(p.classes("ipc"))),
    ("cpc", "CPC symbols", lambda p: _join(p.classes("cpc"))),
    ("locarno", "Locarno classes (designs)", lambda p: _join(p.classes("locarno"))),
    ("national_classes", "national classes (e.g. US classes)", lambda p: _join(p.classes("national"))),
    ("family_id", "family identifier", lambda p: p.family_id),
    ("cited_patents", "cited patent documents (canonical numbers)", _cited),
    ("citation_count", "number of citations, patent and non-patent", lambda p: str(len(p.citations))),
    ("abstract", "abstract (English when there is one), on one line", lambda p: _one_line(p.abstract)),
    ("lang", "language of the publication", lambda p: p.lang),
    ("source", "the reader that loaded the record", lambda p: p.provenance.source if p.provenance else None),
)
COLUMN_NAMES = tuple(c[0] for c in COLUMNS)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: str) -> str:
    """A text cell that a spreadsheet would evaluate as a formula gets a leading single quote."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def row(pub: Publication) -> list[Cell]:
    return [fn(pub) for _, _, fn in COLUMNS]


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralize(value)


# ------------------------------------------------------------------------------------- text formats

def iter_csv(pubs: Iterable[Publication]) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")

    def take() -> str:
        out = buf.getvalue()
        buf.seek(0)
        buf.truncate()
        return out

    writer.writerow(COLUMN_NAMES)
    yield take()
    for pub in pubs:
        writer.writerow([_csv_cell(v) for v in row(pub)])
        yield take()


def _ris_date(d: dt.date) -> str:
    return f"{d.year:04d}/{d.month:02d}/{d.day:02d}"


def ris_record(pub: Publication) -> str:
    lines: list[tuple[str, str | None]] = [("TY", "PAT"), ("TI", _one_line(pub.title))]
    lines += [("AU", name) for name in pub.inventors]
    applicants = pub.applicants
    lines += [("A2", name) for name in applicants]
    lines.append(("PB", applicants[0] if applicants else None))
    if pub.publication_date:
        lines += [("PY", f"{pub.publication_date.year:04d}"), ("DA", _ris_date(pub.publication_date))]
    lines += [("PN", pub.number), ("AB", _one_line(pub.abstract))]
    lines += [("KW", c) for c in pub.classes("ipc") + pub.classes("cpc")]
    out = [f"{tag}  - {_one_line(value)}" for tag, value in lines if value]
    out.append("ER  - ")
    return "\r\n".join(out) + "\r\n\r\n"


def iter_ris(pubs: Iterable[Publication]) -> Iterator[str]:
    for pub in pubs:
        yield ris_record(pub)


_TEX_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$",
    "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}


def tex_escape(text: str) -> str:
    return "".join(_TEX_ESCAPES.get(ch, ch) for ch in text)


def bibtex_key(pub: Publication) -> str:
    """The canonical number: stable across exports and unique in the catalogue."""
    return "".join(ch for ch in pub.number if ch.isalnum())


def bibtex_entry(pub: Publication) -> str:
    fields: list[tuple[str, str | None]] = [
        ("author", " and ".join(tex_escape(n) for n in pub.inventors) or None),
        # braces keep an organization's name from being split into first and last names
        ("holder", " and ".join("{" + tex_escape(n) + "}" for n in pub.applicants) or None),
        ("title", tex_escape(_one_line(pub.title) or "") or None),
        ("number", pub.number),
        ("location", pub.country),
        ("type", pub.doc_type),
        ("date", pub.publication_date.isoformat() if pub.publication_date else None),
        ("year", f"{pub.publication_date.year:04d}" if pub.publication_date else None),
        ("abstract", tex_escape(_one_line(pub.abstract) or "") or None),
        ("keywords", tex_escape(", ".join(pub.classes("ipc") + pub.classes("cpc"))) or None),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@patent{{{bibtex_key(pub)},\n{body}\n}}\n\n"


def iter_bibtex(pubs: Iterable[Publication]) -> Iterator[str]:
    for pub in pubs:
        yield bibtex_entry(pub)


def iter_jsonl(pubs: Iterable[Publication]) -> Iterator[str]:
    for pub in pubs:
        yield json.dumps(pub.to_dict(), ensure_ascii=False, sort_keys=False) + "\n"


_TEXT_WRITERS: dict[str, Callable[[Iterable[Publication]], Iterator[str]]] = {
    "csv": iter_csv, "ris": iter_ris, "bibtex": iter_bibtex, "jsonl": iter_jsonl,
}


def iter_text(fmt: str, pubs: Iterable[Publication]) -> Iterator[str]:
    """The export of a text format, a record at a time (for streaming HTTP responses)."""
    if fmt not in _TEXT_WRITERS:
        raise UserError(f"{fmt!r} is not a text export format; text formats: {', '.join(TEXT_FORMATS)}")
    return _TEXT_WRITERS[fmt](pubs)


# ------------------------------------------------------------------------------------- xlsx

def write_xlsx(pubs: Iterable[Publication], out: str | os.PathLike[str] | IO[bytes]) -> int:
    import xlsxwriter

    target = os.fspath(out) if isinstance(out, (str, os.PathLike)) else out
    book = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False,
                                        "strings_to_formulas": False, "strings_to_urls": False,
                                        "strings_to_numbers": False})
    try:
        sheet = book.add_worksheet("publications")
        bold = book.add_format({"bold": True})
        date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
        for col, name in enumerate(COLUMN_NAMES):
            sheet.write_string(0, col, name, bold)
        sheet.freeze_panes(1, 0)
        n = 0
        for n, pub in enumerate(pubs, 1):
            for col, value in enumerate(row(pub)):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(n, col, dt.datetime(value.year, value.month, value.day), date_fmt)
                else:
                    sheet.write_string(n, col, neutralize(value)[:XLSX_MAX_CELL])
    finally:
        book.close()
    return n


# ------------------------------------------------------------------------------------- entry points

class _Counter:
    def __init__(self, pubs: Iterable[Publication]) -> None:
        self._pubs = pubs
        self.count = 0

    def __iter__(self) -> Iterator[Publication]:
        for pub in self._pubs:
            self.count += 1
            yield pub


def write(fmt: str, pubs: Iterable[Publication], out: IO[bytes]) -> int:
    """Write an export to a binary stream; returns the number of publications written."""
    if fmt == "xlsx":
        return write_xlsx(pubs, out)
    counted = _Counter(pubs)
    for chunk in iter_text(fmt, counted):
        out.write(chunk.encode("utf-8"))
    return counted.count


def export_file(fmt: str, pubs: Iterable[Publication], path: str | os.PathLike[str]) -> int:
    """Write an export file atomically: a failed export leaves no half-written file behind."""
    if fmt not in FORMATS:
        raise UserError(f"unknown export format {fmt!r}; formats: {', '.join(FORMATS)}")
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix="." + target.name + ".", suffix=".part", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            n = write(fmt, pubs, f)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return n


def format_for(path: str) -> str | None:
    """The export format a file name implies, if any."""
    suffix = Path(path).suffix.lower()
    for fmt, ext in EXTENSIONS.items():
        if suffix == ext:
            return fmt
    return {".txt": None, ".ndjson": "jsonl", ".bibtex": "bibtex"}.get(suffix)


__all__ = ["COLUMNS", "COLUMN_NAMES", "EXTENSIONS", "FORMATS", "TEXT_FORMATS", "bibtex_entry", "bibtex_key",
           "export_file", "format_for", "iter_text", "neutralize", "ris_record", "write", "write_xlsx"]
