"""Backup and restore round trips on SQLite and PostgreSQL: restore into an empty home and
database, then every table count, a sample of records, the rejections, the index and the vectors
match the original; a damaged backup restores nothing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from opscase import BROKEN, SLICE

import patentdesk.cli_ops  # noqa: F401  (registers the commands on `main`)
from patentdesk.cli import main
from patentdesk.config import Settings, resolve
from patentdesk.index import fulltext
from patentdesk.index.embed import DIM, ModelInfo
from patentdesk.index.vectors import VectorStore
from patentdesk.ingest.pipeline import ingest
from patentdesk.ops import backup as B
from patentdesk.store.catalogue import Catalogue


class HashEncoder:
    """Stands in for the sentence encoder: vectors only need to exist and round-trip here."""

    info = ModelInfo("hash-test", "1", "none", DIM)

    def encode(self, texts: Iterable[str], *, progress: Any = None, normalized: bool = False) -> np.ndarray:
        out = []
        for t in texts:
            seed = int.from_bytes(hashlib.sha256(t.encode()).digest()[:8], "little")
            v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
            out.append(v / np.linalg.norm(v))
        return np.array(out, dtype=np.float32).reshape(-1, DIM)


def populated(catalogue: Catalogue, home: Path, data_dir: Path) -> Settings:
    settings = Settings(home=home, database_url=catalogue.url)
    summary = ingest(catalogue, [str(data_dir / SLICE), str(data_dir / BROKEN)])
    assert (summary.added, summary.quarantined) == (28, 1)
    fulltext.rebuild(settings, catalogue)
    VectorStore(settings.vectors_dir).update(catalogue, encoder=HashEncoder())  # type: ignore[arg-type]
    return settings


def empty_target(backend: str, tmp_path: Path, make_catalogue: Callable[[str], Catalogue]) -> Settings:
    if backend == "sqlite":
        return resolve(tmp_path / "restored")
    fresh = make_catalogue("postgres")  # an empty, migrated database, as an installation has
    fresh.close()
    return Settings(home=tmp_path / "restored", database_url=fresh.url)


def backend_of(catalogue: Catalogue) -> str:
    return "sqlite" if catalogue.url.startswith("sqlite") else "postgres"


def test_round_trip(catalogue: Catalogue, make_catalogue: Callable[[str], Catalogue], data_dir: Path,
                    tmp_path: Path) -> None:
    source = populated(catalogue, tmp_path / "source", data_dir)
    manifest = B.backup(source, tmp_path / "backup")
    names = {"sqlite": "database.sqlite", "postgres": "database.pgdump"}
    assert set(manifest["files"]) == {names[backend_of(catalogue)], "index.tar", "vectors.tar"}
    assert manifest["counts"]["publications"] == 28 and manifest["counts"]["rejections"] == 1
    assert manifest["index"]["meta"]["documents"] == 28
    assert any(k.startswith("fulltext/") for k in manifest["index"]["contents"])
    assert "vectors/vectors.json" in manifest["vectors"]["contents"]

    target = empty_target(backend_of(catalogue), tmp_path, make_catalogue)
    report = B.restore(target, tmp_path / "backup")
    assert report["verified"] and report["counts"] == manifest["counts"]

    with Catalogue(target.database_url) as restored:
        from patentdesk.ops.backup import table_counts

        with catalogue.engine.connect() as a, restored.engine.connect() as b:
            assert table_counts(a) == table_counts(b)
        originals = list(catalogue.iter_publications())
        for pub in (originals[0], originals[len(originals) // 2], originals[-1]):
            again = restored.get(pub.number)
            assert again is not None and again.to_dict() == pub.to_dict()
            assert restored.history(pub.number) == catalogue.history(pub.number)
        assert restored.rejections() == catalogue.rejections()
        assert restored.get("USD558629S1").title == "Timepiece face"  # type: ignore[union-attr]
        status = fulltext.status(target, restored)
        assert status["state"] == "current" and status["documents"] == 28
        assert fulltext.open_index(target).searcher().num_docs == 28
    vec = VectorStore(target.vectors_dir).status()
    assert (vec["documents"], vec["passages"]) == (28, VectorStore(source.vectors_dir).status()["passages"])


def test_a_damaged_backup_restores_nothing(sqlite_catalogue: Catalogue, data_dir: Path, tmp_path: Path) -> None:
    B.backup(populated(sqlite_catalogue, tmp_path / "source", data_dir), tmp_path / "backup")
    tar = tmp_path / "backup" / "index.tar"
    data = bytearray(tar.read_bytes())
    data[len(data) // 2] ^= 0xFF
    tar.write_bytes(bytes(data))
    target = resolve(tmp_path / "restored")
    with pytest.raises(B.ChecksumMismatch, match="index.tar does not match"):
        B.restore(target, tmp_path / "backup")
    assert not target.home.exists()


def test_restore_refuses_a_catalogue_with_publications(sqlite_catalogue: Catalogue, data_dir: Path,
                                                       tmp_path: Path) -> None:
    source = populated(sqlite_catalogue, tmp_path / "source", data_dir)
    B.backup(source, tmp_path / "backup")
    from patentdesk.errors import UserError

    with pytest.raises(UserError, match="holds 28 publications"):
        B.restore(source, tmp_path / "backup")
    assert B.restore(source, tmp_path / "backup", force=True)["counts"]["publications"] == 28


def test_backup_and_restore_commands(ops_settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "bk"
    r = CliRunner().invoke(main, ["backup", "--home", str(ops_settings.home), "--out", str(out), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["counts"]["publications"] == 28
    r = CliRunner().invoke(main, ["restore", "--home", str(tmp_path / "new"), str(out)])
    assert r.exit_code == 0 and "28 publications" in r.output, r.output
    r = CliRunner().invoke(main, ["restore", "--home", str(tmp_path / "new"), str(out)])
    assert r.exit_code == 1 and "holds 28 publications" in r.output
