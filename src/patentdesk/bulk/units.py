"""The work of a bulk run, free of any engine: plan units, parse one unit, embed a batch.

A *unit* is one input file (an archive counts as one file): the grain an engine spreads over its
workers. `plan()` lists the units of the inputs in exactly the order `patentdesk ingest` visits
them, and `parse_unit()` runs the ingest loop of `patentdesk ingest` itself (`ingest.pipeline`)
on one unit, with a recorder in place of the catalogue, so detection, readers, skips and
quarantines are the very same code. What it records becomes rows of the lake (`lake`).

Two documented differences from one `patentdesk ingest` over the same inputs, both from the
embedded loop and both about broken inputs only: an archive refused as unsafe stops the rest of
its folder there, but not here (units are independent); and a record whose reader gives no
position gets one counted from the start of its unit here, of the whole run there.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..ingest.sources import SKIP_NAMES, is_archive
from ..model import Publication

PUBLICATION = "p"
REJECTION = "r"
UNIT = "u"


@dataclass(frozen=True)
class Unit:
    index: int  # position in the run: the order `patentdesk ingest` would read it in
    path: str  # the file or archive, named as `patentdesk ingest` names it
    item: str  # the input it was found under: a refused archive is reported under this name
    size: int

    def to_tuple(self) -> tuple[int, str, str, int]:
        return (self.index, self.path, self.item, self.size)

    @classmethod
    def from_tuple(cls, t: Sequence[Any]) -> Unit:
        return cls(int(t[0]), str(t[1]), str(t[2]), int(t[3]))


def plan(inputs: Sequence[str]) -> list[Unit]:
    """The units of these inputs (files, folders, globs, archives), in `ingest.sources.expand` order."""
    paths: list[tuple[str, str]] = []
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
                        paths.append((str(Path(root) / f), item))
            elif p.exists():
                paths.append((str(p), item))
            else:
                raise UserError(f"{m}: no such file")
    return [Unit(i, path, item, os.path.getsize(path)) for i, (path, item) in enumerate(paths)]


# ----------------------------------------------------------------------------- parsing
@dataclass
class UnitResult:
    """What one unit gave: publications and rejections in reading order, and the loop's counts."""

    unit: Unit
    publications: list[tuple[Publication, str]] = field(default_factory=list)  # (record, content hash)
    rejections: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class _Recorder:
    """Stands in for the catalogue in the ingest loop: keeps what would have been written."""

    def __init__(self, result: UnitResult) -> None:
        self.result = result

    def begin_run(self, command: str) -> int:
        return 0

    def finish_run(self, run_id: int, counts: dict[str, int], status: str = "finished") -> None:
        self.result.counts = dict(counts)

    def apply(self, pubs: Sequence[Publication], run_id: int | None = None) -> list[str]:
        from ..store.catalogue import ADDED

        for pub in pubs:
            self.result.publications.append((pub, pub.content_hash()))
        # every record counts as "added" here; what it does to a catalogue is decided at load
        return [ADDED] * len(pubs)

    def reject(self, run_id: int | None, file: str, position: int, record: str | None, reason: str,
               disposition: str, excerpt: str | None = None) -> None:
        unit = self.result.unit
        if is_archive(Path(unit.path)) and file == unit.path:
            file = unit.item  # an archive refused whole is reported under the input, as `ingest` does
        self.result.rejections.append({"file": file, "position": position, "record": record, "reason": reason,
                                       "disposition": disposition, "excerpt": (excerpt or "")[:2000] or None})


def parse_unit(unit: Unit, fmt: str | None = None) -> UnitResult:
    """Run the ingest loop of `patentdesk ingest` on one unit."""
    import time

    from ..ingest.pipeline import ingest

    result = UnitResult(unit)
    started = time.perf_counter()
    ingest(_Recorder(result), [unit.path], fmt=fmt, command="bulk")  # type: ignore[arg-type]
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def record_json(pub: Publication) -> str:
    """The lake's copy of a record: `Publication.to_dict()` without the catalogue's run id."""
    d = pub.to_dict()
    if d.get("provenance"):
        d["provenance"]["run_id"] = None
    return json.dumps(d, ensure_ascii=False, separators=(",", ":"))


def year_of(date: dt.date | None) -> str:
    return f"{date.year:04d}" if date else "unknown"


def unit_rows(unit_t: Sequence[Any], fmt: str | None, lake_run: str) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Tagged lake rows of one unit: publications, rejections, then one row of counts.

    Module-level and given plain tuples, so engines can ship it to workers by reference.
    """
    from .lake import publication_row, rejection_row

    unit = Unit.from_tuple(unit_t)
    result = parse_unit(unit, fmt)
    for ordinal, (pub, h) in enumerate(result.publications):
        yield PUBLICATION, publication_row(lake_run, unit.index, ordinal, pub, h)
    for ordinal, rej in enumerate(result.rejections):
        yield REJECTION, rejection_row(lake_run, unit.index, ordinal, rej)
    c = result.counts
    yield UNIT, (unit.index, unit.path, unit.size, c.get("files", 0), c.get("read", 0), c.get("skipped", 0),
                 c.get("quarantined", 0), len(result.publications), result.seconds)


# ----------------------------------------------------------------------------- embedding
def text_key(text: str) -> str:
    """The key of a passage's vector: its text decides the vector, so equal texts share one."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


EMBED_BATCH_DOCS = 64


def embed_rows(records: Iterable[tuple[str, str, str, str, str]], encoder: Any | None = None
               ) -> Iterator[tuple[Any, ...]]:
    """Passage vectors of lake records `(number, content_hash, record_json, source, year)`.

    The passages and the encoder are those of `patentdesk embed` (`index.vectors.passages`,
    `index.embed.default_encoder`). Rows: number, content hash, model key, passage kind, ordinal,
    language, text key, float32 vector bytes, source, year.
    """
    from ..index.embed import default_encoder
    from ..index.vectors import passages

    enc = encoder or default_encoder()
    key = enc.info.key()
    batch: list[tuple[str, str, str, str, Any]] = []

    def flush() -> Iterator[tuple[Any, ...]]:
        texts = [p.text for *_, pas in batch for p in pas]
        vectors = enc.encode(texts) if texts else None
        row = 0
        for number, h, source, year, pas in batch:
            for p in pas:
                assert vectors is not None
                vec = vectors[row].astype("<f4").tobytes()
                row += 1
                yield (number, h, key, p.kind, p.ordinal, p.lang, text_key(p.text), vec, source, year)
        batch.clear()

    for number, h, record, source, year in records:
        pub = Publication.from_dict(json.loads(record))
        batch.append((number, h, source, year, passages(pub)))
        if len(batch) >= EMBED_BATCH_DOCS:
            yield from flush()
    yield from flush()
