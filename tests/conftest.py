"""Shared fixtures: the real data beside the checkout, and fresh catalogues on SQLite and PostgreSQL.

`catalogue` is parametrized over both backends; the PostgreSQL one uses the throwaway cluster that
`make test` starts (PATENTDESK_TEST_PG_URL) and fails loudly when it is missing under CI.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Callable, Iterator

import pytest

from patentdesk.store.catalogue import Catalogue

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("PATENTDESK_SHARED_DATA", REPO.parent / "shared" / "data"))
TEST_DATA = REPO / "tests" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not DATA.is_dir():
        pytest.fail(f"real test data not found at {DATA} (set PATENTDESK_SHARED_DATA)")
    return DATA


def _pg_url() -> str | None:
    return os.environ.get("PATENTDESK_TEST_PG_URL")


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    url = _pg_url()
    if not url:
        if os.environ.get("CI"):
            pytest.fail("PATENTDESK_TEST_PG_URL is not set: run the suite with `make test`")
        pytest.skip("no throwaway PostgreSQL (run `make test`)")
    return url


def _fresh_pg(admin_url: str) -> str:
    from sqlalchemy import create_engine, text

    name = "t_" + uuid.uuid4().hex[:12]
    eng = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    eng.dispose()
    base, _, query = admin_url.partition("?")
    return base.rsplit("/", 1)[0] + "/" + name + ("?" + query if query else "")


@pytest.fixture
def make_catalogue(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[str], Catalogue]]:
    made: list[Catalogue] = []

    def make(backend: str = "sqlite") -> Catalogue:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / ('cat-' + uuid.uuid4().hex[:6] + '.sqlite')}"
        else:
            url = _fresh_pg(request.getfixturevalue("pg_admin_url"))
        cat = Catalogue(url)
        made.append(cat)
        return cat

    yield make
    for c in made:
        c.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def catalogue(request: pytest.FixtureRequest, make_catalogue: Callable[[str], Catalogue]) -> Catalogue:
    return make_catalogue(request.param)


@pytest.fixture
def sqlite_catalogue(make_catalogue: Callable[[str], Catalogue]) -> Catalogue:
    return make_catalogue("sqlite")
