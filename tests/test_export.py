"""`patentdesk export`: every format parsed back and compared with the catalogue records."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
import sys
import types
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from patentdesk import export as ex
from patentdesk.cli import main
from patentdesk.model import (
    SOURCE_RANK,
    Citation,
    Classification,
    Party,
    Priority,
    Provenance,
    Publication,
    Text,
)
from patentdesk.store.catalogue import Catalogue

FORMULAS = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3 cmd|' /C calc'!A0", "@SUM(A1:A9)"]


def _pub(number: str, doc_number: str, kind: str, title: str, **kw: Any) -> Publication:
    base = dict(
        number=number, country=number[:2], doc_number=doc_number, kind=kind, doc_type="grant",
        publication_date=dt.date(2010, 8, 24), texts=(Text("title", "en", title),),
        source_rank=SOURCE_RANK["official-fulltext"], provenance=Provenance("test-reader", "f.xml", 1),
    )
    base.update(kw)
    return Publication(**base)  # type: ignore[arg-type]


RICH = _pub(
    "US7783348B2", "7783348", "B2", "Lithium cell with {braces}, 100% & $5 — “Ü” #1 a_b ~x^2 \\path",
    application_number="12/234,567", application_date=dt.date(2008, 9, 19),
    earliest_priority_date=dt.date(2007, 9, 20),
    priorities=(Priority("JP", "2007-245001", dt.date(2007, 9, 21), 1), Priority("DE", "102007045123", None, 2)),
    texts=(Text("title", "de", "Lithiumzelle"),
           Text("title", "en", "Lithium cell with {braces}, 100% & $5 — “Ü” #1 a_b ~x^2 \\path"),
           Text("abstract", "en", "A cell has an anode;\nand a cathode, separated by 5 µm.")),
    parties=(Party("Sanyo Electric Co., Ltd.", "applicant", 1, "JP"), Party("Müller {GmbH}", "applicant", 2),
             Party("Yamamoto, Tarō", "inventor", 1), Party("Schröder, Jürgen", "inventor", 2),
             Party("Oblon", "agent", 1)),
    classifications=(Classification("ipc", "H01M10/0525", 1), Classification("ipc", "H01M2/16", 2),
                     Classification("cpc", "Y02E60/10", 3), Classification("national", "429/144", 4, country="US")),
    citations=(Citation(1, "patent", "US6432586B1"), Citation(2, "npl", text="Smith 2006"),
               Citation(3, "patent", "JP2005123456A")),
    family_id="23456789", family_source="source", lang="en",
)
DESIGN = _pub("USD586076S1", "D586076", "S1", "Bottle", doc_type="design", publication_date=dt.date(2009, 2, 10),
              classifications=(Classification("locarno", "0901", 1),),
              parties=(Party("Coca-Cola Company", "assignee", 1), Party("Smith, Ann", "inventor", 1)))
BARE = Publication(number="CN218289675U", country="CN", doc_number="218289675", kind="U", doc_type="utility_model")
EVIL = [
    _pub(f"US{8000000 + i}B1", str(8000000 + i), "B1", title,
         parties=(Party(FORMULAS[(i + 1) % 4], "applicant", 1), Party("Doe, Jane", "inventor", 1)),
         texts=(Text("title", "en", title), Text("abstract", "en", FORMULAS[(i + 2) % 4])))
    for i, title in enumerate(FORMULAS)
]
ALL = [RICH, DESIGN, BARE, *EVIL]


@pytest.fixture
def cat(sqlite_catalogue: Catalogue) -> Catalogue:
    sqlite_catalogue.apply(ALL)
    return sqlite_catalogue


def _run(cat: Catalogue, *args: str, input: str | None = None) -> Any:
    result = CliRunner().invoke(main, ["export", *args, "--database-url", cat.url, "--home",
                                       str(Path(cat.url[len("sqlite:///"):]).parent / "home")], input=input)
    return result


def _export(cat: Catalogue, tmp_path: Path, fmt: str, query: str = "all") -> Path:
    out = tmp_path / f"out{ex.EXTENSIONS[fmt]}"
    result = _run(cat, query, "--format", fmt, "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report == {"format": fmt, "out": str(out), "count": len(ALL), "not_found": []}
    return out


def _joined(values: list[str]) -> str:
    return "; ".join(values)


def _quoted(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _expected_row(p: Publication) -> dict[str, str]:
    """What a CSV row must say, written from the record without the exporter's code."""
    d = lambda x: x.isoformat() if x else ""  # noqa: E731
    return {
        "publication_number": p.number, "country": p.country, "kind": p.kind or "", "doc_type": p.doc_type,
        "publication_date": d(p.publication_date), "title": _quoted(p.title or ""),
        "applicants": _quoted(_joined(p.applicants)), "inventors": _joined(p.inventors),
        "application_number": p.application_number or "", "application_date": d(p.application_date),
        "earliest_priority_date": d(p.earliest_priority_date),
        "priorities": _joined([f"{x.country}{x.number}" for x in p.priorities]),
        "ipc": _joined(p.classes("ipc")), "cpc": _joined(p.classes("cpc")),
        "locarno": _joined(p.classes("locarno")), "national_classes": _joined(p.classes("national")),
        "family_id": p.family_id or "",
        "cited_patents": _joined([c.cited_number for c in p.citations if c.cited_number]),
        "citation_count": str(len(p.citations)),
        "abstract": _quoted(" ".join((p.abstract or "").split())), "lang": p.lang or "",
        "source": p.provenance.source if p.provenance else "",
    }


