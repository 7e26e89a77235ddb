"""The analyst's side of a request: the case. Searches run in the case are logged with their query
and hit count, documents are marked X / Y / A with the passage and claims they bear on, notes are
kept, and the case ends with a delivered search report (see report.py). Staff only; every change
goes to the audit log.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.engine import Connection

from ..config import Settings
from ..store import schema as S
from . import audit, mail
from .accounts import User, require_staff
from .config import DeskConfig
from .db import new_id, now, row_dict
from .errors import Conflict, InvalidInput, NotFound
from .requests import STATUSES, _check_text, check_staff_move

log = logging.getLogger("patentdesk.desk")

CATEGORIES = {
    "X": "particularly relevant if taken alone",
    "Y": "particularly relevant if combined with another document of the same category",
    "A": "technological background",
}
WORKABLE = ("accepted", "in_progress", "waiting_for_user")


def _request(conn: Connection, request_id: int) -> Any:
    row = conn.execute(select(S.service_requests).where(S.service_requests.c.id == request_id)).first()
    if row is None:
        raise NotFound(f"no request {request_id}")
    return row


def _touch(conn: Connection, request_id: int, **values: Any) -> None:
    conn.execute(update(S.service_requests).where(S.service_requests.c.id == request_id)
                 .values(updated_at=now(), **values))


def _workable(row: Any) -> None:
    if row.status not in WORKABLE:
        raise Conflict(f"the request is {row.status}: accept it (or reopen it) first")


def queue(engine: Engine, actor: User, status: str | None = None) -> list[dict[str, Any]]:
    """Requests for staff to work, oldest deadline first; `status` narrows them."""
    require_staff(actor)
    q = (select(S.service_requests, S.users.c.name.label("requester"), S.users.c.email.label("requester_email"))
         .join(S.users, S.users.c.id == S.service_requests.c.user_id))
    if status:
        if status not in STATUSES:
            raise InvalidInput(f"status: one of {', '.join(STATUSES)}")
        q = q.where(S.service_requests.c.status == status)
    q = q.order_by(S.service_requests.c.deadline.is_(None), S.service_requests.c.deadline, S.service_requests.c.id)
    with engine.connect() as conn:
        return [row_dict(r) for r in conn.execute(q).mappings()]


def accept(engine: Engine, actor: User, request_id: int) -> dict[str, Any]:
    require_staff(actor)
    with engine.begin() as conn:
        row = _request(conn, request_id)
        if row.status != "submitted":
            raise Conflict(f"the request is {row.status}, not submitted")
        _touch(conn, request_id, status="accepted", analyst_id=actor.id, accepted_at=now())
        audit.record(conn, actor, "case.accept", "request", request_id)
    return case(engine, actor, request_id)


def move(engine: Engine, actor: User, request_id: int, status: str) -> dict[str, Any]:
    require_staff(actor)
    with engine.begin() as conn:
        row = _request(conn, request_id)
        check_staff_move(row.status, status)
        values: dict[str, Any] = {"status": status}
        if status == "closed":
            values["closed_at"] = now()
        if row.analyst_id is None:
            values["analyst_id"] = actor.id
        _touch(conn, request_id, **values)
        audit.record(conn, actor, "case.status", "request", request_id, before=row.status, after=status)
    return case(engine, actor, request_id)


def log_search(engine: Engine, actor: User, request_id: int, query: str, hits: int,
               database: str = "patentdesk") -> dict[str, Any]:
    """Record one search run for the case (the web layer runs it and passes the hit count)."""
    require_staff(actor)
    query = _check_text("query", query, 4000)
    stamp = now()
    with engine.begin() as conn:
        row = _request(conn, request_id)
        _workable(row)
        res = conn.execute(insert(S.case_searches).values(request_id=request_id, author_id=actor.id,
                                                          created_at=stamp, database=database[:40], query=query,
                                                          hits=int(hits)))
        search_id = new_id(res)
        _touch(conn, request_id, **({"status": "in_progress"} if row.status == "accepted" else {}))
        conn.execute(insert(S.usage_events).values(at=stamp, day=stamp.date(), source="case", query=query,
                                                   hits=int(hits)))
        audit.record(conn, actor, "case.search", "request", request_id, search_id=search_id, query=query,
                     hits=int(hits))
    return {"id": search_id, "request_id": request_id, "database": database, "query": query, "hits": int(hits),
            "created_at": stamp.isoformat()}


def mark(engine: Engine, actor: User, request_id: int, number: str, category: str, *, passage: str | None = None,
         claims: str | None = None, note: str | None = None) -> dict[str, Any]:
    """Mark a document (canonical number, checked by the caller against the catalogue). Marking
    it again replaces the earlier mark."""
    require_staff(actor)
    category = (category or "").strip().upper()
    if category not in CATEGORIES:
        raise InvalidInput(f"category: one of {', '.join(CATEGORIES)}")
    values = {"category": category, "passage": _check_text("passage", passage, required=False) or None,
              "claims": _check_text("claims", claims, 100, required=False) or None,
              "note": _check_text("note", note, required=False) or None}
    with engine.begin() as conn:
        row = _request(conn, request_id)
        _workable(row)
        existing = conn.execute(select(S.case_marks.c.id).where(S.case_marks.c.request_id == request_id,
                                                                S.case_marks.c.number == number)).scalar()
        if existing is None:
            res = conn.execute(insert(S.case_marks).values(request_id=request_id, author_id=actor.id,
                                                           created_at=now(), number=number, **values))
            mark_id = new_id(res)
        else:
            mark_id = int(existing)
            conn.execute(update(S.case_marks).where(S.case_marks.c.id == mark_id)
                         .values(author_id=actor.id, **values))
        _touch(conn, request_id, **({"status": "in_progress"} if row.status == "accepted" else {}))
        audit.record(conn, actor, "case.mark", "request", request_id, number=number, category=category)
        out = conn.execute(select(S.case_marks).where(S.case_marks.c.id == mark_id)).mappings().one()
    return row_dict(out)


def unmark(engine: Engine, actor: User, request_id: int, mark_id: int) -> None:
    require_staff(actor)
    with engine.begin() as conn:
        row = _request(conn, request_id)
        _workable(row)
        gone = conn.execute(delete(S.case_marks).where(S.case_marks.c.id == mark_id,
                                                       S.case_marks.c.request_id == request_id)).rowcount
        if not gone:
            raise NotFound(f"no mark {mark_id} in request {request_id}")
        audit.record(conn, actor, "case.unmark", "request", request_id, mark_id=mark_id)


def add_note(engine: Engine, actor: User, request_id: int, body: str) -> dict[str, Any]:
    require_staff(actor)
    body = _check_text("body", body)
    stamp = now()
    with engine.begin() as conn:
        _request(conn, request_id)
        res = conn.execute(insert(S.case_notes).values(request_id=request_id, author_id=actor.id, created_at=stamp,
                                                       body=body))
        note_id = new_id(res)
        audit.record(conn, actor, "case.note", "request", request_id, note_id=note_id)
    return {"id": note_id, "request_id": request_id, "author_id": actor.id, "created_at": stamp.isoformat(),
            "body": body}


def set_strategy(engine: Engine, actor: User, request_id: int, *, databases: str | None = None,
                 classes: str | None = None, conclusion: str | None = None) -> dict[str, Any]:
    """The report's free parts: databases searched, classes, and the conclusion."""
    require_staff(actor)
    values: dict[str, Any] = {}
    for name, value, limit in (("databases", databases, 2000), ("classes", classes, 2000),
                               ("conclusion", conclusion, 20_000)):
        if value is not None:
            values[name] = _check_text(name, value, limit, required=False) or None
    with engine.begin() as conn:
        _request(conn, request_id)
        if values:
            _touch(conn, request_id, **values)
            audit.record(conn, actor, "case.strategy", "request", request_id, fields=sorted(values))
    return case(engine, actor, request_id)


