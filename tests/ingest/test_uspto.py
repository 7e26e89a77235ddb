"""USPTO full-text XML readers, against every file of the real USPTO data.

Expected counts are computed here from the raw bytes (root elements and publication numbers found
by regular expressions), independently of the readers. Spot values were checked by reading the XML.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from patentdesk.cli import main
from patentdesk.ingest.base import Quarantined, Skipped, detect
from patentdesk.ingest.pipeline import IngestSummary, ingest
from patentdesk.ingest.readers.uspto import (
    cited_patent_number,
    ipc_fixed_width,
    uspc_symbol,
)
from patentdesk.ingest.sources import FileSource
from patentdesk.model import Publication
from patentdesk.store.catalogue import Catalogue

ROOT_RE = re.compile(rb"<(us-patent-grant|us-patent-application|patent-application-publication|sequence-cwu)[\s>]")
ICE_NUMBER_RE = re.compile(rb"<publication-reference>\s*<document-id>\s*<country>\w+</country>\s*"
                           rb"<doc-number>(\w+)</doc-number>\s*<kind>(\w+)</kind>")
PAP_NUMBER_RE = re.compile(rb"<document-id>\s*<doc-number>(\w+)</doc-number>\s*<kind-code>(\w+)</kind-code>")
PATENT_ROOTS = {b"us-patent-grant", b"us-patent-application", b"patent-application-publication"}


def uspto_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "uspto-xml").rglob("*.xml"))


def raw_documents(path: Path) -> Iterator[tuple[bytes, bytes]]:
    """(root element name, document bytes) for each document of a file, split on `<?xml`."""
    for doc in re.split(rb"(?m)^(?=<\?xml)", path.read_bytes()):
        m = ROOT_RE.search(doc)
        if m:
            yield m.group(1), doc


def raw_number(root: bytes, doc: bytes) -> str:
    m = (PAP_NUMBER_RE if root == b"patent-application-publication" else ICE_NUMBER_RE).search(doc)
    assert m, "every patent document names its publication"
    return (m.group(1) + m.group(2)).decode()


def expected(files: list[Path]) -> dict[str, Any]:
    roots: Counter[bytes] = Counter()
    numbers: set[str] = set()
    for f in files:
        for root, doc in raw_documents(f):
            roots[root] += 1
            if root in PATENT_ROOTS:
                numbers.add(raw_number(root, doc))
    return {"roots": roots, "numbers": numbers,
            "patents": sum(n for r, n in roots.items() if r in PATENT_ROOTS),
            "sequences": roots[b"sequence-cwu"], "documents": sum(roots.values())}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Iterator[tuple[Catalogue, IngestSummary]]:
    """Every USPTO file, loaded once into a SQLite catalogue."""
    cat = Catalogue(f"sqlite:///{tmp_path_factory.mktemp('uspto') / 'cat.sqlite'}")
    summary = ingest(cat, [str(data_dir / "uspto-xml")])
    yield cat, summary
    cat.close()


def pub(cat: Catalogue, number: str) -> Publication:
    p = cat.get(number)
    assert p is not None, f"{number} not in the catalogue"
    return p


def party_names(p: Publication, role: str) -> list[str]:
    return [x.name for x in p.parties_of(role)]


# ----------------------------------------------------------------------------------- counts

def test_every_file_reads_one_outcome_per_document(data_dir: Path) -> None:
    files = uspto_files(data_dir)
    assert len(files) == 76
    for f in files:
        roots = Counter(r for r, _ in raw_documents(f))
        source = FileSource(f)
        reader = detect(source)
        assert reader is not None and reader.name.startswith("uspto-"), f
        outcomes = list(reader.read(source))
        pubs = [o for o in outcomes if isinstance(o, Publication)]
        skipped = [o for o in outcomes if isinstance(o, Skipped)]
        assert not [o for o in outcomes if isinstance(o, Quarantined)], f
        assert len(pubs) == sum(n for r, n in roots.items() if r in PATENT_ROOTS), f
        assert len(skipped) == roots[b"sequence-cwu"], f
        for s in skipped:
            assert "sequence listing" in s.reason and s.record and s.record.startswith("sequence listing of US")
        # provenance positions count every document of the file, sequence listings included
        positions = [p.provenance.position for p in pubs if p.provenance]
        assert len(set(positions)) == len(pubs)
        assert all(1 <= pos <= sum(roots.values()) for pos in positions)


def test_whole_corpus_counts(corpus: tuple[Catalogue, IngestSummary], data_dir: Path) -> None:
    cat, summary = corpus
    files = uspto_files(data_dir)
    exp = expected(files)
    assert exp["patents"] == 499 and exp["sequences"] == 12  # what the folder holds today
    assert summary.files == len(files)
    assert summary.read == exp["documents"]
    assert summary.quarantined == 0 and summary.errors == []
    assert summary.skipped == exp["sequences"]
    assert summary.added == len(exp["numbers"])
    assert summary.added + summary.updated + summary.unchanged == exp["patents"]
    assert cat.count() == len(exp["numbers"])
    skipped = cat.rejections("skipped")
    assert len(skipped) == exp["sequences"]
    assert all("sequence listing" in r["reason"] for r in skipped)
    # design doc-numbers keep their series letter and lose the zero padding: D0586076 -> USD586076S1
    assert cat.lookup("USD586076") == ["USD586076S1"]
    assert cat.lookup("US 2006/0288462 A1") == ["US20060288462A1"]


def test_doc_types_follow_kind_codes(corpus: tuple[Catalogue, IngestSummary], data_dir: Path) -> None:
    cat, _ = corpus
    numbers = expected(uspto_files(data_dir))["numbers"]
    by_letter = Counter(n[-2] if n[-1].isdigit() else n[-1] for n in numbers)
    stats = cat.stats()["by_doc_type"]
    assert stats == {k: v for k, v in {
        "application": by_letter["A"], "design": by_letter["S"], "grant": by_letter["B"],
        "plant": by_letter["P"], "sir": by_letter["H"]}.items() if v}
    assert stats["plant"] == 1 and stats["sir"] == 1  # USPP18398P2, USH2140H1


def test_second_ingest_changes_nothing(corpus: tuple[Catalogue, IngestSummary], data_dir: Path) -> None:
    cat, first = corpus
    before = cat.count()
    again = ingest(cat, [str(data_dir / "uspto-xml")])
    assert again.added == 0 and again.updated == 0
    assert again.unchanged == first.added + first.updated + first.unchanged
    assert again.skipped == first.skipped and again.quarantined == 0
    assert cat.count() == before


# ----------------------------------------------------------------------------------- spot records

def test_first_grant_of_2005_slice_dtd_v40(corpus: tuple[Catalogue, IngestSummary]) -> None:
    p = pub(corpus[0], "US6836899B1")
    assert (p.country, p.doc_number, p.kind, p.doc_type) == ("US", "6836899", "B1", "grant")
    assert p.publication_date == dt.date(2005, 1, 4)
    assert (p.application_number, p.application_date) == ("10339710", dt.date(2003, 1, 9))
    assert p.priorities == () and p.earliest_priority_date == dt.date(2003, 1, 9)
    assert p.title == "Device for detachably holding an absorbent napkin across the torso"
    assert p.abstract and p.abstract.startswith("A napkin holder formed of two pairs of magnetic securing devices")
    claims = (p.text("claims") or "").split("\n")
    assert len(claims) == 23
    assert claims[0].startswith("1. A holding device for removably holding a napkin")
    assert "(a) a lanyard having two ends" in claims[0]
    assert claims[1].startswith("2. The holding device as in claim 1 wherein the inner surfaces")
    description = (p.text("description") or "").split("\n")
    assert description[:2] == ["BACKGROUND OF THE INVENTION", "1. Field of the Invention"]
    assert party_names(p, "applicant") == party_names(p, "inventor") == ["Glasmire, Samuel G."]
    inventor = p.parties_of("inventor")[0]
    assert (inventor.country, inventor.city, inventor.kind) == ("US", "Bath", "person")
    assert inventor.address == "146 Bentwood Cir., Bath, PA, 18014-8224, US"
    assert party_names(p, "agent") == ["Wilkinson, Charles A."]
    assert party_names(p, "examiner") == ["Vanatta, A."]
    assert p.classes("ipc") == ["A45F5/04"]
    assert [c.version for c in p.classifications if c.scheme == "ipc"] == ["7"]
    assert p.classes("national") == ["2/52", "2/336", "2/323", "24/9", "24/303", "24/3.4"]
    assert len(p.citations) == 39
    c1 = p.citations[0]
    assert (c1.cited_number, c1.cited_date, c1.cited_by, c1.text) == (
        "US675108A", dt.date(1901, 5, 1), "examiner", "US 675108 A, Perkins")
    assert p.citations[-1].cited_number == "US6760956B1"
    assert p.provenance and p.provenance.source == "uspto-grant-v4" and p.provenance.position == 1
    assert p.provenance.file.endswith("ipg050104.small.xml")
    assert p.lang == "en" and p.source_rank == 30 and p.family_source == "priorities" and p.family_id


def test_grant_with_priority_and_foreign_citations_dtd_v40(corpus: tuple[Catalogue, IngestSummary]) -> None:
    p = pub(corpus[0], "US6836979B2")
    assert p.title == "Shoe structure"
    assert [(x.country, x.number, x.date, x.kind) for x in p.priorities] == [
        ("IT", "BG2002A000039", dt.date(2002, 11, 27), "national")]
    assert p.earliest_priority_date == dt.date(2002, 11, 27)
    assert p.classes("ipc") == ["A43B13/14", "A43B23/00"]
    assert p.classes("national") == ["36/103", "36/45", "36/4", "12/142E"]
    # as printed: the source swaps given and family names of these inventors
    assert party_names(p, "inventor") == ["Flavio, Bacchiega", "Romano, Calvani"]
    by_seq = {c.sequence: c for c in p.citations}
    assert len(p.citations) == 17
    assert (by_seq[3].cited_number, by_seq[3].cited_by) == ("US4676010A", "other")
    assert (by_seq[13].cited_number, by_seq[13].cited_country) == ("DE3536557A1", "DE")
    assert (by_seq[15].cited_number, by_seq[15].text) == ("EP890321A2", "EP 0 890 321 A2")
    assert (by_seq[16].cited_number, by_seq[16].text) == ("WO1998039984", "WO 9839984")


def test_weekly_slice_2013_first_middle_last(corpus: tuple[Catalogue, IngestSummary]) -> None:
    cat = corpus[0]
    first = pub(cat, "USD680087S1")
    assert (first.doc_type, first.publication_date) == ("design", dt.date(2013, 4, 16))
    assert (first.application_number, first.application_date) == ("29410027", dt.date(2012, 1, 3))
    assert [(x.country, x.number, x.date) for x in first.priorities] == [("JP", "2011-015204", dt.date(2011, 7, 4))]
    assert first.title == "Television set"
    assert first.classes("locarno") == ["1403"] and first.classes("national") == ["D14/126"]
    assert first.text("claims") == "1. The ornamental design for \u201ctelevision set,\u201d as shown and described."
    assert party_names(first, "inventor") == ["Fujii, Yoshito", "Iida, Katsuhiro", "Ohtani, Tohru", "Gomi, Hiroshi"]
    assert party_names(first, "applicant") == party_names(first, "inventor")
    assert party_names(first, "assignee") == ["Sharp Kabushiki Kaisha"]
    assert party_names(first, "agent") == ["Nixon & Vanderhye, P.C."]
    assert party_names(first, "examiner") == ["Barkai, Raphael", "Gholson, Randall"]
    assert len(first.citations) == 86
    assert Counter(c.cited_by for c in first.citations) == {"applicant": 77, "examiner": 9}
    assert (first.citations[0].cited_number, first.citations[0].text) == ("USD427169S", "US D427169 S, Saeki et al.")
    assert first.provenance and first.provenance.position == 1

    middle = pub(cat, "US8420054B2")
    assert middle.provenance and middle.provenance.position == 14  # documents 13 and 15 are sequence listings
    assert middle.title == "Noninvasive method for measuring histamine from skin as an objective measurement of itch"
    assert (middle.application_number, middle.application_date) == ("12562757", dt.date(2009, 9, 18))
    assert middle.classes("ipc") == ["A61K49/00"]
    ipc = middle.classifications[0]
    assert (ipc.version, ipc.level, ipc.value) == ("20060101", "A", "I")
    # fixed width "424  91": class 424, subclass 9, decimal 1
    assert middle.classes("national") == ["424/9.1", "424/9.2", "424/9.8"]
    assert party_names(middle, "inventor")[0] == "Schwartz, James Robert"
    assert len(party_names(middle, "inventor")) == len(party_names(middle, "applicant")) == 8
    assert party_names(middle, "assignee") == ["The Procter & Gamble Company"]
    assert middle.parties_of("assignee")[0].address == "Cincinnati, OH, US"
    assert [(i.scheme, i.value) for i in middle.identifiers] == [("related-publication", "US20110071123A1")]
    assert len(middle.citations) == 20 and {c.cited_by for c in middle.citations} == {"applicant"}
    assert middle.citations[-1].kind == "npl"
    assert middle.citations[-1].text == ("Gschwandtner, M. et al.; \u201cHistamine Upregulates Keratinocyte MMP-9 "
                                         "Production via the Histamine H1 Receptor\u201d; J. Invest Dermatol, Dec. "
                                         "2008; 128 (12): 2783-91.")

    last = pub(cat, "US8421615B2")
    assert last.provenance and last.provenance.position == 27
    assert last.title == "Method and system for locating sensor node in sensor network using transmit power control"
    assert [(x.country, x.number) for x in last.priorities] == [("KR", "10-2007-0116815")]
    assert last.earliest_priority_date == dt.date(2007, 11, 15)
    assert last.classes("national")[:2] == ["340/539.13", "340/568.1"]
    assert party_names(last, "assignee") == ["Samsung Electronics Co., Ltd.",
                                             "Research and Business Foundation, Korea University"]
    assert len((last.text("claims") or "").split("\n")) == 22


def test_design_with_locarno_dtd_v42(corpus: tuple[Catalogue, IngestSummary]) -> None:
    p = pub(corpus[0], "USD651432S1")
    assert (p.doc_number, p.kind, p.doc_type) == ("D651432", "S1", "design")
    assert p.title == "Table base"
    loc = [c for c in p.classifications if c.scheme == "locarno"]
    assert [(c.symbol, c.version) for c in loc] == [("0606", "9")]
    assert p.classes("national") == ["D6/495"]
    assert [c.country for c in p.classifications if c.scheme == "national"] == ["US"]
    assert p.text("claims") == "1. The ornamental design for table base, as shown and described."
    assert party_names(p, "applicant") == party_names(p, "inventor") == ["Davis, Bradford L."]
    assert party_names(p, "agent") == ["Warner Norcross & Judd LLP"]
    assert p.parties_of("agent")[0].country is None  # printed as "unknown"


def test_legal_representative_is_an_applicant_not_an_inventor(corpus: tuple[Catalogue, IngestSummary]) -> None:
    # single/2010_3.xml: app-type "applicant-inventor" for the inventor, "applicant" for his representative
    p = pub(corpus[0], "USD614828S1")
    assert party_names(p, "applicant") == ["Lowry, Stanley N.", "Lowry, Deborah R., legal representative"]
    assert party_names(p, "inventor") == ["Lowry, Stanley N."]
    assert party_names(p, "assignee") == ["HDN Development Corporation"]
    assert party_names(p, "examiner") == ["Brooks, Cathron C", "Fox, Barbara"]


def test_plant_and_statutory_invention_registration(corpus: tuple[Catalogue, IngestSummary]) -> None:
    plant = pub(corpus[0], "USPP18398P2")
    assert (plant.doc_number, plant.doc_type) == ("PP18398", "plant")
    assert plant.title == "Sedum telephium plant named \u2018Beka\u2019"
    assert plant.classes("national") == ["PLT/263"] and plant.classes("ipc") == ["A01H5/00"]
    sir = pub(corpus[0], "USH2140H1")
    assert (sir.doc_number, sir.doc_type, sir.publication_date) == ("H2140", "sir", dt.date(2006, 1, 3))
    assert [(x.country, x.number, x.date) for x in sir.priorities] == [("AU", "PP 7180", dt.date(1998, 11, 18))]


def test_application_v41(corpus: tuple[Catalogue, IngestSummary]) -> None:
    p = pub(corpus[0], "US20060288462A1")
    assert (p.doc_number, p.kind, p.doc_type) == ("20060288462", "A1", "application")
    assert (p.application_number, p.application_date) == ("11197279", dt.date(2005, 8, 4))
    assert [(x.country, x.number, x.date, x.kind) for x in p.priorities] == [
        ("US", "29232669", dt.date(2005, 6, 22), "continuation-in-part")]
    assert p.earliest_priority_date == dt.date(2005, 6, 22)
    assert p.title == "Garments composed of fabric panels incorporating edible cells"
    assert p.classes("ipc") == ["A41D31/00", "A23G1/50"]
    assert [c.version for c in p.classifications if c.scheme == "ipc"] == ["20070101", "20070101"]
    assert p.classes("national") == ["2/1", "426/104"]
    assert party_names(p, "applicant") == party_names(p, "inventor") == ["Schroeder, Yvonne"]
    assert p.parties_of("inventor")[0].country == "DE"
    assert party_names(p, "assignee") == ["AMERICAN EXPRESS TRAVEL RELATED SERVICES COMPANY, INC."]
    assert len((p.text("claims") or "").split("\n")) == 10
    assert p.provenance and p.provenance.source == "uspto-application-v4"


def test_application_v43_with_provisionals(corpus: tuple[Catalogue, IngestSummary]) -> None:
    p = pub(corpus[0], "US20130014306A1")
    assert p.provenance and p.provenance.position == 2
    assert p.title == "TACTICAL MIXED MARTIAL ARTS GLOVE"
    assert [(x.number, x.date, x.kind) for x in p.priorities] == [
        ("61433841", dt.date(2011, 1, 18), "provisional"), ("61473378", dt.date(2011, 4, 8), "provisional"),
        ("61526999", dt.date(2011, 8, 24), "provisional")]
    assert p.earliest_priority_date == dt.date(2011, 1, 18)
    assert p.classes("ipc") == ["A41D13/08", "A41D19/02"]
    assert p.classes("national") == ["2/20", "2/169"]
    assert party_names(p, "inventor") == ["Mechling, Christopher", "Mechling, Nicholas"]
    assert party_names(p, "applicant") == party_names(p, "inventor")  # not listed twice as inventors
    claims = (p.text("claims") or "").split("\n")
    assert len(claims) == 14
    assert claims[0].startswith("1. An improved glove employable by a user for mixed martial arts")
    assert claims[1].startswith("2. The improved glove of claim 1 wherein")


def test_pap_v16_application(corpus: tuple[Catalogue, IngestSummary]) -> None:
    p = pub(corpus[0], "US20040000002A1")
    assert (p.doc_type, p.publication_date) == ("application", dt.date(2004, 1, 1))
    assert (p.application_number, p.application_date) == ("10189364", dt.date(2002, 6, 27))
    assert [(x.country, x.number, x.date, x.kind) for x in p.priorities] == [
        ("US", "09919271", dt.date(2001, 7, 30), "continuation")]
    assert p.title == "Garment for preventing muscle strain"
    assert p.classes("ipc") == ["A41B1/00"] and p.classes("national") == ["2/69"]
    assert [c.version for c in p.classifications if c.scheme == "ipc"] == ["7"]
    assert party_names(p, "inventor") == ["Hollander, Scott"]
    inv = p.parties_of("inventor")[0]
    assert (inv.city, inv.country, inv.address) == ("Tarzana", "US", "Tarzana, CA, US")
    assert party_names(p, "assignee") == ["Hill-Rom Services, Inc."]
    assert p.text("claims", "en") == (
        "1. A garment for releasably securing a user's hands at a fixed location along the user's body, "
        "comprising: an upper portion adapted for wear on the user's upper body, said upper portion having a "
        "first attachment means; and a hand portion adapted for wear along at least one of the user's hands, said "
        "hand portion having a second attachment means; wherein said first and second attachment means are "
        "releasably engageable for securing at least one of the user's hands to the user's upper body in a "
        "desired position.")
    description = (p.text("description") or "").split("\n")
    # paragraph numbers ("[0001]") are layout and are left out
    assert description[:3] == ["BACKGROUND OF THE INVENTION", "1. Field of the Invention",
                               ("The present invention relates to a garment, and more specifically to a garment "
                                "adapted for assisting a person to releasably secure one or both hands to his or "
                                "her upper body.")]
    assert [(i.scheme, i.value) for i in p.identifiers] == [("parent-patent", "US6557176")]
    assert p.provenance and p.provenance.source == "uspto-application-pap"


def test_same_document_in_two_files_keeps_one_record(corpus: tuple[Catalogue, IngestSummary]) -> None:
    # USD651379S1 is both single/2012_4.xml and single/2012_5.xml (identical files)
    cat = corpus[0]
    assert cat.lookup("USD651379") == ["USD651379S1"]
    versions = cat.history("USD651379S1")
    assert len({v["content_hash"] for v in versions}) == 1


# ----------------------------------------------------------------------------------- both backends

def test_weekly_slice_round_trips_through_the_catalogue(catalogue: Catalogue, data_dir: Path) -> None:
    files = [data_dir / "uspto-xml/weekly-slices/ipg130416.small.xml", data_dir / "uspto-xml/single/ipa130117.one.xml"]
    exp = expected(files)
    summary = ingest(catalogue, [str(f) for f in files])
    assert (summary.added, summary.skipped, summary.quarantined) == (exp["patents"], exp["sequences"], 0)
    assert catalogue.count() == len(exp["numbers"]) == 27
    read = {}
    for f in files:
        src = FileSource(f)
        reader = detect(src)
        assert reader is not None
        read.update({o.number: o for o in reader.read(src) if isinstance(o, Publication)})
    stored = {p.number: p for p in catalogue.iter_publications()}
    assert stored.keys() == read.keys()
    for number, p in read.items():
        assert stored[number].content_hash() == p.content_hash(), number
    again = ingest(catalogue, [str(f) for f in files])
    assert (again.added, again.updated, again.unchanged) == (0, 0, exp["patents"])


# ----------------------------------------------------------------------------------- ST.32 v2.5

PATDOC_GRANT = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE PATDOC SYSTEM "ST32-US-Grant-025xml.dtd" [
<!ENTITY US06500001-20030101-D00000.TIF SYSTEM "US06500001-20030101-D00000.TIF" NDATA TIF>
<!ENTITY US06500001-20030101-D00001.TIF SYSTEM "US06500001-20030101-D00001.TIF" NDATA TIF>
]>
<PATDOC DTD="2.5" STATUS="Build 20021218">
<SDOBI>
<B100><B110><DNUM><PDAT>06500001</PDAT></DNUM></B110><B130><PDAT>B2</PDAT></B130>
<B140><DATE><PDAT>20030101</PDAT></DATE></B140><B190><PDAT>US</PDAT></B190></B100>
<B200><B210><DNUM><PDAT>09/812345</PDAT></DNUM></B210><B211US><PDAT>09</PDAT></B211US>
<B220><DATE><PDAT>20010320</PDAT></DATE></B220></B200>
<B300><B310><DNUM><PDAT>2000-084512</PDAT></DNUM></B310><B320><DATE><PDAT>20000324</PDAT></DATE></B320>
<B330><CTRY><PDAT>JP</PDAT></CTRY></B330></B300>
<B400><B472><B474><PDAT>0</PDAT></B474></B472></B400>
<B500>
<B510><B511><PDAT>G01N 3300</PDAT></B511><B512><PDAT>C12Q  168</PDAT></B512><B516><PDAT>7</PDAT></B516></B510>
<B520><B521><PDAT>435  6</PDAT></B521><B522><PDAT>436 94</PDAT></B522></B520>
<B540><STEXT><PDAT>Method for measuring 5 &mgr;m particles</PDAT></STEXT></B540>
<B560>
<B561><PCIT><DOC><DNUM><PDAT>5123456</PDAT></DNUM><DATE><PDAT>19920600</PDAT></DATE><KIND><PDAT>A</PDAT></KIND></DOC>
<PARTY-US><NAM><SNM><STEXT><PDAT>Smith</PDAT></STEXT></SNM></NAM></PARTY-US><PNC><PDAT>435  6</PDAT></PNC></PCIT>
<CITED-BY-EXAMINER/></B561>
<B561><PCIT><DOC><DNUM><PDAT>0 412 345</PDAT></DNUM><DATE><PDAT>19910200</PDAT></DATE><KIND><PDAT>A1</PDAT></KIND>
<CTRY><PDAT>EP</PDAT></CTRY></DOC></PCIT><CITED-BY-OTHER/></B561>
<B562><NCIT><STEXT><PDAT>Jones et al., </PDAT><HIL><ITALIC><PDAT>Anal. Chem.</PDAT></ITALIC></HIL>
<PDAT> 1999, 71, 1-5.</PDAT></STEXT></NCIT><CITED-BY-EXAMINER/></B562>
</B560>
<B570><B577><PDAT>2</PDAT></B577><B578US><PDAT>1</PDAT></B578US></B570>
<B580><B581><PDAT>435  6</PDAT></B581></B580>
<B590><B595><PDAT>1</PDAT></B595><B596><PDAT>2</PDAT></B596></B590>
</B500>
<B600><B620><PARENT-US><CDOC><DOC><DNUM><PDAT>09/812345</PDAT></DNUM></DOC></CDOC>
<PDOC><DOC><DNUM><PDAT>09/290123</PDAT></DNUM><DATE><PDAT>19990412</PDAT></DATE><KIND><PDAT>00</PDAT></KIND></DOC></PDOC>
<PSTA><PDAT>01</PDAT></PSTA><PPUB><DOC><DNUM><PDAT>6234567</PDAT></DNUM></DOC></PPUB></PARENT-US></B620>
<B680US><DOC><DNUM><PDAT>60/081234</PDAT></DNUM><DATE><PDAT>19980410</PDAT></DATE><KIND><PDAT>00</PDAT></KIND></DOC></B680US>
</B600>
<B700>
<B720><B721><PARTY-US><NAM><FNM><PDAT>Taro</PDAT></FNM><SNM><STEXT><PDAT>Yamada</PDAT></STEXT></SNM></NAM>
<ADR><CITY><PDAT>Kyoto</PDAT></CITY><CTRY><PDAT>JP</PDAT></CTRY></ADR></PARTY-US></B721>
<B721><PARTY-US><NAM><FNM><PDAT>Mary A.</PDAT></FNM><SNM><STEXT><PDAT>Brown</PDAT></STEXT></SNM></NAM>
<ADR><CITY><PDAT>Austin</PDAT></CITY><STATE><PDAT>TX</PDAT></STATE></ADR></PARTY-US></B721></B720>
<B730><B731><PARTY-US><NAM><ONM><STEXT><PDAT>Example Instruments Co., Ltd.</PDAT></STEXT></ONM></NAM>
<ADR><CITY><PDAT>Kyoto</PDAT></CITY><CTRY><PDAT>JP</PDAT></CTRY></ADR></PARTY-US></B731><B732US><PDAT>03</PDAT></B732US></B730>
<B740><B741><PARTY-US><NAM><ONM><STEXT><PDAT>Example &amp; Partners LLP</PDAT></STEXT></ONM></NAM></PARTY-US></B741></B740>
<B745><B746><PARTY-US><NAM><FNM><PDAT>Jane</PDAT></FNM><SNM><STEXT><PDAT>Doe</PDAT></STEXT></SNM></NAM></PARTY-US></B746>
<B748US><PDAT>1641</PDAT></B748US></B745>
</B700>
<B800><B860><B861><DOC><DNUM><PDAT>PCT/JP01/01234</PDAT></DNUM><DATE><PDAT>20010320</PDAT></DATE></DOC></B861></B860>
<B870><B871><DOC><DNUM><PDAT>WO01/71234</PDAT></DNUM><DATE><PDAT>20010927</PDAT></DATE><KIND><PDAT>A1</PDAT></KIND></DOC>
</B871></B870></B800>
</SDOBI>
<SDOAB><BTEXT><PARA ID="P-00001" LVL="0"><PTEXT><PDAT>A method measures particles of 5 &mgr;m in H</PDAT>
<HIL><SB><PDAT>2</PDAT></SB></HIL><PDAT>O.</PDAT></PTEXT></PARA></BTEXT></SDOAB>
<SDODE><RELAPP><H LVL="1"><STEXT><PDAT>CROSS-REFERENCE</PDAT></STEXT></H>
<PARA ID="P-00002" LVL="0"><PTEXT><PDAT>This is a division of application Ser. No. 09/290,123.</PDAT></PTEXT></PARA></RELAPP>
<BRFSUM><H LVL="1"><STEXT><PDAT>BACKGROUND</PDAT></STEXT></H>
<PARA ID="P-00003" LVL="0"><PTEXT><PDAT>Particles &lsqb;1&rsqb; matter.</PDAT></PTEXT></PARA></BRFSUM></SDODE>
<SDOCL><H LVL="1"><STEXT><PDAT>What is claimed is:</PDAT></STEXT></H><CL>
<CLM ID="CLM-00001"><PARA ID="P-00010" LVL="0"><PTEXT><PDAT>1. A method comprising:</PDAT></PTEXT></PARA>
<CLMSTEP LVL="1"><PTEXT><PDAT>sampling; and</PDAT></PTEXT></CLMSTEP><CLMSTEP LVL="1"><PTEXT><PDAT>counting.</PDAT></PTEXT></CLMSTEP></CLM>
<CLM ID="CLM-00002"><PARA ID="P-00011" LVL="0"><PTEXT><PDAT>2. The method of </PDAT><CLREF ID="CLM-00001">
<PDAT>claim 1</PDAT></CLREF><PDAT>, wherein the particles are cells.</PDAT></PTEXT></PARA></CLM>
</CL></SDOCL>
<SDODR ID="DRAWINGS"><EMI ID="EMI-D00000" FILE="US06500001-20030101-D00000.TIF"/></SDODR>
</PATDOC>
"""

