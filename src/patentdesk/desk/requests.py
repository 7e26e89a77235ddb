"""Requests for help from the library: submitted by users, worked by analysts as cases.

A user reaches only their own requests; staff reach every request. Anyone else asking for a
request gets `NotFound`, the same answer as for a request that does not exist.

Statuses: submitted -> accepted -> in_progress <-> waiting_for_user -> delivered -> closed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.engine import Connection

from ..config import Settings
from ..store import schema as S
from . import audit
from .accounts import LANGUAGES, User
from .config import DeskConfig
from .db import new_id, new_token, now, row_dict
from .errors import Conflict, Forbidden, InvalidInput, NotFound

KINDS = ("novelty", "fto", "landscape", "question")
STATUSES = ("submitted", "accepted", "in_progress", "waiting_for_user", "delivered", "closed")
OPEN_STATUSES = STATUSES[:5]

# What staff may move a request to from each status; delivery has its own path (cases.deliver).
STAFF_MOVES: dict[str, tuple[str, ...]] = {
    "submitted": ("accepted", "closed"),
    "accepted": ("in_progress", "waiting_for_user", "closed"),
    "in_progress": ("waiting_for_user", "closed"),
    "waiting_for_user": ("in_progress", "closed"),
    "delivered": ("in_progress", "closed"),
    "closed": (),
}

# Attachments: what may be sent, recognized by extension and by the file's first bytes.
ATTACHMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".txt": ("text/plain", ()),
    ".csv": ("text/csv", ()),
}
MAX_TITLE = 200
MAX_TEXT = 20_000


def _check_text(name: str, value: str | None, limit: int = MAX_TEXT, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"{name}: required")
    if len(text) > limit:
        raise InvalidInput(f"{name}: at most {limit} characters")
    return text


def _owned(conn: Connection, actor: User, request_id: int) -> Any:
    row = conn.execute(select(S.service_requests).where(S.service_requests.c.id == request_id)).first()
    if row is None or (row.user_id != actor.id and not actor.is_staff):
        raise NotFound(f"no request {request_id}")
    return row


def submit(engine: Engine, actor: User, *, kind: str, title: str, description: str,
           deadline: dt.date | None = None, language: str | None = None) -> dict[str, Any]:
    if kind not in KINDS:
        raise InvalidInput(f"kind: one of {', '.join(KINDS)}")
    title = _check_text("title", title, MAX_TITLE)
    description = _check_text("description", description)
    language = language or actor.language
    if language not in LANGUAGES:
        raise InvalidInput(f"language: one of {', '.join(LANGUAGES)}")
    if deadline is not None and deadline < now().date():
        raise InvalidInput("deadline: in the past")
    stamp = now()
    with engine.begin() as conn:
        res = conn.execute(insert(S.service_requests).values(
            user_id=actor.id, kind=kind, title=title, description=description, deadline=deadline,
            language=language, status="submitted", created_at=stamp, updated_at=stamp))
        request_id = new_id(res)
        audit.record_if_staff(conn, actor, "request.submit", "request", request_id)
    return get(engine, actor, request_id)


def _summary(row: Any) -> dict[str, Any]:
    return row_dict(row._mapping)


def get(engine: Engine, actor: User, request_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        row = _owned(conn, actor, request_id)
        out = _summary(row)
        out["attachments"] = [row_dict(r) for r in conn.execute(
            select(S.request_attachments).where(S.request_attachments.c.request_id == request_id)
            .order_by(S.request_attachments.c.id)).mappings()]
        out["report_available"] = conn.execute(select(func.count()).select_from(S.search_reports).where(
            S.search_reports.c.request_id == request_id)).scalar_one() > 0
    return out


def list_mine(engine: Engine, actor: User) -> list[dict[str, Any]]:
    q = select(S.service_requests).where(S.service_requests.c.user_id == actor.id).order_by(
        S.service_requests.c.id.desc())
    with engine.connect() as conn:
        return [_summary(r) for r in conn.execute(q)]


def close(engine: Engine, actor: User, request_id: int) -> dict[str, Any]:
    """The user withdraws a request or accepts the delivered report; staff close any open one."""
    with engine.begin() as conn:
        row = _owned(conn, actor, request_id)
        if row.status == "closed":
            raise Conflict("the request is closed already")
        stamp = now()
        conn.execute(update(S.service_requests).where(S.service_requests.c.id == request_id)
                     .values(status="closed", closed_at=stamp, updated_at=stamp))
        audit.record_if_staff(conn, actor, "request.close", "request", request_id, before=row.status)
    return get(engine, actor, request_id)


# ----------------------------------------------------------------------------- messages
def post_message(engine: Engine, actor: User, request_id: int, body: str) -> dict[str, Any]:
    body = _check_text("body", body)
    with engine.begin() as conn:
        row = _owned(conn, actor, request_id)
        if row.status == "closed":
            raise Conflict("the request is closed")
        stamp = now()
        res = conn.execute(insert(S.case_messages).values(request_id=request_id, author_id=actor.id, created_at=stamp,
                                                         body=body))
        values: dict[str, Any] = {"updated_at": stamp}
        if row.status == "waiting_for_user" and row.user_id == actor.id:
            values["status"] = "in_progress"  # the answer the analyst waited for
        conn.execute(update(S.service_requests).where(S.service_requests.c.id == request_id).values(**values))
        message_id = new_id(res)
        audit.record_if_staff(conn, actor, "case.message", "request", request_id, message_id=message_id)
    return {"id": message_id, "request_id": request_id, "author_id": actor.id, "author": actor.name,
            "created_at": stamp.isoformat(), "body": body}


def messages(engine: Engine, actor: User, request_id: int) -> list[dict[str, Any]]:
    q = (select(S.case_messages, S.users.c.name.label("author"), S.users.c.role.label("author_role"))
         .join(S.users, S.users.c.id == S.case_messages.c.author_id, isouter=True)
         .where(S.case_messages.c.request_id == request_id).order_by(S.case_messages.c.id))
    with engine.connect() as conn:
        _owned(conn, actor, request_id)
        return [row_dict(r) for r in conn.execute(q).mappings()]


# ----------------------------------------------------------------------------- attachments
def attachment_dir(settings: Settings) -> Path:
    return settings.home / "desk" / "attachments"


_UNSAFE_NAME = re.compile(r"[^\w.\- ()\[\]]+", re.UNICODE)


def safe_filename(name: str) -> str:
    """The name shown and offered on download: no folders, no control or quoting characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _UNSAFE_NAME.sub("_", base).strip(" .")
    return base[:200] or "attachment"


