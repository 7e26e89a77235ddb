"""Hostile and broken input: every file of the bad-input folder, and hostile archives built here.

Nothing may crash the run, leak a local file into the catalogue, or store a record from a refused
archive; every rejection names file, position and a reason a librarian can act on.
"""

from __future__ import annotations

import io
import json
import tarfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from patentdesk.cli import EXIT_QUARANTINED, main
from patentdesk.ingest.pipeline import IngestSummary, ingest
from patentdesk.store.catalogue import Catalogue

BAD_FILES = ["billion-laughs.xml", "binary-garbage.xml", "declared-utf8-but-latin1.xml", "empty.xml",
             "lens-export-malformed-rows.csv", "not-a-patent.xml", "truncated-grant.xml",
             "weekly-with-one-broken-document.xml", "xxe-external-entity.xml"]


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Iterator[tuple[Catalogue, IngestSummary]]:
    cat = Catalogue(f"sqlite:///{tmp_path_factory.mktemp('bad') / 'cat.sqlite'}")
    summary = ingest(cat, [str(data_dir / "bad-input")])
    yield cat, summary
    cat.close()


def errors_for(summary: IngestSummary, name: str) -> list[dict[str, Any]]:
    return [e for e in summary.errors if Path(str(e["file"]).split("!")[0]).name == name]


def rejections_for(cat: Catalogue, name: str) -> list[dict[str, Any]]:
    return [r for r in cat.rejections() if Path(r["file"]).name == name]


def everything_stored(cat: Catalogue) -> str:
    """All text the catalogue holds: records, rejection reasons and excerpts."""
    chunks = [json.dumps(p.to_dict(), ensure_ascii=False) for p in cat.iter_publications()]
    chunks += [json.dumps(r, default=str, ensure_ascii=False) for r in cat.rejections()]
    return "\n".join(chunks)


def test_folder_is_what_the_tests_expect(data_dir: Path) -> None:
    assert sorted(p.name for p in (data_dir / "bad-input").iterdir()) == BAD_FILES


def test_run_finishes_and_counts(bad_run: tuple[Catalogue, IngestSummary]) -> None:
    cat, summary = bad_run
    assert summary.files == len(BAD_FILES)
    assert summary.skipped == 1  # not-a-patent.xml
    # every XML file but the good documents and not-a-patent is quarantined exactly once
    for name in ("billion-laughs.xml", "binary-garbage.xml", "declared-utf8-but-latin1.xml", "empty.xml",
                 "truncated-grant.xml", "weekly-with-one-broken-document.xml", "xxe-external-entity.xml"):
        assert len(errors_for(summary, name)) == 1, name
    runs = cat.runs(1)
    assert runs[0].status == "finished"


def test_xxe_refused_and_nothing_leaks(bad_run: tuple[Catalogue, IngestSummary]) -> None:
    cat, summary = bad_run
    [err] = errors_for(summary, "xxe-external-entity.xml")
    assert "external entity" in err["reason"] and "refused" in err["reason"]
    assert cat.lookup("US9999991") == []
    stored = everything_stored(cat)
    passwd = Path("/etc/passwd")
    if passwd.exists():
        for line in passwd.read_text(errors="replace").splitlines()[:5]:
            if line.strip():
                assert line not in stored
    assert "root:x:0:0" not in stored
    assert "root:x:0:0" not in json.dumps(summary.errors)


def test_billion_laughs_refused_quickly(sqlite_catalogue: Catalogue, data_dir: Path) -> None:
    started = time.perf_counter()
    summary = ingest(sqlite_catalogue, [str(data_dir / "bad-input/billion-laughs.xml")])
    assert time.perf_counter() - started < 5
    [err] = summary.errors
    assert "entit" in err["reason"] and "refused" in err["reason"]
    assert sqlite_catalogue.count() == 0
    assert "lollol" not in everything_stored(sqlite_catalogue)


