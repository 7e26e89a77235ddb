"""The service desk's fixtures: a catalogue of the real USPTO weekly slices (loaded once per
session through the CLI), accounts made through the library, and TestClients over the web app on
https (the session cookie is Secure)."""

from __future__ import annotations

import shutil
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from deskcase import LAST_SLICE, PASSWORD, Account, Mailbox, Sink, desk_config

from patentdesk.cli import main
from patentdesk.config import Settings, resolve
from patentdesk.desk import accounts
from patentdesk.desk.config import DeskConfig
from patentdesk.store.catalogue import Catalogue
from patentdesk.web.app import WebOptions, create_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient



def _ingest(home: Path, *paths: Path) -> None:
    result = CliRunner().invoke(main, ["ingest", "--home", str(home), *map(str, paths)])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="session")
def slices(data_dir: Path) -> Path:
    return data_dir / "uspto-xml" / "weekly-slices"


@pytest.fixture(scope="session")
def desk_home(tmp_path_factory: pytest.TempPathFactory, slices: Path) -> Settings:
    """The first eight weekly slices (200 grants), indexed; the ninth is left for a new ingest."""
    home = tmp_path_factory.mktemp("desk-home")
    _ingest(home, *sorted(p for p in slices.glob("*.xml") if p.name != LAST_SLICE))
    return resolve(home)


@pytest.fixture(scope="session")
def desk_catalogue(desk_home: Settings) -> Iterator[Catalogue]:
    with Catalogue(desk_home.database_url) as cat:
        yield cat


@pytest.fixture(scope="session")
def app_config() -> DeskConfig:
    return desk_config()


@pytest.fixture(scope="session")
def desk_app(desk_home: Settings, app_config: DeskConfig) -> Any:
    app = create_app(desk_home, WebOptions(api_rate=0))
    app.state.desk_config = app_config
    return app


@pytest.fixture
def client_for(desk_app: Any) -> Iterator[Callable[[], TestClient]]:
    """New clients over the shared app, each with its own cookies."""
    made: list[TestClient] = []

    def make() -> TestClient:
        c = TestClient(desk_app, base_url="https://testserver")
        c.__enter__()
        made.append(c)
        return c

    yield make
    for c in made:
        c.__exit__(None, None, None)


@pytest.fixture
def make_account(desk_catalogue: Catalogue, app_config: DeskConfig) -> Callable[..., Account]:
    """A fresh account with a session token (unique email each time)."""

    def make(role: str = "user", name: str | None = None, language: str = "en") -> Account:
        email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
        user = accounts.register(desk_catalogue.engine, app_config, email, PASSWORD, name or role.title(),
                                 role=role, language=language)
        token, _ = accounts.create_session(desk_catalogue.engine, app_config, user)
        return Account(user, email, token)

    return make


@pytest.fixture
def fresh_home(tmp_path: Path, desk_home: Settings) -> Settings:
    """A private copy of the loaded home, for tests that change the catalogue itself."""
    home = tmp_path / "home"
    shutil.copytree(desk_home.home, home)
    settings = resolve(home)
    # watches other tests made in the shared home would take part in this test's alert runs
    from sqlalchemy import delete

    from patentdesk.store import schema

    with Catalogue(settings.database_url) as cat, cat.engine.begin() as conn:
        for table in (schema.watch_hits, schema.watch_alerts, schema.watches):
            conn.execute(delete(table))
    return settings


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    """aiosmtpd on a free port of 127.0.0.1, keeping every message it receives."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    box: list[Any] = []
    controller = Controller(Sink(box), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield Mailbox("127.0.0.1", port, box)
    finally:
        controller.stop()


@pytest.fixture
def mailing_app(desk_app: Any, smtp: Mailbox, app_config: DeskConfig) -> Iterator[Mailbox]:
    """The shared app sending its mail to the local SMTP server for one test."""
    desk_app.state.desk_config = desk_config(smtp_port=smtp.port)
    try:
        yield smtp
    finally:
        desk_app.state.desk_config = app_config