def _sniff(suffix: str, data: bytes) -> str:
    entry = ATTACHMENT_TYPES.get(suffix)
    if entry is None:
        raise InvalidInput(f"file: only {', '.join(sorted(ATTACHMENT_TYPES))} files are accepted")
    content_type, magics = entry
    if magics and not any(data.startswith(m) for m in magics):
        raise InvalidInput(f"file: the content is not a {suffix} file")
    if not magics:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"file: a {suffix} file must be UTF-8 text") from None
        if b"\x00" in data:
            raise InvalidInput(f"file: a {suffix} file must be text")
    return content_type


def add_attachment(engine: Engine, settings: Settings, config: DeskConfig, actor: User, request_id: int,
                   filename: str, data: bytes) -> dict[str, Any]:
    if not data:
        raise InvalidInput("file: empty")
    if len(data) > config.attachment_max_bytes:
        raise InvalidInput(f"file: larger than {config.attachment_max_bytes} bytes")
    name = safe_filename(filename)
    content_type = _sniff(Path(name).suffix.lower(), data)
    folder = attachment_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    with engine.begin() as conn:
        row = _owned(conn, actor, request_id)
        if row.status == "closed":
            raise Conflict("the request is closed")
        count = conn.execute(select(func.count()).select_from(S.request_attachments).where(
            S.request_attachments.c.request_id == request_id)).scalar_one()
        if count >= config.attachments_per_request:
            raise InvalidInput(f"file: at most {config.attachments_per_request} attachments per request")
        stored = new_token(24)  # a random name: nothing the sender chose reaches the file system
        (folder / stored).write_bytes(data)
        res = conn.execute(insert(S.request_attachments).values(
            request_id=request_id, author_id=actor.id, created_at=now(), filename=name, content_type=content_type,
            size=len(data), sha256=hashlib.sha256(data).hexdigest(), stored_name=stored))
        attachment_id = new_id(res)
        audit.record_if_staff(conn, actor, "request.attach", "request", request_id, attachment_id=attachment_id)
    return attachment(engine, settings, actor, request_id, attachment_id)[0]


def attachment(engine: Engine, settings: Settings, actor: User, request_id: int,
               attachment_id: int) -> tuple[dict[str, Any], Path]:
    with engine.connect() as conn:
        _owned(conn, actor, request_id)
        row = conn.execute(select(S.request_attachments).where(
            S.request_attachments.c.id == attachment_id,
            S.request_attachments.c.request_id == request_id)).mappings().first()
    if row is None:
        raise NotFound(f"no attachment {attachment_id}")
    return row_dict(row, omit=("stored_name",)), attachment_dir(settings) / row["stored_name"]


def check_staff_move(status: str, new: str) -> None:
    if new not in STATUSES:
        raise InvalidInput(f"status: one of {', '.join(STATUSES)}")
    if new == "delivered":
        raise InvalidInput("status: a request is delivered with its report")
    if new not in STAFF_MOVES[status]:
        raise Conflict(f"a request {status} cannot move to {new}")


def ensure_user_owns(row: Any, actor: User) -> None:
    if row.user_id != actor.id:
        raise Forbidden("only the requester can do this")
