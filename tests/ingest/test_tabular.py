"""Tabular readers: PatentsView CSV, mapping-driven CSV/XLSX tables (the shipped Indian grants
mapping, mappings beside the data) and the shared CSV row stream."""

from __future__ import annotations

import csv
import datetime as dt
import functools
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from patentdesk.errors import ConfigError
from patentdesk.ingest.base import Outcome, Quarantined, detect
from patentdesk.ingest.pipeline import ingest
from patentdesk.ingest.readers.tabular import (
    BadRow,
    Row,
    guess_lang,
    load_mapping,
    mapping_from_dict,
    patentsview_kind,
    shipped_mappings,
    table_rows,
    unquote_twice,
)
from patentdesk.ingest.sources import FileSource, expand
from patentdesk.model import Publication
from patentdesk.normalize import family_key_from_priorities
from patentdesk.store.catalogue import Catalogue

PATENTSVIEW = "patentsview-abstracts/neural-network-patents.csv"
INDIA = "india-grants"


def read_all(path: Path | str) -> list[Outcome]:
    """Every outcome of every file under `path` (read once: records are immutable; test files are
    written to fresh temporary paths)."""
    return list(_read(str(path)))


@functools.cache
def _read(path: str) -> tuple[Outcome, ...]:
    out: list[Outcome] = []
    for source in expand([str(path)]):
        reader = detect(source)
        assert reader is not None, source.name
        out += list(reader.read(source))
    return tuple(out)


def pubs_of(outcomes: list[Outcome]) -> list[Publication]:
    return [o for o in outcomes if isinstance(o, Publication)]


def csv_rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


# ------------------------------------------------------------------------------------ CSV row stream

def test_table_rows_recovers_the_lines_a_stray_quote_swallowed() -> None:
    lines = ["a,b,c\n", "1,x,y\n", '2,"broken,z\n', "3,p,q\n", "4,r,s\n"]
    out = list(table_rows(lines))
    assert [o.line for o in out if isinstance(o, Row)] == [1, 2, 4, 5]
    bad = [o for o in out if isinstance(o, BadRow)]
    assert [(b.line, b.excerpt) for b in bad] == [(3, '2,"broken,z')]
    assert "quoted field is not closed" in bad[0].reason


def test_table_rows_keeps_line_breaks_inside_quotes_and_counts_physical_lines() -> None:
    lines = ["a,b\n", '1,"two\n', 'lines"\n', "2,x\n", "3\n", "\n", "4,y\n"]
    out = list(table_rows(lines))
    assert [(o.line, o.values) for o in out if isinstance(o, Row)] == [
        (1, ["a", "b"]), (2, ["1", "two\nlines"]), (4, ["2", "x"]), (7, ["4", "y"])]
    assert [(o.line, o.reason) for o in out if isinstance(o, BadRow)] == [
        (5, "malformed row: 1 fields where the header has 2")]


def test_table_rows_start_marker_catches_a_runaway_quote_with_the_right_field_count() -> None:
    # the open quote ends on the next line, and the merged record happens to have 3 fields
    lines = ["#,b,c\n", '1,"x,y\n', '2,z",w\n', "3,p,q\n"]
    plain = [o for o in table_rows(lines) if isinstance(o, Row)]
    assert [o.line for o in plain] == [1, 2, 4]  # without the marker line 3 is lost in line 2
    marked = list(table_rows(lines, starts_record=lambda s: s[:1].isdigit()))
    assert [o.line for o in marked if isinstance(o, BadRow)] == [2]
    assert [(o.line, o.values) for o in marked if isinstance(o, Row)] == [
        (1, ["#", "b", "c"]), (3, ["2", 'z"', "w"]), (4, ["3", "p", "q"])]


def test_guess_lang_by_script_and_common_words() -> None:
    assert guess_lang("内燃機関の制御装置") == "ja"
    assert guess_lang("内燃機関", "JP") == "ja"
    assert guess_lang("一种点燃式氢氧气转子发动机及控制方法", "CN") == "zh"
    assert guess_lang("내연기관") == "ko"
    assert guess_lang("Электротеплореактивный Двигатель") == "ru"
    assert guess_lang("Kühlvorrichtung Für Ein Strahltriebwerk") == "de"
    assert guess_lang("Reacteur Pour Avion Volant A Grande Vitesse") == "fr"
    assert guess_lang("Motor De Combustão Interna") == "pt"
    assert guess_lang("Acoustically Resonant Internal Combustion Engine-generator (a.r.e.g.)") == "en"
    assert guess_lang("Jet Engine") == "en"
    assert guess_lang("") == "und"


