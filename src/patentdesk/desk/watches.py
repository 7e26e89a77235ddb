"""Watches: a saved search, an applicant, a class, or citations to a patent, followed over time.

After each ingest `run_watches(settings, catalogue, changed_numbers)` runs every active watch's
query, keeps the changed publications it matches that the watch has not seen yet, and delivers
them as one alert by the watch's channel: an email, a signed webhook call, or the watch's private
Atom feed. `watch_hits` is keyed by (watch, publication), so a publication alerts a watch once,
however often it is loaded again. A failed delivery is kept with its error and retried with a
growing pause, up to `alert_max_attempts`; admins see the ones still failing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from sqlalchemy import Engine, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..config import Settings
from ..errors import UserError
from ..model import Publication
from ..store import schema as S
from . import mail
from .accounts import User, require_admin
from .config import DeskConfig
from .db import new_id, new_token, now, row_dict
from .errors import InvalidInput, NotFound
from .requests import _check_text

log = logging.getLogger("patentdesk.desk")

KINDS = ("search", "applicant", "class", "citation")
CHANNELS = ("email", "feed", "webhook")
SIGNATURE_HEADER = "X-Patentdesk-Signature"
MAX_PER_ALERT_LISTED = 200


class SearchBackend(Protocol):
    def matching_numbers(self, settings: Settings, catalogue: Any, query: str) -> list[str]: ...


def watch_query(kind: str, value: str) -> str:
    """The query in the search language that a watch runs."""
    value = value.strip()
    if kind == "search":
        return value
    if kind == "applicant":
        return 'pa="' + value.replace('"', " ") + '"'
    if kind == "class":
        symbol = value.replace(" ", "").upper()
        return f"ipc={symbol}/low" if "/" in symbol else f"ipc={symbol}"
    if kind == "citation":
        return "ct=" + value.replace(" ", "")
    raise InvalidInput(f"kind: one of {', '.join(KINDS)}")


def _check_query(query: str) -> None:
    from ..search import query as Q

    Q.parse(query)  # QuerySyntaxError (400) with the position of the problem


def _check_webhook(url: str | None) -> str:
    value = (url or "").strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(value) > 2000:
        raise InvalidInput("webhook_url: an http or https address")
    return value


def _public(row: Any, *, with_secret: bool) -> dict[str, Any]:
    out = row_dict(row._mapping if hasattr(row, "_mapping") else row, omit=("secret",))
    out["active"] = bool(out["active"])
    out["query"] = watch_query(out["kind"], out["value"])
    if with_secret:
        out["feed_token"] = row.secret
    return out


def create_watch(engine: Engine, actor: User, *, name: str, kind: str, value: str = "", channel: str = "email",
                 webhook_url: str | None = None, saved_search_id: int | None = None) -> dict[str, Any]:
    if kind not in KINDS:
        raise InvalidInput(f"kind: one of {', '.join(KINDS)}")
    if channel not in CHANNELS:
        raise InvalidInput(f"channel: one of {', '.join(CHANNELS)}")
    name = _check_text("name", name, 200)
    with engine.begin() as conn:
        if saved_search_id is not None:
            saved = conn.execute(select(S.saved_searches).where(S.saved_searches.c.id == saved_search_id,
                                                                S.saved_searches.c.user_id == actor.id)).first()
            if saved is None:
                raise NotFound(f"no saved search {saved_search_id}")
            kind, value = "search", saved.query
        value = _check_text("value", value, 2000)
        _check_query(watch_query(kind, value))
        url = _check_webhook(webhook_url) if channel == "webhook" else None
        res = conn.execute(insert(S.watches).values(
            user_id=actor.id, name=name, kind=kind, value=value, saved_search_id=saved_search_id, channel=channel,
            webhook_url=url, secret=new_token(), active=True, created_at=now()))
        watch_id = new_id(res)
    return watch(engine, actor, watch_id)


def _own(conn: Any, actor: User, watch_id: int) -> Any:
    row = conn.execute(select(S.watches).where(S.watches.c.id == watch_id, S.watches.c.user_id == actor.id)).first()
    if row is None:
        raise NotFound(f"no watch {watch_id}")
    return row


def watch(engine: Engine, actor: User, watch_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        row = _own(conn, actor, watch_id)
        out = _public(row, with_secret=True)
        out["hits"] = conn.execute(select(func.count()).select_from(S.watch_hits)
                                   .where(S.watch_hits.c.watch_id == watch_id)).scalar_one()
    return out


def watches(engine: Engine, actor: User) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [_public(r, with_secret=False) for r in conn.execute(
            select(S.watches).where(S.watches.c.user_id == actor.id).order_by(S.watches.c.id))]


def set_active(engine: Engine, actor: User, watch_id: int, active: bool) -> dict[str, Any]:
    with engine.begin() as conn:
        _own(conn, actor, watch_id)
        conn.execute(update(S.watches).where(S.watches.c.id == watch_id).values(active=active))
    return watch(engine, actor, watch_id)


def delete_watch(engine: Engine, actor: User, watch_id: int) -> None:
    with engine.begin() as conn:
        _own(conn, actor, watch_id)
        conn.execute(delete(S.watch_hits).where(S.watch_hits.c.watch_id == watch_id))
        conn.execute(delete(S.watch_alerts).where(S.watch_alerts.c.watch_id == watch_id))
        conn.execute(delete(S.watches).where(S.watches.c.id == watch_id))


def alerts(engine: Engine, actor: User, watch_id: int) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        _own(conn, actor, watch_id)
        return _alerts(conn, S.watch_alerts.c.watch_id == watch_id)


def _alerts(conn: Any, *where: Any, limit: int = 100) -> list[dict[str, Any]]:
    rows = conn.execute(select(S.watch_alerts).where(*where).order_by(S.watch_alerts.c.id.desc()).limit(limit))
    out = []
    for r in rows.mappings():
        d = row_dict(r)
        d["numbers"] = [n for (n,) in conn.execute(select(S.watch_hits.c.number).where(
            S.watch_hits.c.alert_id == r["id"]).order_by(S.watch_hits.c.number))]
        out.append(d)
    return out


def failing_alerts(engine: Engine, actor: User) -> list[dict[str, Any]]:
    """For admins: alerts not delivered yet, with their attempts and the last error."""
    require_admin(actor)
    with engine.connect() as conn:
        out = _alerts(conn, S.watch_alerts.c.status != "delivered", limit=500)
        owners = dict(conn.execute(select(S.watches.c.id, S.users.c.email)
                                   .join(S.users, S.users.c.id == S.watches.c.user_id)).all())
    for a in out:
        a["owner"] = owners.get(a["watch_id"])
    return out


def retry_alert(engine: Engine, actor: User, alert_id: int) -> None:
    """An admin sends a given-up alert on its way again (at the next run)."""
    require_admin(actor)
    from . import audit

    with engine.begin() as conn:
        done = conn.execute(update(S.watch_alerts).where(S.watch_alerts.c.id == alert_id,
                                                         S.watch_alerts.c.status != "delivered")
                            .values(status="retrying", attempts=0, next_attempt_at=now())).rowcount
        if not done:
            raise NotFound(f"no undelivered alert {alert_id}")
        audit.record(conn, actor, "alert.retry", "alert", alert_id)


# ----------------------------------------------------------------------------- running
@dataclass
class RunSummary:
    watches: int = 0
    alerts: int = 0
    delivered: int = 0
    failed: int = 0
    publications: int = 0

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def run_watches(settings: Settings, catalogue: Any, changed_numbers: Iterable[str], *,
                config: DeskConfig | None = None, search: SearchBackend | None = None) -> RunSummary:
    """Collect what changed in an ingest for every active watch and deliver the alerts; then
    retry earlier deliveries that are due. Running it twice for the same numbers alerts once."""
    if search is None:
        from ..search import engine as search_engine

        search = search_engine
    config = config or DeskConfig.from_env()
    engine = catalogue.engine
    changed = set(changed_numbers)
    summary = RunSummary()
    with engine.connect() as conn:
        active = list(conn.execute(select(S.watches).where(S.watches.c.active.is_(True))
                                   .order_by(S.watches.c.id)))
    summary.watches = len(active)
    if changed:
        for w in active:
            try:
                matched = [n for n in search.matching_numbers(settings, catalogue, watch_query(w.kind, w.value))
                           if n in changed]
            except UserError as e:  # a query the engine refuses now: skip it, keep the others going
                log.warning("watch %s: query refused: %s", w.id, e)
                continue
            found = _record_hits(engine, w.id, matched)
            if found:
                summary.alerts += 1
                summary.publications += found
    delivered, failed = deliver_due(settings, catalogue, config)
    summary.delivered, summary.failed = delivered, failed
    return summary


def _record_hits(engine: Engine, watch_id: int, numbers: list[str]) -> int:
    """New (watch, publication) pairs as one pending alert; the count of new ones."""
    if not numbers:
        return 0
    try:
        with engine.begin() as conn:
            seen = {n for (n,) in conn.execute(select(S.watch_hits.c.number).where(
                S.watch_hits.c.watch_id == watch_id, S.watch_hits.c.number.in_(numbers)))}
            new = sorted(set(numbers) - seen)
            if not new:
                return 0
            stamp = now()
            res = conn.execute(insert(S.watch_alerts).values(watch_id=watch_id, created_at=stamp, status="pending",
                                                             attempts=0))
            alert_id = new_id(res)
            conn.execute(insert(S.watch_hits), [{"watch_id": watch_id, "number": n, "alert_id": alert_id,
                                                 "found_at": stamp} for n in new])
            return len(new)
    except IntegrityError:
        # another run recorded the same pairs at the same moment: they alert through that run
        return 0


def deliver_due(settings: Settings, catalogue: Any, config: DeskConfig) -> tuple[int, int]:
    """Deliver every pending alert and every retry whose time has come: (delivered, failed)."""
    engine = catalogue.engine
    stamp = now()
    with engine.connect() as conn:
        due = list(conn.execute(
            select(S.watch_alerts.c.id.label("alert_id"), S.watch_alerts.c.attempts,
                   S.watches.c.id.label("watch_id"), S.watches.c.name, S.watches.c.kind, S.watches.c.value,
                   S.watches.c.channel, S.watches.c.webhook_url, S.watches.c.secret, S.users.c.email)
            .join(S.watches, S.watches.c.id == S.watch_alerts.c.watch_id)
            .join(S.users, S.users.c.id == S.watches.c.user_id)
            .where(S.watch_alerts.c.status.in_(("pending", "retrying")),
                   or_(S.watch_alerts.c.next_attempt_at.is_(None), S.watch_alerts.c.next_attempt_at <= stamp))
            .order_by(S.watch_alerts.c.id)))
    delivered = failed = 0
    for row in due:
        with engine.connect() as conn:
            numbers = [n for (n,) in conn.execute(select(S.watch_hits.c.number)
                                                  .where(S.watch_hits.c.alert_id == row.alert_id)
                                                  .order_by(S.watch_hits.c.number))]
        pubs = catalogue.get_many(numbers[:MAX_PER_ALERT_LISTED])
        try:
            _deliver(config, row, numbers, pubs)
        except (mail.MailError, DeliveryError) as e:
            failed += 1
            _failed(engine, config, row.alert_id, row.attempts + 1, str(e))
            log.warning("alert %s of watch %s not delivered: %s", row.alert_id, row.watch_id, e)
            continue
        delivered += 1
        with engine.begin() as conn:
            conn.execute(update(S.watch_alerts).where(S.watch_alerts.c.id == row.alert_id).values(
                status="delivered", attempts=row.attempts + 1, delivered_at=now(), last_error=None,
                next_attempt_at=None))
    return delivered, failed


def _failed(engine: Engine, config: DeskConfig, alert_id: int, attempts: int, error: str) -> None:
    give_up = attempts >= config.alert_max_attempts
    pause = dt.timedelta(minutes=2 ** min(attempts, 10))
    with engine.begin() as conn:
        conn.execute(update(S.watch_alerts).where(S.watch_alerts.c.id == alert_id).values(
            status="failed" if give_up else "retrying", attempts=attempts, last_error=error[:2000],
            next_attempt_at=None if give_up else now() + pause))


class DeliveryError(Exception):
    """A webhook did not take the alert."""


def _title(pub: Publication | None) -> str:
    return (pub.title if pub is not None else None) or ""


def _entries(config: DeskConfig, numbers: list[str], pubs: dict[str, Publication]) -> list[dict[str, Any]]:
    base = config.base_url.rstrip("/")
    out = []
    for n in numbers:
        pub = pubs.get(n)
        out.append({"number": n, "title": _title(pub),
                    "publication_date": pub.publication_date.isoformat() if pub and pub.publication_date else None,
                    "applicants": list(pub.applicants) if pub else [], "url": f"{base}/publication/{n}"})
    return out


def _deliver(config: DeskConfig, row: Any, numbers: list[str], pubs: dict[str, Publication]) -> None:
    entries = _entries(config, numbers, pubs)
    if row.channel == "feed":
        return  # the feed shows the hits when it is read
    if row.channel == "email":
        lines = [f"{len(numbers)} new publication(s) for your watch \"{row.name}\" ({watch_query(row.kind, row.value)}):",
                 ""]
        for e in entries:
            lines.append(f"{e['number']}  {e['publication_date'] or ''}  {e['title']}".rstrip())
            lines.append(f"    {e['url']}")
        lines += ["", f"Your watches: {config.base_url.rstrip('/')}/desk/watches"]
        mail.send(config, row.email, f"patentdesk: {len(numbers)} new for \"{row.name}\"", "\n".join(lines) + "\n")
        return
    body = json.dumps({"event": "watch.alert", "alert_id": row.alert_id,
                       "watch": {"id": row.watch_id, "name": row.name,
                                 "kind": row.kind, "value": row.value},
                       "publications": entries}, ensure_ascii=False).encode("utf-8")
    post_webhook(config, row.webhook_url, row.secret, body, row.alert_id)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def post_webhook(config: DeskConfig, url: str, secret: str, body: bytes, alert_id: int) -> None:
    import httpx

    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, body),
               "X-Patentdesk-Event": "watch.alert", "X-Patentdesk-Delivery": str(alert_id),
               "User-Agent": "patentdesk-webhook"}
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=config.webhook_timeout_s,
                              follow_redirects=False)
    except httpx.HTTPError as e:
        raise DeliveryError(f"{type(e).__name__}: {e}") from e
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"the webhook answered {response.status_code}")


# ----------------------------------------------------------------------------- Atom feed
def feed_entries(engine: Engine, token: str, limit: int = 100) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A watch and its latest hits, by the watch's private feed token."""
    if not token or len(token) > 128:
        raise NotFound("no such feed")
    with engine.connect() as conn:
        row = conn.execute(select(S.watches).where(S.watches.c.secret == token)).first()
        if row is None or not hmac.compare_digest(row.secret, token):
            raise NotFound("no such feed")
        hits = [row_dict(r) for r in conn.execute(
            select(S.watch_hits.c.number, S.watch_hits.c.found_at).where(S.watch_hits.c.watch_id == row.id)
            .order_by(S.watch_hits.c.id.desc()).limit(limit)).mappings()]
    return _public(row, with_secret=False), hits


