"""What "the same catalogue" means for the bulk tests: every publication's `to_dict()` (provenance
included, less the catalogue's own run id), every rejection, every version, every count."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from patentdesk.store import schema as S
from patentdesk.store.catalogue import Catalogue


def snapshot(cat: Catalogue) -> dict[str, Any]:
    pubs = {}
    for p in cat.iter_publications():
        d = p.to_dict()
        d["provenance"]["run_id"] = None
        pubs[p.number] = d
    rejections = sorted((r["file"], r["position"], r["record"] or "", r["reason"], r["disposition"],
                         r["excerpt"] or "") for r in cat.rejections())
    with cat.engine.connect() as conn:
        versions = sorted(
            (r.number, r.content_hash, r.source, r.source_file, r.source_position, r.status)
            for r in conn.execute(select(S.versions)))
    stats = cat.stats()
    stats.pop("last_ingests")
    return {"publications": pubs, "rejections": rejections, "versions": versions, "stats": stats}


def assert_same(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert a["stats"] == b["stats"]
    assert sorted(a["publications"]) == sorted(b["publications"])
    for number, record in a["publications"].items():
        assert b["publications"][number] == record, number
    assert a["rejections"] == b["rejections"]
    assert a["versions"] == b["versions"]


LENS_EXCERPT_ROWS = 40


def lens_excerpt(data_dir: Path, folder: Path, name: str, first: int, last: int) -> Path:
    """Lines `first`..`last` (1-based records) of the Lens jet-engine export, with its header.

    The export has no line breaks inside fields (checked: 3,780 lines for 3,779 records), so lines
    are records and the reader's positions stay line numbers of the excerpt.
    """
    lines = (data_dir / "lens" / "lens-export-jet-engines.csv").read_text(encoding="utf-8").splitlines(True)
    path = folder / name
    path.write_text("".join([lines[0], *lines[first:last + 1]]), encoding="utf-8")
    return path