# ------------------------------------------------------------------------------------- csv

def test_csv(cat: Catalogue, tmp_path: Path) -> None:
    out = _export(cat, tmp_path, "csv")
    with out.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(ex.COLUMN_NAMES)
    assert [r["publication_number"] for r in rows] == [p.number for p in ALL]
    stored = [cat.get(p.number) for p in ALL]
    for r, p in zip(rows, stored):
        assert p is not None
        assert r == _expected_row(p)
    rich = rows[0]
    assert rich["applicants"] == "Sanyo Electric Co., Ltd.; Müller {GmbH}"
    assert rich["inventors"] == "Yamamoto, Tarō; Schröder, Jürgen"
    assert rich["priorities"] == "JP2007-245001; DE102007045123"
    assert rich["cited_patents"] == "US6432586B1; JP2005123456A"
    assert rich["abstract"] == "A cell has an anode; and a cathode, separated by 5 µm."
    assert rows[1]["applicants"] == "Coca-Cola Company" and rows[1]["locarno"] == "0901"


def test_csv_formula_injection_neutralized(cat: Catalogue, tmp_path: Path) -> None:
    out = _export(cat, tmp_path, "csv")
    with out.open(newline="", encoding="utf-8") as f:
        rows = {r["publication_number"]: r for r in csv.DictReader(f)}
    for i, formula in enumerate(FORMULAS):
        r = rows[f"US{8000000 + i}B1"]
        assert r["title"] == "'" + formula
        assert r["applicants"] == "'" + FORMULAS[(i + 1) % 4]
        assert r["abstract"] == "'" + FORMULAS[(i + 2) % 4]
    # no cell of the file starts with a formula character
    with out.open(newline="", encoding="utf-8") as f:
        for line in csv.reader(f):
            assert not any(cell[:1] in ("=", "+", "-", "@") for cell in line), line


def test_neutralize() -> None:
    for formula in FORMULAS + ["\t=1", "\r=1"]:
        assert ex.neutralize(formula) == "'" + formula
    assert ex.neutralize("Lithium cell") == "Lithium cell"
    assert ex.neutralize("a=b") == "a=b"


# ------------------------------------------------------------------------------------- xlsx

def test_xlsx(cat: Catalogue, tmp_path: Path) -> None:
    out = _export(cat, tmp_path, "xlsx")
    book = openpyxl.load_workbook(out, read_only=True)
    sheet = book["publications"]
    rows = list(sheet.iter_rows(values_only=True))
    book.close()
    assert list(rows[0]) == list(ex.COLUMN_NAMES)
    assert len(rows) == len(ALL) + 1
    for values, p in zip(rows[1:], [cat.get(p.number) for p in ALL]):
        assert p is not None
        got = dict(zip(ex.COLUMN_NAMES, values))
        expected = _expected_row(p)
        for name in ex.COLUMN_NAMES:
            value = got[name]
            if isinstance(value, dt.datetime):
                assert value.time() == dt.time(0) and value.date().isoformat() == expected[name], name
            else:
                assert (value or "") == expected[name], (p.number, name)


def test_xlsx_formula_injection_neutralized(cat: Catalogue, tmp_path: Path) -> None:
    out = _export(cat, tmp_path, "xlsx")
    book = openpyxl.load_workbook(out)  # full mode: cell types are visible
    sheet = book.active
    assert sheet is not None
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str):
                assert cell.value[:1] not in ("=", "+", "-", "@"), cell.coordinate
    titles = {r[0].value: r[ex.COLUMN_NAMES.index("title")].value for r in sheet.iter_rows(min_row=2)}
    book.close()
    assert titles["US8000000B1"] == "'" + FORMULAS[0]
    assert titles["US8000003B1"] == "'@SUM(A1:A9)"