# ------------------------------------------------------------------------------------ PatentsView

def test_patentsview_every_row_loads(data_dir: Path) -> None:
    path = data_dir / PATENTSVIEW
    rows = csv_rows(path)[1:]
    outcomes = read_all(path)
    pubs = pubs_of(outcomes)
    assert len(pubs) == len(rows) == 3522
    assert len(outcomes) == len(pubs)
    assert len({p.number for p in pubs}) == len({r[2] for r in rows})
    assert detect(FileSource(path)).name == "patentsview-csv"  # type: ignore[union-attr]
    assert all(p.source_rank == 10 and p.country == "US" for p in pubs)


def test_patentsview_spot_records(data_dir: Path) -> None:
    pubs = pubs_of(read_all(data_dir / PATENTSVIEW))
    first, middle, last = pubs[0], pubs[1761], pubs[-1]
    # first row: a grant of 1996, its title and abstract quoted twice in the file
    assert first.number == "US5535303A" and first.kind == "A" and first.doc_type == "grant"
    assert first.publication_date == dt.date(1996, 7, 9)
    assert first.title == '"Barometer" neuron for a neural network'
    assert first.abstract is not None and first.abstract.startswith('A "Barometer" Neuron enhances stability')
    assert first.abstract.endswith('of the "perfect" pair.')
    assert first.texts_of("title")[0].lang == "en"
    assert first.provenance is not None and first.provenance.position == 2
    # middle: a 2002 grant: B1 or B2 cannot be told from the number, the kind stays unknown
    assert (middle.number, middle.kind, middle.publication_date) == ("US6381591", None, dt.date(2002, 4, 30))
    assert middle.title == ("Method for transformation of fuzzy logic, which is used to simulate a technical "
                            "process, into a neural network")
    assert last.number == "US7376661" and last.publication_date == dt.date(2008, 5, 20)
    assert last.title == "XML-based symbolic language and interpreter"
    assert last.provenance is not None and last.provenance.position == 3523
    by_number = {p.number: p for p in pubs}
    assert by_number["USRE41658E"].doc_type == "reissue"
    assert by_number["USH2215H"].doc_type == "sir"


def test_patentsview_kind_is_given_only_where_it_is_certain() -> None:
    assert patentsview_kind("5535303", dt.date(2000, 12, 26)) == ("A", "grant")
    assert patentsview_kind("6167569", dt.date(2001, 1, 2)) == (None, "grant")
    assert patentsview_kind("RE36823", dt.date(2000, 8, 15)) == ("E", "reissue")
    assert patentsview_kind("D586076", dt.date(2009, 2, 10)) == ("S", "design")
    assert unquote_twice('"""Barometer"" neuron"') == '"Barometer" neuron'
    assert unquote_twice('"plain"') == '"plain"'


def test_patentsview_number_without_kind_is_found_by_lookup(sqlite_catalogue: Catalogue, data_dir: Path) -> None:
    summary = ingest(sqlite_catalogue, [str(data_dir / PATENTSVIEW)])
    assert summary.added == 3522 and summary.quarantined == 0
    assert sqlite_catalogue.lookup("US 7,376,661") == ["US7376661"]
    assert sqlite_catalogue.lookup("US 5535303 A") == ["US5535303A"]
    again = ingest(sqlite_catalogue, [str(data_dir / PATENTSVIEW)])
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3522)


# ------------------------------------------------------------------------------------ India (shipped mapping)

def india_expectation(paths: list[Path]) -> tuple[int, int, set[str]]:
    """Rows with a patent number, rows without one, distinct patent numbers: from the csv module."""
    good = bad = 0
    numbers: set[str] = set()
    for path in paths:
        for row in csv_rows(path)[1:]:
            if row[1].strip().isdigit():
                good += 1
                numbers.add(row[1].strip())
            else:
                bad += 1
    return good, bad, numbers


def test_india_mapping_is_shipped_and_matches_the_header(data_dir: Path) -> None:
    names = [m.name for m in shipped_mappings()]
    assert "india-grants" in names
    for f in sorted((data_dir / INDIA).glob("in_*.csv")):
        assert detect(FileSource(f)).name == "tabular"  # type: ignore[union-attr]
    assert detect(FileSource(data_dir / PATENTSVIEW)).name != "tabular"  # type: ignore[union-attr]


