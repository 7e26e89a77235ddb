"""Lens.org readers: the native CSV export, collection JSON lines, API records flattened to CSV."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import shutil
from collections import Counter
from pathlib import Path

from patentdesk.ingest.base import Outcome, Quarantined, Skipped, detect
from patentdesk.ingest.pipeline import ingest
from patentdesk.ingest.readers.lens import APPLICANTS_SKIPPED, applicants_table_for, doc_type, publication_key
from patentdesk.ingest.sources import FileSource, expand
from patentdesk.model import Priority, Publication
from patentdesk.normalize import family_key_from_priorities
from patentdesk.store.catalogue import Catalogue

EXPORT = "lens/lens-export-jet-engines.csv"
MALFORMED = "bad-input/lens-export-malformed-rows.csv"
COVID = "lens/covid-collections"
API = "lens/api-flat-construction-patents.csv"
API_APPLICANTS = "lens/api-flat-construction-applicants.csv"


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


def dict_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def by_line(pubs: list[Publication]) -> dict[int, Publication]:
    return {p.provenance.position: p for p in pubs if p.provenance}


def test_each_lens_file_finds_its_reader(data_dir: Path) -> None:
    expected = {EXPORT: "lens-csv", MALFORMED: "lens-csv", API: "lens-api-csv", API_APPLICANTS: "lens-api-csv"}
    for rel, name in expected.items():
        assert detect(FileSource(data_dir / rel)).name == name  # type: ignore[union-attr]
    for f in sorted((data_dir / COVID).glob("*.jsonl")):
        assert detect(FileSource(f)).name == "lens-jsonl"  # type: ignore[union-attr]


def test_number_keys_and_types() -> None:
    assert publication_key("US 2011/0185700 A1", "US", "A1") == ("US", "20110185700", "A1")
    assert publication_key("WO_2008_155316_A1") == ("WO", "2008155316", "A1")
    assert publication_key("CN_218289675_U_20230113") == ("CN", "218289675", "U")
    assert publication_key("US 2009 0068101 A9 20090312") == ("US", "20090068101", "A9")
    assert publication_key("TW I324218 B", "TW", "B") == ("TW", "I324218", "B")
    assert doc_type("Limited Patent", "CN", "U") == "utility_model"
    assert doc_type("GRANTED_PATENT", "US", "B2") == "grant"
    assert doc_type("Amended Patent", "US", "E") == "reissue"
    assert doc_type("unknown", "DE", "A1") == "other"


# ------------------------------------------------------------------------------------ native CSV export

def test_export_every_row_loads(data_dir: Path) -> None:
    rows = dict_rows(data_dir / EXPORT)
    outcomes = read_all(data_dir / EXPORT)
    pubs = pubs_of(outcomes)
    assert len(pubs) == len(outcomes) == len(rows) == 3779
    assert len({p.number for p in pubs}) == len({r["Publication Number"] for r in rows})
    assert {p.identifiers[0].value for p in pubs} == {r["Lens ID"] for r in rows}
    assert all(p.source_rank == 10 and p.family_source == "priorities" for p in pubs)
    # Lens publication types, counted with the csv module, against the stored document types
    types = Counter(r["Type"] for r in rows)
    got = Counter(p.doc_type for p in pubs)
    assert got["grant"] == types["Granted Patent"] + types["Amended Patent"]
    assert got["application"] == types["Patent Application"]
    assert got["utility_model"] == types["Limited Patent"]
    assert got["search_report"] == types["Search report"]
    assert got["other"] == types["unknown"]


def test_export_spot_records(data_dir: Path) -> None:
    pubs = by_line(pubs_of(read_all(data_dir / EXPORT)))
    first = pubs[2]
    assert (first.number, first.country, first.doc_number, first.kind) == ("US20110185700A1", "US", "20110185700",
                                                                          "A1")
    assert first.doc_type == "application" and first.publication_date == dt.date(2011, 8, 4)
    assert (first.application_country, first.application_number, first.application_date) == (
        "US", "65784810", dt.date(2010, 1, 29))
    assert first.priorities == (Priority("US", "65784810", dt.date(2010, 1, 29), 1, "A"),)
    assert first.earliest_priority_date == dt.date(2010, 1, 29)
    assert first.family_id == family_key_from_priorities([("US", "65784810")])
    assert [(t.kind, t.lang, t.text) for t in first.texts] == [("title", "en", "Jet Engine Bird Diverters")]
    assert first.applicants == ["NEWCOMER FRED MICHAEL"] and first.inventors == ["NEWCOMER FRED MICHAEL"]
    assert first.classes("cpc") == ["F02C7/055"] and first.classes("ipc") == ["F02C7/055"]
    assert [(c.symbol, c.country) for c in first.classifications if c.scheme == "national"] == [("60/39.092", "US")]
    assert [(i.scheme, i.value) for i in first.identifiers] == [("lens", "122-778-618-820-635")]
    middle = pubs[1891]
    assert (middle.number, middle.doc_type) == ("CN207350357U", "utility_model")
    assert middle.title == "A Boiler Plant For Brown Coal And Jet Coal"
    assert middle.classes("ipc") == ["F23K3/02", "F26B17/10", "F26B21/00", "F26B25/00"]
    assert middle.classes("cpc") == []
    last = pubs[3780]
    assert last.number == "US20200320159A1" and last.identifiers[0].value == "046-747-254-325-02X"
    assert last.classes("ipc") == ["G06F17/16", "C09K5/10", "G05B15/02"]


def test_export_multi_values_split_on_double_semicolon(data_dir: Path) -> None:
    rows = dict_rows(data_dir / EXPORT)
    row = rows[879 - 2]  # line 879: US 2002/0106289 A1
    assert row["Publication Number"] == "US 2002/0106289 A1"
    pub = by_line(pubs_of(read_all(data_dir / EXPORT)))[879]
    assert pub.applicants == row["Applicants"].split(";;") == ["TANAKA KOHYA", "SHIBATA TETSUJI"]
    assert pub.inventors == row["Inventors"].split(";;")
    # owners without the recorded assignment dates
    assert [p.name for p in pub.parties_of("owner")] == [
        "KOKI HOLDINGS CO. LTD", "HITACHI KOKI CO. LTD", "NIKKO TANAKA ENGINEERING CO. LTD", "TANAKA KOGYO CO. LTD"]
    assert [p.sequence for p in pub.parties_of("owner")] == [1, 2, 3, 4]
    assert pub.classes("cpc") == row["CPC Classifications"].split(";;")
    assert len(pub.classes("cpc")) == 5
    assert pub.classes("ipc") == row["IPCR Classifications"].split(";;")
    assert len(pub.classes("ipc")) == 9
    assert [c.symbol for c in pub.classifications if c.scheme == "national"] == ["417/363", "417/366", "X41737"]
    assert [c.sequence for c in pub.classifications] == list(range(1, 18))
    assert pub.priorities == (Priority("US", "77744001", dt.date(2001, 2, 6), 1, "A"),
                              Priority("JP", "32238099", dt.date(1999, 11, 12), 2, "A"))
    assert pub.earliest_priority_date == dt.date(1999, 11, 12)
    assert pub.family_id == family_key_from_priorities([("JP", "32238099"), ("US", "77744001")])


def test_export_npl_citations_and_placeholder_titles(data_dir: Path) -> None:
    pubs = by_line(pubs_of(read_all(data_dir / EXPORT)))
    pub = pubs[26]  # US 9476357 B2: four NPL citations
    assert [c.kind for c in pub.citations] == ["npl"] * 4
    assert pub.citations[0].text is not None and pub.citations[0].text.startswith("J. Russell, et al")
    assert pub.citations[3].text is not None and pub.citations[3].text.endswith("vol. 63, pp. 339-347, (1986).")
    assert pub.applicants == ["HNO GREENFUELS INC", "HNO GREEN FUELS INC"]
    # Lens prints the number when a document has no title: no title is stored
    assert pubs[1188].number == "DE4300107A1" and pubs[1188].texts == ()
    assert pubs[1244].number == "TWI324218B" and pubs[1244].texts == ()
    titles = {p.title: p.texts[0].lang for p in pubs.values() if p.texts}
    assert titles["亜音速機推進用可変サイクルエンジン"] == "ja"
    assert titles["一种点燃式氢氧气转子发动机及控制方法"] == "zh"
    assert titles["Электротеплореактивный Двигатель"] == "ru"
    assert titles["Kühlvorrichtung Für Ein Strahltriebwerk"] == "de"


def test_malformed_rows_are_quarantined_and_the_others_load(sqlite_catalogue: Catalogue, data_dir: Path) -> None:
    path = data_dir / MALFORMED
    outcomes = read_all(path)
    assert [p.number for p in pubs_of(outcomes)] == [
        "US20110185700A1", "US8001762B2", "US20200338494A1", "US5480107A", "WO1995027654A1"]
    assert [p.provenance.position for p in pubs_of(outcomes) if p.provenance] == [2, 3, 4, 6, 7]
    bad = [o for o in outcomes if isinstance(o, Quarantined)]
    assert [(b.position, b.record, b.reason) for b in bad] == [
        (5, "line 5", "malformed row: a quoted field is not closed")]
    assert bad[0].excerpt == '7,US,B2,"US 123 B2,unterminated quote'
    summary = ingest(sqlite_catalogue, [str(path)])
    assert (summary.read, summary.added, summary.quarantined) == (6, 5, 1)
    assert summary.errors[0]["position"] == 5
    # the rows after the broken one are whole: row 5 with both priorities
    wo = sqlite_catalogue.get("WO1995027654A1")
    assert wo is not None and [p.number for p in wo.priorities] == ["22552194", "22558594"]


def test_other_malformed_rows(tmp_path: Path, data_dir: Path) -> None:
    lines = (data_dir / EXPORT).read_text(encoding="utf-8").splitlines(keepends=True)
    header, good = lines[0], lines[1]
    broken = [
        good.replace(",2011-08-04,", ",2011-13-04,"),  # line 3: bad publication date
        good.replace("US 2011/0185700 A1", ""),  # line 4: no publication number
        good.rsplit(",", 3)[0] + "\n",  # line 5: three fields short
        good.replace("122-778-618-820-635", "122-778"),  # line 6: not a Lens ID
        good.replace("US 65784810 A 20100129", "US 65784810"),  # line 7: priority without kind and date
    ]
    path = tmp_path / "export.csv"
    path.write_text(header + good + "".join(broken) + lines[2], encoding="utf-8")
    outcomes = read_all(path)
    assert [p.provenance.position for p in pubs_of(outcomes) if p.provenance] == [2, 8]
    reasons = {o.position: (o.record, o.reason) for o in outcomes if isinstance(o, Quarantined)}
    assert reasons == {
        3: ("US 2011/0185700 A1 (line 3)", "publication date: not a date: '2011-13-04'"),
        4: ("line 4", "no publication number"),
        5: ("line 5", "malformed row: 28 fields where the header has 31"),
        6: ("US 2011/0185700 A1 (line 6)", "not a Lens ID: '122-778'"),
        7: ("US 2011/0185700 A1 (line 7)", "not a Lens priority number: 'US 65784810'"),
    }


def test_export_idempotent_and_same_document_from_two_files(sqlite_catalogue: Catalogue, data_dir: Path) -> None:
    first = ingest(sqlite_catalogue, [str(data_dir / EXPORT)])
    assert (first.added, first.quarantined) == (3779, 0)
    again = ingest(sqlite_catalogue, [str(data_dir / EXPORT), str(data_dir / MALFORMED)])
    # the malformed file repeats five rows of the export: the same records, unchanged
    assert (again.added, again.updated, again.unchanged, again.quarantined) == (0, 0, 3779 + 5, 1)
    assert sqlite_catalogue.count() == 3779


# ------------------------------------------------------------------------------------ collection JSON lines

SUBSET = ("Coronavirus-MERS-diagnosis-patents.jsonl", "Coronavirus-MERS-patents.jsonl",
          "Coronavirus-MERS-treatment.jsonl", "Coronavirus-SARS-diagnosis-patents.jsonl",
          "Coronavirus-declared-patseq-organism.jsonl")


def _covid_lines(files: list[Path]) -> list[dict[str, object]]:
    out = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            out += [json.loads(line) for line in fh if line.strip()]
    return out


def test_collections_counts(data_dir: Path) -> None:
    lines = _covid_lines(sorted((data_dir / COVID).glob("*.jsonl")))
    lens_ids = {o["lensId"] for o in lines}
    # two corrected WO republications (WO 2006/088493 A8 of 2007-08-09 and 2007-11-29) share one number
    display_keys = {o["displayKey"] for o in lines}
    assert (len(lines), len(lens_ids), len(display_keys)) == (8210, 3310, 3309)
    outcomes = read_all(data_dir / COVID)
    pubs = pubs_of(outcomes)
    assert len(pubs) == len(outcomes) == len(lines)
    assert len({p.number for p in pubs}) == len(display_keys)
    assert {p.identifiers[0].value for p in pubs} == lens_ids
    assert len({(p.number, p.content_hash()) for p in pubs}) == len(lens_ids)


def test_collections_in_the_catalogue_one_record_per_document(catalogue: Catalogue, data_dir: Path) -> None:
    files = [data_dir / COVID / name for name in SUBSET]
    lines = _covid_lines(files)
    lens_ids = {o["lensId"] for o in lines}
    display_keys = {o["displayKey"] for o in lines}
    assert len(lens_ids) == len(display_keys) + 1  # the A8 pair is in this subset
    summary = ingest(catalogue, [str(f) for f in files])
    assert (summary.files, summary.read, summary.quarantined) == (len(files), len(lines), 0)
    assert summary.added == len(display_keys) == catalogue.count()
    assert summary.updated == 1  # the later A8 republication replaces the earlier
    assert summary.unchanged == len(lines) - len(lens_ids) > 0
    a8 = catalogue.get("WO2006088493A8")
    assert a8 is not None and a8.publication_date == dt.date(2007, 11, 29)
    assert [i.value for i in a8.identifiers] == ["059-166-167-601-512"]
    again = ingest(catalogue, [str(f) for f in files])
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(lines))


def test_collections_same_record_from_every_collection(data_dir: Path) -> None:
    lines = _covid_lines(sorted((data_dir / COVID).glob("*.jsonl")))
    counts = Counter(str(o["lensId"]) for o in lines)
    lens, n = counts.most_common(1)[0]
    assert (lens, n) == ("115-286-759-285-758", 8)
    found = [p for p in pubs_of(read_all(data_dir / COVID)) if p.identifiers[0].value == lens]
    assert len(found) == 8 and len({p.provenance.file for p in found if p.provenance}) == 8
    assert len({p.content_hash() for p in found}) == 1
    pub = found[0]
    assert (pub.number, pub.doc_type, pub.publication_date) == ("US20190062785A1", "application",
                                                                dt.date(2019, 2, 28))
    assert pub.priorities == (Priority("US", "201662318087", dt.date(2016, 4, 4), 1, "P"),)
    assert pub.applicants == ["THE US SECRETARY DEPARTMENT OF HEALTH & HUMAN SERVIC", "UNIV JEFFERSON",
                              "UNIV MARYLAND"]
    assert [p.name for p in pub.parties_of("owner")] == ["UNIVERSITY OF MARYLAND BALTIMORE"]


def test_collections_spot_records(data_dir: Path) -> None:
    first_file = data_dir / COVID / "Coronavirus-CPC-based-patents.jsonl"
    with open(first_file, encoding="utf-8") as fh:
        raw = [json.loads(line) for line in fh]
    pubs = pubs_of(read_all(first_file))
    assert len(pubs) == len(raw)
    first = pubs[0]
    assert first.number == "WO2008155316A1" and first.identifiers[0].value == "165-682-789-919-350"
    assert (first.application_country, first.application_number) == ("EP", "2008057583")
    assert first.priorities == (Priority("GB", "0711858", dt.date(2007, 6, 19), 1, "A"),)
    assert first.title == "Immunogenic Compositions Associated With Sars Corona Virus Spike Protein"
    assert first.applicants == raw[0]["applicants"] and len(first.applicants) == 9
    assert first.classes("cpc") == raw[0]["cpcClassifications"] and len(first.classes("cpc")) == 9
    assert [c.text for c in first.citations] == raw[0]["nplCitations"]
    assert all(c.kind == "npl" for c in first.citations)
    japanese = by_line(pubs)[905]
    assert japanese.number == "JP2015518047A" and japanese.texts[0].lang == "ja"
    assert japanese.applicants == ["ゾエティス・エルエルシー"]
    last = pubs[-1]
    assert last.identifiers[0].value == raw[-1]["lensId"]
    assert last.provenance is not None and last.provenance.position == len(raw)


def test_collections_bad_json_line_is_quarantined(sqlite_catalogue: Catalogue, data_dir: Path,
                                                  tmp_path: Path) -> None:
    lines = (data_dir / COVID / "Coronavirus-MERS-diagnosis-patents.jsonl").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "collection.jsonl"
    path.write_text("\n".join([lines[0], lines[1][:200], "", lines[2]]) + "\n", encoding="utf-8")
    summary = ingest(sqlite_catalogue, [str(path)])
    assert (summary.read, summary.added, summary.quarantined) == (3, 2, 1)
    assert summary.errors[0]["position"] == 2
    assert summary.errors[0]["record"] == "line 2"
    assert summary.errors[0]["reason"].startswith("not valid JSON: ")


# ------------------------------------------------------------------------------------ API flat CSV

def _applicants_by_id(path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in dict_rows(path):
        names = out.setdefault(r["lens_id"], [])
        if r["extracted_name"] and r["extracted_name"] not in names:
            names.append(r["extracted_name"])
    return out


def test_api_flat_with_its_applicants_table(data_dir: Path) -> None:
    rows = dict_rows(data_dir / API)
    pubs = pubs_of(read_all(data_dir / API))
    assert len(pubs) == len(rows) == 2978
    assert sum(1 for p in pubs if p.abstract) == sum(1 for r in rows if r["abstract"]) == 2663
    expected = _applicants_by_id(data_dir / API_APPLICANTS)
    for pub in pubs:
        assert pub.applicants == expected.get(pub.identifiers[0].value, []), pub.number
    first = pubs[0]
    assert (first.number, first.doc_type, first.publication_date) == ("CN218289675U", "utility_model",
                                                                      dt.date(2023, 1, 13))
    assert first.application_date == first.earliest_priority_date == dt.date(2022, 9, 15)
    assert first.application_country == "CN" and first.family_id is None  # no priority or application number
    assert first.applicants == ["SHAANXI CONSTRUCTION ENGINEERING YANAN NEW BUILDING MAT CO LTD"]
    assert [(t.kind, t.lang) for t in first.texts] == [("title", "en"), ("abstract", "en")]
    assert first.title == "Green concrete discharging device"
    assert first.abstract is not None and first.abstract.startswith("The utility model discloses a green concrete")
    numbered = {p.number: p for p in pubs}
    # listed twice in the applicants table, stored once, with residence
    us = numbered["US9045367B2"]
    assert [(p.name, p.country) for p in us.parties_of("applicant")] == [("UTTER TECHNOLOGY LLC", "US")]
    chinese = [p for p in pubs if p.abstract and p.abstract.startswith("本发明公开了一种污泥协同渣土")]
    assert len(chinese) == 1 and chinese[0].texts_of("abstract")[0].lang == "zh"
    assert chinese[0].texts_of("title")[0].lang == "zh"
    owned = [r for r in rows if r["owner"]]
    with_owner = [p for p in pubs if p.parties_of("owner")]
    assert len(with_owner) == len(owned) == 336
    row = next(r for r in owned if "COMMISSARIAT" in r["owner"])
    pub = next(p for p in pubs if p.identifiers[0].value == row["lens_id"])
    assert [p.name for p in pub.parties_of("owner")] == [
        "COMMISSARIAT A L'ENERGIE ATOMIQUE ET AUX ENERGIES ALTERNATIVES"]
    last = pubs[-1]
    assert last.identifiers[0].value == rows[-1]["lens_id"]
    assert last.provenance is not None and last.provenance.position == len(rows) + 1


def test_api_applicants_table_alone_is_skipped(sqlite_catalogue: Catalogue, data_dir: Path) -> None:
    outcomes = read_all(data_dir / API_APPLICANTS)
    assert outcomes == [Skipped(0, None, APPLICANTS_SKIPPED)]
    summary = ingest(sqlite_catalogue, [str(data_dir / API_APPLICANTS)])
    assert (summary.added, summary.skipped, summary.quarantined) == (0, 1, 0)
    assert sqlite_catalogue.rejections("skipped")[0]["reason"] == "applicants table; loaded with its patents file"


def test_api_applicants_table_lookup_rule(tmp_path: Path, data_dir: Path) -> None:
    assert applicants_table_for(data_dir / API) == data_dir / API_APPLICANTS
    alone = tmp_path / "api-flat-construction-patents.csv"
    shutil.copy(data_dir / API, alone)
    assert applicants_table_for(alone) is None
    pubs = pubs_of(read_all(alone))
    assert len(pubs) == 2978 and not any(p.parties_of("applicant") for p in pubs)
    other = tmp_path / "export.csv"
    shutil.copy(data_dir / API, other)
    shutil.copy(data_dir / API_APPLICANTS, tmp_path / "export_applicants.csv")
    assert applicants_table_for(other) == tmp_path / "export_applicants.csv"
    assert pubs_of(read_all(other))[0].applicants == [
        "SHAANXI CONSTRUCTION ENGINEERING YANAN NEW BUILDING MAT CO LTD"]
