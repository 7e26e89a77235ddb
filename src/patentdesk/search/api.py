"""The search contract shared by the CLI, the portal and the REST API.

`search --json` prints `SearchResult.to_dict()`:

    {"total": N, "hits": [{"publication_number", "title", "publication_date", "applicants",
     "score", "snippet"}], "facets": {"year": [{"value", "count"}], ...}}
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SORTS = ("relevance", "date", "-date")
FACETS = ("year", "country", "kind", "applicant", "ipc_subclass", "tech_field")


@dataclass(frozen=True)
class SearchRequest:
    query: str
    limit: int = 20
    offset: int = 0
    sort: str = "relevance"  # relevance | date (oldest first) | -date (newest first)
    facets: tuple[str, ...] = ()
    mode: str | None = None  # keyword | semantic | hybrid (None: the default for the query)
    published_before: str | None = None  # ISO date, exclusive: the novelty cut-off
    priority_before: str | None = None
    facet_size: int = 20  # values per facet (the most frequent first); `year` lists every year


@dataclass(frozen=True)
class Hit:
    publication_number: str
    title: str | None
    publication_date: str | None
    applicants: list[str]
    score: float
    snippet: str | None = None  # HTML-safe: text escaped, matches wrapped in <mark>
    why: str | None = None  # best-matching passage (semantic modes)


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    query: str = ""
    mode: str = "keyword"

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "mode": self.mode,
            "hits": [asdict(h) for h in self.hits],
            "facets": {k: [asdict(v) for v in vs] for k, vs in self.facets.items()},
        }