def test_india_all_files_counts(data_dir: Path) -> None:
    paths = sorted((data_dir / INDIA).glob("in_*.csv"))
    good, bad, numbers = india_expectation(paths)
    assert good + bad == 50116
    outcomes = read_all(data_dir / INDIA)
    pubs = pubs_of(outcomes)
    quarantined = [o for o in outcomes if isinstance(o, Quarantined)]
    assert len(pubs) == good == 48428
    assert len(quarantined) == bad == 1688
    assert {p.number for p in pubs} == {"IN" + n for n in numbers}
    assert len(numbers) == 48237
    # the rows of the journal's other table: office name where the patent number belongs
    q = quarantined[1]
    assert q.position == 1287 and q.record == "DELHI (line 1287)"
    assert q.reason == "number (Patent Number): not a publication number: 'DELHI'"
    assert all(o.record and o.record.endswith(f"(line {o.position})") for o in quarantined)


def test_india_spot_records(data_dir: Path) -> None:
    outcomes = read_all(data_dir / INDIA)
    by_line = {o.provenance.position: o for o in pubs_of(outcomes)
               if o.provenance and o.provenance.file.endswith("in_2019.csv")}
    first = by_line[2]
    assert first.number == "IN325016" and first.kind is None and first.doc_type == "grant"
    assert first.application_number == "3358/DELNP/2010" and first.application_country == "IN"
    assert first.application_date == dt.date(2008, 11, 19)
    assert first.earliest_priority_date == dt.date(2008, 2, 27)
    assert first.publication_date == dt.date(2019, 11, 22)
    assert first.title == ("A ROLLER NANOIMPRINT APPARATUS CONTINUOUSLY TRANSFERRING NANOSIZED PROTRUSIONS TO A "
                           "SURFACE OF A WORKPIECE FILM")
    assert first.texts[0].lang == "en" and first.lang == "en"
    assert first.applicants == ["SHARP KABUSHIKI KAISHA"]
    assert first.family_id == family_key_from_priorities([("IN", "3358/DELNP/2010")])
    assert first.provenance is not None and first.provenance.source == "tabular:india-grants"
    middle = by_line[11450]
    assert middle.number == "IN310956" and middle.applicants == ["LARSEN & TOUBRO LIMITED"]
    # no priority date: the application date stands in
    assert middle.earliest_priority_date == middle.application_date == dt.date(2011, 3, 26)
    assert middle.publication_date == dt.date(2019, 4, 12)
    last = by_line[22898]
    assert last.number == "IN309119" and last.title == "CALIBRATION STANDARD"
    assert last.applicants == ["IMMOBILIENGESEL LSCHAFT HELMUT FISCHER GMBH & CO.KG."]


def test_india_one_full_file_in_the_catalogue(sqlite_catalogue: Catalogue, data_dir: Path) -> None:
    path = data_dir / INDIA / "in_2021.csv"
    good, bad, numbers = india_expectation([path])
    summary = ingest(sqlite_catalogue, [str(path)])
    assert summary.read == good + bad and summary.quarantined == bad == 0
    assert summary.added == len(numbers) == sqlite_catalogue.count()
    # every repeated number differs from its first row (another journal issue): the later replaces
    assert summary.updated == good - len(numbers) == 11
    last = sqlite_catalogue.get("IN379546")
    assert last is not None and last.publication_date == dt.date(2021, 10, 22)


def _excerpt(src: Path, dest: Path, first: int, last: int) -> Path:
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    dest.write_text(lines[0] + "".join(lines[first - 1:last]), encoding="utf-8")
    return dest


def test_india_duplicate_rows_end_as_one_record_each(catalogue: Catalogue, data_dir: Path, tmp_path: Path) -> None:
    # lines 4600-6300 of in_2018.csv: journal issue 33/2018 and its repetition in 34/2018
    path = _excerpt(data_dir / INDIA / "in_2018.csv", tmp_path / "in_2018_excerpt.csv", 4600, 6300)
    rows = csv_rows(path)[1:]
    per_number = Counter(r[1] for r in rows)
    assert all(n.isdigit() for n in per_number)
    distinct_rows = {tuple(r[1:]) for r in rows}
    summary = ingest(catalogue, [str(path)])
    assert summary.added == len(per_number) == catalogue.count()
    assert summary.added + summary.updated + summary.unchanged == len(rows) == 1701
    assert summary.updated == len(distinct_rows) - len(per_number) > 0
    twice = catalogue.get("IN299824")
    assert twice is not None and twice.publication_date == dt.date(2018, 8, 24)  # the later issue, 34/2018
    assert len(catalogue.history("IN299824")) == 2
    again = ingest(catalogue, [str(path)])
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(rows))


