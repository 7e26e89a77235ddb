"""EPO readers on the real files in shared/data/epo: publication server full text, DOCDB exchange
XML and OPS responses. Expected values were read from the XML by hand; counts are recomputed here
from the raw bytes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from lxml import etree

from patentdesk.ingest.base import Quarantined, Skipped, get_reader
from patentdesk.ingest.pipeline import ingest
from patentdesk.ingest.readers.epo_docdb import (
    declare_prefixes,
    entity_text,
    resolve_entities,
    split_exchange_documents,
)
from patentdesk.ingest.readers.epo_ops import PARTIAL_RANK
from patentdesk.ingest.readers.epo_pubserver import escape_stray_lt
from patentdesk.ingest.sources import FileSource
from patentdesk.model import SOURCE_RANK, Publication
from patentdesk.store.catalogue import Catalogue

# the four files that are not well-formed XML (see publication-server/PROVENANCE.txt)
BROKEN = ("application_v1-2-A1.xml", "application_v1-4-A1-1.xml", "application_v1-4-A1.xml",
          "application_v1-5-1-A1-2.xml")
BIBLIO_ONLY = ("application_v1-01-A1.xml", "application_v1-01-A2.xml", "application_v1-1-A2.xml",
               "application_v1-3-A1.xml", "application_v1-4-A1-1.xml", "application_v1-5-1-A1-1.xml",
               "application_v1-5-A2.xml")


def _epo(data_dir: Path) -> Path:
    return data_dir / "epo"


def read_all(reader_name: str, path: Path) -> list[object]:
    return list(get_reader(reader_name).read(FileSource(path)))


def pubs_of(reader_name: str, path: Path) -> list[Publication]:
    return [o for o in read_all(reader_name, path) if isinstance(o, Publication)]


def one(reader_name: str, path: Path, number: str | None = None) -> Publication:
    found = [p for p in pubs_of(reader_name, path) if number is None or p.number == number]
    assert len(found) == 1, [p.number for p in found]
    return found[0]


def _strict(raw: bytes) -> etree._Element:
    return etree.fromstring(raw, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))


# ================================================================ publication server

def test_pubserver_folder_loads_every_document(sqlite_catalogue: Catalogue, data_dir: Path) -> None:
    folder = _epo(data_dir) / "publication-server"
    files = sorted(folder.glob("*.xml"))
    roots = sum(len(re.findall(rb"<ep-patent-document[\s>]", f.read_bytes())) for f in files)
    assert roots == len(files) == 35  # one document per file
    summary = ingest(sqlite_catalogue, [str(folder)])
    assert summary.counts() == {"files": 35, "read": roots, "added": roots, "updated": 0, "unchanged": 0,
                                "skipped": 0, "quarantined": 0}
    assert sqlite_catalogue.stats()["publications"] == roots


def test_pubserver_doc_types_and_texts(data_dir: Path) -> None:
    folder = _epo(data_dir) / "publication-server"
    for f in sorted(folder.glob("*.xml")):
        pub = one("epo-pubserver", f)
        kind = re.search(rb'<ep-patent-document[^>]*\skind="(\w+)"', f.read_bytes())
        assert kind and pub.kind == kind.group(1).decode()
        assert pub.doc_type == ("grant" if pub.kind.startswith("B") else "application"), f.name
        assert {t.lang for t in pub.texts_of("title")} == {"de", "en", "fr"}, f.name
        has_body = bool(pub.texts_of("claims"))
        assert has_body == (f.name not in BIBLIO_ONLY), f.name
        assert pub.source_rank == SOURCE_RANK["official-fulltext"]
        # every grant carries its claims in the three official languages
        if pub.doc_type == "grant":
            assert {t.lang for t in pub.texts_of("claims")} == {"de", "en", "fr"}, f.name


def test_pubserver_b1_grant_with_three_languages(data_dir: Path) -> None:
    path = _epo(data_dir) / "publication-server" / "grant_v1-5-B1.xml"
    pub = one("epo-pubserver", path)
    assert (pub.number, pub.country, pub.doc_number, pub.kind) == ("EP3404678B1", "EP", "3404678", "B1")
    assert pub.doc_type == "grant" and pub.lang == "en"
    assert pub.publication_date == dt.date(2021, 6, 30)
    assert (pub.application_number, pub.application_date) == ("17171508.9", dt.date(2017, 5, 17))
    assert pub.priorities == ()  # no B300: the family key comes from the application
    assert pub.earliest_priority_date == dt.date(2017, 5, 17)
    assert pub.family_source == "priorities" and pub.family_id and pub.family_id.startswith("P:")
    assert pub.title == "HIGH VOLTAGE ASSEMBLY AND METHOD TO OPERATE THE HIGH VOLTAGE ASSEMBLY"
    assert pub.text("title", "de") == "HOCHSPANNUNGSANORDNUNG UND VERFAHREN ZUM BETREIBEN DER HOCHSPANNUNGSANORDNUNG"
    assert pub.text("title", "fr") == ("ENSEMBLE À HAUTE TENSION ET PROCÉDÉ DE FONCTIONNEMENT DE L'ENSEMBLE "
                                       "À HAUTE TENSION")
    raw = path.read_bytes()
    for lang in ("en", "de", "fr"):
        lines = (pub.text("claims", lang) or "").split("\n")
        assert len(lines) == len(re.findall(rb'<claim id="c-%s-' % lang.encode(), raw)) == 12
        assert [ln.split(".", 1)[0] for ln in lines] == [str(i) for i in range(1, 13)]
    claims_en = (pub.text("claims", "en") or "").split("\n")
    assert claims_en[0].startswith("1. A high voltage assembly (2) comprising: - a sealed compartment (4)")
    assert "characterized in that the pipe arrangement (16) further comprises:" in claims_en[0]
    assert claims_en[11].endswith("- closing the venting valve (34).")
    assert (pub.text("claims", "de") or "").startswith("1. Hochspannungsanordnung (2), umfassend:")
    desc = (pub.text("description") or "").split("\n")
    assert desc[0] == "FIELD OF THE INVENTION"
    assert desc[1] == ("The present invention relates to a high voltage assembly and method of operating the "
                       "high voltage assembly.")
    assert pub.abstract is None  # B1 specifications carry no abstract
    people = [(p.role, p.sequence, p.name, p.country, p.city) for p in pub.parties]
    assert people == [
        ("inventor", 1, "HARTHUM, Jörg", "DE", "50374 Erftstadt"),
        ("inventor", 2, "STIRL, Tobias", "DE", "47918 Tönisvorst"),
        ("owner", 1, "General Electric Technology GmbH", "CH", "5400 Baden"),
        ("agent", 1, "Freigutpartners IP Law Firm", "CH", "5400 Baden"),
    ]
    assert pub.applicants == ["General Electric Technology GmbH"]
    assert [(c.scheme, c.symbol, c.version, c.level, c.value) for c in pub.classifications] == [
        ("ipc", "H01F27/14", "20060101", "A", "I"), ("ipc", "H01F27/40", "20060101", "A", "I")]
    examiner = [(c.cited_number, c.text) for c in pub.citations if c.cited_by == "examiner"]
    assert examiner == [("EP3109871A1", "EP-A1- 3 109 871"), ("FR84247E", "FR-E- 84 247"),
                        ("GB693448A", "GB-A- 693 448"), ("US20080197955A1", "US-A1- 2008 197 955")]
    applicant = [c.cited_number for c in pub.citations if c.cited_by == "applicant"]
    assert applicant == ["EP3109871A1", "US20080197955A1", "GB693448A"]
    assert [c.sequence for c in pub.citations] == list(range(1, 8))


def test_pubserver_a2_bibliography_only(data_dir: Path) -> None:
    pub = one("epo-pubserver", _epo(data_dir) / "publication-server" / "application_v1-01-A2.xml")
    assert (pub.number, pub.doc_type, pub.publication_date) == ("EP1680538A2", "application", dt.date(2006, 7, 19))
    assert (pub.application_number, pub.application_date) == ("04794205.7", dt.date(2004, 10, 26))
    assert [(p.country, p.number, p.date) for p in pub.priorities] == [("US", "693971", dt.date(2003, 10, 28))]
    assert pub.earliest_priority_date == dt.date(2003, 10, 28)
    assert [t.kind for t in pub.texts] == ["title", "title", "title"]
    assert pub.title == "COMPOSITE YARN AND PRODUCTS MADE THEREFROM"
    assert [(p.role, p.name, p.country) for p in pub.parties] == [
        ("applicant", "Supreme Elastic Corporation", "US"), ("inventor", "KOLMES, Nathaniel", "US"),
        ("agent", "Corizzi, Valérie", "FR")]
    assert pub.parties[0].city == "Conover, NC 28613"
    assert pub.parties[0].address == "325 Spencer Road"
    assert pub.classes("ipc") == ["D02G3/02"]


def test_pubserver_old_ipc_edition_forms(data_dir: Path) -> None:
    # B511 / B512 / B513 carry the IPC edition in front of the symbol: "2C 07D 307/12 A"
    pub = one("epo-pubserver", _epo(data_dir) / "publication-server" / "application_v1-1-A1.xml")
    assert pub.number == "EP2A1" and pub.publication_date == dt.date(1978, 12, 20)
    assert [(c.symbol, c.value) for c in pub.classifications] == [
        ("C07D307/12", "F"), ("C07D407/12", "L"), ("C07D307/42", "L"), ("A01N43/08", "L")]


@pytest.mark.parametrize("name, party, field, value", [
    ("application_v1-2-A1.xml", "agent", "address", "UDAPI & ASOCIADOS Explanada, 8"),
    ("application_v1-4-A1-1.xml", "agent", "address", "Dummett Copp & Co. 25 The Square"),
    ("application_v1-4-A1.xml", "agent", "name", "Kador & Partner"),
])
def test_pubserver_bare_ampersand_files_load(data_dir: Path, name: str, party: str, field: str,
                                             value: str) -> None:
    path = _epo(data_dir) / "publication-server" / name
    raw = path.read_bytes()
    assert value.encode() in raw  # the bare "& " is really in the file
    with pytest.raises(etree.XMLSyntaxError):
        _strict(raw)
    pub = one("epo-pubserver", path)
    assert value in [getattr(p, field) for p in pub.parties if p.role == party]


def test_pubserver_stray_less_than_is_escaped(data_dir: Path) -> None:
    # the fourth broken file has "<heading><First Embodiment</heading>": a decoded &lt;, not a bare &
    path = _epo(data_dir) / "publication-server" / "application_v1-5-1-A1-2.xml"
    raw = path.read_bytes()
    assert b"<First Embodiment</heading>" in raw
    with pytest.raises(etree.XMLSyntaxError):
        _strict(raw)
    pub = one("epo-pubserver", path)
    assert pub.number == "EP3889521A1"
    lines = (pub.text("description") or "").split("\n")
    headings = [ln for ln in lines if ln.endswith("Embodiment")]
    assert headings == ["<First Embodiment", "<Second Embodiment", "<Third Embodiment", "<Fourth Embodiment"]
    good = (_epo(data_dir) / "publication-server" / "grant_v1-5-B1.xml").read_bytes()
    assert escape_stray_lt(good) is good


def test_pubserver_st36_example_files_are_ep_documents(data_dir: Path) -> None:
    folder = _epo(data_dir) / "publication-server"
    b1 = one("epo-pubserver", folder / "EP1599469B1_st36bexample_DOC00001.xml")
    a1 = one("epo-pubserver", folder / "EP1667425A1_st36aexample_DOC00001.xml")
    assert (b1.number, b1.doc_type) == ("EP1599469B1", "grant")
    assert (a1.number, a1.doc_type) == ("EP1667425A1", "application")
    assert a1.title == "Image forming method and image forming apparatus"
    assert [(p.country, p.number) for p in b1.priorities] == [("US", "516238 P")]
    assert [(c.cited_number, c.text) for c in b1.citations if c.kind == "patent"] == [
        ("EP529854A", "EP-A- 0 529 854"), ("WO2004032928A", "WO-A-20/04032928")]


# ================================================================ DOCDB

def _exchange_documents(raw: bytes) -> int:
    return len(re.findall(rb"<(?:exch:)?exchange-document[\s>]", raw))


def test_docdb_folder_counts(sqlite_catalogue: Catalogue, data_dir: Path) -> None:
    folder = _epo(data_dir) / "docdb"
    expected = sum(_exchange_documents(f.read_bytes()) for f in folder.glob("*.xml"))
    dtds = len(list(folder.glob("*.dtd")))
    assert (expected, dtds) == (14, 1)
    summary = ingest(sqlite_catalogue, [str(folder)])
    assert (summary.read, summary.added, summary.skipped, summary.quarantined) == (expected + dtds, expected, dtds, 0)
    assert [r["reason"] for r in sqlite_catalogue.rejections()] == [
        "document type definition (DTD): declarations used by XML files, not a patent document"]
    stats = sqlite_catalogue.stats()
    assert stats["publications"] == expected and stats["by_source"] == {"epo-docdb": expected}


def test_docdb_de_backfile_first_and_last(data_dir: Path) -> None:
    path = _epo(data_dir) / "docdb" / "DE-backfile.xml"
    pubs = pubs_of("epo-docdb", path)
    assert [p.number for p in pubs] == [f"DE{n}B" for n in range(1258188, 1258198)]
    assert [p.provenance.position for p in pubs if p.provenance] == list(range(1, 11))
    first, last = pubs[0], pubs[-1]
    assert (first.family_id, first.family_source) == ("6979546", "source")
    assert first.publication_date == dt.date(1968, 1, 4)
    # examined-printed-without-grant: a German B of 1968 is an Auslegeschrift, not a patent
    assert first.doc_type == "application"
    assert (first.application_country, first.application_number, first.application_date) == (
        "DE", "B0077613", dt.date(1964, 7, 10))
    assert [(p.country, p.number, p.date, p.kind) for p in first.priorities] == [
        ("DE", "B0077613", dt.date(1964, 7, 10), "A")]
    assert first.title == "Kraftstoffeinspritzpumpe fuer mehrzylindrige Brennkraftmaschinen"
    assert first.text("title", "de") == first.title
    # docdb names, not the docdba spelling ("ROBERT BOSCH G.M.B.H."), and each person once
    assert [(p.role, p.name) for p in first.parties] == [
        ("applicant", "BOSCH GMBH ROBERT"), ("inventor", "KNAPP DIPL-PHYS DR HEINRICH"),
        ("inventor", "HEISER DIPL-ING JOACHIM")]
    assert first.classes("ipc") == ["F02M41/12", "F02M59/34", "F02M59/36"]
    # CPC given twice (by EP and by US): once each
    assert first.classes("cpc") == ["F02M59/34", "F02M41/125", "F02M59/36", "F02M2700/1358"]
    assert [(c.cited_number, c.cited_by, c.cited_date) for c in first.citations] == [
        ("DE814968C", "examiner", dt.date(1951, 9, 27)), ("DE1156606B", "examiner", dt.date(1963, 10, 31)),
        ("DE1734877U", "examiner", dt.date(1956, 11, 29)), ("FR1343388A", "examiner", dt.date(1963, 11, 15))]
    assert first.source_rank == SOURCE_RANK["official-biblio"]
    assert (last.family_id, last.title) == (
        "9678135", "Regeleinrichtung mit Schalldaempferwirkung fuer regelbare Flugzeugstrahlduesen")
    assert [(p.country, p.number, p.date) for p in last.priorities] == [("FR", "1258197X", dt.date(1964, 11, 3))]
    assert last.earliest_priority_date == dt.date(1964, 11, 3)
    assert [(p.role, p.name) for p in last.parties] == [
        ("applicant", "SNECMA"), ("inventor", "HOCH RENE GERARD"), ("inventor", "JUMELLE LOUIS FRANCOIS"),
        ("inventor", "MINOS JEAN MARIE")]
    assert [c.cited_number for c in last.citations] == ["DE1094529B", "FR1376576A", "FR1164936A"]
    assert last.classes("ipc") == ["F02K1/46"] and last.classes("cpc") == ["F02K1/46"]


def test_docdb_namespace_less_wo_fragment(data_dir: Path) -> None:
    path = _epo(data_dir) / "docdb" / "WO-2022259205-A1_544370561.xml"
    raw = path.read_bytes()
    assert raw.startswith(b"<exch:exchange-document ") and b"xmlns:exch" not in raw
    with pytest.raises(etree.XMLSyntaxError):
        _strict(raw)  # the prefix is unbound, as cut from the bulk file
    pub = one("epo-docdb", path)
    assert (pub.number, pub.doc_type, pub.publication_date) == ("WO2022259205A1", "application",
                                                                 dt.date(2022, 12, 15))
    assert (pub.family_id, pub.family_source, pub.lang) == ("82558028", "source", "en")
    assert (pub.application_country, pub.application_number, pub.application_date) == (
        "IB", "2022055385", dt.date(2022, 6, 9))
    assert [(p.country, p.number, p.date) for p in pub.priorities] == [("PT", "11728321", dt.date(2021, 6, 11))]
    assert pub.text("title", "en") == "SELF-EMULSIFYING COMPOSITION, PRODUCTION METHODS AND USES THEREOF"
    assert pub.text("title", "fr") == "COMPOSITION AUTO-ÉMULSIFIANTE, SES PROCÉDÉS DE PRODUCTION ET SES UTILISATIONS"
    assert {t.lang for t in pub.texts_of("abstract")} == {"en", "fr"}
    assert (pub.abstract or "").startswith("The present disclosure relates to a self-emulsifying composition")
    assert [(p.name, p.country) for p in pub.parties_of("applicant")] == [("UNIV DA BEIRA INTERIOR", "PT")]
    inventors = pub.parties_of("inventor")
    assert len(inventors) == 8 and inventors[0].name == "OLIVEIRA DOS SANTOS ADRIANA"
    assert inventors[6].name == "DA SILVA FERREIRA GOMES MARIA DE FÁTIMA"
    assert len(pub.citations) == len(re.findall(rb"<exch:citation ", raw)) == 23
    c1 = pub.citations[0]
    assert (c1.kind, c1.cited_by, c1.category) == ("npl", "examiner", "XY")
    assert (c1.text or "").startswith("BEZERRA-SOUZA ADRIANA ET AL: \"Repurposing Butenafine")
    cn = [c for c in pub.citations if c.cited_number == "CN102908333A"]
    assert [(c.category, c.cited_date) for c in cn] == [("Y", dt.date(2013, 2, 6))]
    # &SACUTE; from DOCDB's entity set
    assert any("CZAJKOWSKA-KOŚNIK" in (c.text or "") for c in pub.citations)
    applicant_cited = [c for c in pub.citations if c.cited_by == "applicant"]
    assert len(applicant_cited) == len(re.findall(rb'cited-phase="APP"', raw))


def test_docdb_entities_and_original_abstract(data_dir: Path) -> None:
    pub = one("epo-docdb", _epo(data_dir) / "docdb" / "YU-6701-A_381353354.xml")
    assert (pub.number, pub.lang, pub.family_id) == ("YU6701A", "sh", "22248526")
    # &ccaron; resolved; the untagged "original" abstract (both languages run together) is left out
    assert pub.text("title", "sh") == ("TRICIKLIČNI SULFONAMIDI I NJIHOVI DERIVATI KAO INHIBITORI MATRIČNIH "
                                       "METALOPROTEINAZA")
    assert sorted(t.lang for t in pub.texts_of("abstract")) == ["en", "sh"]
    assert [(p.country, p.number, p.kind) for p in pub.priorities] == [("US", "9500698", "P")]
    assert [(p.role, p.name, p.country) for p in pub.parties] == [
        ("applicant", "WARNER LAMBERT CO", "US"), ("inventor", "O'BRIEN PATRICK MICHAEL", "US"),
        ("inventor", "PICARD JOSEPH ARMAND", "US"), ("inventor", "SLISKOVIC DRAGO ROBERT", "US")]


def test_docdb_aripo_printed_with_grant(data_dir: Path) -> None:
    pub = one("epo-docdb", _epo(data_dir) / "docdb" / "AP-1206-A_302101161.xml")
    assert (pub.number, pub.doc_type) == ("AP1206A", "grant")  # kind A, but printed-with-grant
    assert [(p.country, p.number, p.kind) for p in pub.priorities] == [("US", "8359798", "A"), ("US", "9816128", "W")]
    assert pub.parties_of("applicant")[0].name == "BRISTOL MYERS SQUIBB CO"
    assert pub.classes("ipc")[0] == "A61K9/16"


def test_docdb_deleted_document_is_skipped(tmp_path: Path, data_dir: Path) -> None:
    raw = (_epo(data_dir) / "docdb" / "AP-1206-A_302101161.xml").read_bytes()
    assert b' status="A"' in raw[:600]
    path = tmp_path / "AP-deleted.xml"
    path.write_bytes(raw.replace(b' status="A"', b' status="D"', 1))
    outcomes = read_all("epo-docdb", path)
    assert len(outcomes) == 1 and isinstance(outcomes[0], Skipped)
    assert outcomes[0].record == "AP1206A" and "deleted" in outcomes[0].reason


def test_docdb_split_is_independent_of_chunk_size(data_dir: Path) -> None:
    path = _epo(data_dir) / "docdb" / "DE-backfile.xml"
    with path.open("rb") as f:
        whole = list(split_exchange_documents(f))
    with path.open("rb") as f:
        small = list(split_exchange_documents(f, chunk_size=997))
    assert len(whole) == _exchange_documents(path.read_bytes()) == 10
    assert small == whole
    assert all(d.startswith(b"<exch:exchange-document ") and d.endswith(b"</exch:exchange-document>")
               for _, d in whole)


def test_docdb_truncated_last_document_is_quarantined(tmp_path: Path, data_dir: Path) -> None:
    raw = (_epo(data_dir) / "docdb" / "DE-backfile.xml").read_bytes()
    cut = raw.rfind(b"<exch:invention-title")
    path = tmp_path / "truncated.xml"
    path.write_bytes(raw[:cut])
    outcomes = read_all("epo-docdb", path)
    assert sum(isinstance(o, Publication) for o in outcomes) == 9
    bad = [o for o in outcomes if isinstance(o, Quarantined)]
    assert len(bad) == 1 and bad[0].position == 10 and "malformed XML" in bad[0].reason


def test_docdb_entity_table() -> None:
    assert entity_text("ccaron") == "č" and entity_text("SACUTE") == "Ś" and entity_text("NDASH") == "–"
    assert entity_text("EEgr") == "Η" and entity_text("agr") == "α" and entity_text("nosuchname") is None
    assert resolve_entities(b"a&amp;b&ccaron;&zz;") == b"a&amp;b&#269;&zz;"
    assert declare_prefixes(b"<exch:a x='1'><exch:b/></exch:a>") == (
        b"<exch:a xmlns:exch=\"http://www.epo.org/exchange\" x='1'><exch:b/></exch:a>")
    declared = b'<exch:a xmlns:exch="http://www.epo.org/exchange"/>'
    assert declare_prefixes(declared) == declared


# ================================================================ OPS

def _ops_expected(raw: bytes) -> int:
    """Records an OPS response should give, counted from the raw bytes."""
    n = len(re.findall(rb"<exchange-document[\s>]", raw))
    n += len(re.findall(rb"<(?:ftxt:)?fulltext-document[\s>]", raw))
    for member in raw.split(b"<ops:family-member")[1:]:
        if b"<ops:legal " in member and b"<exchange-document" not in member:
            n += 1
    for regdoc in raw.split(b"<ns3:register-document ")[1:]:
        if b"<ns3:bibliographic-data" in regdoc:
            n += len(set(re.findall(rb"<ns3:publication-reference[^>]*>\s*<ns3:document-id[^>]*>\s*"
                                    rb"<ns3:country>(\w+)</ns3:country>\s*<ns3:doc-number>(\w+)</ns3:doc-number>"
                                    rb"\s*<ns3:kind>(\w+)</ns3:kind>", regdoc)))
        elif b"<ns3:dossier-event " in regdoc or b"<ns3:procedural-step " in regdoc:
            n += 1
    return n


# responses that carry no publication data, with what the skip reason says about them
OPS_SKIPPED = {
    "pc_family_family_input.xml": "6 members given by reference only",
    "pc_published_expected_search_result.xml": "100 publication references without bibliographic data",
    "pc_published_image_example.xml": "image inquiry",
    "pc_published_search_example.xml": "15 publication references without bibliographic data",
    "pdev_convert_patent_number_original.xml": "number conversion",
    "pdev_get_classification_schema.xml": "classification scheme",
    "pdev_get_classification_statistics.xml": "classification statistics",
    "pdev_get_family.xml": "5 members given by reference only",
    "pdev_get_fulltext.xml": "full-text inquiry",
    "pdev_get_published_equivalents.xml": "equivalents",
    "pdev_search.xml": "5 publication references without bibliographic data",
    "pdev_search_register.xml": "without kind codes",
    "pdev_testdata_error_404.xml": "OPS error response 404: Document not found",
    "pdev_testdata_error_429.xml": "OPS error response 429: Fair use limit exceeded",
    "pdev_testdata_image-inquiry.xml": "image inquiry",
}


def test_ops_folder_counts(sqlite_catalogue: Catalogue, data_dir: Path) -> None:
    folder = _epo(data_dir) / "ops"
    files = sorted(folder.glob("*.xml"))
    expected = {f.name: _ops_expected(f.read_bytes()) for f in files}
    assert {n for n, c in expected.items() if c == 0} == set(OPS_SKIPPED)
    summary = ingest(sqlite_catalogue, [str(folder / "*.xml")])
    assert summary.files == len(files) == 43 and summary.quarantined == 0
    rejections = sqlite_catalogue.rejections()
    assert all(r["disposition"] == "skipped" for r in rejections)
    assert summary.read - summary.skipped == sum(expected.values())
    by_file: dict[str, list[str]] = {}
    for r in rejections:
        by_file.setdefault(Path(r["file"]).name, []).append(r["reason"])
    for name, words in OPS_SKIPPED.items():
        assert any(words in reason for reason in by_file[name]), (name, by_file[name])
    # a family with legal events for three members lists two more by reference only
    assert set(by_file) == set(OPS_SKIPPED) | {"pdev_get_family_with_legal.xml"}
    assert len(by_file["pdev_search_register.xml"]) == 5


def test_ops_biblio(data_dir: Path) -> None:
    pub = one("epo-ops", _epo(data_dir) / "ops" / "pdev_get_biblio.xml")
    assert (pub.number, pub.doc_type, pub.publication_date) == ("EP2400812A1", "application", dt.date(2011, 12, 28))
    assert (pub.family_id, pub.family_source) == ("43088294", "source")
    assert (pub.application_country, pub.application_number, pub.application_date) == (
        "EP", "10167109", dt.date(2010, 6, 24))
    assert {t.lang: t.text for t in pub.texts_of("title")} == {
        "de": "BLUETOOTH-VERNETZUNG", "fr": "MISE EN RÉSEAU BLUETOOTH", "en": "BLUETOOTH NETWORKING"}
    assert (pub.abstract or "").startswith("An apparatus enabling establishment of a Bluetooth mesh network")
    # epodoc names ("HERRALA SAMI [FI]"), not the duplicated original spellings
    assert [(p.role, p.name, p.country) for p in pub.parties] == [
        ("applicant", "9SOLUTIONS OY", "FI"), ("inventor", "HERRALA SAMI", "FI"),
        ("inventor", "KYLMAENEN JARI", "FI"), ("inventor", "NIEMI JAAKKO", "FI")]
    assert pub.classes("ipc") == ["H04W84/20"] and pub.classes("cpc") == ["H04W84/20", "H04W88/04"]
    assert [(c.cited_number, c.category) for c in pub.citations] == [
        ("WO2002054790A2", "A"), ("US20030060222A1", "A"), ("WO2003067954A2", "A"), ("US20040097263A1", "A"),
        ("US20040136338A1", "YA"), ("EP1542377A2", "YA")]
    assert {c.cited_by for c in pub.citations} == {"examiner"}
    assert pub.source_rank == SOURCE_RANK["official-biblio"]


def test_ops_parts_never_replace_biblio(sqlite_catalogue: Catalogue, data_dir: Path) -> None:
    ops = _epo(data_dir) / "ops"
    abstract = one("epo-ops", ops / "pdev_get_abstract.xml")
    claims = one("epo-ops", ops / "pdev_get_claims.xml")
    assert abstract.source_rank == claims.source_rank == PARTIAL_RANK
    first = ingest(sqlite_catalogue, [str(ops / "pdev_get_claims.xml")])
    assert first.added == 1
    then = ingest(sqlite_catalogue, [str(ops / "pdev_get_biblio.xml")])
    assert then.updated == 1  # the biblio replaces the claims-only record
    later = ingest(sqlite_catalogue, [str(ops / "pdev_get_abstract.xml"), str(ops / "pdev_get_description.xml")])
    assert (later.added, later.updated, later.unchanged) == (0, 0, 2)
    stored = sqlite_catalogue.get("EP2400812A1")
    assert stored is not None and stored.title == "BLUETOOTH NETWORKING" and not stored.texts_of("claims")


def test_ops_claims_one_per_line(data_dir: Path) -> None:
    ops = _epo(data_dir) / "ops"
    raw = (ops / "pdev_get_claims.xml").read_bytes()
    pub = one("epo-ops", ops / "pdev_get_claims.xml")
    lines = (pub.text("claims", "en") or "").split("\n")
    assert len(lines) == raw.count(b"<claim-text>") == 15
    assert [ln.split(".", 1)[0] for ln in lines] == [str(i) for i in range(1, 16)]
    assert lines[0].startswith("1. A communication device (100) comprising: a first Bluetooth transceiver")
    # one <claim-text> holding all claims after a "Claims" heading
    raw2 = (ops / "pc_published_claims_example_2.xml").read_bytes()
    pub2 = one("epo-ops", ops / "pc_published_claims_example_2.xml")
    lines2 = (pub2.text("claims") or "").split("\n")
    assert pub2.number == "WO2009085664A2"
    assert len(lines2) == len(re.findall(rb"(?m)^\d+\. ", raw2)) == 20
    assert lines2[1] == ("2. The method of claim 1 , wherein the user action inputs text into a Web browser "
                         "user interface.")
    assert lines2[4].endswith("provided in connection with a browser's address bar.")


def test_ops_description_and_bare_fulltext_document(data_dir: Path) -> None:
    ops = _epo(data_dir) / "ops"
    pub = one("epo-ops", ops / "grobid_EP1059354A2_ops_fulltext-document.xml")
    assert (pub.number, pub.doc_type, pub.source_rank) == ("EP1059354A2", "application", PARTIAL_RANK)
    desc = (pub.text("description", "en") or "").split("\n")
    assert desc[0] == "FIELD OF THE INVENTION"
    assert desc[1].startswith("[0001] The present invention relates to isolated polynucleotides")
    # <ref type="npl"> is inline: no space before the closing parenthesis
    assert "(Blattner et al., Science 277:1453 (1997); Goffeau et al., Science 274:546 (1996))." in desc[3]


def test_ops_family_with_legal_events(data_dir: Path) -> None:
    path = _epo(data_dir) / "ops" / "pdev_get_family_with_legal.xml"
    raw = path.read_bytes()
    pubs = {p.number: p for p in pubs_of("epo-ops", path)}
    assert list(pubs) == ["EP2400812A1", "CA2744162A1", "US20120057518A1"]
    members = raw.split(b"<ops:family-member")[1:]
    assert [len(p.legal_events) for p in pubs.values()] == [m.count(b"<ops:legal ") for m in members
                                                            if b"<ops:legal " in m] == [69, 1, 5]
    ep = pubs["EP2400812A1"]
    assert (ep.family_id, ep.family_source, ep.source_rank) == ("43088294", "source", PARTIAL_RANK)
    assert (ep.application_number, ep.application_date) == ("10167109", dt.date(2010, 6, 24))
    assert [(p.country, p.number, p.date) for p in ep.priorities] == [("EP", "10167109", dt.date(2010, 6, 24))]
    first = ep.legal_events[0]
    assert (first.date, first.code, first.description, first.country, first.sequence) == (
        dt.date(2011, 12, 28), "AK", "DESIGNATED CONTRACTING STATES", "EP", 1)
    exam = [e for e in ep.legal_events if e.code == "17P"]
    assert [(e.date, e.description) for e in exam] == [(dt.date(2012, 7, 18), "REQUEST FOR EXAMINATION FILED")]
    ca = pubs["CA2744162A1"].legal_events
    assert [(e.date, e.code, e.description, e.country) for e in ca] == [
        (dt.date(2017, 8, 6), "FZDE", "DISCONTINUED", "CA")]
    us = pubs["US20120057518A1"].legal_events
    assert [(e.code, e.country) for e in us][:2] == [("AS", "US"), ("STCF", "US")]


def test_ops_family_with_biblio(data_dir: Path) -> None:
    pubs = pubs_of("epo-ops", _epo(data_dir) / "ops" / "pdev_get_family_with_biblio.xml")
    assert [p.number for p in pubs] == ["EP2400812A1", "EP2400812B1", "CA2744162A1", "US20120057518A1",
                                        "US9648662B2"]
    assert {p.family_id for p in pubs} == {"43088294"}
    assert [p.doc_type for p in pubs] == ["application", "grant", "application", "application", "grant"]
    assert all(p.source_rank == SOURCE_RANK["official-biblio"] for p in pubs)


def test_ops_register_events(data_dir: Path) -> None:
    path = _epo(data_dir) / "ops" / "pdev_get_register_events.xml"
    raw = path.read_bytes()
    assert b"<ns2:query syntax=\"CQL\">publication=EP2400812</ns2:query>" in raw
    pub = one("epo-ops", path)
    # the response names the publication by number only (no kind)
    assert (pub.number, pub.country, pub.doc_number, pub.kind) == ("EP2400812", "EP", "2400812", None)
    assert len(pub.legal_events) == raw.count(b"<ns3:dossier-event ") == 55
    first, last = pub.legal_events[0], pub.legal_events[-1]
    assert (first.date, first.code, first.description, first.country) == (
        dt.date(2022, 7, 8), "0009250", "Lapse of the patent in a contracting state", "EP")
    assert (last.date, last.code, last.description) == (
        dt.date(2011, 12, 28), "0009012", "Publication in section I.1 EP Bulletin")
    assert pub.source_rank == PARTIAL_RANK


def test_ops_register_biblio(data_dir: Path) -> None:
    pubs = pubs_of("epo-ops", _epo(data_dir) / "ops" / "pdev_get_register_biblio.xml")
    assert [(p.number, p.publication_date) for p in pubs] == [
        ("EP2400812A1", dt.date(2011, 12, 28)), ("EP2400812B1", dt.date(2019, 11, 27))]
    b1 = pubs[1]
    # the newest applicant entry (address changed in 2019) and the register's own spelling
    assert [(p.role, p.name, p.address) for p in b1.parties][:2] == [
        ("applicant", "9Solutions Oy", "Elektroniikkatie 2, 90590 Oulu"),
        ("inventor", "Herrala, Sami", "Ylänkötie 8, 90650, Oulu")]
    assert b1.classes("ipc") == ["H04W84/20", "H04W88/04"]
    assert [(c.cited_number, c.category, c.cited_by) for c in b1.citations][-1] == ("EP1542377", "YA", "examiner")


def test_ops_errors_are_skipped(data_dir: Path) -> None:
    outcomes = read_all("epo-ops", _epo(data_dir) / "ops" / "pdev_testdata_error_404.xml")
    assert outcomes == [Skipped(1, None, "OPS error response 404: Document not found; "
                                         "No published document found for the specified input")]


# ================================================================ all three, both backends

def test_second_ingest_changes_nothing(sqlite_catalogue: Catalogue, data_dir: Path) -> None:
    epo = _epo(data_dir)
    inputs = [str(epo / "publication-server"), str(epo / "docdb"), str(epo / "ops" / "*.xml")]
    first = ingest(sqlite_catalogue, inputs)
    assert first.quarantined == 0
    second = ingest(sqlite_catalogue, inputs)
    stored = first.added + first.updated + first.unchanged
    assert (second.added, second.updated, second.unchanged) == (0, 0, stored)
    assert (second.read, second.skipped) == (first.read, first.skipped)


def test_records_survive_the_catalogue(catalogue: Catalogue, data_dir: Path) -> None:
    epo = _epo(data_dir)
    files = [("epo-pubserver", epo / "publication-server" / "grant_v1-5-B1.xml"),
             ("epo-pubserver", epo / "publication-server" / "application_v1-4-A1.xml"),
             ("epo-docdb", epo / "docdb" / "WO-2022259205-A1_544370561.xml"),
             ("epo-ops", epo / "ops" / "pdev_get_family_with_legal.xml")]
    summary = ingest(catalogue, [str(f) for _, f in files])
    expected = [p for name, f in files for p in pubs_of(name, f)]
    assert summary.added == len(expected) == 6
    for pub in expected:
        stored = catalogue.get(pub.number)
        assert stored is not None, pub.number
        assert stored.content_hash() == pub.content_hash(), pub.number
    legal = catalogue.get("EP2400812A1")
    assert legal is not None and len(legal.legal_events) == 69