PATDOC_DESIGN = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE PATDOC SYSTEM "ST32-US-Grant-025xml.dtd" [
<!ENTITY USD0470001-20030101-D00000.TIF SYSTEM "USD0470001-20030101-D00000.TIF" NDATA TIF>
]>
<PATDOC DTD="2.5" STATUS="Build 20021218">
<SDOBI>
<B100><B110><DNUM><PDAT>D0470001</PDAT></DNUM></B110><B130><PDAT>S</PDAT></B130>
<B140><DATE><PDAT>20030101</PDAT></DATE></B140><B190><PDAT>US</PDAT></B190></B100>
<B200><B210><DNUM><PDAT>29/150001</PDAT></DNUM></B210><B220><DATE><PDAT>20011105</PDAT></DATE></B220></B200>
<B500><B510><B511><PDAT>0203</PDAT></B511><B516><PDAT>7</PDAT></B516></B510>
<B520><B521><PDAT>D 2969</PDAT></B521></B520><B540><STEXT><PDAT>Hat</PDAT></STEXT></B540></B500>
</SDOBI>
<SDOCL><CL><CLM ID="CLM-00001"><PARA ID="P-00001" LVL="0"><PTEXT><PDAT>The ornamental design for a hat, as shown.</PDAT>
</PTEXT></PARA></CLM></CL></SDOCL>
</PATDOC>
"""


def test_st32_v25_grants_from_a_weekly_file(tmp_path: Path, sqlite_catalogue: Catalogue) -> None:
    path = tmp_path / "pg030101.xml"
    path.write_text(PATDOC_GRANT + PATDOC_DESIGN, encoding="utf-8")
    summary = ingest(sqlite_catalogue, [str(path)])
    assert (summary.read, summary.added, summary.quarantined, summary.skipped) == (2, 2, 0, 0), summary.errors
    p = pub(sqlite_catalogue, "US6500001B2")
    assert (p.doc_type, p.publication_date) == ("grant", dt.date(2003, 1, 1))
    assert (p.application_number, p.application_date) == ("09812345", dt.date(2001, 3, 20))
    assert [(x.country, x.number, x.date, x.kind) for x in p.priorities] == [
        ("JP", "2000-084512", dt.date(2000, 3, 24), "national"),
        ("US", "60081234", dt.date(1998, 4, 10), "provisional"),
        ("US", "09290123", dt.date(1999, 4, 12), "division")]
    assert p.earliest_priority_date == dt.date(1998, 4, 10)
    assert p.title == "Method for measuring 5 \u03bcm particles"
    assert p.abstract == "A method measures particles of 5 \u03bcm in H2O."
    assert p.text("claims") == ("1. A method comprising: sampling; and counting.\n"
                                "2. The method of claim 1, wherein the particles are cells.")
    assert p.text("description") == ("CROSS-REFERENCE\nThis is a division of application Ser. No. 09/290,123.\n"
                                     "BACKGROUND\nParticles [1] matter.")
    assert p.classes("ipc") == ["G01N33/00", "C12Q1/68"]
    assert p.classes("national") == ["435/6", "436/94"]
    assert [(c.cited_number, c.cited_date, c.cited_by, c.text) for c in p.citations] == [
        ("US5123456A", dt.date(1992, 6, 1), "examiner", "US 5123456 A, Smith"),
        ("EP412345A1", dt.date(1991, 2, 1), "other", "EP 0 412 345 A1"),
        (None, None, "examiner", "Jones et al., Anal. Chem. 1999, 71, 1-5.")]
    assert p.citations[2].kind == "npl"
    assert [(x.name, x.country, x.city) for x in p.parties_of("inventor")] == [
        ("Yamada, Taro", "JP", "Kyoto"), ("Brown, Mary A.", "US", "Austin")]
    assert party_names(p, "assignee") == ["Example Instruments Co., Ltd."]
    assert party_names(p, "agent") == ["Example & Partners LLP"]
    assert party_names(p, "examiner") == ["Doe, Jane"]
    assert [(i.scheme, i.value) for i in p.identifiers] == [("pct-application", "PCT/JP01/01234"),
                                                           ("pct-publication", "WO2001071234A1")]
    assert p.provenance and (p.provenance.source, p.provenance.position) == ("uspto-grant-v2", 1)
    d = pub(sqlite_catalogue, "USD470001S")
    assert (d.doc_type, d.title, d.application_number) == ("design", "Hat", "29150001")
    assert d.classes("locarno") == ["0203"] and d.classes("national") == ["D2/969"]
    assert d.text("claims") == "1. The ornamental design for a hat, as shown."
    assert d.provenance and d.provenance.position == 2


# ----------------------------------------------------------------------------------- ICE v4.5 shape

# No v4.4+ sample ships with the data; this reissue follows the v4.5 DTD's element names (CPC,
# us-parties with inventors, "cited by third party", a reissue relation).
ICE_V45_REISSUE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE us-patent-grant SYSTEM "us-patent-grant-v45-2014-04-03.dtd" [ ]>
<us-patent-grant lang="EN" dtd-version="v4.5 2014-04-03" file="USRE045123-20140909.XML" status="PRODUCTION"
 id="us-patent-grant" country="US" date-produced="20140826" date-publ="20140909">
<us-bibliographic-data-grant>
<publication-reference><document-id><country>US</country><doc-number>RE045123</doc-number><kind>E1</kind>
<date>20140909</date></document-id></publication-reference>
<application-reference appl-type="reissue"><document-id><country>US</country><doc-number>13961234</doc-number>
<date>20130807</date></document-id></application-reference>
<us-application-series-code>13</us-application-series-code>
<classifications-ipcr><classification-ipcr><ipc-version-indicator><date>20060101</date></ipc-version-indicator>
<classification-level>A</classification-level><section>H</section><class>01</class><subclass>M</subclass>
<main-group>10</main-group><subgroup>0525</subgroup><symbol-position>F</symbol-position>
<classification-value>I</classification-value></classification-ipcr></classifications-ipcr>
<classifications-cpc><main-cpc><classification-cpc><cpc-version-indicator><date>20130101</date></cpc-version-indicator>
<section>H</section><class>01</class><subclass>M</subclass><main-group>10</main-group><subgroup>0525</subgroup>
<symbol-position>F</symbol-position><classification-value>I</classification-value></classification-cpc></main-cpc>
<further-cpc><classification-cpc><cpc-version-indicator><date>20130101</date></cpc-version-indicator>
<section>Y</section><class>02</class><subclass>E</subclass><main-group>60</main-group><subgroup>10</subgroup>
<symbol-position>L</symbol-position><classification-value>A</classification-value></classification-cpc></further-cpc>
</classifications-cpc>
<invention-title id="d2e43">Lithium ion battery</invention-title>
<us-references-cited>
<us-citation><patcit num="00001"><document-id><country>WO</country><doc-number>2010/123456</doc-number>
<kind>A1</kind><date>20101000</date></document-id></patcit><category>cited by third party</category></us-citation>
<us-citation><nplcit num="00002"><othercit>Smith, <i>J. Power Sources</i>, 2009.</othercit></nplcit>
<category>cited by examiner</category></us-citation>
</us-references-cited>
<us-related-documents><reissue><relation><parent-doc><document-id><country>US</country><doc-number>12123456</doc-number>
<date>20080519</date></document-id><parent-grant-document><document-id><country>US</country><doc-number>8012345</doc-number>
<kind>B2</kind><date>20110906</date></document-id></parent-grant-document></parent-doc>
<child-doc><document-id><country>US</country><doc-number>13961234</doc-number></document-id></child-doc>
</relation></reissue></us-related-documents>
<us-parties>
<us-applicants><us-applicant sequence="001" app-type="applicant" designation="us-only"
 applicant-authority-category="assignee"><addressbook><orgname>Example Energy Corp.</orgname>
<address><city>Austin</city><state>TX</state><country>US</country></address></addressbook>
<residence><country>US</country></residence></us-applicant></us-applicants>
<inventors><inventor sequence="001" designation="us-only"><addressbook><last-name>Kim</last-name>
<first-name>Min-Jae</first-name><address><city>Suwon-si</city><country>KR</country></address></addressbook>
</inventor></inventors>
</us-parties>
<assignees><assignee><addressbook><orgname>Example Energy Corp.</orgname><role>02</role>
<address><city>Austin</city><state>TX</state><country>US</country></address></addressbook></assignee></assignees>
</us-bibliographic-data-grant>
<abstract id="abstract"><p id="p-0001" num="0000">An anode of Li<sub>4</sub>Ti<sub>5</sub>O<sub>12</sub>.</p>
</abstract>
<description id="description"><heading id="h-0001" level="1">BACKGROUND</heading>
<p id="p-0002" num="0001">Batteries store energy.</p></description>
<us-claim-statement>What is claimed is:</us-claim-statement>
<claims id="claims"><claim id="CLM-00001" num="00001"><claim-text>1. A battery comprising an anode.</claim-text></claim>
<claim id="CLM-00002" num="00002"><claim-text>2. The battery of <claim-ref idref="CLM-00001">claim 1</claim-ref>,
wherein the anode is Li<sub>4</sub>Ti<sub>5</sub>O<sub>12</sub>.</claim-text></claim></claims>
</us-patent-grant>
"""


