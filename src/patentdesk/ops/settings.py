"""The settings file: one TOML file for a deployment, every key also an environment variable.

Precedence, highest first: command-line option, environment variable, settings file, default.
The file is found through ``--config`` or ``$PATENTDESK_CONFIG``; there is no implicit location,
so what a process runs with is always stated. `apply_to_environ` puts the file's values into the
environment only where a variable is not already set; every layer then reads its variables as it
does without a file (`config.resolve`, `WebOptions.from_env`, click's ``envvar``), so the file
adds no second way of reading settings.

`KEYS` is the reference: docs/configuration.md carries `reference_markdown()` and a test checks
that the two agree, and that every field of `web.app.WebOptions` is a key here.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError

CONFIG_ENV = "PATENTDESK_CONFIG"


@dataclass(frozen=True)
class Key:
    section: str | None
    name: str
    type: type
    default: str
    help: str
    env_name: str | None = None  # when the variable is not PATENTDESK_<SECTION>_<NAME>

    @property
    def env(self) -> str:
        if self.env_name:
            return self.env_name
        parts = ["PATENTDESK", *([self.section] if self.section else []), self.name]
        return "_".join(parts).upper()

    @property
    def dotted(self) -> str:
        return f"{self.section}.{self.name}" if self.section else self.name


KEYS: tuple[Key, ...] = (
    Key(None, "home", str, "the platform's user data folder",
        "Data folder: SQLite catalogue, search index, vectors, progress files, backups."),
    Key(None, "database_url", str, "SQLite in the home",
        "SQLAlchemy URL of the catalogue, e.g. `postgresql://patentdesk@/patentdesk?host=/run/postgresql`."),
    Key("database", "pool_size", int, "5", "PostgreSQL: connections each process keeps open."),
    Key("database", "max_overflow", int, "10", "PostgreSQL: extra connections a process may open under load."),
    Key("database", "pool_timeout", float, "30", "PostgreSQL: seconds to wait for a free connection."),
    Key("database", "pool_recycle", int, "1800", "PostgreSQL: seconds after which a connection is renewed."),
    Key("web", "max_query_length", int, "2000", "Longest query accepted, in characters."),
    Key("web", "max_offset", int, "10000", "Deepest result offset served (export takes everything)."),
    Key("web", "max_body_bytes", int, "65536", "Largest request body accepted."),
    Key("web", "max_upload_bytes", int, "10551296", "Largest service-desk upload (attachments and form)."),
    Key("web", "api_rate", float, "10", "Requests per second per client on /api/ (0: no limit)."),
    Key("web", "api_burst", int, "60", "Requests a client may send at once before the rate applies."),
    Key("web", "export_limit", int, "10000", "Most records one export returns."),
    Key("log", "level", str, "info", "Log level: debug, info, warning, error."),
    Key("log", "format", str, "text", "Log format: `text` for people, `json` (one object a line) for collectors."),
    Key("bulk", "engine", str, "embedded", "Engine of `patentdesk bulk`: `embedded` or `spark`."),
    Key("bulk", "master", str, "local[2]", "Spark master URL: `local[N]`, `spark://host:7077`, `yarn`, `k8s://...`."),
    Key("bulk", "driver_memory", str, "1g", "Spark driver memory."),
    Key("bulk", "executor_memory", str, "Spark's default", "Spark executor memory on a cluster."),
    Key("doctor", "min_free_gb", float, "2", "`patentdesk doctor` fails below this much free disk in the home."),
    Key("metrics", "multiproc_dir", str, "unset",
        "Folder where web workers share metric values (several workers need it; empty it at start).",
        env_name="PROMETHEUS_MULTIPROC_DIR"),
)

_BY_SECTION: dict[str | None, dict[str, Key]] = {}
for _k in KEYS:
    _BY_SECTION.setdefault(_k.section, {})[_k.name] = _k


def read_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """The settings of a file as environment variables; unknown keys and wrong types are errors."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"settings file {p} not found") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"settings file {p}: {e}") from None
    out: dict[str, str] = {}
    for name, value in data.items():
        if isinstance(value, dict):
            if name not in _BY_SECTION:
                raise ConfigError(f"settings file {p}: unknown section [{name}]; known: "
                                  f"{', '.join(s for s in _BY_SECTION if s)}")
            for key, v in value.items():
                out.update(_one(p, _BY_SECTION[name], key, v, name))
        else:
            out.update(_one(p, _BY_SECTION[None], name, value, None))
    return out


def _one(path: Path, keys: dict[str, Key], name: str, value: Any, section: str | None) -> dict[str, str]:
    where = f"[{section}] {name}" if section else name
    key = keys.get(name)
    if key is None:
        raise ConfigError(f"settings file {path}: unknown key {where}; known: {', '.join(keys)}")
    ok = isinstance(value, key.type) and not (key.type is not bool and isinstance(value, bool))
    if key.type is float and isinstance(value, int) and not isinstance(value, bool):
        ok = True
    if not ok:
        raise ConfigError(f"settings file {path}: {where} must be {key.type.__name__}, not {value!r}")
    return {key.env: str(value)}


def apply_to_environ(path: str | os.PathLike[str] | None = None,
                     environ: MutableMapping[str, str] | None = None) -> Path | None:
    """Load the settings file (``path`` or ``$PATENTDESK_CONFIG``) into the environment, without
    overriding variables already set. Returns the file used, or None when there is none."""
    env = os.environ if environ is None else environ
    chosen = path or env.get(CONFIG_ENV)
    if not chosen:
        return None
    for name, value in read_file(chosen).items():
        env.setdefault(name, value)
    resolved = Path(chosen).resolve()
    env[CONFIG_ENV] = str(resolved)  # web workers started later find the same file
    return resolved


def pool_options(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Connection-pool arguments of `sqlalchemy.create_engine` for a PostgreSQL catalogue."""
    env = os.environ if environ is None else environ
    out: dict[str, Any] = {}
    for key in KEYS:
        if key.section == "database" and key.env in env:
            raw = env[key.env]
            try:
                out[key.name] = key.type(raw)
            except ValueError:
                raise ConfigError(f"{key.env}={raw!r} is not a valid {key.type.__name__}") from None
    return out


def reference_markdown() -> str:
    """The table of every setting, as docs/configuration.md carries it."""
    lines = ["| file key | environment variable | default | meaning |", "|---|---|---|---|"]
    for k in KEYS:
        lines.append(f"| `{k.dotted}` | `{k.env}` | {k.default} | {k.help} |")
    return "\n".join(lines) + "\n"
