"""Pydantic shapes at the HTTP boundary. They describe the JSON in the OpenAPI schema; the bodies
themselves are the library's own `to_dict()` output, sent as they are."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. query_syntax, not_found, rate_limited.")
    message: str = Field(description="What went wrong, in English.")
    position: int | None = Field(None, description="Query syntax errors: 1-based character position in the query.")
    hint: str | None = Field(None, description="Query syntax errors: how to fix the query.")


class ErrorResponse(BaseModel):
    error: ErrorDetail


class Hit(BaseModel):
    publication_number: str
    title: str | None
    publication_date: str | None = Field(description="ISO date.")
    applicants: list[str]
    score: float
    snippet: str | None = Field(description="HTML: text escaped, query matches wrapped in <mark>.")
    why: str | None = Field(description="Best-matching passage, in semantic and hybrid modes.")


class FacetValue(BaseModel):
    value: str
    count: int


class SearchResponse(BaseModel):
    total: int = Field(description="Number of matching publications (semantic and hybrid results stop at 1,000).")
    mode: str = Field(description="The mode that answered: keyword, semantic or hybrid.")
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = Field(description="Counts per facet asked for with `facets`.")


class Health(BaseModel):
    status: str
    version: str


class SimilarResponse(BaseModel):
    number: str = Field(description="The canonical number of the publication compared with.")
    hits: list[Hit] = Field(description="The closest publications in meaning, best first; never the "
                                        "publication itself nor its family.")


class ClassLevel(BaseModel):
    symbol: str = Field(description="Compact IPC code as the search language writes it: H, H01, H01M, "
                                    "H01M10 (main group), H01M10/0525 (subgroup).")
    level: Literal["section", "class", "subclass", "main_group", "subgroup"]
    title: str | None = Field(description="English IPC title, references in parentheses left out.")
    count: int = Field(description="Publications of the catalogue with an IPC symbol at or under this level: "
                                   "the total of the search ipc=SYMBOL.")


class ClassificationResponse(ClassLevel):
    parents: list[ClassLevel] = Field(description="The levels above, the section first.")
    children: list[ClassLevel] = Field(description="The levels one below that the catalogue uses, in IPC order.")