def test_xlsx_streams_in_constant_memory(tmp_path: Path) -> None:
    # a generator is consumed once, row by row; nothing needs the whole list
    pubs = (dataclasses.replace(BARE, number=f"CN{218289675 + i}U", doc_number=str(218289675 + i))
            for i in range(2000))
    n = ex.export_file("xlsx", pubs, tmp_path / "big.xlsx")
    assert n == 2000
    book = openpyxl.load_workbook(tmp_path / "big.xlsx", read_only=True)
    assert book["publications"].max_row == 2001
    book.close()


# ------------------------------------------------------------------------------------- ris

def parse_ris(text: str) -> list[dict[str, list[str]]]:
    records: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] | None = None
    for line in text.splitlines():
        if not line.strip():
            continue
        m = re.fullmatch(r"([A-Z][A-Z0-9])  - ?(.*)", line)
        assert m, f"not a RIS line: {line!r}"
        tag, value = m.groups()
        if tag == "TY":
            assert current is None, "TY inside a record"
            current = {}
        assert current is not None, f"{tag} outside a record"
        if tag == "ER":
            records.append(current)
            current = None
            continue
        current.setdefault(tag, []).append(value)
    assert current is None, "record without ER"
    return records


def test_ris(cat: Catalogue, tmp_path: Path) -> None:
    out = _export(cat, tmp_path, "ris")
    records = parse_ris(out.read_text(encoding="utf-8"))
    assert len(records) == len(ALL)
    for rec, p in zip(records, [cat.get(p.number) for p in ALL]):
        assert p is not None
        assert rec["TY"] == ["PAT"]
        assert rec["PN"] == [p.number]
        assert rec.get("TI") == ([p.title] if p.title else None)
        assert rec.get("AU", []) == p.inventors
        assert rec.get("A2", []) == p.applicants
        assert rec.get("PB") == (p.applicants[:1] or None)
        if p.publication_date:
            d = p.publication_date
            assert rec["PY"] == [str(d.year)] and rec["DA"] == [f"{d.year:04d}/{d.month:02d}/{d.day:02d}"]
        else:
            assert "PY" not in rec and "DA" not in rec
        assert rec.get("AB") == ([" ".join(p.abstract.split())] if p.abstract else None)
        assert rec.get("KW", []) == p.classes("ipc") + p.classes("cpc")
        assert "UR" not in rec
    assert records[0]["KW"] == ["H01M10/0525", "H01M2/16", "Y02E60/10"]
    assert records[1]["A2"] == ["Coca-Cola Company"]
    assert records[2] == {"TY": ["PAT"], "PN": ["CN218289675U"]}


# ------------------------------------------------------------------------------------- bibtex

def parse_bibtex(text: str) -> list[tuple[str, str, dict[str, str]]]:
    """A strict little parser: entries `@type{key, name = {value}, ...}` with balanced, escaped braces."""
    entries = []
    pos = 0
    entry_re = re.compile(r"\s*@(\w+)\{([^,\s]+),\n")
    field_re = re.compile(r"\s*(\w+) = \{")
    while pos < len(text):
        if not text[pos:].strip():
            break
        m = entry_re.match(text, pos)
        assert m, f"bad entry start at {pos}: {text[pos:pos + 40]!r}"
        kind, key = m.groups()
        pos = m.end()
        fields: dict[str, str] = {}
        while True:
            fm = field_re.match(text, pos)
            assert fm, f"bad field at {pos}: {text[pos:pos + 40]!r}"
            pos = fm.end()
            depth, start = 1, pos
            while depth:
                ch = text[pos]
                if ch == "\\":
                    pos += 2
                    continue
                depth += {"{": 1, "}": -1}.get(ch, 0)
                pos += 1
            fields[fm.group(1)] = text[start:pos - 1]
            if text.startswith(",\n", pos):
                pos += 2
                continue
            assert text.startswith("\n}", pos), f"bad entry end at {pos}: {text[pos:pos + 10]!r}"
            pos += 2
            break
        entries.append((kind, key, fields))
    return entries


def _untex(s: str) -> str:
    s = s.replace(r"\textbackslash{}", "\\").replace(r"\textasciitilde{}", "~").replace(r"\textasciicircum{}", "^")
    return re.sub(r"\\([{}%&#$_])", r"\1", s)


