"""The lake without Spark: the embedded engine, the equivalence of `bulk ingest` + `load` with
`ingest` on every kind of broken input, incremental loads, interrupted loads, and integrity."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bulkcase import assert_same, snapshot

from patentdesk.bulk import lake as L
from patentdesk.bulk.units import plan
from patentdesk.config import resolve
from patentdesk.ingest.pipeline import ingest
from patentdesk.ingest.sources import expand
from patentdesk.store.catalogue import Catalogue


def test_units_are_the_files_of_ingest_in_its_order(data_dir: Path) -> None:
    inputs = [str(data_dir / "uspto-xml"), str(data_dir / "lens" / "*.csv")]
    assert [u.path for u in plan(inputs)] == [s.name for s in expand(inputs)]
    assert [u.index for u in plan(inputs)] == list(range(len(plan(inputs))))


def test_bulk_then_load_equals_ingest_on_broken_inputs(catalogue: Catalogue, sqlite_catalogue: Catalogue,
                                                      bulk_inputs: list[str], data_dir: Path, tmp_path: Path) -> None:
    """The whole bad-input folder (XXE, billion laughs, empty, binary, truncated, wrong encoding,
    not a patent...) plus real inputs, loaded into SQLite and PostgreSQL."""
    inputs = [str(data_dir / "bad-input"), *bulk_inputs[:1], *bulk_inputs[3:]]
    embedded = ingest(sqlite_catalogue, inputs)
    bulk = L.embedded_ingest(inputs, tmp_path / "lake")
    loaded = L.load_lake(catalogue, tmp_path / "lake")
    assert loaded.counts() == embedded.counts()
    assert (bulk.files, bulk.read, bulk.skipped, bulk.quarantined) == (
        embedded.files, embedded.read, embedded.skipped, embedded.quarantined)
    assert sorted(loaded.changed_numbers) == sorted(embedded.changed_numbers)
    assert_same(snapshot(sqlite_catalogue), snapshot(catalogue))
    reasons = {Path(r["file"]).name: r["reason"] for r in catalogue.rejections()}
    assert reasons["empty.xml"] == "empty file"
    assert "not-a-patent.xml" in reasons and "xxe-external-entity.xml" in reasons


def test_an_unsafe_archive_is_reported_under_its_input(sqlite_catalogue: Catalogue, make_catalogue: Callable[..., Any],
                                                       data_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("../escape.xml", "<x/>")
    inputs = [str(bad), str(data_dir / "bad-input" / "not-a-patent.xml")]
    ingest(sqlite_catalogue, inputs)
    L.embedded_ingest(inputs, tmp_path / "lake")
    other = make_catalogue("sqlite")
    L.load_lake(other, tmp_path / "lake")
    assert_same(snapshot(sqlite_catalogue), snapshot(other))
    assert [r["file"] for r in other.rejections() if r["disposition"] == "quarantined"] == [str(bad)]


def test_load_is_incremental(sqlite_catalogue: Catalogue, bulk_inputs: list[str], tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    first = L.embedded_ingest(bulk_inputs[:1], lake)
    got = L.load_lake(sqlite_catalogue, lake)
    assert got.runs == [first.run] and got.added == 25
    second = L.embedded_ingest(bulk_inputs[1:2], lake)
    got = L.load_lake(sqlite_catalogue, lake)
    assert got.runs == [second.run] and got.added == 25 and got.unchanged == 0
    assert L.load_lake(sqlite_catalogue, lake).runs == []
    assert sqlite_catalogue.count() == 50
    assert len(sqlite_catalogue.runs()) == 2  # one catalogue run per lake run: the ledger
    assert L.loaded_runs(sqlite_catalogue, L.Lake.open(lake))[0] == {first.run, second.run}


def test_an_interrupted_load_is_finished_by_the_next(sqlite_catalogue: Catalogue, bulk_inputs: list[str],
                                                     tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    L.embedded_ingest(bulk_inputs[:2], lake)
    real_apply = sqlite_catalogue.apply
    calls = {"n": 0}

    def dying_apply(pubs: Any, run_id: Any = None) -> list[str]:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real_apply(pubs, run_id)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sqlite_catalogue, "apply", dying_apply)
        with pytest.raises(KeyboardInterrupt):
            L.load_lake(sqlite_catalogue, lake, batch_size=10)
    assert sqlite_catalogue.count() == 10
    assert sqlite_catalogue.runs()[0].status == "failed"
    got = L.load_lake(sqlite_catalogue, lake, batch_size=10)
    assert (got.added, got.unchanged) == (40, 10)
    # what the first attempt stored was never indexed: it is handed to the index again
    assert len(got.changed_numbers) == 50
    assert sqlite_catalogue.count() == 50


def test_rows_of_an_unfinished_run_are_ignored(sqlite_catalogue: Catalogue, bulk_inputs: list[str],
                                               tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    done = L.embedded_ingest(bulk_inputs[:1], lake)
    dead = L.embedded_ingest(bulk_inputs[1:2], lake)
    (lake / "_runs" / f"{dead.run}.json").unlink()  # as if the engine died before the manifest
    got = L.load_lake(sqlite_catalogue, lake)
    assert got.runs == [done.run] and sqlite_catalogue.count() == 25


def test_a_record_that_does_not_match_its_hash_is_refused(sqlite_catalogue: Catalogue, bulk_inputs: list[str],
                                                          tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    lake = tmp_path / "lake"
    L.embedded_ingest(bulk_inputs[:1], lake)
    part = next((lake / "publications").rglob("*.parquet"))
    table = pq.read_table(part)
    records = table.column("record").to_pylist()
    d = json.loads(records[0])
    d["texts"][0]["text"] += " (edited)"
    records[0] = json.dumps(d)
    import pyarrow as pa

    pq.write_table(table.set_column(table.schema.get_field_index("record"), "record", pa.array(records)), part)
    with pytest.raises(L.LakeError, match="does not match its content hash"):
        L.load_lake(sqlite_catalogue, lake)


def test_not_a_lake(tmp_path: Path) -> None:
    from patentdesk.errors import UserError

    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "file.txt").write_text("x")
    with pytest.raises(UserError, match="not a patentdesk lake"):
        L.Lake.open(tmp_path / "x")
    with pytest.raises(UserError, match="not empty"):
        L.Lake.open(tmp_path / "x", create=True)


def test_cli_embedded_engine_and_load(bulk_inputs: list[str], tmp_path: Path) -> None:
    from click.testing import CliRunner

    import patentdesk.cli_ops  # noqa: F401
    from patentdesk.cli import main

    lake, home = tmp_path / "lake", tmp_path / "home"
    r = CliRunner().invoke(main, ["bulk", "ingest", "--out", str(lake), *bulk_inputs[:2]])
    assert r.exit_code == 0 and "(embedded): files 2 read 50 publications 50" in r.output, r.output
    r = CliRunner().invoke(main, ["load", "--home", str(home), str(lake)])
    assert r.exit_code == 0 and "added 50" in r.output, r.output
    with Catalogue(resolve(home).database_url) as cat:
        assert cat.count() == 50


def test_embedded_embed_then_load_takes_the_vectors_from_the_lake(data_dir: Path, tmp_path: Path) -> None:
    """`bulk embed --engine embedded`: the store built by `load` holds the lake's vectors, which
    are the vectors the store computes itself from the catalogue."""
    import numpy as np
    from bulkcase import lens_excerpt

    from patentdesk.index.vectors import VectorStore

    inputs = [str(lens_excerpt(data_dir, tmp_path, "lens.csv", 1, 6))]
    lake = tmp_path / "lake"
    L.embedded_ingest(inputs, lake)
    emb = L.embedded_embed(lake)
    assert (emb["documents"], emb["passages"]) == (6, 6)  # title only: one passage each
    assert L.embedded_embed(lake)["runs"] == []
    settings = resolve(tmp_path / "home")
    with Catalogue(settings.database_url) as cat:
        got = L.load_lake(cat, lake)
        vec = L.update_vectors(settings, cat, lake, got.changed_numbers)
        assert vec is not None and (vec["from_lake"], vec["computed"]) == (6, 0)
        own = VectorStore(tmp_path / "own")
        own.update(cat)
    a, b = VectorStore(settings.vectors_dir).load(), own.load()
    assert [d.number for d in a.docs] == [d.number for d in b.docs]
    assert float(np.min(np.sum(a.vectors * b.vectors, axis=1))) > 0.9999
