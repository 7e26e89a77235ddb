"""Small helpers the desk modules share: the clock, tokens, rows as dicts."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from sqlalchemy import RowMapping


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives datetimes back without their zone; every stored one is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def iso(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return aware(value).isoformat()  # type: ignore[union-attr]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def row_dict(row: RowMapping, *, omit: tuple[str, ...] = ()) -> dict[str, Any]:
    """A row as JSON-ready values: datetimes as ISO strings in UTC."""
    return {k: iso(v) for k, v in row.items() if k not in omit}


def new_id(result: Any) -> int:
    """The primary key of the row an INSERT just added."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])
