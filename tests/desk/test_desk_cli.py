"""`patentdesk users add|list|set-role` and `patentdesk desk purge` (registered by cli_desk)."""

from __future__ import annotations

import json

from click.testing import CliRunner
from deskcase import PASSWORD

import patentdesk.cli_desk  # noqa: F401 - registers the desk commands
from patentdesk.cli import main
from patentdesk.config import resolve
from patentdesk.desk import accounts
from patentdesk.desk.config import DeskConfig
from patentdesk.store.catalogue import Catalogue

ENV = {"PATENTDESK_NEW_PASSWORD": PASSWORD, "PATENTDESK_DESK_PASSWORD_TIME_COST": "1",
       "PATENTDESK_DESK_PASSWORD_MEMORY_KIB": "8192"}


def test_users_commands(tmp_path):
    home = str(tmp_path / "home")
    run = CliRunner().invoke
    made = run(main, ["users", "add", "Ada@Library.example", "--role", "analyst", "--name", "Ada", "--home", home,
                      "--json"], env=ENV)
    assert made.exit_code == 0, made.output
    assert json.loads(made.output) == {"id": 1, "email": "ada@library.example", "name": "Ada", "role": "analyst",
                                       "language": "en", "active": True}
    again = run(main, ["users", "add", "ada@library.example", "--home", home], env=ENV)
    assert again.exit_code == 1 and "exists" in again.output
    assert run(main, ["users", "set-role", "ada@library.example", "admin", "--home", home]).output == \
        "ada@library.example: analyst -> admin\n"
    listed = json.loads(run(main, ["users", "list", "--home", home, "--json"]).output)
    assert [(u["email"], u["role"]) for u in listed] == [("ada@library.example", "admin")]
    with Catalogue(resolve(home).database_url) as cat:
        config = DeskConfig(password_time_cost=1, password_memory_kib=8192)
        assert accounts.authenticate(cat.engine, config, "ada@library.example", PASSWORD, "cli").role == "admin"
    purged = run(main, ["desk", "purge", "--home", home, "--json"])
    assert json.loads(purged.output) == {"login_attempts": 0, "sessions": 0, "password_resets": 0, "queries": 0}
