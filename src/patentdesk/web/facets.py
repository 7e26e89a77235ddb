"""Facets on the results page: their labels, and the query clause a click on a value adds."""

from __future__ import annotations

import re

from ..search.api import FACETS
from .render import N_

LABELS = {
    "year": N_("Publication year"),
    "country": N_("Country"),
    "kind": N_("Kind code"),
    "applicant": N_("Applicant"),
    "ipc_subclass": N_("IPC subclass"),
    "tech_field": N_("Technology field"),
}
assert set(LABELS) == set(FACETS)

# The query-language field that filters on each facet's values (search/fields.py); technology
# fields have no query field of their own, so their counts are shown without a filter link.
FIELDS: dict[str, str | None] = {
    "year": "py",
    "country": "cc",
    "kind": "kind",
    "applicant": "pa",
    "ipc_subclass": "ipc",
    "tech_field": None,
}

_BARE = re.compile(r"^[\w/]+$")
_OPERATORS = {"and", "or", "not", "prox"}


def quote(value: str) -> str:
    """A value as the query language reads it: bare when it is one plain word, else a phrase.
    Phrases cannot hold a double quote, so one inside a value becomes a space."""
    if _BARE.match(value) and value.lower() not in _OPERATORS:
        return value
    return '"' + " ".join(value.replace('"', " ").split()) + '"'


def clause(facet: str, value: str) -> str | None:
    field = FIELDS[facet]
    return f"{field}={quote(value)}" if field else None


def refine(query: str, facet: str, value: str) -> str | None:
    """The query narrowed to one facet value; None when the facet cannot filter."""
    c = clause(facet, value)
    return f"({query}) AND {c}" if c else None


def is_applied(query: str, facet: str, value: str) -> bool:
    c = clause(facet, value)
    return c is not None and query.endswith(f" AND {c}")