def atom(config: DeskConfig, watch_info: dict[str, Any], hits: list[dict[str, Any]],
         pubs: dict[str, Publication]) -> bytes:
    from lxml import etree

    ns = "http://www.w3.org/2005/Atom"
    base = config.base_url.rstrip("/")
    feed = etree.Element(f"{{{ns}}}feed", nsmap={None: ns})

    def sub(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
        el = etree.SubElement(parent, f"{{{ns}}}{tag}", **attrs)
        if text is not None:
            el.text = text
        return el

    updated = hits[0]["found_at"] if hits else watch_info["created_at"]
    sub(feed, "id", f"{base}/desk/watches/{watch_info['id']}")
    sub(feed, "title", f"patentdesk watch: {watch_info['name']}")
    sub(feed, "updated", str(updated))
    author = sub(feed, "author")
    sub(author, "name", "patentdesk")
    for h in hits:
        pub = pubs.get(h["number"])
        entry = sub(feed, "entry")
        url = f"{base}/publication/{h['number']}"
        sub(entry, "id", url)
        sub(entry, "title", f"{h['number']} {_title(pub)}".strip())
        sub(entry, "updated", str(h["found_at"]))
        sub(entry, "link", href=url)
        if pub is not None and pub.abstract:
            sub(entry, "summary", pub.abstract[:1000])
    out: bytes = etree.tostring(feed, xml_declaration=True, encoding="utf-8")
    return out


def numbers_of_run(catalogue: Any, run_id: int) -> list[str]:
    """The publications an ingest run added or changed (for `patentdesk watches run --run`)."""
    with catalogue.engine.connect() as conn:
        return [n for (n,) in conn.execute(select(S.publications.c.number).where(S.publications.c.run_id == run_id))]


def latest_run(catalogue: Any) -> int | None:
    with catalogue.engine.connect() as conn:
        value = conn.execute(select(func.max(S.ingest_runs.c.id))).scalar()
    return int(value) if value is not None else None