def test_wrong_declared_encoding_has_a_clear_reason(bad_run: tuple[Catalogue, IngestSummary]) -> None:
    _cat, summary = bad_run
    [err] = errors_for(summary, "declared-utf8-but-latin1.xml")
    assert "declared encoding is UTF-8" in err["reason"] and "Latin-1" in err["reason"]
    assert "byte 0xe9" in err["reason"]
    assert err["record"] == "USD656296S1" and err["position"] == 1


def test_empty_and_binary_files_quarantined(bad_run: tuple[Catalogue, IngestSummary]) -> None:
    cat, summary = bad_run
    [empty] = errors_for(summary, "empty.xml")
    assert "empty" in empty["reason"]
    [binary] = errors_for(summary, "binary-garbage.xml")
    assert "binary" in binary["reason"]
    for name in ("empty.xml", "binary-garbage.xml"):
        [rej] = rejections_for(cat, name)
        assert rej["disposition"] == "quarantined" and rej["reason"]


def test_truncated_grant_quarantined(bad_run: tuple[Catalogue, IngestSummary]) -> None:
    cat, summary = bad_run
    [err] = errors_for(summary, "truncated-grant.xml")
    assert err["position"] == 1 and err["record"] == "USD656296S1"
    assert err["reason"].startswith("malformed XML")
    [rej] = rejections_for(cat, "truncated-grant.xml")
    assert rej["excerpt"] and rej["excerpt"].startswith("<?xml")
    # the same design arrives whole nowhere in this folder, so it is not in the catalogue
    assert cat.lookup("USD656296S1") == []


def test_weekly_file_keeps_the_good_documents(bad_run: tuple[Catalogue, IngestSummary]) -> None:
    cat, summary = bad_run
    # documents 1, 3 and 4 of the file are well formed (checked with a plain parser)
    for number in ("USD584230S1", "USD584392S1", "US7472552B2"):
        p = cat.get(number)
        assert p is not None, number
        assert p.provenance and p.provenance.file.endswith("weekly-with-one-broken-document.xml")
        assert p.title
    assert {p.provenance.position for p in cat.iter_publications()
            if p.provenance and p.provenance.file.endswith("weekly-with-one-broken-document.xml")} == {1, 3, 4}
    [err] = errors_for(summary, "weekly-with-one-broken-document.xml")
    assert err["position"] == 2 and err["record"] == "USD584295S1"
    assert "document starting at line 317" in err["reason"] and "malformed XML" in err["reason"]
    assert cat.lookup("USD584295S1") == []


def test_not_a_patent_is_skipped(bad_run: tuple[Catalogue, IngestSummary]) -> None:
    cat, _ = bad_run
    [rej] = rejections_for(cat, "not-a-patent.xml")
    assert rej["disposition"] == "skipped" and "<a>" in rej["reason"] and "not a patent" in rej["reason"]


def test_malformed_lens_csv_does_not_break_the_run(bad_run: tuple[Catalogue, IngestSummary]) -> None:
    # that format has its own tests; here it only must not stop the others
    cat, summary = bad_run
    assert summary.files == len(BAD_FILES)
    assert cat.runs(1)[0].status == "finished"


def test_cli_exit_status_3_when_anything_is_quarantined(tmp_path: Path, data_dir: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["ingest", "--home", str(tmp_path / "h1"), "--json",
                               str(data_dir / "bad-input/truncated-grant.xml")])
    assert res.exit_code == EXIT_QUARANTINED == 3
    assert json.loads(res.output)["quarantined"] == 1
    res = runner.invoke(main, ["ingest", "--home", str(tmp_path / "h2"), str(data_dir / "bad-input")])
    assert res.exit_code == 3
    res = runner.invoke(main, ["ingest", "--home", str(tmp_path / "h3"), "--json",
                               str(data_dir / "bad-input/not-a-patent.xml")])
    assert res.exit_code == 0, res.output  # skipped is not quarantined
    assert json.loads(res.output)["skipped"] == 1


# ----------------------------------------------------------------------------------- entities