def test_ice_v45_reissue_with_cpc(tmp_path: Path, sqlite_catalogue: Catalogue) -> None:
    path = tmp_path / "ipg140909.xml"
    path.write_text(ICE_V45_REISSUE, encoding="utf-8")
    summary = ingest(sqlite_catalogue, [str(path)])
    assert summary.added == 1, summary.errors
    p = pub(sqlite_catalogue, "USRE45123E1")
    assert (p.doc_number, p.kind, p.doc_type) == ("RE45123", "E1", "reissue")
    assert p.classes("ipc") == ["H01M10/0525"] and p.classes("cpc") == ["H01M10/0525", "Y02E60/10"]
    cpc = [c for c in p.classifications if c.scheme == "cpc"]
    assert [(c.version, c.value) for c in cpc] == [("20130101", "I"), ("20130101", "A")]
    assert [(c.cited_number, c.cited_by, c.kind) for c in p.citations] == [
        ("WO2010123456A1", "third-party", "patent"), (None, "examiner", "npl")]
    assert p.citations[1].text == "Smith, J. Power Sources, 2009."
    assert [(i.scheme, i.value) for i in p.identifiers] == [("reissue-of", "US8012345B2")]
    assert party_names(p, "applicant") == ["Example Energy Corp."]
    assert p.parties_of("applicant")[0].kind == "organization"
    assert party_names(p, "inventor") == ["Kim, Min-Jae"]
    assert party_names(p, "assignee") == ["Example Energy Corp."]
    assert p.abstract == "An anode of Li4Ti5O12."
    assert p.text("claims") == ("1. A battery comprising an anode.\n"
                                "2. The battery of claim 1, wherein the anode is Li4Ti5O12.")
    assert p.text("description") == "BACKGROUND\nBatteries store energy."
    assert [(x.country, x.number, x.date, x.kind) for x in p.priorities] == [
        ("US", "12123456", dt.date(2008, 5, 19), "reissue")]
    assert p.earliest_priority_date == dt.date(2008, 5, 19)


