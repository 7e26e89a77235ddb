"""WIPO's 35 technology fields and 5 sectors, on top of `patentdesk.search.techfields`."""

from __future__ import annotations

import csv
import functools
import io
from importlib import resources

from ..search import techfields


@functools.lru_cache(maxsize=1)
def field_table() -> dict[int, tuple[str, str]]:
    """Field number -> (English field name, English sector name), read from the same concordance
    the search layer uses."""
    raw = resources.files("patentdesk.search").joinpath("data", techfields.CONCORDANCE).read_text(
        encoding="utf-8-sig")
    lines = [line for line in raw.splitlines() if not line.startswith("#")]
    out: dict[int, tuple[str, str]] = {}
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        out.setdefault(int(row["Field_number"]), (row["Field_en"].strip(), row["Sector_en"].strip()))
    return out


@functools.lru_cache(maxsize=1)
def _number_of() -> dict[str, int]:
    return {name: number for number, name in techfields.all_fields()}


def field_number(symbol: str) -> int | None:
    """The technology field number of a compact IPC symbol, None when the concordance has none."""
    name = techfields.field_of(symbol)
    return _number_of().get(name) if name else None
