"""The Spark engine against the embedded path on real data: `bulk ingest --engine spark` + `load`
gives the catalogue that `patentdesk ingest` gives, and `bulk embed --engine spark` the vectors
that the vector store computes itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from bulkcase import assert_same, lens_excerpt, snapshot
from click.testing import CliRunner

import patentdesk.cli_ops  # noqa: F401  (registers the commands on `main`)
from patentdesk.bulk.lake import Lake
from patentdesk.cli import EXIT_QUARANTINED, main
from patentdesk.config import resolve
from patentdesk.index import fulltext
from patentdesk.store.catalogue import Catalogue


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_spark_and_embedded_give_the_same_catalogue(spark: Any, bulk_inputs: list[str], tmp_path: Path) -> None:
    home_a, home_b, lake = tmp_path / "embedded", tmp_path / "spark", tmp_path / "lake"

    embedded = invoke("ingest", "--home", str(home_a), "--json", *bulk_inputs)
    assert embedded.exit_code == EXIT_QUARANTINED, embedded.output
    bulk = invoke("bulk", "ingest", "--engine", "spark", "--master", "local[2]", "--out", str(lake), "--json",
                  *bulk_inputs)
    assert bulk.exit_code == 0, bulk.output
    loaded = invoke("load", "--home", str(home_b), "--json", str(lake))
    assert loaded.exit_code == EXIT_QUARANTINED, loaded.output

    e, b, ld = json.loads(embedded.output), json.loads(bulk.output), json.loads(loaded.output)
    counts = ("files", "read", "added", "updated", "unchanged", "skipped", "quarantined")
    assert {k: ld[k] for k in counts} == {k: e[k] for k in counts}
    assert b["engine"] == "spark" and b["units"] == len(bulk_inputs)
    # 25 + 25 grants of the two slices, 3 of the 4 documents of the broken weekly file, the 40 and
    # 30 records of the excerpts (10 shared); the 5 good rows of the malformed CSV are also in excerpt A
    assert e["added"] == 25 + 25 + 3 + 60
    assert e["unchanged"] == 10 + 5
    assert [(x["record"], x["file"].rsplit("/", 1)[-1]) for x in e["errors"]] == [
        ("USD584295S1", "weekly-with-one-broken-document.xml"), ("line 5", "lens-export-malformed-rows.csv")]

    with Catalogue(resolve(home_a).database_url) as cat_a, Catalogue(resolve(home_b).database_url) as cat_b:
        a, s = snapshot(cat_a), snapshot(cat_b)
        assert_same(a, s)
        first = cat_b.get("USD558629S1")  # first grant of ipg080101, <invention-title>Timepiece face
        assert first is not None and first.title == "Timepiece face"
        assert first.provenance is not None and first.provenance.position == 1
        # read first from the malformed-rows CSV (line 2), again from excerpt A: the first stays
        twice = cat_b.get("US20110185700A1")
        assert twice is not None and twice.title == "Jet Engine Bird Diverters"
        assert twice.provenance is not None and twice.provenance.file.endswith("lens-export-malformed-rows.csv")
        assert twice.provenance.position == 2
        assert len(cat_b.history("US20110185700A1")) == 1
        # the full-text index follows the load as it follows an ingest
        assert fulltext.status(resolve(home_b), cat_b)["state"] == "current"
        assert fulltext.status(resolve(home_b))["documents"] == fulltext.status(resolve(home_a))["documents"] == 113

    # the lake: partitioned by source and year, rejections apart
    parts = {p.relative_to(lake / "publications").parts[:2] for p in (lake / "publications").rglob("*.parquet")}
    assert ("source=uspto-grant-v4", "year=2008") in parts and ("source=lens-csv", "year=2011") in parts
    assert {p.parent.name for p in (lake / "rejections").rglob("*.parquet")} == {"disposition=quarantined"}
    assert Lake.open(lake).dataset("publications").count_rows() == 25 + 25 + 3 + 5 + 40 + 30

    again = invoke("load", "--home", str(home_b), "--json", str(lake))
    assert again.exit_code == 0 and json.loads(again.output)["runs"] == []


def test_spark_embeddings_are_the_vector_stores_own(spark: Any, data_dir: Path, tmp_path: Path) -> None:
    from patentdesk.index.embed import model_info
    from patentdesk.index.vectors import VectorStore

    inputs = [str(data_dir / "bad-input" / "weekly-with-one-broken-document.xml"),
              str(lens_excerpt(data_dir, tmp_path, "lens.csv", 1, 12))]
    home_a, home_b, lake = tmp_path / "embedded", tmp_path / "spark", tmp_path / "lake"
    assert invoke("ingest", "--home", str(home_a), *inputs).exit_code == EXIT_QUARANTINED
    settings_a, settings_b = resolve(home_a), resolve(home_b)
    with Catalogue(settings_a.database_url) as cat_a:
        VectorStore.of(settings_a).update(cat_a)

    assert invoke("bulk", "ingest", "--engine", "spark", "--out", str(lake), *inputs).exit_code == 0
    emb = invoke("bulk", "embed", "--engine", "spark", "--json", str(lake))
    assert emb.exit_code == 0, emb.output
    manifest = json.loads(emb.output)
    assert manifest["model"] == model_info().key() and manifest["documents"] == 3 + 12
    loaded = invoke("load", "--home", str(home_b), "--json", str(lake))
    assert loaded.exit_code == EXIT_QUARANTINED, loaded.output
    vec = json.loads(loaded.output)["vectors"]
    assert vec["computed"] == 0 and vec["from_lake"] == manifest["passages"] > 0

    ia = VectorStore.of(settings_a).load()
    ib = VectorStore.of(settings_b).load()
    assert sorted((d.number, d.content_hash, d.passages) for d in ia.docs) == \
        sorted((d.number, d.content_hash, d.passages) for d in ib.docs)
    for d in ia.docs:
        va = ia.doc_vectors(ia.by_number[d.number])
        vb = ib.doc_vectors(ib.by_number[d.number])
        cos = np.sum(va * vb, axis=1)
        assert cos.min() > 0.9999, d.number

    # nothing new to embed: a second run covers no ingest run
    again = json.loads(invoke("bulk", "embed", "--engine", "spark", "--json", str(lake)).output)
    assert again["runs"] == [] and again["passages"] == 0


@pytest.mark.parametrize("engine", ["spark"])
def test_a_failing_file_fails_the_run_and_leaves_no_manifest(spark: Any, tmp_path: Path, engine: str) -> None:
    missing = tmp_path / "gone.xml"
    missing.write_text("<x/>")
    lake = tmp_path / "lake"
    # the path is planned, then removed before the executors read it
    from patentdesk.bulk import spark as bulk_spark
    from patentdesk.bulk import units

    plan = units.plan

    def plan_then_remove(inputs: list[str]) -> list[units.Unit]:
        out = plan(inputs)
        missing.unlink()
        return out

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bulk_spark, "plan", plan_then_remove)
        from patentdesk.errors import PatentdeskError

        with pytest.raises(PatentdeskError, match="Spark job failed"):
            bulk_spark.spark_ingest(spark, [str(missing)], lake)
    assert Lake.open(lake).runs() == []