# ----------------------------------------------------------------------------------- CLI

@pytest.mark.parametrize("spelling", ["US 7,783,348 B2", "US7783348B2", "us 7783348", "US07783348"])
def test_show_accepts_common_spellings(tmp_path: Path, data_dir: Path, spelling: str) -> None:
    runner = CliRunner()
    home = str(tmp_path / "home")
    res = runner.invoke(main, ["ingest", "--home", home, "--json",
                               str(data_dir / "uspto-xml/single/ipg100824-hyphenated.xml")])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["added"] == 1
    res = runner.invoke(main, ["show", "--home", home, "--json", spelling])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["number"] == "US7783348B2" and d["publication_date"] == "2010-08-24"
    assert (d["application_number"], d["application_date"]) == ("12104007", "2008-04-16")
    assert [t["text"] for t in d["texts"] if t["kind"] == "title"] == ["Stimulation device for treating osteoarthritis"]
    assert [c["symbol"] for c in d["classifications"]] == ["A61N1/18", "607/3", "602/2", "600/15"]
    assert [p["name"] for p in d["parties"] if p["role"] == "inventor"] == ["Gill, Jagjit", "Sham, Kin-Joe",
                                                                           "Armitage, Bryan"]
    assert [p["name"] for p in d["parties"] if p["role"] == "assignee"] == ["OrthoCor Medical, Inc."]
    assert len(d["citations"]) == 86
    assert Counter(c["cited_by"] for c in d["citations"]) == {"other": 81, "examiner": 5}
    assert d["citations"][0]["cited_number"] == "US4240445A"
    assert len(next(t for t in d["texts"] if t["kind"] == "claims")["text"].split("\n")) == 25
    res = runner.invoke(main, ["show", "--home", home, spelling])
    assert res.exit_code == 0 and "US7783348B2" in res.output and "Gill, Jagjit" in res.output


