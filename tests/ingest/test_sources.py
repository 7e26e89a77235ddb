"""What the user types becomes sources: files, folders, globs, archives read in place, and detection."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from pathlib import Path
from typing import Iterator

import pytest

from patentdesk.errors import UnsafeInput, UserError
from patentdesk.ingest import base
from patentdesk.ingest.base import Outcome, Reader, Source, detect
from patentdesk.ingest.sources import FileSource, MemberSource, archive_members, expand

GRANT = "uspto-xml/single/ipg120327.one.xml"
DESIGN = "uspto-xml/single/2009_1.xml"


def _names(inputs: list[str]) -> list[str]:
    return [s.name for s in expand(inputs)]


def _read(source: Source) -> bytes:
    with source.open() as f:
        return f.read()


# ------------------------------------------------------------------------------------- folders

def test_folder_recurses_in_sorted_order_and_skips_metadata(tmp_path: Path) -> None:
    for rel in ["b/2.xml", "b/1.xml", "a/z/9.xml", "a/0.xml", "c.xml", "README.md", "b/PROVENANCE.txt",
                ".hidden.xml", "a/.DS_Store"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"<x/>")
    got = [Path(n).relative_to(tmp_path).as_posix() for n in _names([str(tmp_path)])]
    # folders are walked depth-first with entries in sorted order, files of a folder before its subfolders
    assert got == ["c.xml", "a/0.xml", "a/z/9.xml", "b/1.xml", "b/2.xml"]


def test_real_folder(data_dir: Path) -> None:
    folder = data_dir / "cnipa-xml"
    got = [Path(n).name for n in _names([str(folder)])]
    expected = sorted(p.name for p in folder.iterdir() if p.name != "PROVENANCE.txt")
    assert got == expected
    assert len(got) == 9
    assert "PROVENANCE.txt" not in got


def test_folder_order_is_stable(data_dir: Path) -> None:
    folder = str(data_dir / "uspto-xml")
    assert _names([folder]) == _names([folder])
    assert len(_names([folder])) == 9 + len(list((data_dir / "uspto-xml/single").iterdir()))


def test_file_source_size_and_bytes(data_dir: Path) -> None:
    path = data_dir / GRANT
    (src,) = expand([str(path)])
    assert isinstance(src, FileSource)
    assert src.name == str(path)
    assert src.size == path.stat().st_size
    assert _read(src) == path.read_bytes()
    assert src.head(5) == b"<?xml"


# ------------------------------------------------------------------------------------- globs

def test_glob(data_dir: Path) -> None:
    pattern = str(data_dir / "uspto-xml/weekly-slices/ipg0*.xml")
    got = [Path(n).name for n in _names([pattern])]
    assert got == ["ipg050104.small.xml", "ipg060103.small.xml", "ipg070102.small.xml", "ipg080101.small.xml",
                   "ipg090106.small.xml"]


def test_recursive_glob(data_dir: Path) -> None:
    got = _names([str(data_dir / "uspto-xml/**/ipg1*.xml")])
    assert [str(Path(n).relative_to(data_dir / "uspto-xml")) for n in got] == [
        "single/ipg100824-hyphenated.xml", "single/ipg120327.18.xml", "single/ipg120327.196.xml",
        "single/ipg120327.one.xml", "single/ipg120327.two.xml", "weekly-slices/ipg100105.small.xml", "weekly-slices/ipg110104.small.xml",
        "weekly-slices/ipg120103.small.xml", "weekly-slices/ipg130416.small.xml"]


def test_several_inputs_keep_the_order_given(data_dir: Path) -> None:
    a, b = str(data_dir / DESIGN), str(data_dir / GRANT)
    assert _names([b, a]) == [b, a]


def test_missing_inputs_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file"):
        list(expand([str(tmp_path / "nope.xml")]))
    with pytest.raises(UserError, match="no such file"):
        list(expand([str(tmp_path / "*.xml")]))


# ------------------------------------------------------------------------------------- archives

def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _tar(path: Path, members: list[tarfile.TarInfo | tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as t:
        for m in members:
            if isinstance(m, tarfile.TarInfo):
                t.addfile(m)
            else:
                info = tarfile.TarInfo(m[0])
                info.size = len(m[1])
                t.addfile(info, io.BytesIO(m[1]))
    return path


def test_zip_members_read_in_place(tmp_path: Path, data_dir: Path) -> None:
    grant, design = (data_dir / GRANT).read_bytes(), (data_dir / DESIGN).read_bytes()
    archive = _zip(tmp_path / "batch.zip", {"z/grant.xml": grant, "a/design.xml": design, "README.md": b"hi",
                                            "empty-dir/": b""})
    sources = list(expand([str(archive)]))
    assert [s.name for s in sources] == [f"{archive}!a/design.xml", f"{archive}!z/grant.xml"]
    assert all(isinstance(s, MemberSource) for s in sources)
    assert [s.size for s in sources] == [len(design), len(grant)]
    assert _read(sources[0]) == design
    assert _read(sources[1]) == grant
    assert sources[1].head(5) == b"<?xml"
    # nothing was extracted next to the archive
    assert sorted(p.name for p in tmp_path.iterdir()) == ["batch.zip"]


def test_tar_gz_members_read_in_place(tmp_path: Path, data_dir: Path) -> None:
    grant = (data_dir / GRANT).read_bytes()
    archive = _tar(tmp_path / "batch.tar.gz", [("docs/grant.xml", grant), ("docs/PROVENANCE.txt", b"x"),
                                               ("b.xml", b"<b/>")])
    sources = list(expand([str(archive)]))
    assert [s.name for s in sources] == [f"{archive}!b.xml", f"{archive}!docs/grant.xml"]
    assert _read(sources[1]) == grant
    assert sources[1].size == len(grant)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["batch.tar.gz"]


def test_archive_inside_folder_is_expanded(tmp_path: Path) -> None:
    _zip(tmp_path / "in.zip", {"m.xml": b"<m/>"})
    (tmp_path / "a.xml").write_bytes(b"<a/>")
    assert _names([str(tmp_path)]) == [str(tmp_path / "a.xml"), f"{tmp_path / 'in.zip'}!m.xml"]


@pytest.mark.parametrize("member", ["../evil.xml", "docs/../../evil.xml", "/etc/evil.xml", "..\\evil.xml",
                                    "C:/evil.xml"])
def test_zip_unsafe_member_refused(tmp_path: Path, member: str) -> None:
    archive = _zip(tmp_path / "bad.zip", {"ok.xml": b"<ok/>", member: b"<evil/>"})
    with pytest.raises(UnsafeInput) as e:
        list(expand([str(archive)]))
    assert repr(member) in str(e.value) or member in str(e.value)
    assert str(archive) in str(e.value)


@pytest.mark.parametrize("member", ["../evil.xml", "docs/../../evil.xml", "/etc/evil.xml"])
def test_tar_unsafe_member_refused(tmp_path: Path, member: str) -> None:
    archive = _tar(tmp_path / "bad.tar.gz", [("ok.xml", b"<ok/>"), (member, b"<evil/>")])
    with pytest.raises(UnsafeInput, match=repr(member).replace(".", r"\.")):
        list(expand([str(archive)]))


def _link(name: str, kind: bytes, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


@pytest.mark.parametrize(("kind", "target"), [(tarfile.SYMTYPE, "/etc/passwd"), (tarfile.LNKTYPE, "ok.xml"),
                                              (tarfile.SYMTYPE, "ok.xml"), (tarfile.CHRTYPE, ""),
                                              (tarfile.FIFOTYPE, "")])
def test_tar_links_and_special_files_refused(tmp_path: Path, kind: bytes, target: str) -> None:
    archive = _tar(tmp_path / "links.tar.gz", [("ok.xml", b"<ok/>"), _link("sneaky.xml", kind, target)])
    with pytest.raises(UnsafeInput, match="'sneaky.xml' is a link or special file"):
        list(expand([str(archive)]))


def test_archive_checked_before_any_member_is_read(tmp_path: Path) -> None:
    # the bad member sorts last: nothing may be yielded before the refusal
    archive = _zip(tmp_path / "late.zip", {"a.xml": b"<a/>", "zz/../../evil.xml": b"<e/>"})
    gen = archive_members(archive)
    with pytest.raises(UnsafeInput):
        next(gen)


# ------------------------------------------------------------------------------------- gzip

def test_gz_single_file_is_decompressed(tmp_path: Path, data_dir: Path) -> None:
    grant = (data_dir / GRANT).read_bytes()
    path = tmp_path / "ipg120327.one.xml.gz"
    path.write_bytes(gzip.compress(grant))
    (src,) = expand([str(path)])
    assert isinstance(src, FileSource)
    assert src.name == str(path)
    assert src.head(5) == b"<?xml"
    assert _read(src) == grant


# ------------------------------------------------------------------------------------- detection

class _Toy(Reader):
    marker = b""

    def sniff(self, source: Source, head: bytes) -> bool:
        return self.marker in head

    def read(self, source: Source) -> Iterator[Outcome]:
        return iter(())


class _Generic(_Toy):
    name = "toy-generic"
    priority = 90
    marker = b"<"


class _Specific(_Toy):
    name = "toy-specific"
    priority = 10
    marker = b"<us-patent-grant"


class _Broken(_Toy):
    name = "toy-broken"
    priority = 1

    def sniff(self, source: Source, head: bytes) -> bool:
        raise ValueError("sniffer bug")


@pytest.fixture
def toy_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "_REGISTRY", {c.name: c for c in (_Generic, _Specific, _Broken)})
    monkeypatch.setattr(base, "_load_builtin", lambda: None)


@pytest.mark.usefixtures("toy_registry")
def test_detection_prefers_specific_readers_and_survives_broken_sniffers(data_dir: Path) -> None:
    (grant,) = expand([str(data_dir / GRANT)])
    reader = detect(grant)
    assert reader is not None and reader.name == "toy-specific"
    (other,) = expand([str(data_dir / "bad-input/not-a-patent.xml")])
    reader = detect(other)
    assert reader is not None and reader.name == "toy-generic"


@pytest.mark.usefixtures("toy_registry")
def test_detection_of_unknown_input_is_none(data_dir: Path) -> None:
    (garbage,) = expand([str(data_dir / "bad-input/binary-garbage.xml")])
    assert detect(garbage) is None


@pytest.mark.usefixtures("toy_registry")
def test_detection_reads_inside_archives_and_gzip(tmp_path: Path, data_dir: Path) -> None:
    grant = (data_dir / GRANT).read_bytes()
    archive = _zip(tmp_path / "a.zip", {"g.xml": grant})
    gz = tmp_path / "g.xml.gz"
    gz.write_bytes(gzip.compress(grant))
    for src in expand([str(archive), str(gz)]):
        reader = detect(src)
        assert reader is not None and reader.name == "toy-specific", src.name


def test_register_refuses_duplicates_and_nameless(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "_REGISTRY", {})
    base.register(_Specific)
    base.register(_Specific)  # the same class again is harmless (module re-import)

    class Other(_Toy):
        name = "toy-specific"

    class Nameless(_Toy):
        pass

    with pytest.raises(ValueError, match="registered twice"):
        base.register(Other)
    with pytest.raises(ValueError, match="no name"):
        base.register(Nameless)


def test_unknown_format_is_a_user_error() -> None:
    with pytest.raises(UserError, match="unknown format 'no-such-format'"):
        base.get_reader("no-such-format")


@pytest.mark.parametrize(("path", "reader"), [
    ("uspto-xml/weekly-slices/ipg050104.small.xml", "uspto-grant-v4"),
    ("uspto-xml/weekly-slices/ipg130416.small.xml", "uspto-grant-v4"),
    (GRANT, "uspto-grant-v4"),
    ("uspto-xml/single/ipa061228.one.xml", "uspto-application-v4"),
    ("uspto-xml/single/pa040101.two.xml", "uspto-application-pap"),
    ("bad-input/binary-garbage.xml", None),
    ("bad-input/not-a-patent.xml", None),
    ("bad-input/empty.xml", None),
])
def test_detection_of_real_files(data_dir: Path, tmp_path: Path, path: str, reader: str | None) -> None:
    (src,) = expand([str(data_dir / path)])
    found = detect(src)
    assert (found.name if found else None) == reader
    # the same bytes inside an archive and gzip-compressed are recognized the same way
    data = (data_dir / path).read_bytes()
    gz = tmp_path / (Path(path).name + ".gz")
    gz.write_bytes(gzip.compress(data))
    archive = _zip(tmp_path / "in.zip", {Path(path).name: data})
    for other in expand([str(gz), str(archive)]):
        found = detect(other)
        assert (found.name if found else None) == reader, other.name
