"""`patentdesk doctor` on a healthy home and on each way a deployment goes wrong."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

import patentdesk.cli_ops  # noqa: F401  (registers the commands on `main`)
from patentdesk.cli import main
from patentdesk.config import Settings, resolve
from patentdesk.ops.doctor import FAIL, OK, WARN, run_checks
from patentdesk.store.catalogue import Catalogue


def by_name(settings: Settings, **kw: float) -> dict[str, tuple[str, str]]:
    return {c.name: (c.status, c.detail) for c in run_checks(settings, **kw)}


def test_a_healthy_home(ops_settings: Settings) -> None:
    got = by_name(ops_settings)
    for name in ("config", "database", "schema", "catalogue", "index", "model", "disk"):
        assert got[name][0] == OK, (name, got[name])
    assert got["catalogue"][1].startswith("28 publications, 1 quarantined")
    assert got["index"][1] == "28 documents, matches the catalogue"
    assert got["vectors"][0] == WARN  # none built: semantic search off
    assert "use-multilingual-v3@" in got["model"][1]
    r = CliRunner().invoke(main, ["doctor", "--home", str(ops_settings.home), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["status"] == WARN


def test_an_index_behind_the_catalogue_fails(ops_settings: Settings) -> None:
    with Catalogue(ops_settings.database_url) as cat:
        pub = cat.get("USD558629S1")
        assert pub is not None
        import dataclasses

        cat.apply([dataclasses.replace(pub, number="USD999999S1", doc_number="D999999")])
    status, detail = by_name(ops_settings)["index"]
    assert status == FAIL and detail == "28 documents in the index, 29 publications in the catalogue"
    r = CliRunner().invoke(main, ["doctor", "--home", str(ops_settings.home)])
    assert r.exit_code == 1 and "fix: patentdesk index rebuild" in r.output


def test_an_unmigrated_database_fails_and_is_not_migrated(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    sqlite3.connect(home / "catalogue.sqlite").close()
    got = by_name(resolve(home))
    assert got["schema"][0] == FAIL and got["schema"][1].startswith("the database is at nothing")
    with sqlite3.connect(home / "catalogue.sqlite") as conn:
        assert conn.execute("select count(*) from sqlite_master").fetchone() == (0,)


def test_an_unreachable_database_fails(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    settings = Settings(home=home, database_url=f"postgresql+psycopg://nobody:secret@/x?host={tmp_path}/nowhere")
    got = by_name(settings)
    assert got["database"][0] == FAIL and got["database"][1].startswith("cannot reach")
    assert "secret" not in got["database"][1]
    assert "schema" not in got


def test_low_disk_fails(ops_settings: Settings) -> None:
    status, detail = by_name(ops_settings, min_free_gb=1e9)["disk"]
    assert status == FAIL and "less than 1e+09 GB" in detail


def test_a_missing_home_fails(tmp_path: Path) -> None:
    got = by_name(resolve(tmp_path / "none"))
    assert got["config"][0] == FAIL and got["database"][0] == FAIL