def test_bibtex(cat: Catalogue, tmp_path: Path) -> None:
    out = _export(cat, tmp_path, "bibtex")
    entries = parse_bibtex(out.read_text(encoding="utf-8"))
    assert len(entries) == len(ALL)
    assert len({key for _, key, _ in entries}) == len(ALL)
    for (kind, key, fields), p in zip(entries, [cat.get(p.number) for p in ALL]):
        assert p is not None
        assert kind == "patent" and key == p.number
        assert fields["number"] == p.number
        assert _untex(fields.get("title", "")) == (p.title or "")
        assert fields.get("author", "") == " and ".join(p.inventors)
        if p.applicants:
            assert fields["holder"] == " and ".join("{" + a.replace("{", r"\{").replace("}", r"\}") + "}"
                                                    for a in p.applicants)
        if p.publication_date:
            assert fields["date"] == p.publication_date.isoformat()
            assert fields["year"] == str(p.publication_date.year)
    rich = entries[0][2]
    assert rich["title"] == (r"Lithium cell with \{braces\}, 100\% \& \$5 — “Ü” \#1 a\_b "
                             r"\textasciitilde{}x\textasciicircum{}2 \textbackslash{}path")
    assert rich["keywords"] == "H01M10/0525, H01M2/16, Y02E60/10"
    assert rich["holder"] == r"{Sanyo Electric Co., Ltd.} and {Müller \{GmbH\}}"


def test_bibtex_key_is_stable(cat: Catalogue, tmp_path: Path) -> None:
    first = _export(cat, tmp_path, "bibtex").read_text(encoding="utf-8")
    second = _export(cat, tmp_path, "bibtex").read_text(encoding="utf-8")
    assert first == second
    assert ex.bibtex_key(RICH) == "US7783348B2"


# ------------------------------------------------------------------------------------- jsonl

def test_jsonl(cat: Catalogue, tmp_path: Path) -> None:
    out = _export(cat, tmp_path, "jsonl")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(ALL)
    for line, p in zip(lines, ALL):
        stored = cat.get(p.number)
        assert stored is not None
        assert json.loads(line) == stored.to_dict()
        assert Publication.from_dict(json.loads(line)) == p
    assert "Tarō" in lines[0]  # UTF-8, not \u escapes


# ------------------------------------------------------------------------------------- selection

def test_numbers_file(cat: Catalogue, tmp_path: Path) -> None:
    listing = tmp_path / "numbers.txt"
    listing.write_text("# my list\nUS 7,783,348 B2\n\nUSD0586076  # a design\nUS7783348B2\nUS1234567\n"
                       "not a number\nCN_218289675_U_20230113\n", encoding="utf-8")
    out = tmp_path / "sel.jsonl"
    result = _run(cat, "--numbers", str(listing), "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"format": "jsonl", "out": str(out), "count": 3,
                                         "not_found": ["US1234567", "not a number"]}
    got = [json.loads(x)["number"] for x in out.read_text(encoding="utf-8").splitlines()]
    assert got == ["US7783348B2", "USD586076S1", "CN218289675U"]


def test_numbers_from_stdin_to_stdout(cat: Catalogue) -> None:
    result = _run(cat, "--numbers", "-", "--format", "ris", "--out", "-", input="USD586076S1\n")
    assert result.exit_code == 0, result.output
    records = parse_ris(result.stdout)
    assert [r["PN"] for r in records] == [["USD586076S1"]]
    assert "exported 1 publications" in result.stderr


