"""docs/query-language.md is generated from the grammar and field table, and must not go stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from patentdesk.search import docs, fields
from patentdesk.search.query import PROX_FORMS

REPO = Path(__file__).resolve().parents[2]


def test_reference_page_is_current() -> None:
    page = (REPO / docs.DOC_PATH).read_text(encoding="utf-8")
    assert page == docs.render(), "docs/query-language.md is stale: run python -m patentdesk.search.docs"


def test_reference_page_documents_every_field_relation_and_operator() -> None:
    page = docs.render()
    for f in fields.FIELDS:
        assert f"| `{f.name}`" in page
        for alias in f.aliases:
            assert f"`{alias}`" in page
    for rel in fields.RELATIONS:
        assert f"| `{rel}` |" in page
    for form in PROX_FORMS:
        assert f"`{form}`" in page


def test_check_mode_tells_current_from_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    assert docs.main(["--check"]) == 0
    monkeypatch.setattr(docs, "render", lambda: "# Query language\n\nsomething else\n")
    assert docs.main(["--check"]) == 1