# ----------------------------------------------------------------------------------- helpers

@pytest.mark.parametrize(("raw", "symbol"), [
    ("D 1128", "D1/128"), ("D1106", "D1/106"), ("  2 52", "2/52"), (" 24 305 R", "24/30.5R"),
    (" 7245306", "72/453.06"), ("257E21334", "257/E21.334"), ("002001000", "2/1"), ("426104000", "426/104"),
    ("PLT263", "PLT/263"), ("D14138 G", "D14/138G"), ("34053913", "340/539.13"), ("340 101", "340/10.1"),
])
def test_us_class_fixed_width(raw: str, symbol: str) -> None:
    assert uspc_symbol(raw) == symbol


@pytest.mark.parametrize(("raw", "symbol"), [
    ("A45F  504", "A45F5/04"), ("H01L 21302", "H01L21/302"), ("G05G 1300", "G05G13/00"), ("A41B001/00", "A41B1/00"),
])
def test_ipc_fixed_width(raw: str, symbol: str) -> None:
    assert ipc_fixed_width(raw) == symbol


@pytest.mark.parametrize(("cc", "raw", "kind", "number"), [
    ("US", "D269729", "S", "USD269729S"), ("US", "2010/0164710", "A1", "US20100164710A1"),
    ("US", "RE41654", "E", "USRE41654E"), ("EP", "0 890 321", "A2", "EP890321A2"),
    ("WO", "WO 98/32856", "A1", "WO1998032856A1"), ("WO", "WO 2005/009967", None, "WO2005009967"),
    ("WO", "2004/055897", None, "WO2004055897"), ("DE", "196 53 722", "A1", "DE19653722A1"),
    ("JP", "2001-172806", None, "JP2001172806"), ("JP", "2000-67955", None, "JP2000067955"),
    ("KR", "10-2002-0080711", "A", "KR1020020080711A"), ("KR", "2001-0083551", "A", "KR20010083551A"),
    ("JP", "2735453", "B2", "JP2735453B2"), ("DE", "202005000716", "U1", "DE202005000716U1"),
    # era-year and other ambiguous numbers keep only their printed text
    ("JP", "09-240426", None, None), ("JP", "63222958", "A", None), ("JP", "1350595", None, None),
    ("AU", "199918524", None, None), ("WO", "PCT/US01/13682", None, None), ("WO", "DM/054034", None, None),
    ("EP", "08290305.5", None, None), ("EM", "000828108-0003", None, None),
])
def test_cited_numbers(cc: str, raw: str, kind: str | None, number: str | None) -> None:
    assert cited_patent_number(cc, raw, kind) == number