def case(engine: Engine, actor: User, request_id: int) -> dict[str, Any]:
    """Everything about a case: the request, its attachments, searches, marks, notes, messages and
    delivered reports."""
    require_staff(actor)

    def rows(table: Any) -> list[dict[str, Any]]:
        q = (select(table, S.users.c.name.label("author"))
             .join(S.users, S.users.c.id == table.c.author_id, isouter=True)
             .where(table.c.request_id == request_id).order_by(table.c.id))
        return [row_dict(r) for r in conn.execute(q).mappings()]

    with engine.connect() as conn:
        req = (select(S.service_requests, S.users.c.name.label("requester"),
                      S.users.c.email.label("requester_email"))
               .join(S.users, S.users.c.id == S.service_requests.c.user_id)
               .where(S.service_requests.c.id == request_id))
        row = conn.execute(req).mappings().first()
        if row is None:
            raise NotFound(f"no request {request_id}")
        out = row_dict(row)
        out["attachments"] = [{k: v for k, v in a.items() if k != "stored_name"}
                              for a in rows(S.request_attachments)]
        out["searches"] = rows(S.case_searches)
        out["marks"] = rows(S.case_marks)
        out["notes"] = rows(S.case_notes)
        out["messages"] = rows(S.case_messages)
        out["reports"] = [{"id": r.id, "language": r.language, "created_at": row_dict(r._mapping)["created_at"]}
                          for r in conn.execute(select(S.search_reports.c.id, S.search_reports.c.language,
                                                       S.search_reports.c.created_at)
                                                .where(S.search_reports.c.request_id == request_id)
                                                .order_by(S.search_reports.c.id))]
    return out


