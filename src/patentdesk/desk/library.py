"""A user's own collections of documents and saved searches. Nobody else reaches them: another
user's id answers `NotFound`, as a missing one does."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from ..store import schema as S
from .accounts import User
from .db import new_id, now, row_dict
from .errors import Conflict, InvalidInput, NotFound
from .requests import _check_text

MAX_QUERY = 2000


def _own(conn: Connection, table: Any, actor: User, object_id: int, what: str) -> Any:
    row = conn.execute(select(table).where(table.c.id == object_id, table.c.user_id == actor.id)).first()
    if row is None:
        raise NotFound(f"no {what} {object_id}")
    return row


# ----------------------------------------------------------------------------- collections
def create_collection(engine: Engine, actor: User, name: str, description: str | None = None) -> dict[str, Any]:
    name = _check_text("name", name, 200)
    description = _check_text("description", description, 4000, required=False) or None
    with engine.begin() as conn:
        res = conn.execute(insert(S.collections).values(user_id=actor.id, name=name, description=description,
                                                        created_at=now()))
        collection_id = new_id(res)
    return collection(engine, actor, collection_id)


def collections(engine: Engine, actor: User) -> list[dict[str, Any]]:
    counts = (select(S.collection_items.c.collection_id, func.count().label("n_items"))
              .group_by(S.collection_items.c.collection_id).subquery())
    q = (select(S.collections, func.coalesce(counts.c.n_items, 0).label("items"))
         .join(counts, counts.c.collection_id == S.collections.c.id, isouter=True)
         .where(S.collections.c.user_id == actor.id).order_by(S.collections.c.id))
    with engine.connect() as conn:
        return [row_dict(r) for r in conn.execute(q).mappings()]


def collection(engine: Engine, actor: User, collection_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        row = _own(conn, S.collections, actor, collection_id, "collection")
        out = row_dict(row._mapping)
        out["items"] = [row_dict(r, omit=("collection_id",)) for r in conn.execute(
            select(S.collection_items).where(S.collection_items.c.collection_id == collection_id)
            .order_by(S.collection_items.c.id)).mappings()]
    return out


def rename_collection(engine: Engine, actor: User, collection_id: int, name: str | None = None,
                      description: str | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = _check_text("name", name, 200)
    if description is not None:
        values["description"] = _check_text("description", description, 4000, required=False) or None
    with engine.begin() as conn:
        _own(conn, S.collections, actor, collection_id, "collection")
        if values:
            conn.execute(update(S.collections).where(S.collections.c.id == collection_id).values(**values))
    return collection(engine, actor, collection_id)


def delete_collection(engine: Engine, actor: User, collection_id: int) -> None:
    with engine.begin() as conn:
        _own(conn, S.collections, actor, collection_id, "collection")
        conn.execute(delete(S.collection_items).where(S.collection_items.c.collection_id == collection_id))
        conn.execute(delete(S.collections).where(S.collections.c.id == collection_id))


def add_item(engine: Engine, actor: User, collection_id: int, number: str, note: str | None = None) -> dict[str, Any]:
    """Add a document (canonical number, checked by the caller against the catalogue)."""
    note = _check_text("note", note, 4000, required=False) or None
    with engine.begin() as conn:
        _own(conn, S.collections, actor, collection_id, "collection")
        exists = conn.execute(select(S.collection_items.c.id).where(
            S.collection_items.c.collection_id == collection_id, S.collection_items.c.number == number)).first()
        if exists:
            raise Conflict(f"{number} is in the collection already")
        conn.execute(insert(S.collection_items).values(collection_id=collection_id, number=number, note=note,
                                                       added_at=now()))
    return collection(engine, actor, collection_id)


def remove_item(engine: Engine, actor: User, collection_id: int, number: str) -> dict[str, Any]:
    with engine.begin() as conn:
        _own(conn, S.collections, actor, collection_id, "collection")
        gone = conn.execute(delete(S.collection_items).where(S.collection_items.c.collection_id == collection_id,
                                                             S.collection_items.c.number == number)).rowcount
        if not gone:
            raise NotFound(f"{number} is not in collection {collection_id}")
    return collection(engine, actor, collection_id)


# ----------------------------------------------------------------------------- saved searches
def save_search(engine: Engine, actor: User, name: str, query: str) -> dict[str, Any]:
    name = _check_text("name", name, 200)
    query = _check_text("query", query, MAX_QUERY)
    with engine.begin() as conn:
        res = conn.execute(insert(S.saved_searches).values(user_id=actor.id, name=name, query=query,
                                                           created_at=now()))
        saved_id = new_id(res)
    return saved_search(engine, actor, saved_id)


def saved_searches(engine: Engine, actor: User) -> list[dict[str, Any]]:
    q = select(S.saved_searches).where(S.saved_searches.c.user_id == actor.id).order_by(S.saved_searches.c.id)
    with engine.connect() as conn:
        return [row_dict(r) for r in conn.execute(q).mappings()]


def saved_search(engine: Engine, actor: User, saved_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        return row_dict(_own(conn, S.saved_searches, actor, saved_id, "saved search")._mapping)


def delete_saved_search(engine: Engine, actor: User, saved_id: int) -> None:
    with engine.begin() as conn:
        _own(conn, S.saved_searches, actor, saved_id, "saved search")
        conn.execute(delete(S.saved_searches).where(S.saved_searches.c.id == saved_id))


def check_query_length(query: str) -> str:
    if len(query) > MAX_QUERY:
        raise InvalidInput(f"query: at most {MAX_QUERY} characters")
    return query