def test_query_uses_the_search_engine(cat: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def matching_numbers(settings: Any, catalogue: Any, query: str) -> list[str]:
        calls.append(query)
        assert catalogue.url == cat.url
        return ["USD586076S1", "US9999999B1", "US7783348B2"]

    engine = types.ModuleType("patentdesk.search.engine")
    engine.matching_numbers = matching_numbers  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "patentdesk.search.engine", engine)
    out = tmp_path / "q.csv"
    result = _run(cat, "ti=bottle OR pa=sanyo", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert calls == ["ti=bottle OR pa=sanyo"]
    with out.open(newline="", encoding="utf-8") as f:
        assert [r["publication_number"] for r in csv.DictReader(f)] == ["USD586076S1", "US7783348B2"]
    result = _run(cat, "pa=sanyo", "--out", str(out), "--limit", "1")
    with out.open(newline="", encoding="utf-8") as f:
        assert [r["publication_number"] for r in csv.DictReader(f)] == ["USD586076S1"]


def test_all_with_limit(cat: Catalogue, tmp_path: Path) -> None:
    out = tmp_path / "two.jsonl"
    result = _run(cat, "all", "--out", str(out), "--limit", "2")
    assert result.exit_code == 0, result.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


@pytest.mark.parametrize(("args", "message"), [
    (["all", "--out", "x.txt"], "say which format"),
    (["all", "--format", "xlsx", "--out", "-"], "xlsx is a binary format"),
    (["--out", "x.csv"], "either a QUERY"),
    (["all", "--numbers", "n.txt", "--out", "x.csv"], "either a QUERY"),
])
def test_usage_errors(cat: Catalogue, args: list[str], message: str) -> None:
    result = _run(cat, *args)
    assert result.exit_code != 0
    assert message in result.output


def test_failed_export_leaves_no_file(tmp_path: Path) -> None:
    def broken() -> Any:
        yield RICH
        raise RuntimeError("disk on fire")

    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError):
        ex.export_file("csv", broken(), target)
    assert list(tmp_path.iterdir()) == []


def test_write_to_a_stream() -> None:
    buf = io.BytesIO()
    assert ex.write("jsonl", iter(ALL), buf) == len(ALL)
    assert len(buf.getvalue().decode("utf-8").splitlines()) == len(ALL)
    assert "".join(ex.iter_text("ris", [BARE])) == "TY  - PAT\r\nPN  - CN218289675U\r\nER  - \r\n\r\n"


# ------------------------------------------------------------------------------------- real records

@pytest.fixture
def weekly(sqlite_catalogue: Catalogue, data_dir: Path) -> Catalogue:
    from patentdesk.ingest.pipeline import ingest

    summary = ingest(sqlite_catalogue, [str(data_dir / "uspto-xml/weekly-slices/ipg050104.small.xml")])
    assert summary.added == 25
    return sqlite_catalogue


def test_real_weekly_slice_in_every_format(weekly: Catalogue, tmp_path: Path) -> None:
    stored = list(weekly.iter_publications())
    spots = {  # first, middle and last grant of ipg050104, as the XML has them
        0: ("US6836899B1", "Device for detachably holding an absorbent napkin across the torso",
            "Glasmire, Samuel G.", "A45F5/04", ""),
        12: ("US6837525B2", "Tube connecting structure", "Miyajima, Atsuo", "F16L39/00", "JP2002-117536"),
        24: ("US6839175B2", "Image forming element and image forming device", "Washizu, Shintaro",
             "G02B5/20; G02F1/21; G02F1/23", "JP2001-086313"),
    }
    paths = {}
    for fmt in ex.FORMATS:
        paths[fmt] = tmp_path / f"weekly{ex.EXTENSIONS[fmt]}"
        result = CliRunner().invoke(main, ["export", "all", "--out", str(paths[fmt]), "--database-url", weekly.url,
                                           "--home", str(tmp_path / "home")])
        assert result.exit_code == 0, result.output
    with paths["csv"].open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    book = openpyxl.load_workbook(paths["xlsx"], read_only=True)
    sheet_rows = list(book["publications"].iter_rows(values_only=True))[1:]
    book.close()
    ris = parse_ris(paths["ris"].read_text(encoding="utf-8"))
    bib = parse_bibtex(paths["bibtex"].read_text(encoding="utf-8"))
    lines = paths["jsonl"].read_text(encoding="utf-8").splitlines()
    assert len(rows) == len(sheet_rows) == len(ris) == len(bib) == len(lines) == 25
    for i, (number, title, inventor, ipc, priorities) in spots.items():
        assert rows[i]["publication_number"] == number and rows[i]["title"] == title
        assert rows[i]["inventors"] == inventor and rows[i]["ipc"] == ipc and rows[i]["priorities"] == priorities
        assert rows[i]["publication_date"] == "2005-01-04"
        xrow = dict(zip(ex.COLUMN_NAMES, sheet_rows[i]))
        assert xrow["publication_number"] == number and xrow["title"] == title
        assert xrow["publication_date"] == dt.datetime(2005, 1, 4)
        assert ris[i]["PN"] == [number] and ris[i]["TI"] == [title] and ris[i]["AU"] == [inventor]
        assert ris[i]["DA"] == ["2005/01/04"] and ris[i]["KW"] == ipc.split("; ")
        assert bib[i][1] == number and _untex(bib[i][2]["title"]) == title
    for row, line, pub in zip(rows, lines, stored):
        assert row == _expected_row(pub)
        assert json.loads(line) == pub.to_dict()
