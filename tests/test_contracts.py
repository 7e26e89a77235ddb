"""docs/contracts.md names every field the JSON outputs have, so the page cannot go stale."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from patentdesk.cli import EXIT_QUARANTINED, main
from patentdesk.ingest.pipeline import IngestSummary, ingest
from patentdesk.model import (
    Citation,
    Classification,
    Identifier,
    LegalEvent,
    Party,
    Priority,
    Provenance,
    Publication,
    Text,
)
from patentdesk.search.api import FacetValue, Hit, SearchResult
from patentdesk.store.catalogue import Catalogue

DOC = Path(__file__).resolve().parents[1] / "docs" / "contracts.md"


def _sections() -> dict[str, str]:
    """Headings (`## ...` and `### ...`) mapped to the text under them, up to the next heading."""
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^(#{2,3} .+)$", text, flags=re.M)
    return {parts[i].lstrip("#").strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _section(title_part: str) -> str:
    found = [body for title, body in _sections().items() if title_part in title]
    assert len(found) == 1, f"docs/contracts.md needs exactly one section titled with {title_part!r}"
    return found[0]


def _table_fields(body: str) -> set[str]:
    """Field names in the first column of the markdown tables of a section."""
    return set(re.findall(r"^\| `([^`]+)` \|", body, flags=re.M))


def _one_of_each() -> Publication:
    return Publication(
        number="US7783348B2", country="US", doc_number="7783348", kind="B2", doc_type="grant",
        publication_date=dt.date(2010, 8, 24), priorities=(Priority("JP", "2007-1", dt.date(2007, 1, 1), 1),),
        texts=(Text("title", "en", "t"),), parties=(Party("p", "inventor", 1),),
        classifications=(Classification("ipc", "H01M10/0525", 1),), citations=(Citation(1, "patent", "US1B1"),),
        legal_events=(LegalEvent(dt.date(2011, 1, 1), "FP", 1),), identifiers=(Identifier("lens", "1"),),
        provenance=Provenance("r", "f", 1, 1),
    )


def test_show_json_fields_are_documented() -> None:
    record = _one_of_each().to_dict()
    assert set(record) == {f.name for f in dataclasses.fields(Publication)}
    top = _table_fields(_section("The publication"))
    assert set(record) - top == set(), "Publication fields missing from docs/contracts.md"
    assert top - set(record) == set(), "docs/contracts.md documents fields Publication does not have"
    for name, value in record.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            documented = _table_fields(_section(f"`{name}[]`"))
            assert set(value[0]) == documented, name
    assert set(record["provenance"]) == _table_fields(_section("`provenance`"))


def test_ingest_summary_fields_are_documented(tmp_path: Path, data_dir: Path) -> None:
    cat = Catalogue(f"sqlite:///{tmp_path / 'c.sqlite'}")
    try:
        summary = ingest(cat, [str(data_dir / "bad-input/weekly-with-one-broken-document.xml")])
    finally:
        cat.close()
    d = summary.to_dict()
    assert set(d) == set(IngestSummary().to_dict())
    (error,) = d["errors"]
    documented = _table_fields(_section("ingest --json"))
    assert set(d) <= documented, set(d) - documented
    assert set(error) <= documented, set(error) - documented
    assert documented == set(d) | set(error), documented - set(d) - set(error)


def test_search_result_fields_are_documented() -> None:
    result = SearchResult(total=1, hits=[Hit("US1B1", "t", "2001-01-01", ["a"], 1.0, "s", None)],
                          facets={"year": [FacetValue("2001", 1)]}).to_dict()
    documented = _table_fields(_section("search QUERY --json"))
    expected = set(result) | set(result["hits"][0]) | set(result["facets"]["year"][0])
    assert documented == expected, (expected - documented, documented - expected)


def test_export_report_fields_are_documented(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.sqlite'}"
    result = CliRunner().invoke(main, ["export", "all", "--out", str(tmp_path / "x.csv"), "--json",
                                       "--database-url", db, "--home", str(tmp_path / "home")])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == _table_fields(_section("export QUERY --out FILE --json"))


def test_exit_codes_are_documented() -> None:
    codes = set(re.findall(r"^\| `(\d)` \|", _section("Exit codes"), flags=re.M))
    assert codes == {"0", "1", "2", str(EXIT_QUARANTINED)}


@pytest.mark.parametrize("command", ["ingest", "show", "search", "export"])
def test_every_json_command_has_a_section(command: str) -> None:
    assert any(title.startswith(f"`patentdesk {command}") for title in _sections()), command