def test_india_bad_dates_are_quarantined_and_the_other_rows_load(sqlite_catalogue: Catalogue, data_dir: Path,
                                                                 tmp_path: Path) -> None:
    rows = csv_rows(data_dir / INDIA / "in_2019.csv")[:6]
    assert rows[2][3] == "23/06/2015"
    rows[2][3] = "31/02/2015"  # line 3: there is no 31 February
    rows[4][4] = "2008-02-27"  # line 5: not the declared format
    path = _write_csv(tmp_path / "in_bad.csv", rows[0], rows[1:])
    summary = ingest(sqlite_catalogue, [str(path)])
    assert (summary.read, summary.added, summary.quarantined) == (5, 3, 2)
    errors = {e["position"]: e for e in summary.errors}
    assert errors[3]["record"] == "325019 (line 3)"
    assert errors[3]["reason"] == ("application_date (Date of Application): not a date: '31/02/2015' "
                                   "(expected %d/%m/%Y)")
    assert errors[5]["reason"] == ("priority_date (Date of Priority): not a date: '2008-02-27' "
                                   "(expected %d/%m/%Y)")
    assert sqlite_catalogue.lookup("IN 325016") == ["IN325016"]
    assert [r["position"] for r in sqlite_catalogue.rejections("quarantined")] == [3, 5]


# ------------------------------------------------------------------------------------ mappings beside the data

MAPPING = """
name = "watch-list"
date_format = "%m/%d/%Y"

[fields]
number = "Pub No"
doc_type = { column = "Type", map = { "Granted" = "grant", "Published application" = "application" } }
publication_date = "Published"
application_number = "App No"
application_date = { column = "Filed", format = "%Y-%m-%d" }
title = "Title"
abstract = "Abstract"
language = { value = "auto" }
applicants = { column = "Applicant(s)", separator = ";" }
inventors = { column = "Inventors", separator = "|" }
ipc = { column = "IPC", separator = "," }
cpc = { column = "CPC", separator = "," }
"""

HEADER = ["Pub No", "Type", "Published", "App No", "Filed", "Title", "Abstract", "Applicant(s)", "Inventors",
          "IPC", "CPC"]
ROWS = [
    ["US 7,783,348 B2", "Granted", "08/24/2010", "11/123,456", "2005-05-06", "Widget", "A widget.",
     "ACME CORP; Widget Works Ltd", "Doe, Jane|Roe, Rick", "H01M 10/052, G06N 3/08", "H01M10/0525"],
    ["EP 1234567 A1", "Published application", "01/15/2003", "", "", "Verfahren und Vorrichtung zur Kühlung",
     "", "Kühl AG", "", "F25D 1/00", ""],
    ["US 1234 B2", "Granted", "13/45/2010", "", "", "Bad date", "", "", "", "", ""],
    ["not a number", "Granted", "", "", "", "No number", "", "", "", "", ""],
]


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def _check_watch_list(outcomes: list[Outcome], file_lines: bool = True) -> None:
    pubs = pubs_of(outcomes)
    assert [p.number for p in pubs] == ["US7783348B2", "EP1234567A1"]
    us, ep = pubs
    assert (us.doc_type, us.publication_date, us.application_date) == ("grant", dt.date(2010, 8, 24),
                                                                       dt.date(2005, 5, 6))
    assert us.application_number == "11/123,456" and us.application_country == "US"
    assert us.applicants == ["ACME CORP", "Widget Works Ltd"]
    assert us.inventors == ["Doe, Jane", "Roe, Rick"]
    assert us.classes("ipc") == ["H01M10/052", "G06N3/08"] and us.classes("cpc") == ["H01M10/0525"]
    assert [(t.kind, t.lang, t.text) for t in us.texts] == [("title", "en", "Widget"),
                                                            ("abstract", "en", "A widget.")]
    assert us.provenance is not None and us.provenance.source == "tabular:watch-list"
    assert ep.doc_type == "application" and ep.texts[0].lang == "de" and ep.applicants == ["Kühl AG"]
    assert ep.application_date is None and ep.family_id is None
    bad = [o for o in outcomes if isinstance(o, Quarantined)]
    assert [o.position for o in bad] == [4, 5]
    assert bad[0].reason == "publication_date (Published): not a date: '13/45/2010' (expected %m/%d/%Y)"
    assert bad[1].reason == "number (Pub No): not a publication number: 'not a number'"


