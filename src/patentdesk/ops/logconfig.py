"""Structured logs: one JSON object a line for log collectors, or plain text for people.

Nothing is configured at import. `configure()` sets up the root logger of a command-line process;
`uvicorn_log_config()` gives `patentdesk serve` the same format for the server's own loggers,
access log included (client, method, path, status as fields). Level and format come from
``PATENTDESK_LOG_LEVEL`` / ``PATENTDESK_LOG_FORMAT`` (or the settings file's ``[log]``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
from typing import Any

FORMATS = ("text", "json")
LEVELS = ("debug", "info", "warning", "error", "critical")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# attributes every LogRecord has: everything else on a record came in through `extra=`
_STANDARD = set(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ts, level, logger, message, then the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            out.update(client=client, method=method, path=path, http=version, status=status)
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in out and not key.startswith("_"):
                out[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def requested() -> bool:
    """Whether this process was asked for a log level or format (else Python's defaults stand)."""
    return bool(os.environ.get("PATENTDESK_LOG_LEVEL") or os.environ.get("PATENTDESK_LOG_FORMAT"))


def settings_from_env(level: str | None = None, fmt: str | None = None) -> tuple[str, str]:
    level = (level or os.environ.get("PATENTDESK_LOG_LEVEL") or "info").lower()
    fmt = (fmt or os.environ.get("PATENTDESK_LOG_FORMAT") or "text").lower()
    if level not in LEVELS:
        raise ValueError(f"log level {level!r}: use one of {', '.join(LEVELS)}")
    if fmt not in FORMATS:
        raise ValueError(f"log format {fmt!r}: use one of {', '.join(FORMATS)}")
    return level, fmt


def formatter(fmt: str) -> logging.Formatter:
    return JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT)


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time of the record (test runners swap it)."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure(level: str | None = None, fmt: str | None = None, stream: Any = None) -> None:
    """Log records of this process to stderr in the chosen format (replaces earlier handlers)."""
    level, fmt = settings_from_env(level, fmt)
    handler: logging.Handler = logging.StreamHandler(stream) if stream is not None else _Stderr()
    handler.setFormatter(formatter(fmt))
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(level.upper())


def uvicorn_log_config(level: str | None = None, fmt: str | None = None) -> dict[str, Any]:
    """`logging.config.dictConfig` settings for uvicorn (`uvicorn.run(..., log_config=...)`)."""
    level, fmt = settings_from_env(level, fmt)
    fmt_conf: dict[str, Any] = ({"()": f"{__name__}.JsonFormatter"} if fmt == "json" else {"format": TEXT_FORMAT})
    handler = {"class": "logging.StreamHandler", "formatter": "default", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": fmt_conf},
        "handlers": {"default": handler},
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"level": level.upper()},
            "uvicorn.access": {"handlers": ["default"], "level": level.upper(), "propagate": False},
            "patentdesk": {"handlers": ["default"], "level": level.upper(), "propagate": False},
        },
    }
