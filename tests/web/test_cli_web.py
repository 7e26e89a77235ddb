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
    import socket

    import uvicorn.supervisors

    started: list[tuple[uvicorn.Config, list[socket.socket]]] = []

    class Supervisor:
        def __init__(self, config: uvicorn.Config, sockets: list[socket.socket]) -> None:
            started.append((config, sockets))

        def run(self) -> None:
            pass

    def loopback_socket(self: uvicorn.Config) -> socket.socket:  # no real port in a test
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        return sock

    monkeypatch.setattr(uvicorn.supervisors, "Multiprocess", Supervisor)
    monkeypatch.setattr(uvicorn.Config, "bind_socket", loopback_socket)
    monkeypatch.setenv("PATENTDESK_WEB_API_RATE", "2.5")
    r = CliRunner().invoke(main, ["serve", "--home", str(tmp_path), "--host", "0.0.0.0", "--port", "9001",
                                  "--workers", "3"])
    assert r.exit_code == 0, r.output
    assert calls == []
    (config, sockets), = started
    assert config.app == "patentdesk.web.app:app_from_env"
    assert config.factory is True and config.workers == 3 and config.port == 9001 and config.host == "0.0.0.0"
    # the listening socket says TCP, so asyncio keeps Nagle's algorithm off on the workers' connections
    (sock,) = sockets
    assert sock.proto == socket.IPPROTO_TCP
    sock.close()
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
