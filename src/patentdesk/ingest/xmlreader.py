"""A base for XML formats: split the source into documents, parse each safely, hand the root to
`extract()`, and turn every failure into a `Quarantined` outcome that names position and reason."""

from __future__ import annotations

from typing import ClassVar, Iterator

from lxml import etree

from ..errors import InvalidNumber, RecordError, UnsafeInput
from ..model import Publication
from .base import Outcome, Quarantined, Reader, Skipped, Source
from .xmlsafe import excerpt, local, parse, split_concatenated


class NotAPatent(Exception):
    """Raised by `extract` for documents that are valid but not patents (sequence listings...)."""


class XmlReader(Reader):
    # root element local names this reader understands (used by the default sniff)
    roots: ClassVar[tuple[str, ...]] = ()
    # True: the file may concatenate many documents, each with its own <?xml ...?>
    concatenated: ClassVar[bool] = True
    extensions = (".xml", ".XML", ".sgml")

    def sniff(self, source: Source, head: bytes) -> bool:
        import re

        for m in re.finditer(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s>/]", head):
            name = m.group(2).decode("ascii", "replace")
            if name in ("xml",) or head[m.start():m.start() + 2] in (b"<!", b"<?"):
                continue
            return name in self.roots
        return False

    def documents(self, source: Source) -> Iterator[tuple[int, int, bytes]]:
        with source.open() as f:
            if self.concatenated:
                yield from split_concatenated(f)
            else:
                data = f.read()
                if data.strip():
                    yield 1, 1, data

    def record_label(self, root: etree._Element) -> str | None:
        return None

    def extract(self, root: etree._Element, source: Source, position: int) -> Iterator[Publication] | Publication:
        raise NotImplementedError

    def read(self, source: Source) -> Iterator[Outcome]:
        any_doc = False
        for position, line, data in self.documents(source):
            any_doc = True
            label = None
            try:
                root, _repaired = parse(data)
                label = self.record_label(root)
                result = self.extract(root, source, position)
                if isinstance(result, Publication):
                    yield result
                else:
                    yield from result
            except NotAPatent as e:
                yield Skipped(position, label, str(e) or f"<{local(root.tag)}> is not a patent document")
            except (RecordError, UnsafeInput, InvalidNumber, ValueError, KeyError) as e:
                yield Quarantined(position, label, f"{_line(line)}{e}", excerpt(data))
        if not any_doc:
            yield Quarantined(0, None, "empty file: no XML document in it")


def _line(line: int) -> str:
    return f"document starting at line {line}: " if line > 1 else ""
