"""The audit log: every change made by library staff, with who, when, what and on which object."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.engine import Connection

from ..store import schema as S
from .db import now, row_dict

if TYPE_CHECKING:
    from .accounts import User


def record(conn: Connection, actor: User, action: str, object_type: str, object_id: int | None,
           **detail: Any) -> None:
    conn.execute(insert(S.audit_log).values(
        at=now(), actor_id=actor.id, actor_role=actor.role, action=action, object_type=object_type,
        object_id=object_id, detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None))


def record_if_staff(conn: Connection, actor: User, action: str, object_type: str, object_id: int | None,
                    **detail: Any) -> None:
    if actor.is_staff:
        record(conn, actor, action, object_type, object_id, **detail)


def entries(engine: Engine, actor: User, limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
    from .accounts import require_admin

    require_admin(actor)
    q = (select(S.audit_log, S.users.c.email.label("actor_email"))
         .join(S.users, S.users.c.id == S.audit_log.c.actor_id, isouter=True)
         .order_by(S.audit_log.c.id.desc()).limit(limit).offset(offset))
    with engine.connect() as conn:
        out = []
        for r in conn.execute(q).mappings():
            d = row_dict(r)
            d["detail"] = json.loads(d["detail"]) if d["detail"] else {}
            out.append(d)
        return out
