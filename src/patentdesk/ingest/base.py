"""The reader contract and the registry of formats.

A reader turns one `Source` (a file, or a member of an archive) into a stream of outcomes:

* `Publication` - a record to store (its `provenance` is filled in by the pipeline if missing);
* `Skipped(position, record, reason)` - a document that is not a patent (a sequence listing, say);
* `Quarantined(position, record, reason, excerpt)` - a broken record; the reader goes on with the next.

A reader may also raise `RecordError` for the whole source (an unreadable file); the pipeline then
quarantines the source as one record at position 0. Each format is one module in `readers/`, which
registers itself with `@register`; `patentdesk ingest --format NAME` forces one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Callable, ClassVar, Iterator, Protocol, Union

from ..model import Publication


@dataclass(frozen=True)
class Skipped:
    position: int
    record: str | None
    reason: str


@dataclass(frozen=True)
class Quarantined:
    position: int
    record: str | None
    reason: str
    excerpt: str | None = None


Outcome = Union[Publication, Skipped, Quarantined]


class Source(Protocol):
    """An input: a plain file or an archive member. `name` is what errors and provenance show."""

    name: str
    size: int | None

    def open(self) -> io.BufferedIOBase: ...

    def head(self, n: int = 4096) -> bytes: ...


class Reader:
    """Base class for format readers. Subclasses set `name`, `description`, implement `sniff` and `read`."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    # detection order: lower runs first (specific formats before generic ones)
    priority: ClassVar[int] = 50
    extensions: ClassVar[tuple[str, ...]] = ()

    def sniff(self, source: Source, head: bytes) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def read(self, source: Source) -> Iterator[Outcome]:  # pragma: no cover - interface
        raise NotImplementedError


_REGISTRY: dict[str, type[Reader]] = {}


def register(cls: type[Reader]) -> type[Reader]:
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no name")
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"reader {cls.name!r} registered twice")
    _REGISTRY[cls.name] = cls
    return cls


def _load_builtin() -> None:
    from . import readers  # noqa: F401  (registers the built-in readers)


def formats() -> dict[str, type[Reader]]:
    _load_builtin()
    return dict(sorted(_REGISTRY.items()))


def get_reader(name: str) -> Reader:
    regs = formats()
    if name not in regs:
        from ..errors import UserError

        raise UserError(f"unknown format {name!r}; known formats: {', '.join(regs)}")
    return regs[name]()


def detect(source: Source) -> Reader | None:
    head = source.head(65536)
    for cls in sorted(formats().values(), key=lambda c: (c.priority, c.name)):
        reader = cls()
        try:
            if reader.sniff(source, head):
                return reader
        except Exception:  # a sniffer must never break detection of the others
            continue
    return None


ReaderFactory = Callable[[], Reader]