def test_image_entities_pass_but_an_external_one_beside_them_is_refused(tmp_path: Path,
                                                                       sqlite_catalogue: Catalogue) -> None:
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE PATDOC SYSTEM "ST32-US-Grant-025xml.dtd" [\n'
            '<!ENTITY US06500002-20030101-D00000.TIF SYSTEM "US06500002-20030101-D00000.TIF" NDATA TIF>\n')
    body = (']>\n<PATDOC DTD="2.5"><SDOBI><B100><B110><DNUM><PDAT>06500002</PDAT></DNUM></B110><B130><PDAT>B1'
            '</PDAT></B130><B140><DATE><PDAT>20030101</PDAT></DATE></B140></B100><B500><B540><STEXT><PDAT>'
            'Title &secret;</PDAT></STEXT></B540></B500></SDOBI></PATDOC>\n')
    ok = tmp_path / "images.xml"
    ok.write_text(head + body.replace(" &secret;", ""), encoding="utf-8")
    hostile = tmp_path / "hostile.xml"
    hostile.write_text(head + '<!ENTITY secret SYSTEM "file:///etc/passwd">\n' + body, encoding="utf-8")
    summary = ingest(sqlite_catalogue, [str(ok), str(hostile)])
    assert summary.added == 1 and sqlite_catalogue.lookup("US6500002B1") == ["US6500002B1"]
    [err] = summary.errors
    assert Path(err["file"]).name == "hostile.xml" and "external entity" in err["reason"]
    assert "root:x:0:0" not in everything_stored(sqlite_catalogue)


# ----------------------------------------------------------------------------------- archives

def _good_doc(data_dir: Path) -> bytes:
    return (data_dir / "uspto-xml/single/ipg100824-hyphenated.xml").read_bytes()


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data)
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == sorted(members)  # the hostile names really are in the archive
    return path


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    with tarfile.open(path) as tf:
        assert sorted(tf.getnames()) == sorted(members)
    return path


@pytest.mark.parametrize("hostile", ["../escape.xml", "docs/../../escape.xml", "/tmp/escape.xml"])
@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_archive_with_escaping_member_is_refused(tmp_path: Path, data_dir: Path, sqlite_catalogue: Catalogue,
                                                 hostile: str, kind: str) -> None:
    members = {"a-good-one.xml": _good_doc(data_dir), hostile: _good_doc(data_dir)}
    path = tmp_path / f"weekly.{kind}"
    (_zip if kind == "zip" else _tar)(path, members)
    summary = ingest(sqlite_catalogue, [str(path)])
    assert summary.added == 0 and sqlite_catalogue.count() == 0
    [err] = summary.errors
    assert err["file"] == str(path)
    assert "refused" in err["reason"] and hostile in err["reason"]
    assert ("absolute" in err["reason"]) if hostile.startswith("/") else ("'..'" in err["reason"])
    assert not (tmp_path / "escape.xml").exists() and not Path("/tmp/escape.xml").exists()


def test_zip_of_weekly_slices_loads_the_same_records_as_the_files(tmp_path: Path, data_dir: Path,
                                                                   make_catalogue: Any) -> None:
    files = [data_dir / "uspto-xml/weekly-slices/ipg050104.small.xml",
             data_dir / "uspto-xml/weekly-slices/ipg130416.small.xml"]
    archive = _zip(tmp_path / "weekly.zip", {f.name: f.read_bytes() for f in files})
    plain, zipped = make_catalogue("sqlite"), make_catalogue("sqlite")
    s1 = ingest(plain, [str(f) for f in files])
    s2 = ingest(zipped, [str(archive)])
    assert s1.counts() == s2.counts()
    assert (s2.files, s2.added, s2.skipped, s2.quarantined) == (2, 50, 2, 0)
    a = {p.number: p.content_hash() for p in plain.iter_publications()}
    b = {p.number: p.content_hash() for p in zipped.iter_publications()}
    assert a == b and len(a) == 50
    p = zipped.get("US8421615B2")
    assert p and p.provenance and p.provenance.file == f"{archive}!ipg130416.small.xml" and p.provenance.position == 27
