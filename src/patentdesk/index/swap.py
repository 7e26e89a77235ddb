"""Publish a rebuilt index atomically: build into a new folder, then flip a symbolic link.

An index lives under a fixed name (``index/fulltext``) that is a symbolic link to a generation
folder beside it (``index/fulltext.gen-<ns>-<pid>``). A rebuild writes a new generation, then
`publish` makes the link point at it with one ``rename(2)`` of a new link over the old one, which
POSIX makes atomic: a reader resolving the name sees the old generation or the new one, complete,
never a half-built folder and never no folder at all (as a rename of the old folder out of the way
followed by a rename of the new one into place would show for a moment).

Readers call `current` once and open what it returns, so one searcher always reads one generation
even if the link flips while it works. Old generations stay for a grace period (a reader in
another process may still read one; on Linux its open and mapped files would survive deletion
anyway) and `collect` removes them afterwards.

Writers (a rebuild, an incremental update) must not run at the same time on one index: an
update written into the generation that a rebuild is about to replace would be lost.
`writer_lock` serializes them across processes.

The first `publish` over an index of the older layout (a plain folder under the fixed name)
moves that folder aside first; only that one-time migration has a moment without the name.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

GEN_MARK = ".gen-"
GRACE_S = 600.0
"""Old generations younger than this are kept for readers that may still hold them."""


def new_generation(link: Path) -> Path:
    """A new, empty generation folder beside `link` to build the next index in."""
    link.parent.mkdir(parents=True, exist_ok=True)
    gen = link.parent / f"{link.name}{GEN_MARK}{time.time_ns()}-{os.getpid()}"
    gen.mkdir()
    return gen


def current(link: Path) -> Path | None:
    """The folder readers should open now: the link's target (or a plain folder), None if absent."""
    try:
        target = os.readlink(link)
    except FileNotFoundError:
        return None
    except OSError as e:
        if e.errno == errno.EINVAL:  # not a link: the older layout, a plain folder
            return link if link.is_dir() else None
        raise
    path = Path(target)
    return path if path.is_absolute() else link.parent / path


def publish(gen: Path, link: Path) -> None:
    """Make `link` name `gen`, atomically for every reader."""
    if gen.parent.resolve() != link.parent.resolve():
        raise ValueError(f"{gen} must be beside {link}")
    tmp = link.parent / f".{link.name}.link-{os.getpid()}-{time.time_ns()}"
    os.symlink(gen.name, tmp)  # relative: the home folder can be moved or restored elsewhere
    try:
        if link.is_dir() and not link.is_symlink():
            os.replace(link, link.parent / f"{link.name}{GEN_MARK}0-{os.getpid()}")
        os.replace(tmp, link)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(link.parent)


def generations(link: Path) -> list[Path]:
    """Generation folders of this link, oldest first."""
    prefix = link.name + GEN_MARK
    found = [p for p in link.parent.glob(prefix + "*") if p.is_dir() and not p.is_symlink()]
    return sorted(found, key=_gen_time)


def collect(link: Path, *, grace_s: float = GRACE_S, keep: int = 1) -> list[Path]:
    """Remove generations that are not current, older than `grace_s`, beyond the `keep` newest
    previous ones. Returns what was removed."""
    cur = current(link)
    old = [g for g in generations(link) if cur is None or g.resolve() != cur.resolve()]
    removable = old[:-keep] if keep > 0 else old
    now = time.time()
    removed = []
    for g in removable:
        if now - g.stat().st_mtime >= grace_s:
            shutil.rmtree(g, ignore_errors=True)
            removed.append(g)
    return removed


@contextlib.contextmanager
def writer_lock(link: Path, *, timeout_s: float = 600.0) -> Iterator[None]:
    """One writer at a time for this index, across processes (an advisory ``flock``)."""
    import fcntl

    link.parent.mkdir(parents=True, exist_ok=True)
    path = link.parent / f".{link.name}.writer.lock"
    deadline = time.monotonic() + timeout_s
    with open(path, "a+b") as f:
        while True:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"another process has been writing {link} for over {timeout_s:.0f} s") \
                        from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def _gen_time(p: Path) -> int:
    stamp = p.name.rsplit(GEN_MARK, 1)[-1].split("-", 1)[0]
    return int(stamp) if stamp.isdigit() else 0


def _fsync_dir(path: Path) -> None:
    """Make the flip durable: a crash right after must not bring the old link back."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
