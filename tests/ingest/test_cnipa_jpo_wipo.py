"""CNIPA, JPO and WIPO readers on the real samples in shared/data (cnipa-xml, jpo-xml, wipo).

Expected values were read off the XML files by hand; each test names the file it checks.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from patentdesk.ingest.base import Quarantined, detect, get_reader
from patentdesk.ingest.pipeline import ingest
from patentdesk.ingest.sources import FileSource, expand
from patentdesk.model import Publication
from patentdesk.store.catalogue import Catalogue

OURS = ("cnipa-xml", "jpo-gazette", "wipo-st36", "wipo-st96")
FOLDERS = {"cnipa-xml": "cnipa-xml", "jpo-xml": "jpo-gazette", "wipo/st36": "wipo-st36", "wipo/st96": "wipo-st96"}
EXPECTED_NUMBERS = {
    "cnipa-xml": {"CN103492414A", "CN115212463A", "CN113781974A", "CN113783949A", "CN113784721A",
                  "CN104223352A", "CN104245143A", "CN104245682A", "CN104223590A"},
    "jpo-xml": {"JP2021193879A", "JP2021044377A", "JP2021044249A", "JP2021041306A", "JP2021509175A"},
    "wipo/st36": {"WO2004043551A1", "JP2005518157"},
    "wipo/st96": {"US8936998B2"},
}


def _read(path: Path) -> list[object]:
    src = FileSource(path)
    reader = detect(src)
    assert reader is not None, f"no reader claims {path.name}"
    return list(reader.read(src))


@pytest.fixture(scope="module")
def records(data_dir: Path) -> dict[str, Publication]:
    """Every sample file read once, by file name."""
    out: dict[str, Publication] = {}
    for folder in FOLDERS:
        for src in expand([str(data_dir / folder)]):
            outcomes = _read(Path(src.name))
            assert len(outcomes) == 1 and isinstance(outcomes[0], Publication), (src.name, outcomes)
            out[Path(src.name).name] = outcomes[0]
    return out


def _three_folders(data_dir: Path) -> list[str]:
    return [str(data_dir / "cnipa-xml"), str(data_dir / "jpo-xml"), str(data_dir / "wipo")]


# ------------------------------------------------------------------ detection and counts

def test_every_file_is_claimed_by_its_reader_and_yields_one_record(data_dir: Path) -> None:
    for folder, reader_name in FOLDERS.items():
        numbers = set()
        for src in expand([str(data_dir / folder)]):
            reader = detect(src)
            assert reader is not None and reader.name == reader_name, src.name
            (pub,) = reader.read(src)
            assert isinstance(pub, Publication), (src.name, pub)
            numbers.add(pub.number)
        assert numbers == EXPECTED_NUMBERS[folder], folder


def test_sniffers_leave_other_formats_alone(data_dir: Path) -> None:
    # USPTO and EPO files share ST.36 element names; the publication server's two *_st36*example*
    # files have <ep-patent-document> roots and belong to the EPO reader.
    mine = [get_reader(name) for name in OURS]
    st36_examples = sorted((data_dir / "epo" / "publication-server").glob("*_st36*example*"))
    assert len(st36_examples) == 2
    others = [p for p in data_dir.rglob("*") if p.is_file() and not any(
        (data_dir / f) in p.parents for f in ("cnipa-xml", "jpo-xml", "wipo"))]
    assert len(others) > 100
    for path in others:
        src = FileSource(path)
        head = src.head(65536)
        claimed = [r.name for r in mine if r.sniff(src, head)]
        assert not claimed, f"{path} claimed by {claimed}"


def test_ingest_counts(data_dir: Path, sqlite_catalogue: Catalogue) -> None:
    summary = ingest(sqlite_catalogue, _three_folders(data_dir))
    assert summary.counts() == {"files": 17, "read": 17, "added": 17, "updated": 0, "unchanged": 0,
                                "skipped": 0, "quarantined": 0}
    stats = sqlite_catalogue.stats()
    assert stats["by_source"] == {"cnipa-xml": 9, "jpo-gazette": 5, "wipo-st36": 2, "wipo-st96": 1}
    assert stats["by_country"] == {"CN": 9, "JP": 6, "WO": 1, "US": 1}
    assert sqlite_catalogue.count() == 17


# ------------------------------------------------------------------ CNIPA, old layout

def test_cn_old_layout_record(records: dict[str, Publication]) -> None:
    pub = records["cn_old1.xml"]
    assert (pub.number, pub.country, pub.doc_number, pub.kind, pub.doc_type) == (
        "CN104223352A", "CN", "104223352", "A", "application")
    assert pub.publication_date == dt.date(2014, 12, 24)
    assert (pub.application_number, pub.application_date) == ("201410408762.5", dt.date(2014, 8, 19))
    assert pub.priorities == () and pub.earliest_priority_date == dt.date(2014, 8, 19)
    assert pub.title == "一种甘草发酵所得烟用香料及其应用"
    assert {t.lang for t in pub.texts} == {"zh"} and pub.lang == "zh"
    claims = pub.text("claims").split("\n")
    assert len(claims) == 3
    # the claim is wrapped over four lines with <br/> in the XML; Chinese joins without spaces
    assert claims[0] == ("1.一种甘草发酵所得烟用香料，其特征在于：将甘草片或甘草粉与水按1:5～1:50的质量比配制成"
                         "发酵培养基，高压灭菌后按1％的质量比接种长孢洛德酵母CGMCC6645，发酵培养2天后对发酵液进行"
                         "过滤浓缩，即得所需烟用香料。")
    assert claims[2].startswith("3.权利要求1所述甘草发酵所得烟用香料在卷烟生产中的应用")
    assert pub.applicants == ["云南中烟工业有限责任公司"]
    (applicant,) = pub.parties_of("applicant")
    assert applicant.address == "650231 云南省昆明市五华区红锦路367号云烟科技园C区"
    assert pub.inventors == ["段焰青", "者为", "李青青", "叶灵", "张伟", "夏建军", "党立志", "王文元"]
    assert [p.name for p in pub.parties_of("agent")] == ["昆明协立知识产权代理事务所(普通合伙) 53108", "谢嘉", "旃习涵"]
    assert pub.classes("ipc") == ["A24B15/18", "C11B9/00", "C12P1/02", "C12R1/645"]
    assert {c.version for c in pub.classifications} == {"20060101"}
    # the abstract's bio-deposit paragraph is data, not text
    assert pub.abstract is not None and "2012.10.08" not in pub.abstract
    description = pub.text("description")
    assert description is not None and description.split("\n")[:2] == [
        "技术领域", "本发明属于卷烟香精香料技术领域，具体是涉及一种用酵母菌发酵甘草后得到的烟用香料。"
        "同时，本发明还涉及该烟用香料在卷烟生产中的具体应用。"]
    assert "3×3cm2的组织块" in description  # 3×3cm<sup>2</sup>: inline markup adds no space
    assert pub.family_source == "priorities" and pub.family_id


def test_cn_big_file_with_stylesheet_line_is_one_document(records: dict[str, Publication]) -> None:
    # 200880114428_A.xml: <cn-patent-document> root after an <?xml-stylesheet?> line, 44 claims
    pub = records["200880114428_A.xml"]
    assert pub.number == "CN103492414A" and pub.publication_date == dt.date(2014, 1, 1)
    assert (pub.application_number, pub.application_date) == ("200880114428.1", dt.date(2008, 10, 29))
    assert [(p.country, p.number, p.date) for p in pub.priorities] == [("US", "60/984,910", dt.date(2007, 11, 2))]
    assert pub.earliest_priority_date == dt.date(2007, 11, 2)
    assert pub.title == "抗HEPCIDIN抗体及其用途"
    claims = pub.text("claims").split("\n")
    assert len(claims) == 44
    assert claims[1] == ("2.权利要求1的抗体，其中通过在25℃SPR确定，抗体具有与人hepcidin-25的解离速率(Koff)在"
                         "约8.5x 10-3s-1和约1.8x10-4s-1之间。")
    assert claims[-1] == "44.用于实施免疫测定的试剂盒，其包括根据权利要求1-23或40中任一项的抗体。"
    assert pub.applicants == ["伊莱利利公司"] and pub.parties_of("applicant")[0].address == "美国印第安纳州"
    assert pub.classes("ipc") == ["C07K16/18"]
    assert {(i.scheme, i.value) for i in pub.identifiers} == {("pct-application", "PCT/US2008/081493"),
                                                              ("wo-publication", "WO2009058797")}


def test_cn_old_layout_single_line_file(records: dict[str, Publication]) -> None:
    # cn_old3.xml: no line breaks between elements, PCT filing without a WO publication
    pub = records["cn_old3.xml"]
    assert pub.number == "CN104245682A" and pub.title == "马来酸伊索拉定的制造方法"
    assert pub.applicants == ["日本新药株式会社"] and pub.inventors == ["服部正之"]
    assert pub.classes("ipc") == ["C07D251/18"]
    assert [(i.scheme, i.value) for i in pub.identifiers] == [("pct-application", "PCT/JP2014/059529")]
    assert len(pub.text("claims").split("\n")) == 5
    # "的制\n\t\t造方法" in the XML: a typesetting break inside a word
    assert "本发明涉及2,4-二氨基-6-(2,5-二氯苯基)-1,3,5-三嗪马来酸盐的制造方法。" in pub.text("description")


def test_cn_old_layout_priorities(records: dict[str, Publication]) -> None:
    pub = records["cn_old2.xml"]
    assert pub.number == "CN104245143A"
    assert [p.number for p in pub.priorities] == ["10-2013-0033547", "10-2013-0033737", "10-2013-0052725",
                                                  "10-2013-0052726", "10-2013-0138112", "10-2013-0138117"]
    assert {p.country for p in pub.priorities} == {"KR"}
    assert pub.earliest_priority_date == dt.date(2013, 3, 28)
    assert pub.applicants == ["可隆科技特株式会社", "盛源立赛科株式会社"]
    assert len(pub.text("claims").split("\n")) == 43


# ------------------------------------------------------------------ CNIPA, new layout

def test_cn_new_layout_record(records: dict[str, Publication]) -> None:
    pub = records["cn_new1.xml"]
    assert (pub.number, pub.kind, pub.doc_type, pub.publication_date) == (
        "CN113781974A", "A", "application", dt.date(2021, 12, 10))
    # the printed forms (dataFormat="original"), not 102021001286633 / 102016000063019
    assert (pub.application_number, pub.application_date) == ("202111286633.X", dt.date(2017, 4, 24))
    assert [(p.country, p.number, p.date, p.sequence) for p in pub.priorities] == [
        ("KR", "10-2016-0063019", dt.date(2016, 5, 23), 1)]
    assert pub.title == "显示设备"
    claims = pub.text("claims").split("\n")
    assert len(claims) == 17
    assert claims[0] == (
        "1.显示设备，包括：显示面板，所述显示面板包括：多个像素，所述多个像素排列成多行和多列；多条栅线，所述多条栅线处于"
        "第一方向上并且连接至所述多个像素；以及多条数据线，所述多条数据线连接至所述多个像素，其中，k个像素位于所述多行中的"
        "第a行中，n个像素位于所述多行中在第一行与作为最后一行的第m行之间的第e行至第f行中的每个中，并且数量等于或多于k且"
        "少于n的像素处于剩余行中的每个中，其中a、k、e、f、m和n为自然数并且f等于或大于e，其中，n>k，以及其中，L条数据线"
        "排列在所述第a行的每个第一区域中，所述第一区域是k-1个区域，所述k-1个区域中的每个被定义为所述第a行中的彼此相邻的"
        "两个像素之间的区域，其中L是基于通过将n除以k获得的值的自然数，使得n＝k*Q+b，b和Q是自然数，其中：当b＝0时，"
        "L＝n/k，并且当b大于0时，L等于Q和Q+1之一，其中Q+1个数据线排列在b个第一区域中，Q个数据线排列在剩余第一区域中。")
    (applicant,) = pub.parties_of("applicant")
    # address parts printed as "0" are placeholders
    assert (applicant.name, applicant.country, applicant.city, applicant.address) == (
        "三星显示有限公司", "KR", None, "韩国京畿道")
    assert pub.inventors == ["金驲柱", "田武经", "李安洙"]
    assert [p.name for p in pub.parties_of("agent")] == ["北京英赛嘉华知识产权代理有限责任公司 11204", "王达佐", "刘铮"]
    assert pub.classes("ipc") == ["G09G3/36", "G09G3/3208", "G09G3/34"]
    assert [c.version for c in pub.classifications] == ["20060101", "20160101", "20060101"]
    assert pub.abstract is not None and pub.abstract.startswith("公开了一种显示设备。")
    assert pub.text("description").split("\n")[0] == "相关申请的交叉引用"


def test_cn_new_layout_with_doctype_and_pct(records: dict[str, Publication]) -> None:
    # CN1020150...XML declares an external DTD (never fetched) and has no priority claim
    pub = records["CN102015000481495CN00001152124630AFULZH20221021CN00D.XML"]
    assert pub.number == "CN115212463A" and pub.publication_date == dt.date(2022, 10, 21)
    assert pub.application_number == "201510481495.9" and pub.earliest_priority_date == dt.date(2015, 8, 7)
    assert pub.title == "一种医用放射治疗装置"
    (applicant,) = pub.parties_of("applicant")
    assert (applicant.name, applicant.country, applicant.city) == ("北京大基康明医疗设备有限公司", "CN", "北京市")
    assert pub.classes("ipc") == ["A61N5/00"]
    assert len(pub.text("claims").split("\n")) == 12
    # cn_new3.xml: 8 priorities given twice each (original and standard), a national phase entry
    pub = records["cn_new3.xml"]
    assert pub.number == "CN113784721A" and len(pub.priorities) == 8
    assert [p.number for p in pub.priorities][:2] == ["62/982,670", "62/994,206"]
    assert pub.earliest_priority_date == dt.date(2020, 2, 27)
    assert {(i.scheme, i.value) for i in pub.identifiers} == {("pct-application", "PCT/US2021/019468"),
                                                              ("wo-publication", "WO2021173713")}
    assert pub.applicants == ["阿堤亚制药公司"] and pub.text("claims").split("\n")[-1].startswith("111.")


# ------------------------------------------------------------------ JPO

def test_jpo_record(records: dict[str, Publication]) -> None:
    pub = records["2021193879.xml"]
    assert (pub.number, pub.country, pub.doc_number, pub.kind, pub.doc_type) == (
        "JP2021193879A", "JP", "2021193879", "A", "application")
    assert pub.publication_date == dt.date(2021, 12, 27)
    assert (pub.application_number, pub.application_date) == ("2020100059", dt.date(2020, 6, 9))
    assert pub.lang == "ja" and {t.lang for t in pub.texts} == {"ja"}
    assert pub.title == "練り製品管理装置、モデル生成装置、練り製品管理方法、モデル生成方法、及びプログラム"
    claims = pub.text("claims").split("\n")
    assert len(claims) == 15
    assert claims[1] == ("2. 請求項１に記載の練り製品管理装置において、前記温度条件は、前記温度及び温度を制御する"
                         "パラメータの少なくとも一方と、前記湿度と、の双方を含む練り製品管理装置。")
    assert pub.abstract is not None and pub.abstract.startswith("【課題】練り製品の温度制御工程において、")
    assert "【解決手段】練り製品管理装置３０は" in pub.abstract  # full-width digits as printed
    assert pub.applicants == ["日本水産株式会社"]
    assert pub.parties_of("applicant")[0].address == "東京都港区西新橋一丁目３番１号"
    assert pub.inventors == ["畑中 弘紀", "岡田 賢二"]
    assert [p.name for p in pub.parties_of("agent")] == ["速水 進治", "天城 聡"]
    assert pub.classes("ipc") == ["A23L17/00", "G05B19/418"]
    ipc = [c for c in pub.classifications if c.scheme == "ipc"]
    assert [(c.version, c.level, c.value) for c in ipc] == [("20160101", "A", "I"), ("20060101", "A", "I")]
    assert pub.classes("fi") == ["A23L17/00 101H", "G05B19/418 Z", "A23L17/00 101Z"]
    fterms = pub.classes("fterm")
    assert len(fterms) == 11 and fterms[0] == "3C100AA22" and fterms[-1] == "4B034LT48"
    (citation,) = pub.citations
    assert (citation.kind, citation.cited_number, citation.text) == ("patent", None, "特開平８−９９３２号公報")


def test_jpo_pct_translation_and_citations(records: dict[str, Publication]) -> None:
    # jp_example4.xml: kind-of-jp "T" (公表), ST.16 kind A
    pub = records["jp_example4.xml"]
    assert pub.number == "JP2021509175A" and pub.kind == "A"
    assert [(p.country, p.number) for p in pub.priorities] == [("KR", "10-2018-0000830"), ("KR", "10-2018-0000831")]
    assert pub.earliest_priority_date == dt.date(2018, 1, 3)
    assert {(i.scheme, i.value) for i in pub.identifiers} == {("pct-application", "PCT/KR2018/016728"),
                                                              ("wo-publication", "WO2019135546")}
    assert pub.applicants == ["シージー バイオ カンパニー，リミテッド"]
    assert pub.classes("fi") == ["G01F17/00 C", "G01F1/44", "A61B5/107"]
    # jp_example1.xml cites 特許第６１５１５５７号公報 and 特許第３０７６１７９号公報
    assert [c.cited_number for c in records["jp_example1.xml"].citations] == ["JP6151557", "JP3076179"]
    assert len(records["jp_example1.xml"].inventors) == 10


def test_jpo_claims_come_from_the_publication_not_the_amendment(records: dict[str, Publication]) -> None:
    # jp_example2.xml prints 20 claims, then a written amendment with 17 (number-of-claims says 17)
    pub = records["jp_example2.xml"]
    claims = pub.text("claims").split("\n")
    assert len(claims) == 20 and claims[-1].startswith("20. ")
    assert pub.title == "リチウムイオン電池のリサイクル方法"  # 電, not the simplified 电


# ------------------------------------------------------------------ WIPO

def test_wipo_st36_example(records: dict[str, Publication]) -> None:
    pub = records["grobid_st36-sample-1.xml"]
    # <doc-number>043551</doc-number> published 2004-05-27 is WO 2004/043551
    assert (pub.number, pub.doc_number, pub.kind, pub.doc_type) == ("WO2004043551A1", "2004043551", "A1",
                                                                     "application")
    assert pub.publication_date == dt.date(2004, 5, 27) and pub.lang == "en"
    assert (pub.application_country, pub.application_number, pub.application_date) == (
        "WO", "PCT/GB2003/004926", dt.date(2003, 11, 13))
    assert [(p.country, p.number, p.date) for p in pub.priorities] == [("GB", "0226470.3", dt.date(2002, 11, 13))]
    assert pub.title == "GOLF TEE DEVICE"
    claims = pub.text("claims").split("\n")
    assert len(claims) == 3 and claims[1] == ("2. A device according to claim 1, wherein the means to prevent "
                                              "movement prevents axial movement of the tee member relative to the "
                                              "holder member.")
    assert pub.applicants == ["WORLD GOLF SYSTEMS LTD (GB)", "THIRKETTLE, John", "EMMERSON, Geoffrey"]
    first = pub.parties_of("applicant")[0]
    assert (first.country, first.city, first.kind) == ("GB", "Watford", "organization")
    assert pub.inventors == ["THIRKETTLE, John", "EMMERSON, Geoffrey"]  # app-type applicant-inventor
    assert [p.name for p in pub.parties_of("agent")] == ["POWELL, Stephen David"]
    assert pub.classes("ipc") == ["A63B57/00"]
    examiner = [(c.cited_number, c.category, c.cited_date) for c in pub.citations if c.cited_by == "examiner"]
    assert examiner == [("GB2364924A", "X", dt.date(2002, 2, 13)), ("US5248144A", "X", dt.date(1993, 9, 28))]
    assert [c.cited_number for c in pub.citations if c.cited_by == "applicant"] == ["WO1999037368", "US6083121"]
    assert "Table 1 Tee type Length (mm) Colour Wooden 40.4 red" in pub.text("description")


def test_wipo_st36_text_body_is_stored_under_its_root_number(records: dict[str, Publication]) -> None:
    # grobid_JP2005518157.xml: no bibliographic block; root country="JP" docnumber="2005518157"
    pub = records["grobid_JP2005518157.xml"]
    assert (pub.number, pub.kind, pub.publication_date, pub.doc_type) == ("JP2005518157", None, None, "application")
    assert pub.lang == "ja" and pub.title is None and pub.parties == ()
    assert sorted(t.kind for t in pub.texts) == ["abstract", "claims", "description"]
    # the first <claims> (10 claims); the 9 amended claims after the drawings are left out
    claims = pub.text("claims").split("\n")
    assert len(claims) == 10 and claims[0].startswith("1. デジタルカメラであって、筐体と、")
    assert pub.abstract is not None and pub.abstract.startswith("カメラ外部のページ上へ、")


def test_wipo_st96_example(records: dict[str, Publication]) -> None:
    pub = records["PatentPublication_Example.xml"]
    assert (pub.number, pub.doc_number, pub.kind, pub.doc_type) == ("US8936998B2", "8936998", "B2", "grant")
    assert pub.publication_date == dt.date(2015, 1, 20)
    assert (pub.application_number, pub.application_date) == ("13797521", dt.date(2013, 3, 12))
    assert [(p.country, p.number, p.date) for p in pub.priorities] == [("JP", "2007-290922", dt.date(2007, 11, 8))]
    assert pub.title == "Manufcaturing method for room-temperature substrate bonding"  # sic
    claims = pub.text("claims").split("\n")
    assert len(claims) == 10
    assert claims[1] == ("2. The device manufacture method according to claim 1, wherein said first surface is "
                         "subject to sputtering after said bonding functional intermediate layer is formed thereon.")
    assert claims[0].startswith("1. A device manufacture method, comprising: sputtering a first surface of a first "
                                "substrate mainly containing silicon dioxide; and preparing a bonded substrate")
    assert pub.inventors == ["Utsumi, Jun", "Goto, Takayuki", "Ide, Kensuke", "Takagi, Hideki", "Funayama, Masahiro"]
    assert [p.name for p in pub.parties_of("assignee")] == [
        "Mitsubishi Heavy Industries, Ltd.", "National Institute of Advanced Industrial Science and Technology"]
    assert [p.name for p in pub.parties_of("agent")] == ["Birch, Stewart, Kolasch & Birch, LLP"]
    assert pub.classes("ipc") == ["H01L21/30", "H01L21/302", "H01L21/324", "H01L21/20", "H01L23/00",
                                  "H01L31/0203"]
    cpc = pub.classes("cpc")
    assert len(cpc) == 24 and cpc[0] == "H01L21/2007" and cpc[-1] == "H01L2924/014"
    patents = [c for c in pub.citations if c.kind == "patent"]
    npl = [c for c in pub.citations if c.kind == "npl"]
    assert len(patents) == 17 and len(npl) == 13
    assert (patents[0].cited_number, patents[0].cited_by, patents[0].cited_date) == (
        "US6054363A", "applicant", dt.date(2000, 4, 1))
    assert (patents[4].cited_number, patents[4].cited_by) == ("US20040235266A1", "examiner")
    assert npl[0].text == "Gary S. May, Fundamantals of Semiconductor Fabrication,2004, John Wiley and Sons, pp. 41-45."
    assert "SiO2 base material" in pub.text("description")  # SiO<com:Sub>2 </com:Sub>base


# ------------------------------------------------------------------ rejections

def _edited(source: Path, out: Path, *replacements: tuple[bytes, bytes]) -> Path:
    """A copy of a sample with some bytes replaced (each must be there)."""
    data = source.read_bytes()
    for old, new in replacements:
        assert old in data, old
        data = data.replace(old, new)
    out.write_bytes(data)
    return out


def test_documents_without_a_usable_number_or_date_are_quarantined(data_dir: Path, tmp_path: Path,
                                                                   sqlite_catalogue: Catalogue) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    _edited(data_dir / "wipo/st36/grobid_JP2005518157.xml", bad / "st36-no-number.xml",
            (b' country="JP" docnumber="2005518157"', b""))
    _edited(data_dir / "wipo/st36/grobid_st36-sample-1.xml", bad / "st36-wo-no-year.xml",
            (b'date-published="20040527"', b""), (b"<date>20040527</date>", b""))
    _edited(data_dir / "cnipa-xml/cn_new2.xml", bad / "cn-bad-date.xml",
            (b"<base:Date>20211210</base:Date>", b"<base:Date>20211310</base:Date>"))
    _edited(data_dir / "jpo-xml/jp_example3.xml", bad / "jp-no-number.xml",
            (b"<doc-number>2021041306</doc-number>", b""))
    summary = ingest(sqlite_catalogue, [str(bad)])
    assert (summary.read, summary.added, summary.quarantined) == (4, 0, 4)
    reasons = {Path(r["file"]).name: r["reason"] for r in sqlite_catalogue.rejections("quarantined")}
    assert "no publication number" in reasons["st36-no-number.xml"]
    assert "WO number '043551' lacks its year" in reasons["st36-wo-no-year.xml"]
    assert "publication date is not a date: '20211310'" in reasons["cn-bad-date.xml"]
    assert "no publication number" in reasons["jp-no-number.xml"]


def test_reader_outcomes_for_a_broken_file_name_the_position(data_dir: Path, tmp_path: Path) -> None:
    path = _edited(data_dir / "cnipa-xml/cn_old4.xml", tmp_path / "truncated.xml", (b"</cn-patent-document>", b""))
    (outcome,) = get_reader("cnipa-xml").read(FileSource(path))
    assert isinstance(outcome, Quarantined)
    assert outcome.position == 1 and "malformed XML" in outcome.reason


# ------------------------------------------------------------------ store: both backends

def test_ingest_is_idempotent_and_round_trips(data_dir: Path, catalogue: Catalogue,
                                               records: dict[str, Publication]) -> None:
    first = ingest(catalogue, _three_folders(data_dir))
    assert (first.added, first.quarantined, first.skipped) == (17, 0, 0)
    again = ingest(catalogue, _three_folders(data_dir))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 17)
    assert catalogue.count() == 17
    for name in ("cn_new1.xml", "cn_old1.xml", "2021193879.xml", "grobid_st36-sample-1.xml",
                 "PatentPublication_Example.xml", "grobid_JP2005518157.xml"):
        stored = catalogue.get(records[name].number)
        assert stored is not None and stored.content_hash() == records[name].content_hash(), name
    cn = catalogue.get("CN113781974A")
    assert cn is not None and cn.title == "显示设备" and cn.applicants == ["三星显示有限公司"]
    assert catalogue.lookup("CN 113781974") == ["CN113781974A"]
    jp = catalogue.get("JP2021193879A")
    assert jp is not None and jp.classes("fi") == ["A23L17/00 101H", "G05B19/418 Z", "A23L17/00 101Z"]


def test_traditional_chinese_is_stored_as_printed(data_dir: Path, tmp_path: Path, catalogue: Catalogue) -> None:
    # no sample carries traditional characters, so cn_old3.xml is given a traditional title
    traditional = "馬來酸伊索拉定的製造方法"
    path = _edited(data_dir / "cnipa-xml/cn_old3.xml", tmp_path / "cn_old3_traditional.xml",
                   ("马来酸伊索拉定的制造方法".encode(), traditional.encode()))
    summary = ingest(catalogue, [str(path)])
    assert summary.added == 1
    stored = catalogue.get("CN104245682A")
    assert stored is not None and stored.title == traditional


def test_same_document_from_another_file_is_unchanged(data_dir: Path, tmp_path: Path,
                                                      sqlite_catalogue: Catalogue) -> None:
    copy = tmp_path / "renamed" / "CN104223352A.xml"
    copy.parent.mkdir()
    shutil.copyfile(data_dir / "cnipa-xml" / "cn_old1.xml", copy)
    (a,) = _read(data_dir / "cnipa-xml" / "cn_old1.xml")
    (b,) = _read(copy)
    assert isinstance(a, Publication) and isinstance(b, Publication)
    assert a.content_hash() == b.content_hash()
    ingest(sqlite_catalogue, [str(data_dir / "cnipa-xml" / "cn_old1.xml")])
    summary = ingest(sqlite_catalogue, [str(copy)])
    assert (summary.added, summary.unchanged) == (0, 1)
