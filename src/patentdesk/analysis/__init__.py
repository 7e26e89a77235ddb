"""Think-tank analytics over a result set: `analyze()` gives every landscape statistic as one
JSON-ready dict (docs/analytics.md); `patentdesk.reports` turns it into HTML, PDF and XLSX."""

from __future__ import annotations

from typing import Any

from .core import Options, ResultSet, analyze

__all__ = ["Options", "ResultSet", "analyze", "result_set_for_query"]


def result_set_for_query(settings: Any, catalogue: Any, query: str) -> ResultSet:
    """Every publication the query matches (the keyword engine, the search index)."""
    from ..search.engine import matching_numbers

    return ResultSet(numbers=tuple(matching_numbers(settings, catalogue, query)), query=query)
