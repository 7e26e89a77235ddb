"""Turn what the user typed (files, folders, globs, .zip / .tar.gz archives) into `Source`s.

Archive members are read in place, never extracted to disk. A member whose name is absolute or
climbs out with `..` is refused (`UnsafeInput`), as are links and device files inside tar archives.
"""

from __future__ import annotations

import glob
import gzip
import io
import os
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator

from ..errors import UnsafeInput, UserError

ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")
SKIP_NAMES = {"README.md", "PROVENANCE.txt", "LICENSE_data.md", ".DS_Store"}


@dataclass
class FileSource:
    path: Path
    name: str = ""
    size: int | None = None

    def __post_init__(self) -> None:
        self.name = self.name or str(self.path)
        if self.size is None:
            self.size = self.path.stat().st_size

    def open(self) -> io.BufferedIOBase:
        if self.path.suffix == ".gz":
            return gzip.open(self.path, "rb")  # type: ignore[return-value]
        return open(self.path, "rb")

    def head(self, n: int = 4096) -> bytes:
        with self.open() as f:
            return f.read(n)


@dataclass
class MemberSource:
    name: str
    size: int | None
    opener: Callable[[], io.BufferedIOBase] = field(repr=False)

    def open(self) -> io.BufferedIOBase:
        return self.opener()

    def head(self, n: int = 4096) -> bytes:
        with self.open() as f:
            return f.read(n)


def check_member_name(archive: str, member: str) -> None:
    p = PurePosixPath(member.replace("\\", "/"))
    if member.startswith(("/", "\\")) or p.is_absolute() or (len(member) > 1 and member[1] == ":"):
        raise UnsafeInput(f"{archive}: member {member!r} has an absolute path; archive refused")
    if ".." in p.parts:
        raise UnsafeInput(f"{archive}: member {member!r} climbs out of the archive with '..'; archive refused")


def is_archive(path: Path) -> bool:
    n = path.name.lower()
    return n.endswith(ARCHIVE_SUFFIXES)


def archive_members(path: Path) -> Iterator[MemberSource]:
    """Members of a zip/tar archive. The whole archive is checked before any member is read."""
    label = str(path)
    if path.name.lower().endswith(".zip"):
        zf = zipfile.ZipFile(path)
        infos = [i for i in zf.infolist() if not i.is_dir()]
        for i in infos:
            check_member_name(label, i.filename)
        for i in sorted(infos, key=lambda i: i.filename):
            if PurePosixPath(i.filename).name in SKIP_NAMES:
                continue
            yield MemberSource(f"{label}!{i.filename}", i.file_size,
                               (lambda i=i: zf.open(i)))  # type: ignore[misc]
        return
    tf = tarfile.open(path)
    members = tf.getmembers()
    for m in members:
        check_member_name(label, m.name)
        if m.issym() or m.islnk() or m.isdev() or m.isfifo():
            raise UnsafeInput(f"{label}: member {m.name!r} is a link or special file; archive refused")
    for m in sorted((m for m in members if m.isfile()), key=lambda m: m.name):
        if PurePosixPath(m.name).name in SKIP_NAMES:
            continue
        yield MemberSource(f"{label}!{m.name}", m.size,
                           (lambda m=m: tf.extractfile(m)))  # type: ignore[misc]


def expand(inputs: list[str]) -> Iterator[FileSource | MemberSource]:
    """Sources for files, folders (recursively, sorted), globs and archives, in a stable order."""
    for item in inputs:
        matches = sorted(glob.glob(item, recursive=True)) if any(c in item for c in "*?[") else [item]
        if not matches:
            raise UserError(f"{item}: no such file")
        for m in matches:
            p = Path(m)
            if p.is_dir():
                for root, dirs, files in os.walk(p):
                    dirs.sort()
                    for f in sorted(files):
                        if f in SKIP_NAMES or f.startswith("."):
                            continue
                        yield from _one(Path(root) / f)
            elif p.exists():
                yield from _one(p)
            else:
                raise UserError(f"{m}: no such file")


def _one(p: Path) -> Iterator[FileSource | MemberSource]:
    if is_archive(p):
        yield from archive_members(p)
    else:
        yield FileSource(p)