def test_mapping_beside_a_csv_file(tmp_path: Path) -> None:
    data = _write_csv(tmp_path / "watch.csv", HEADER, ROWS)
    (tmp_path / "watch.csv.mapping.toml").write_text(MAPPING, encoding="utf-8")
    assert detect(FileSource(data)).name == "tabular"  # type: ignore[union-attr]
    _check_watch_list(read_all(data))


def test_mapping_toml_in_the_folder_and_the_mapping_file_is_skipped(sqlite_catalogue: Catalogue,
                                                                    tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    folder.mkdir()
    _write_csv(folder / "watch.csv", HEADER, ROWS)
    (folder / "mapping.toml").write_text(MAPPING, encoding="utf-8")
    summary = ingest(sqlite_catalogue, [str(folder)])
    assert (summary.files, summary.added, summary.quarantined, summary.skipped) == (2, 2, 2, 1)
    skipped = sqlite_catalogue.rejections("skipped")
    assert skipped[0]["file"].endswith("mapping.toml") and "mapping file" in skipped[0]["reason"]


def test_mapping_beside_an_xlsx_workbook(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Watch"
    ws.append(HEADER)
    for row in ROWS:
        cells: list[Any] = list(row)
        if row[0].startswith("US 7"):
            cells[2] = dt.datetime(2010, 8, 24)  # a real date cell needs no format
        ws.append(cells)
    data = tmp_path / "watch.xlsx"
    wb.save(data)
    wb.close()
    (tmp_path / "watch.mapping.toml").write_text(MAPPING.replace('name = "watch-list"',
                                                                 'name = "watch-list"\nsheet = "Watch"'),
                                                 encoding="utf-8")
    assert detect(FileSource(data)).name == "tabular"  # type: ignore[union-attr]
    _check_watch_list(read_all(data))


def test_a_broken_mapping_quarantines_the_file_with_its_reason(sqlite_catalogue: Catalogue, tmp_path: Path) -> None:
    data = _write_csv(tmp_path / "watch.csv", HEADER, ROWS)
    (tmp_path / "watch.mapping.toml").write_text('[fields]\nnumber = "Pub No"\ntitel = "Title"\n', encoding="utf-8")
    summary = ingest(sqlite_catalogue, [str(data)])
    assert summary.added == 0 and summary.quarantined == 1
    assert "unknown field 'titel'" in summary.errors[0]["reason"]
    (tmp_path / "watch.mapping.toml").write_text('[fields]\nnumber = "Patent No"\n', encoding="utf-8")
    summary = ingest(sqlite_catalogue, [str(data)])
    assert "the header has no column 'Patent No'" in summary.errors[0]["reason"]


def test_mapping_validation() -> None:
    with pytest.raises(ConfigError, match="`number` field is required"):
        mapping_from_dict({"fields": {"title": "Title"}}, "m.toml")
    with pytest.raises(ConfigError, match="exactly one of `column` and `value`"):
        mapping_from_dict({"fields": {"number": {"column": "A", "value": "B"}}}, "m.toml")
    with pytest.raises(ConfigError, match="doc_type 'granted' is not one of"):
        mapping_from_dict({"fields": {"number": "A", "doc_type": {"value": "granted"}}}, "m.toml")
    with pytest.raises(ConfigError, match="`separator` is for parties"):
        mapping_from_dict({"fields": {"number": "A", "title": {"column": "T", "separator": ";"}}}, "m.toml")


def test_shipped_mappings_load_and_declare_their_columns() -> None:
    root = Path(__file__).resolve().parents[2] / "src" / "patentdesk" / "ingest" / "mappings"
    files = sorted(root.glob("*.toml"))
    assert [f.stem for f in files] == [m.name for m in shipped_mappings()]
    for f in files:
        m = load_mapping(f)
        assert m.columns, f"{f.name} must declare the header columns it matches"


def test_forcing_tabular_without_a_mapping_says_what_to_do(sqlite_catalogue: Catalogue, tmp_path: Path) -> None:
    data = _write_csv(tmp_path / "watch.csv", HEADER, ROWS)
    summary = ingest(sqlite_catalogue, [str(data)], fmt="tabular")
    assert summary.added == 0 and summary.quarantined == 1
    assert summary.errors[0]["reason"].startswith("no mapping describes this table: put <file>.mapping.toml")
