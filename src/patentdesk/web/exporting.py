"""Export bodies for the API, written by `patentdesk.export`: text formats stream a record at a
time; XLSX is built in a spooled temporary file (memory up to a limit, then disk) and sent in
chunks."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

from .. import export
from ..model import Publication

_SPOOL_BYTES = 16 * 1024 * 1024
_CHUNK = 64 * 1024


def _encoded(chunks: Iterable[str]) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk.encode("utf-8")


def _file_chunks(f: IO[bytes]) -> Iterator[bytes]:
    try:
        f.seek(0)
        while block := f.read(_CHUNK):
            yield block
    finally:
        f.close()


def body(fmt: str, pubs: Iterable[Publication]) -> Iterator[bytes]:
    if fmt in export.TEXT_FORMATS:
        return _encoded(export.iter_text(fmt, pubs))
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 - closed by the reader
    try:
        export.write(fmt, pubs, spool)
    except BaseException:
        spool.close()
        raise
    return _file_chunks(spool)
