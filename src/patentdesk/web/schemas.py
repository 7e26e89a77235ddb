"""Pydantic shapes at the HTTP boundary. They describe the JSON in the OpenAPI schema; the bodies
themselves are the library's own `to_dict()` output, sent as they are."""

from __future__ import annotations

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
    total: int = Field(description="Number of matching publications.")
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = Field(description="Counts per facet asked for with `facets`.")


class Health(BaseModel):
    status: str
    version: str
