"""Which raw party names count as one applicant (or inventor).

The harmonizer is one function, `harmonize(names) -> {raw name: group label}` (names given once
per document that names them, so it can weigh spellings), taken from
`patentdesk.analysis.names` when that module is installed; without it names are grouped by their
exact normalized form (case, spacing and trailing punctuation ignored) and a group is labelled by
its most frequent spelling. Either way the methodology records which was used.
"""

from __future__ import annotations

import importlib
import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

Harmonizer = Callable[[list[str]], dict[str, str]]

EXACT = "exact normalized name"
_SPACE = re.compile(r"\s+")


def normalized(name: str) -> str:
    return _SPACE.sub(" ", name).strip(" .,;").casefold()


def exact_groups(names: list[str], counts: dict[str, int] | None = None) -> dict[str, str]:
    """Group by normalized name; the label is the most frequent spelling (ties: alphabetical)."""
    weight = counts or Counter(names)
    best: dict[str, str] = {}
    for name in sorted(set(names)):
        key = normalized(name)
        cur = best.get(key)
        if cur is None or weight.get(name, 0) > weight.get(cur, 0):
            best[key] = name
    return {name: best[normalized(name)] for name in names}


def harmonizer() -> tuple[Harmonizer | None, str]:
    """The installed harmonizer and its description, or (None, EXACT) when there is none."""
    try:
        module = importlib.import_module(f"{__package__}.names")
    except ImportError:
        return None, EXACT
    fn = getattr(module, "harmonize", None)
    if not callable(fn):
        return None, EXACT
    return fn, f"{module.__name__}.harmonize"


def group_names(names: Iterable[str], counts: dict[str, int],
                overrides: list[Any] | None = None) -> tuple[dict[str, str], str]:
    """raw name -> group label for every name, and how the groups were made; `overrides` (the
    librarian's stored decisions) go to a harmonizer that takes them."""
    distinct = sorted(set(names))
    fn, method = harmonizer()
    if fn is None:
        return exact_groups(distinct, counts), method
    # once per mention (document), so the harmonizer sees how frequent each spelling is
    mentions = [n for n in distinct for _ in range(max(1, counts.get(n, 0)))]
    mapping = fn(mentions, overrides) if overrides else fn(mentions)  # type: ignore[call-arg]
    # a name the harmonizer leaves out stays its own group
    return {n: mapping.get(n) or n for n in distinct}, method
