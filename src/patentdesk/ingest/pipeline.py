"""The ingest loop: sources -> reader -> batches -> catalogue, with a summary that is a public
contract (docs/contracts.md):

    {"run_id", "files", "read", "added", "updated", "unchanged", "skipped", "quarantined",
     "errors": [{"file", "record", "reason"}]}

Each batch is one transaction, so killing the process loses at most the batch in flight, and the
next run stores it. Quarantined and skipped records are written to the catalogue's `rejections`
table with file, position and reason; a record that loads later clears its old rejection.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from ..errors import PatentdeskError, UnsafeInput, UserError
from ..model import Provenance, Publication
from ..store.catalogue import ADDED, UPDATED, Catalogue
from .base import Quarantined, Reader, Skipped, Source, detect, get_reader
from .sources import expand
from .xmlsafe import check_prolog

ProgressFn = Callable[[str, dict[str, Any]], None]


# the counters of an ingest summary, in the order of the public JSON shape (docs/contracts.md)
COUNT_FIELDS = ("files", "read", "added", "updated", "unchanged", "skipped", "quarantined")


@dataclass
class IngestSummary:
    run_id: int | None = None
    files: int = 0
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    quarantined: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    changed_numbers: list[str] = field(default_factory=list, repr=False)

    def counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in COUNT_FIELDS}

    def to_dict(self) -> dict[str, Any]:
        d = {"run_id": self.run_id, **self.counts(), "errors": self.errors}
        return d


def ingest(catalogue: Catalogue, inputs: Iterable[str], *, fmt: str | None = None, batch_size: int = 200,
           progress: ProgressFn | None = None, command: str = "ingest") -> IngestSummary:
    forced: Reader | None = get_reader(fmt) if fmt else None
    summary = IngestSummary()
    summary.run_id = catalogue.begin_run(command)
    status = "failed"
    try:
        for item in inputs:
            try:
                for source in expand([item]):
                    _ingest_source(catalogue, source, forced, summary, batch_size, progress)
            except UnsafeInput as e:
                _reject(catalogue, summary, item, 0, None, str(e), "quarantined")
            except UserError:
                raise
        status = "finished"
    finally:
        catalogue.finish_run(summary.run_id, summary.counts(), status=status)
    return summary


def _reject(catalogue: Catalogue, summary: IngestSummary, file: str, position: int, record: str | None,
            reason: str, disposition: str, excerpt: str | None = None) -> None:
    catalogue.reject(summary.run_id, file, position, record, reason, disposition, excerpt)
    if disposition == "quarantined":
        summary.quarantined += 1
        summary.errors.append({"file": file, "record": record or (f"document {position}" if position else None),
                               "position": position, "reason": reason})
    else:
        summary.skipped += 1


def _ingest_source(catalogue: Catalogue, source: Source, forced: Reader | None, summary: IngestSummary,
                   batch_size: int, progress: ProgressFn | None) -> None:
    summary.files += 1
    if progress:
        progress("file", {"name": source.name, "size": source.size})
    if source.size == 0:
        _reject(catalogue, summary, source.name, 0, None, "empty file", "quarantined")
        return
    head = source.head(65536)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        try:
            check_prolog(head)
        except UnsafeInput as e:
            _reject(catalogue, summary, source.name, 1, None, str(e), "quarantined", head[:300].decode(
                "utf-8", "replace"))
            return
    reader = forced or detect(source)
    if reader is None and head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        _unknown_xml(catalogue, source, summary)
        return
    if reader is None:
        head = source.head(512)
        what = "binary data" if b"\x00" in head or not _mostly_text(head) else "no reader recognizes it"
        _reject(catalogue, summary, source.name, 0, None,
                f"unrecognized format ({what}); use --format to force one", "quarantined", head[:300].decode(
                    "utf-8", "replace"))
        return
    batch: list[Publication] = []

    def flush() -> None:
        if not batch:
            return
        for pub, outcome in zip(batch, catalogue.apply(batch, summary.run_id)):
            if outcome == ADDED:
                summary.added += 1
                summary.changed_numbers.append(pub.number)
            elif outcome == UPDATED:
                summary.updated += 1
                summary.changed_numbers.append(pub.number)
            else:
                summary.unchanged += 1
        if progress:
            progress("records", {"count": len(batch), "summary": summary})
        batch.clear()

    in_file = 0  # records read from this source, the fallback position of a record
    try:
        for out in reader.read(source):
            if isinstance(out, Publication):
                summary.read += 1
                in_file += 1
                prov = out.provenance
                if prov is None or not prov.file:
                    out = out.with_provenance(Provenance(source=reader.name, file=source.name,
                                                         position=prov.position if prov else in_file,
                                                         run_id=summary.run_id))
                else:
                    out = out.with_provenance(dataclasses.replace(prov, run_id=summary.run_id))
                batch.append(out)
                if len(batch) >= batch_size:
                    flush()
            elif isinstance(out, Skipped):
                summary.read += 1
                _reject(catalogue, summary, source.name, out.position, out.record, out.reason, "skipped")
            elif isinstance(out, Quarantined):
                summary.read += 1 if out.position else 0
                _reject(catalogue, summary, source.name, out.position, out.record, out.reason, "quarantined",
                        out.excerpt)
        flush()
    except PatentdeskError as e:
        flush()
        _reject(catalogue, summary, source.name, 0, None, str(e), "quarantined")
    except (OSError, EOFError) as e:
        flush()
        _reject(catalogue, summary, source.name, 0, None, f"cannot read file: {e}", "quarantined")
    if progress:
        progress("file_done", {"name": source.name, "size": source.size, "summary": summary})


def _unknown_xml(catalogue: Catalogue, source: Source, summary: IngestSummary) -> None:
    """XML that no reader claims: well-formed means 'not a patent' (skipped), else quarantined."""
    from lxml import etree

    from ..errors import RecordError
    from .xmlsafe import local, parse

    with source.open() as f:
        data = f.read(50_000_001)
    if len(data) > 50_000_000:
        _reject(catalogue, summary, source.name, 0, None, "unrecognized XML format (no reader claims its root "
                "element); use --format to force one", "quarantined")
        return
    try:
        root, _ = parse(data)
    except (RecordError, UnsafeInput, etree.LxmlError) as e:
        summary.read += 1
        _reject(catalogue, summary, source.name, 1, None, f"unrecognized XML that does not parse: {e}",
                "quarantined", data[:300].decode("utf-8", "replace"))
        return
    summary.read += 1
    _reject(catalogue, summary, source.name, 1, None,
            f"<{local(root.tag)}> is not a patent document of any known format", "skipped")


def _mostly_text(head: bytes) -> bool:
    if not head:
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError:
        printable = sum(32 <= b < 127 or b in (9, 10, 13) for b in head)
        return printable / len(head) > 0.9


def source_names(inputs: list[str]) -> list[str]:
    return [s.name for s in expand(inputs)]


__all__ = ["IngestSummary", "ingest", "source_names", "Path"]
