"""Usage statistics for admins, and how long personal data is kept.

Searches are counted per day and source without any user or address. The query text, login
records (email, client address), ended sessions and used reset tokens are dropped once older
than the retention period (`retention_days`, set by an admin); the daily counts stay.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import Counter
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, delete, func, insert, or_, select, update

from ..store import schema as S
from . import audit
from .accounts import User, require_admin
from .config import DeskConfig
from .db import aware, now

SOURCES = ("portal", "api", "case", "exercise")
_CLASS = re.compile(r"\b(?:ipc|cpc)\s*[=:]\s*\(?\s*\"?([A-HY]\d{2}[A-Z]?(?:\d{1,4}(?:/\d{1,6})?)?)", re.IGNORECASE)


def count_search(engine: Engine, source: str, query: str, hits: int | None) -> None:
    stamp = now()
    with engine.begin() as conn:
        conn.execute(insert(S.usage_events).values(at=stamp, day=stamp.date(), source=source, query=query[:2000],
                                                   hits=hits))


class UsageBuffer:
    """Searches counted in memory and written in batches.

    A write per search would make every search of the portal and the API a database transaction
    (and, on SQLite, a turn at the one write lock shared by all server workers). The buffer writes
    when it holds `max_events` searches or its oldest is `max_age` seconds old, and whenever the
    statistics are read or the server stops; at worst the figures of a running server are a few
    seconds behind, and a crash loses those seconds of counts, never anything else.
    """

    def __init__(self, engine: Engine, *, max_events: int = 200, max_age: float = 2.0) -> None:
        import threading

        self.engine = engine
        self.max_events = max_events
        self.max_age = max_age
        self._events: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def add(self, source: str, query: str, hits: int | None) -> bool:
        """Count one search; True when the buffer should be flushed now."""
        stamp = now()
        with self._lock:
            self._events.append({"at": stamp, "day": stamp.date(), "source": source, "query": query[:2000],
                                 "hits": hits})
            oldest = self._events[0]["at"]
            return len(self._events) >= self.max_events or (stamp - oldest).total_seconds() >= self.max_age

    def flush(self) -> int:
        with self._lock:
            events, self._events = self._events, []
        if not events:
            return 0
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(S.usage_events), events)
        except Exception:
            with self._lock:  # try again with the next flush
                self._events[:0] = events
            raise
        return len(events)

    def pending(self) -> int:
        with self._lock:
            return len(self._events)


def retention_days(engine: Engine, config: DeskConfig) -> int:
    with engine.connect() as conn:
        value = conn.execute(select(S.desk_settings.c.value).where(S.desk_settings.c.key == "retention_days")).scalar()
    return int(value) if value is not None else config.retention_days


def settings(engine: Engine, actor: User, config: DeskConfig) -> dict[str, Any]:
    require_admin(actor)
    return {"retention_days": retention_days(engine, config)}


def set_settings(engine: Engine, actor: User, config: DeskConfig, *, retention_days: int) -> dict[str, Any]:
    require_admin(actor)
    if not 1 <= retention_days <= 3650:
        from .errors import InvalidInput

        raise InvalidInput("retention_days: between 1 and 3650")
    with engine.begin() as conn:
        conn.execute(delete(S.desk_settings).where(S.desk_settings.c.key == "retention_days"))
        conn.execute(insert(S.desk_settings).values(key="retention_days", value=str(retention_days)))
        audit.record(conn, actor, "settings.change", "settings", None, retention_days=retention_days)
    purge(engine, config)
    return settings(engine, actor, config)


def purge(engine: Engine, config: DeskConfig, at: dt.datetime | None = None) -> dict[str, int]:
    """Drop personal data older than the retention period; the counts of what went."""
    at = at or now()
    cutoff = at - dt.timedelta(days=retention_days(engine, config))
    with engine.begin() as conn:
        out = {
            "login_attempts": conn.execute(delete(S.login_attempts).where(S.login_attempts.c.at < cutoff)).rowcount,
            "sessions": conn.execute(delete(S.user_sessions).where(S.user_sessions.c.expires_at < at)).rowcount,
            "password_resets": conn.execute(delete(S.password_resets).where(or_(
                S.password_resets.c.expires_at < at, S.password_resets.c.used_at.is_not(None)))).rowcount,
            "queries": conn.execute(update(S.usage_events).where(S.usage_events.c.at < cutoff,
                                                                 S.usage_events.c.query.is_not(None))
                                    .values(query=None)).rowcount,
        }
    return out


def usage(engine: Engine, actor: User, days: int = 30) -> dict[str, Any]:
    require_admin(actor)
    today = now().date()
    since = today - dt.timedelta(days=days - 1)
    with engine.connect() as conn:
        per_day: dict[str, dict[str, int]] = {(since + dt.timedelta(days=i)).isoformat(): dict.fromkeys(SOURCES, 0)
                                              for i in range(days)}
        for day, source, n in conn.execute(
                select(S.usage_events.c.day, S.usage_events.c.source, func.count())
                .where(S.usage_events.c.day >= since).group_by(S.usage_events.c.day, S.usage_events.c.source)):
            key = day.isoformat() if isinstance(day, dt.date) else str(day)
            if key in per_day:
                per_day[key][source] = int(n)
        queries = [q for (q,) in conn.execute(select(S.usage_events.c.query).where(
            S.usage_events.c.day >= since, S.usage_events.c.query.is_not(None)))]
        by_kind: dict[str, int] = dict(conn.execute(select(S.service_requests.c.kind, func.count())
                                    .group_by(S.service_requests.c.kind)).all())
        by_status: dict[str, int] = dict(conn.execute(select(S.service_requests.c.status, func.count())
                                      .group_by(S.service_requests.c.status)).all())
        turnaround = [(aware(d) - aware(c)).total_seconds() / 86400  # type: ignore[operator]
                      for c, d in conn.execute(select(S.service_requests.c.created_at,
                                                      S.service_requests.c.delivered_at)
                                               .where(S.service_requests.c.delivered_at.is_not(None)))]
        watch_counts: dict[str, int] = dict(conn.execute(select(S.watches.c.kind, func.count()).where(S.watches.c.active.is_(True))
                                         .group_by(S.watches.c.kind)).all())
        alert_counts: dict[str, int] = dict(conn.execute(select(S.watch_alerts.c.status, func.count())
                                         .group_by(S.watch_alerts.c.status)).all())
    classes: Counter[str] = Counter()
    for q in queries:
        classes.update({m.upper() for m in _CLASS.findall(q)})
    return {
        "days": days,
        "searches_per_day": [{"day": d, **counts, "total": sum(counts.values())} for d, counts in per_day.items()],
        "searches": sum(sum(c.values()) for c in per_day.values()),
        "requests_by_kind": {k: int(v) for k, v in sorted(by_kind.items())},
        "requests_by_status": {k: int(v) for k, v in sorted(by_status.items())},
        "turnaround_days": {
            "delivered": len(turnaround),
            "mean": round(statistics.fmean(turnaround), 2) if turnaround else None,
            "median": round(statistics.median(turnaround), 2) if turnaround else None,
        },
        "watches_by_kind": {k: int(v) for k, v in sorted(watch_counts.items())},
        "alerts_by_status": {k: int(v) for k, v in sorted(alert_counts.items())},
        "top_queries": [{"query": q, "count": n} for q, n in Counter(
            " ".join(q.split()).lower() for q in queries).most_common(20)],
        "top_classes": [{"class": c, "count": n} for c, n in classes.most_common(20)],
    }


def flatten(data: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """The statistics as (statistic, key, value) rows for the CSV export."""
    for row in data["searches_per_day"]:
        for source in (*SOURCES, "total"):
            yield ("searches", f"{row['day']} {source}", row[source])
    for name in ("requests_by_kind", "requests_by_status", "watches_by_kind", "alerts_by_status"):
        for k, v in data[name].items():
            yield (name, k, v)
    for k, v in data["turnaround_days"].items():
        yield ("turnaround_days", k, v)
    for row in data["top_queries"]:
        yield ("top_queries", row["query"], row["count"])
    for row in data["top_classes"]:
        yield ("top_classes", row["class"], row["count"])
