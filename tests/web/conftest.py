"""A catalogue of real USPTO weekly-slice grants (loaded once per session through the CLI, as
`make demo` does) plus three records made here (webcase.py), and a TestClient over the web app."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from webcase import CITED, EP_PAIR, HOSTILE, ep_pair, hostile_record

from patentdesk.cli import main
from patentdesk.config import Settings, resolve
from patentdesk.store.catalogue import Catalogue
from patentdesk.web.app import WebOptions, create_app

with warnings.catch_warnings():
    # Starlette asks for the httpx2 package and warns at import when it finds httpx instead.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

@pytest.fixture(scope="session")
def web_settings(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Settings:
    home = tmp_path_factory.mktemp("web-home")
    slices = data_dir / "uspto-xml" / "weekly-slices"
    result = CliRunner().invoke(main, ["ingest", "--home", str(home), str(slices)])
    assert result.exit_code == 0, result.output
    settings = resolve(home)
    with Catalogue(settings.database_url) as cat:
        cited = cat.get(CITED)
        assert cited is not None
        assert cat.apply([hostile_record(cited.family_id), *ep_pair()]) == ["added"] * 3
        _update_index(settings, cat, [HOSTILE, *EP_PAIR])
    return settings


def _update_index(settings: Settings, catalogue: Catalogue, numbers: list[str]) -> None:
    from patentdesk.index import fulltext

    fulltext.update_after_ingest(settings, catalogue, numbers)


@pytest.fixture(scope="session")
def client(web_settings: Settings) -> Iterator[TestClient]:
    app = create_app(web_settings, WebOptions(api_rate=0))
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def web_catalogue(web_settings: Settings) -> Iterator[Catalogue]:
    with Catalogue(web_settings.database_url) as cat:
        yield cat


@pytest.fixture
def make_client(web_settings: Settings) -> Callable[..., TestClient]:
    """A client over an app with other options or another search backend (use it in a `with`)."""

    def make(options: WebOptions, search: Any = None, **kw: Any) -> TestClient:
        return TestClient(create_app(web_settings, options, search=search), **kw)

    return make
