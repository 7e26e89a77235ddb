"""The settings file: TOML keys become environment variables (which still win), unknown keys and
wrong types are refused, every key is documented in docs/configuration.md, and logs are JSON
when asked."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
from pathlib import Path

import pytest

from patentdesk.errors import ConfigError
from patentdesk.ops import logconfig
from patentdesk.ops.settings import (
    KEYS,
    apply_to_environ,
    pool_options,
    read_file,
    reference_markdown,
)
from patentdesk.web.app import WebOptions

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"

EXAMPLE = """
home = "/var/lib/patentdesk"
database_url = "postgresql://patentdesk@/patentdesk?host=/run/postgresql"

[database]
pool_size = 20
pool_timeout = 5

[web]
api_rate = 25
max_offset = 5000

[log]
format = "json"
"""


def test_file_values_become_environment_without_overriding(tmp_path: Path) -> None:
    path = tmp_path / "patentdesk.toml"
    path.write_text(EXAMPLE)
    env = {"PATENTDESK_WEB_API_RATE": "3"}
    assert apply_to_environ(path, env) == path.resolve()
    assert env["PATENTDESK_HOME"] == "/var/lib/patentdesk"
    assert env["PATENTDESK_DATABASE_POOL_SIZE"] == "20"
    assert env["PATENTDESK_WEB_API_RATE"] == "3"  # the environment wins over the file
    assert env["PATENTDESK_CONFIG"] == str(path.resolve())
    assert WebOptions.from_env(env) == WebOptions(api_rate=3.0, max_offset=5000)
    assert pool_options(env) == {"pool_size": 20, "pool_timeout": 5.0}
    assert apply_to_environ(None, {}) is None


def test_config_file_through_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('[bulk]\nmaster = "local[4]"\n')
    env = {"PATENTDESK_CONFIG": str(path)}
    apply_to_environ(None, env)
    assert env["PATENTDESK_BULK_MASTER"] == "local[4]"


@pytest.mark.parametrize("text, message", [
    ("[web]\nmax_ofset = 3\n", r"unknown key \[web\] max_ofset; known: max_query_length"),
    ("[webb]\nx = 1\n", r"unknown section \[webb\]"),
    ("[web]\nmax_offset = \"many\"\n", r"\[web\] max_offset must be int"),
    ("[web]\nmax_offset = true\n", r"must be int"),
    ("home = \n", r"p.toml"),
])
def test_bad_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        read_file(path)


def test_every_web_option_is_a_key() -> None:
    web = {k.name for k in KEYS if k.section == "web"}
    assert {f.name for f in dataclasses.fields(WebOptions)} <= web


def test_the_reference_in_the_docs_is_current() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert reference_markdown() in text, "regenerate the table: python -c 'from patentdesk.ops.settings import " \
                                         "reference_markdown; print(reference_markdown())'"
    for k in KEYS:
        assert f"`{k.env}`" in text


def test_json_logs_carry_extra_fields_and_access_lines() -> None:
    stream = io.StringIO()
    logconfig.configure("info", "json", stream=stream)
    try:
        logging.getLogger("patentdesk.test").info("loaded %d records", 5, extra={"run_id": 7})
        logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", "/healthz",
                                                 "1.1", 200)
    finally:
        logging.getLogger().handlers.clear()
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "loaded 5 records" and first["run_id"] == 7 and first["level"] == "info"
    assert (second["method"], second["path"], second["status"]) == ("GET", "/healthz", 200)
    config = logconfig.uvicorn_log_config("warning", "json")
    assert config["formatters"]["default"]["()"].endswith("JsonFormatter")
    with pytest.raises(ValueError, match="log format"):
        logconfig.settings_from_env("info", "xml")
