"""WIPO's 35 technology fields, from the IPC-technology concordance shipped in `data/`.

The concordance lists IPC patterns: a subclass (``H01M%``) or a main group (``H04N  19/%``).
A symbol takes the field of its main-group pattern when there is one, else of its subclass.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from importlib import resources

CONCORDANCE = "wipo-ipc-technology-concordance.csv"


@functools.lru_cache(maxsize=1)
def table() -> dict[str, tuple[int, str]]:
    """Compact IPC prefix (``H01M`` or ``H04N19``) -> (field number, English field name)."""
    raw = resources.files(__package__).joinpath("data", CONCORDANCE).read_text(encoding="utf-8-sig")
    lines = [line for line in raw.splitlines() if not line.startswith("#")]
    out: dict[str, tuple[int, str]] = {}
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        code = row["IPC_code"].rstrip("%").replace(" ", "").rstrip("/")
        out[code] = (int(row["Field_number"]), row["Field_en"].strip())
    return out


_SYMBOL_RE = re.compile(r"([A-HY]\d{2}[A-Z])(\d+)?")


def field_of(symbol: str) -> str | None:
    """The technology field of a compact IPC symbol (``H01M10/0525``), None when it has none."""
    m = _SYMBOL_RE.match(symbol.upper())
    if not m:
        return None
    t = table()
    if m.group(2):
        hit = t.get(m.group(1) + str(int(m.group(2))))
        if hit:
            return hit[1]
    hit = t.get(m.group(1))
    return hit[1] if hit else None


def fields_of(symbols: list[str]) -> list[str]:
    """Distinct technology fields of a publication's IPC symbols, in the order first met."""
    return list(dict.fromkeys(f for f in (field_of(s) for s in symbols) if f))


def all_fields() -> list[tuple[int, str]]:
    return sorted(set(table().values()))
