"""`patentdesk serve` hands uvicorn the app (one worker) or the factory's import string (several)."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner
from fastapi import FastAPI

from patentdesk.cli import main
from patentdesk.web.app import WebOptions, app_from_env


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    seen: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.append((app, kw)))
    # `serve --workers` writes these; setting then deleting each makes monkeypatch restore them after
    for var in ("PATENTDESK_HOME", "PATENTDESK_DATABASE_URL", *WebOptions().to_env()):
        monkeypatch.setenv(var, "")
        monkeypatch.delenv(var)
    return seen


def test_serve_defaults(tmp_path, calls):
    r = CliRunner().invoke(main, ["serve", "--home", str(tmp_path)])
    assert r.exit_code == 0, r.output
    (app, kw), = calls
    assert isinstance(app, FastAPI)
    assert kw["host"] == "127.0.0.1" and kw["port"] == 8000
    assert (tmp_path / "catalogue.sqlite").exists()  # the schema is brought up to date before serving


def test_serve_workers_use_the_factory_and_the_environment(tmp_path, calls, monkeypatch):
    monkeypatch.setenv("PATENTDESK_WEB_API_RATE", "2.5")
    r = CliRunner().invoke(main, ["serve", "--home", str(tmp_path), "--host", "0.0.0.0", "--port", "9001",
                                  "--workers", "3"])
    assert r.exit_code == 0, r.output
    (app, kw), = calls
    assert app == "patentdesk.web.app:app_from_env"
    assert kw["factory"] is True and kw["workers"] == 3 and kw["port"] == 9001 and kw["host"] == "0.0.0.0"
    import os

    assert os.environ["PATENTDESK_HOME"] == str(tmp_path.resolve())
    assert WebOptions.from_env().api_rate == 2.5
    built = app_from_env()
    assert built.state.services.settings.home == tmp_path.resolve()
    assert built.state.services.options.api_rate == 2.5


def test_options_from_env():
    opts = WebOptions.from_env({"PATENTDESK_WEB_MAX_QUERY_LENGTH": "500", "PATENTDESK_WEB_API_RATE": "0"})
    assert opts.max_query_length == 500 and opts.api_rate == 0.0
    assert WebOptions.from_env(opts.to_env()) == opts
