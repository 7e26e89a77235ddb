"""The Alembic migrations build exactly the schema in `schema.metadata`, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text

from patentdesk.store import schema
from patentdesk.store.catalogue import make_engine, migrate

MIGRATIONS = Path(schema.__file__).parent / "migrations"


def _config(conn: Any = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def _fresh_pg(admin_url: str) -> str:
    name = "m_" + uuid.uuid4().hex[:12]
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    base, _, query = admin_url.partition("?")
    return base.rsplit("/", 1)[0] + "/" + name + ("?" + query if query else "")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a database with no tables at all."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    else:
        engine = make_engine(_fresh_pg(request.getfixturevalue("pg_admin_url")))
    assert inspect(engine).get_table_names() == []
    yield engine
    engine.dispose()


def _differences(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, schema.metadata)


def test_upgrade_empty_database_matches_metadata(empty_engine: Engine) -> None:
    migrate(empty_engine)
    assert _differences(empty_engine) == []
    tables = set(inspect(empty_engine).get_table_names())
    assert tables == set(schema.metadata.tables) | {"alembic_version"}
    with empty_engine.connect() as conn:
        head = ScriptDirectory.from_config(_config()).get_current_head()
        assert conn.execute(text("select version_num from alembic_version")).scalar_one() == head


def test_upgrade_is_idempotent(empty_engine: Engine) -> None:
    migrate(empty_engine)
    migrate(empty_engine)
    assert _differences(empty_engine) == []


def test_step_by_step_upgrade_keeps_rows(empty_engine: Engine) -> None:
    """Each revision applied in turn to a database holding data gives the same schema."""
    scripts = ScriptDirectory.from_config(_config())
    revisions = [r.revision for r in reversed(list(scripts.walk_revisions()))]
    with empty_engine.begin() as conn:
        command.upgrade(_config(conn), revisions[0])
        conn.execute(text("insert into publications (number, country, doc_number, doc_type, source_rank, "
                          "content_hash, source, source_file, source_position, updated_at) values "
                          "('US7783348B2', 'US', '7783348', 'grant', 30, 'h', 'test', 'f.xml', 1, "
                          "'2024-01-01 00:00:00')"))
        pub_id = conn.execute(text("select id from publications")).scalar_one()
        conn.execute(text("insert into parties (pub_id, seq, role, name) values (:p, 1, 'inventor', 'Doe, J')"),
                     {"p": pub_id})
    for rev in revisions[1:]:
        with empty_engine.begin() as conn:
            command.upgrade(_config(conn), rev)
    assert _differences(empty_engine) == []
    with empty_engine.connect() as conn:
        assert conn.execute(text("select count(*) from parties")).scalar_one() == 1
        assert conn.execute(text("select number from publications")).scalar_one() == "US7783348B2"


def test_downgrade_to_base_and_back(empty_engine: Engine) -> None:
    migrate(empty_engine)
    with empty_engine.begin() as conn:
        command.downgrade(_config(conn), "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    migrate(empty_engine)
    assert _differences(empty_engine) == []


def test_one_head() -> None:
    # two migrations written in parallel must be chained, not left as two heads
    assert len(ScriptDirectory.from_config(_config()).get_heads()) == 1
