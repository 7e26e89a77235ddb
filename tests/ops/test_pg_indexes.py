"""The hot queries on PostgreSQL use indexes: the statements the catalogue and the web service
really send (captured as they run) are EXPLAINed with sequential scans discouraged; a plan that
still scans a table sequentially has no index to use."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from patentdesk.ingest.pipeline import ingest
from patentdesk.store.catalogue import Catalogue
from patentdesk.web import queries

pytestmark = pytest.mark.postgres


def nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    out = [plan]
    for child in plan.get("Plans", ()):
        out.extend(nodes(child))
    return out


def test_hot_queries_use_indexes(make_catalogue: Callable[[str], Catalogue], data_dir: Path) -> None:
    cat = make_catalogue("postgres")
    ingest(cat, [str(data_dir / "uspto-xml" / "weekly-slices" / "ipg080101.small.xml"),
                 str(data_dir / "uspto-xml" / "weekly-slices" / "ipg050104.small.xml")])
    with cat.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    pub = cat.get("USD558629S1")
    assert pub is not None and pub.family_id
    cited = next(c.cited_number for p in cat.iter_publications() for c in p.citations if c.cited_number)

    captured: list[tuple[str, str, Any]] = []
    label = {"name": ""}

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((label["name"], statement, parameters))

    hot: dict[str, Callable[[], Any]] = {
        "get": lambda: cat.get("USD558629S1"),
        "lookup": lambda: cat.lookup("US D558629"),
        "lookup any kind": lambda: cat.lookup("USD558629S"),
        "get_many": lambda: cat.get_many(["USD558629S1", pub.number]),
        "page of all": lambda: next(cat.iter_publications(batch_size=10)),
        "history": lambda: cat.history("USD558629S1"),
        "existing": lambda: queries.existing(cat, ["USD558629S1", "US1A"]),
        "family": lambda: queries.family_members(cat, pub.family_id, pub.number),
        "cited by": lambda: queries.cited_by(cat, cited),
    }
    event.listen(cat.engine, "before_cursor_execute", capture)
    try:
        for name, fn in hot.items():
            label["name"] = name
            fn()
    finally:
        event.remove(cat.engine, "before_cursor_execute", capture)
    assert {name for name, _, _ in captured} == set(hot)

    bad = []
    with cat.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        for name, statement, params in captured:
            plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, params).scalar_one()
            plan = plan if isinstance(plan, list) else json.loads(plan)
            scans = [n["Relation Name"] for n in nodes(plan[0]["Plan"]) if n["Node Type"] == "Seq Scan"]
            if scans:
                bad.append(f"{name}: sequential scan of {', '.join(scans)} in: {statement}")
    assert not bad, "\n".join(bad)