def deliver(engine: Engine, settings: Settings, config: DeskConfig, catalogue: Any, actor: User,
            request_id: int) -> dict[str, Any]:
    """Write the search report (HTML and PDF, in the request's language), store it, mark the
    request delivered and tell the requester by email."""
    from . import report

    require_staff(actor)
    data = case(engine, actor, request_id)
    if data["status"] not in WORKABLE:
        raise Conflict(f"the request is {data['status']}: it cannot be delivered now")
    if not data["conclusion"]:
        raise InvalidInput("conclusion: write the conclusion before delivering the report")
    pubs = catalogue.get_many([m["number"] for m in data["marks"]])
    analyst = actor.name
    html = report.render_html(data, pubs, analyst=analyst, delivered=now())
    pdf = report.print_pdf(html)
    stamp = now()
    with engine.begin() as conn:
        res = conn.execute(insert(S.search_reports).values(request_id=request_id, author_id=actor.id, created_at=stamp,
                                                           language=data["language"], html=html, pdf=pdf))
        report_id = new_id(res)
        _touch(conn, request_id, status="delivered", delivered_at=stamp,
               **({"analyst_id": actor.id} if data["analyst_id"] is None else {}))
        audit.record(conn, actor, "case.deliver", "request", request_id, report_id=report_id)
        user_row = conn.execute(select(S.users.c.email, S.users.c.language).where(
            S.users.c.id == data["user_id"])).first()
    if user_row is not None:
        link = f"{config.base_url.rstrip('/')}/desk/requests/{request_id}"
        try:
            mail.send(config, user_row.email, f"patentdesk: your search report for request #{request_id} is ready",
                      f"The search report for your request \"{data['title']}\" has been delivered.\n\n"
                      f"Download it here: {link}\n")
        except mail.MailError as e:
            # the report is delivered and shown on the portal; the email is a courtesy
            log.warning("could not email the report notice for request %s: %s", request_id, e)
    return case(engine, actor, request_id)


def report_file(engine: Engine, actor: User, request_id: int, fmt: str) -> tuple[bytes, str]:
    """The latest delivered report of a request, as `pdf` or `html` (its owner or staff)."""
    from .requests import _owned

    with engine.connect() as conn:
        _owned(conn, actor, request_id)
        row = conn.execute(select(S.search_reports.c.html, S.search_reports.c.pdf)
                           .where(S.search_reports.c.request_id == request_id)
                           .order_by(S.search_reports.c.id.desc()).limit(1)).first()
    if row is None:
        raise NotFound(f"no report delivered for request {request_id} yet")
    if fmt == "pdf":
        return bytes(row.pdf), "application/pdf"
    return row.html.encode("utf-8"), "text/html; charset=utf-8"
