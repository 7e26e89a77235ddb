"""The catalogue on SQLite and PostgreSQL: outcomes, replacement rules, exact round trips, lookup, stats."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from patentdesk.errors import InvalidNumber, NotFound
from patentdesk.model import (
    SOURCE_RANK,
    Citation,
    Classification,
    Identifier,
    LegalEvent,
    Party,
    Priority,
    Provenance,
    Publication,
    Text,
)
from patentdesk.store.catalogue import ADDED, UNCHANGED, UPDATED, Catalogue

FULLTEXT = SOURCE_RANK["official-fulltext"]
BIBLIO = SOURCE_RANK["official-biblio"]
ANALYST = SOURCE_RANK["analyst-export"]


def rich_publication(number: str = "US7783348B2", doc_number: str = "7783348", kind: str = "B2") -> Publication:
    """A record with every field set, several records of every child kind, unicode and dates."""
    return Publication(
        number=number,
        country=number[:2],
        doc_number=doc_number,
        kind=kind,
        doc_type="grant",
        publication_date=dt.date(2010, 8, 24),
        application_number="US12/234,567",
        application_date=dt.date(2008, 9, 19),
        application_country="US",
        priorities=(
            Priority(country="JP", number="2007-245001", date=dt.date(2007, 9, 21), sequence=1, kind="national"),
            Priority(country="DE", number="10 2007 045 123.4", date=dt.date(2007, 9, 20), sequence=2),
        ),
        earliest_priority_date=dt.date(2007, 9, 20),
        texts=(
            Text("title", "en", "Lithium-ion cell with a ceramic separator — “Ü” & <tags>"),
            Text("title", "de", "Lithium-Ionen-Zelle mit keramischem Separator (Größe ≤ 5 µm)"),
            Text("title", "zh", "一种锂离子电池及其制备方法"),
            Text("abstract", "en", "A cell has an anode, a cathode and a separator.\nSecond paragraph: 5 % ≥ x."),
            Text("claims", "en", "1. A cell comprising an anode.\n2. The cell of claim 1, wherein …"),
            Text("description", "en", "BACKGROUND\nThe invention relates to cells. 𝛼-phase (astral plane)."),
        ),
        parties=(
            Party("Sanyo Electric Co., Ltd.", "applicant", 1, "JP", "Moriguchi-shi", "5-5 Keihan-Hondori 2-chome",
                  "organization"),
            Party("Müller GmbH & Co. KG", "applicant", 2, "DE", "München", None, "organization"),
            Party("Sanyo Electric Co., Ltd.", "assignee", 1, "JP", "Osaka", None, "organization"),
            Party("Yamamoto, Tarō", "inventor", 1, "JP", "Kōbe", None, "person"),
            Party("Schröder, Jürgen", "inventor", 2, "DE", "Köln", None, "person"),
            Party("Oblon, Spivak", "agent", 1, None, None, None, None),
        ),
        classifications=(
            Classification("ipc", "H01M10/0525", 1, "20100101", "A", "I", None),
            Classification("ipc", "H01M2/16", 2, "20060101", "C", "N", None),
            Classification("cpc", "H01M10/0525", 3, "20130101", None, "F", None),
            Classification("cpc", "Y02E60/10", 4, None, None, "L", None),
            Classification("national", "429/144", 5, None, None, "F", "US"),
        ),
        citations=(
            Citation(1, "patent", "US6432586B1", "US", dt.date(2002, 8, 13), "US 6432586 B1", "examiner", None),
            Citation(2, "patent", "JP2005123456A", "JP", None, None, "applicant", "X"),
            Citation(3, "patent", None, "KR", None, "KR 10-2003-000123 (unparseable)", "third-party", "Y"),
            Citation(4, "npl", None, None, None, "Smith et al., “Ceramic separators”, J. Power Sources 2006.",
                     "examiner", "A"),
        ),
        family_id="23456789",
        family_source="source",
        legal_events=(
            LegalEvent(dt.date(2010, 8, 24), "B2", 1, "Patent granted", "US"),
            LegalEvent(dt.date(2014, 8, 24), "FP", 2, "Lapsed: failure to pay maintenance fee", "US"),
            LegalEvent(None, "XX", 3, None, None),
        ),
        identifiers=(Identifier("lens", "000-111-222-333-444"), Identifier("docdb", "US.7783348.B2")),
        lang="en",
        source_rank=FULLTEXT,
        provenance=Provenance("uspto-grant-v4", "/data/ipg100824.xml", 17),
    )


def _v(pub: Publication, title: str, **kw: object) -> Publication:
    """Another version of `pub`: a different English title (and whatever else is given)."""
    texts = tuple(Text(t.kind, t.lang, title) if (t.kind, t.lang) == ("title", "en") else t for t in pub.texts)
    return dataclasses.replace(pub, texts=texts, **kw)  # type: ignore[arg-type]


def _simple(number: str, title: str = "A widget", *, date: dt.date | None = dt.date(2020, 1, 7),
            rank: int = FULLTEXT, kind: str | None = None, doc_type: str = "grant") -> Publication:
    from patentdesk.normalize import parse_number

    pn = parse_number(number)
    return Publication(number=pn.canonical, country=pn.country, doc_number=pn.number, kind=kind or pn.kind,
                       doc_type=doc_type, publication_date=date, texts=(Text("title", "en", title),),
                       source_rank=rank, provenance=Provenance("test", "f.xml", 1))


# ------------------------------------------------------------------------------------- outcomes

def test_added_unchanged_updated(catalogue: Catalogue) -> None:
    pub = rich_publication()
    assert catalogue.apply([pub]) == [ADDED]
    assert catalogue.apply([pub]) == [UNCHANGED]
    # provenance is not content: the same record from another file is unchanged
    moved = pub.with_provenance(Provenance("uspto-grant-v4", "/elsewhere/copy.xml", 3))
    assert catalogue.apply([moved]) == [UNCHANGED]
    assert catalogue.apply([_v(pub, "A better title")]) == [UPDATED]
    assert catalogue.count() == 1
    assert catalogue.apply([]) == []


def test_newer_version_replaces_and_history_records_it(catalogue: Catalogue) -> None:
    old = rich_publication()
    new = _v(old, "Corrected title", provenance=Provenance("uspto-grant-v4", "/data/ipg100831.xml", 2))
    run1 = catalogue.begin_run("test 1")
    catalogue.apply([old], run1)
    run2 = catalogue.begin_run("test 2")
    assert catalogue.apply([new], run2) == [UPDATED]
    got = catalogue.get(old.number)
    assert got == new
    assert got is not None and got.title == "Corrected title"
    assert got.provenance == Provenance("uspto-grant-v4", "/data/ipg100831.xml", 2, run2)
    hist = catalogue.history(old.number)
    assert [(h["content_hash"], h["status"], h["run_id"]) for h in hist] == [
        (old.content_hash(), "replaced", run1), (new.content_hash(), "current", run2)]
    assert hist[0]["replaced_at"] is not None and hist[1]["replaced_at"] is None
    assert hist[0]["source_file"] == "/data/ipg100824.xml" and hist[1]["source_file"] == "/data/ipg100831.xml"
    # children were replaced, not appended to
    assert len(got.parties) == len(old.parties) and len(got.texts) == len(old.texts)


def test_reingesting_the_older_file_does_not_revert(catalogue: Catalogue) -> None:
    old = rich_publication()
    new = _v(old, "Corrected title")
    catalogue.apply([old])
    catalogue.apply([new])
    assert catalogue.apply([old]) == [UNCHANGED]
    assert catalogue.get(old.number) == new
    assert [h["status"] for h in catalogue.history(old.number)] == ["replaced", "current"]
    # a third, really new version still replaces
    newest = _v(old, "Third title")
    assert catalogue.apply([newest]) == [UPDATED]
    assert catalogue.get(old.number) == newest


def test_lower_rank_never_replaces_higher(catalogue: Catalogue) -> None:
    full = rich_publication()
    lens = _v(full, "Title as an analyst export has it", source_rank=ANALYST,
              provenance=Provenance("lens-csv", "lens.csv", 40))
    catalogue.apply([full])
    assert catalogue.apply([lens]) == [UNCHANGED]
    assert catalogue.get(full.number) == full
    hist = catalogue.history(full.number)
    assert [(h["status"], h["source_rank"]) for h in hist] == [("current", FULLTEXT), ("superseded", ANALYST)]
    assert catalogue.apply([lens]) == [UNCHANGED]
    assert len(catalogue.history(full.number)) == 2


def test_higher_rank_replaces_lower(catalogue: Catalogue) -> None:
    biblio = _simple("EP1234567B1", "From DOCDB", rank=BIBLIO)
    full = _simple("EP1234567B1", "From the publication server", rank=FULLTEXT)
    catalogue.apply([biblio])
    assert catalogue.apply([full]) == [UPDATED]
    assert catalogue.apply([biblio]) == [UNCHANGED]
    got = catalogue.get("EP1234567B1")
    assert got is not None and got.title == "From the publication server" and got.source_rank == FULLTEXT


def test_same_rank_replaces(catalogue: Catalogue) -> None:
    a = _simple("CN218289675U", "first", rank=ANALYST)
    b = _simple("CN218289675U", "second", rank=ANALYST)
    catalogue.apply([a])
    assert catalogue.apply([b]) == [UPDATED]
    assert catalogue.get("CN218289675U") == b


def test_same_number_twice_in_one_batch(catalogue: Catalogue) -> None:
    v1 = rich_publication()
    v2 = _v(v1, "Second in the batch")
    other = _simple("US6836899B1")
    assert catalogue.apply([v1, other, v2]) == [ADDED, ADDED, UPDATED]
    assert catalogue.count() == 2
    assert catalogue.get(v1.number) == v2
    assert [h["status"] for h in catalogue.history(v1.number)] == ["replaced", "current"]
    assert catalogue.apply([v2, v2]) == [UNCHANGED, UNCHANGED]
    # an identical duplicate inside one fresh batch is added once
    assert catalogue.apply([_simple("US7000001B1"), _simple("US7000001B1")]) == [ADDED, UNCHANGED]
    assert catalogue.count() == 3


def test_lower_rank_in_the_same_batch(catalogue: Catalogue) -> None:
    full = _simple("US7000002B2", "full", rank=FULLTEXT)
    lens = _simple("US7000002B2", "lens", rank=ANALYST)
    assert catalogue.apply([full, lens]) == [ADDED, UNCHANGED]
    got = catalogue.get("US7000002B2")
    assert got is not None and got.title == "full"


# ------------------------------------------------------------------------------------- round trips

def test_get_round_trips_every_field(catalogue: Catalogue) -> None:
    pub = rich_publication()
    run = catalogue.begin_run("round trip")
    catalogue.apply([pub], run)
    got = catalogue.get(pub.number)
    assert got is not None
    # field by field first, so that a failure names the field
    for f in dataclasses.fields(Publication):
        if f.name != "provenance":
            assert getattr(got, f.name) == getattr(pub, f.name), f.name
    assert got == pub
    assert got.to_dict() | {"provenance": None} == pub.to_dict() | {"provenance": None}
    assert got.content_hash() == pub.content_hash()
    assert got.provenance == dataclasses.replace(pub.provenance, run_id=run)  # type: ignore[type-var]
    assert isinstance(got.publication_date, dt.date) and not isinstance(got.publication_date, dt.datetime)
    assert got.citations[0].cited_date == dt.date(2002, 8, 13)


def test_minimal_record_round_trips(catalogue: Catalogue) -> None:
    pub = Publication(number="USD586076S1", country="US", doc_number="D586076", kind="S1", doc_type="design")
    catalogue.apply([pub])
    got = catalogue.get("USD586076S1")
    assert got == pub
    assert got is not None and got.content_hash() == pub.content_hash()
    assert got.provenance == Provenance("unknown", "", 0, None)


def test_get_many_and_iter_publications(catalogue: Catalogue) -> None:
    pubs = [rich_publication(f"US{7783348 + i}B2", str(7783348 + i)) for i in range(7)]
    pubs.append(_simple("WO2008155316A1", "Ein Titel", kind="A1", doc_type="application"))
    catalogue.apply(pubs[:3])
    catalogue.apply(pubs[3:])
    many = catalogue.get_many([p.number for p in pubs] + ["US1B1"])
    assert set(many) == {p.number for p in pubs}
    for p in pubs:
        assert many[p.number] == p
    assert catalogue.get_many([]) == {}
    # iteration: id order, batches smaller than the catalogue
    it = list(catalogue.iter_publications(batch_size=3))
    assert [p.number for p in it] == [p.number for p in pubs]
    assert it == pubs
    assert catalogue.get("US1B1") is None


def test_iter_publications_since_run(catalogue: Catalogue) -> None:
    r1 = catalogue.begin_run("one")
    catalogue.apply([_simple("US7000001B1"), _simple("US7000002B1")], r1)
    r2 = catalogue.begin_run("two")
    catalogue.apply([_simple("US7000003B1"), _simple("US7000001B1", "changed")], r2)
    assert sorted(p.number for p in catalogue.iter_publications(since_run=r1)) == ["US7000001B1", "US7000003B1"]
    assert [p.number for p in catalogue.iter_publications(since_run=r2)] == []


# ------------------------------------------------------------------------------------- lookup

@pytest.fixture
def looked_up(catalogue: Catalogue) -> Catalogue:
    catalogue.apply([
        _simple("US7783348B2"),
        _simple("WO2008155316A1", date=dt.date(2008, 12, 24)),
        _simple("CN218289675U", date=dt.date(2023, 1, 13)),
        _simple("EP1234567A1", date=dt.date(2002, 8, 28), doc_type="application"),
        _simple("EP1234567B1", date=dt.date(2005, 3, 2)),
        _simple("USD586076S1", doc_type="design"),
        _simple("US20110185700A1", doc_type="application"),
    ])
    return catalogue


@pytest.mark.parametrize(
    ("spelling", "number"),
    [
        ("US 7,783,348 B2", "US7783348B2"),
        ("US07783348", "US7783348B2"),
        ("us7783348b2", "US7783348B2"),
        ("US7783348B", "US7783348B2"),
        ("WO 2008/155316 A1", "WO2008155316A1"),
        ("CN_218289675_U_20230113", "CN218289675U"),
        ("USD0586076", "USD586076S1"),
        ("US 2011/0185700 A1", "US20110185700A1"),
    ],
)
def test_lookup_spellings(looked_up: Catalogue, spelling: str, number: str) -> None:
    assert looked_up.lookup(spelling) == [number]
    assert looked_up.resolve(spelling) == number


def test_kindless_lookup_returns_every_kind_newest_first(looked_up: Catalogue) -> None:
    assert looked_up.lookup("EP 1 234 567") == ["EP1234567B1", "EP1234567A1"]
    assert looked_up.resolve("EP1234567") == "EP1234567B1"
    assert looked_up.lookup("EP1234567A1") == ["EP1234567A1"]


def test_lookup_misses(looked_up: Catalogue) -> None:
    assert looked_up.lookup("US7783348B1") == []
    assert looked_up.lookup("US1234567") == []
    with pytest.raises(NotFound):
        looked_up.resolve("US1234567")
    with pytest.raises(InvalidNumber):
        looked_up.lookup("not a number")


# ------------------------------------------------------------------------------------- stats, runs

def test_stats(catalogue: Catalogue) -> None:
    empty = catalogue.stats()
    assert empty["publications"] == 0 and empty["by_country"] == {} and empty["last_ingests"] == []
    run = catalogue.begin_run("ingest a b")
    catalogue.apply([
        rich_publication(),
        _simple("US6836899B1", date=dt.date(2005, 1, 4)),
        _simple("EP1234567A1", date=dt.date(2002, 8, 28), doc_type="application"),
        _simple("CN218289675U", date=None, rank=ANALYST, doc_type="utility_model"),
    ], run)
    catalogue.reject(run, "bad.xml", 3, "US0000001", "malformed XML", "quarantined")
    catalogue.reject(run, "bad.xml", 4, None, "sequence listing", "skipped")
    catalogue.reject(run, "other.xml", 1, None, "sequence listing", "skipped")
    catalogue.finish_run(run, {"files": 2, "read": 7, "added": 4, "updated": 0, "unchanged": 0, "skipped": 2,
                               "quarantined": 1})
    s = catalogue.stats()
    assert s["publications"] == 4
    assert s["by_country"] == {"CN": 1, "EP": 1, "US": 2}
    assert s["by_kind"] == {"A1": 1, "B1": 1, "B2": 1, "U": 1}
    assert s["by_doc_type"] == {"application": 1, "grant": 2, "utility_model": 1}
    assert s["by_year"] == {"2002": 1, "2005": 1, "2010": 1, "unknown": 1}
    assert s["by_source"] == {"test": 3, "uspto-grant-v4": 1}
    assert (s["quarantined"], s["skipped"]) == (1, 2)
    (last,) = s["last_ingests"]
    assert last["id"] == run and last["status"] == "finished" and last["read"] == 7 and last["added"] == 4
    assert last["finished_at"] is not None


def test_runs_newest_first(catalogue: Catalogue) -> None:
    ids = [catalogue.begin_run(f"run {i}") for i in range(3)]
    catalogue.finish_run(ids[0], {"files": 1}, status="failed")
    runs = catalogue.runs()
    assert [r.id for r in runs] == ids[::-1]
    assert [r.status for r in runs] == ["running", "running", "failed"]


# ------------------------------------------------------------------------------------- rejections

def test_rejections_replaced_not_duplicated(catalogue: Catalogue) -> None:
    r1 = catalogue.begin_run("one")
    catalogue.reject(r1, "weekly.xml", 7, "US0000007", "malformed XML (line 3)", "quarantined", "<us-pat")
    catalogue.reject(r1, "weekly.xml", 9, None, "sequence listing", "skipped")
    r2 = catalogue.begin_run("two")
    catalogue.reject(r2, "weekly.xml", 7, "US0000007", "malformed XML (line 4)", "quarantined", "x" * 5000)
    catalogue.reject(r2, "weekly.xml", 9, None, "sequence listing", "skipped")
    rows = catalogue.rejections()
    assert [(r["file"], r["position"], r["disposition"], r["run_id"]) for r in rows] == [
        ("weekly.xml", 7, "quarantined", r2), ("weekly.xml", 9, "skipped", r2)]
    assert rows[0]["reason"] == "malformed XML (line 4)"
    assert len(rows[0]["excerpt"]) == 2000
    assert [r["position"] for r in catalogue.rejections("skipped")] == [9]
    catalogue.clear_rejection("weekly.xml", 7)
    assert [r["position"] for r in catalogue.rejections()] == [9]


# ------------------------------------------------------------------------------------- real records

def test_real_uspto_records_round_trip(catalogue: Catalogue, data_dir: Path) -> None:
    """Every record the USPTO reader makes of the weekly slices comes back from the store unchanged."""
    from patentdesk.ingest.base import detect
    from patentdesk.ingest.pipeline import ingest
    from patentdesk.ingest.sources import expand

    folder = str(data_dir / "uspto-xml/weekly-slices")
    summary = ingest(catalogue, [folder], batch_size=50)
    assert (summary.files, summary.added, summary.skipped, summary.quarantined) == (9, 225, 5, 0)
    read: dict[str, Publication] = {}
    for src in expand([folder]):
        reader = detect(src)
        assert reader is not None
        read.update((p.number, p) for p in reader.read(src) if isinstance(p, Publication))
    stored = {p.number: p for p in catalogue.iter_publications(batch_size=40)}
    assert set(stored) == set(read)
    for number, pub in read.items():
        assert stored[number] == pub, number
        assert stored[number].content_hash() == pub.content_hash()
    assert catalogue.apply(list(read.values())) == [UNCHANGED] * len(read)
