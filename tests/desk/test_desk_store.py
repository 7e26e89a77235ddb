"""The service layer on both backends (SQLite and PostgreSQL): accounts and sessions, a request
worked to a stored report, collections, watches recording each (watch, publication) once,
statistics and the purge of personal data past the retention period."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from deskcase import PASSWORD, desk_config
from sqlalchemy import func, select, update

from patentdesk.config import Settings
from patentdesk.desk import accounts, audit, cases, library, stats, watches
from patentdesk.desk import requests as R
from patentdesk.desk.errors import (
    Conflict,
    Forbidden,
    NotFound,
    TooManyAttempts,
    Unauthorized,
)
from patentdesk.model import Provenance, Publication, Text
from patentdesk.store import schema as S

CONFIG = desk_config()


def pub(number: str, title: str) -> Publication:
    return Publication(number=number, country="US", doc_number=number[2:-2], kind=number[-2:], doc_type="grant",
                       publication_date=dt.date(2020, 1, 7), texts=(Text("title", "en", title),),
                       provenance=Provenance("test", "desk.xml", 1))


class FakeSearch:
    """Matches by title word: enough to drive the watches without a full-text index."""

    def __init__(self, catalogue: Any) -> None:
        self.catalogue = catalogue

    def matching_numbers(self, settings: Settings, catalogue: Any, query: str) -> list[str]:
        word = query.split("=", 1)[-1].strip('"').lower()
        return sorted(p.number for p in catalogue.iter_publications() if word in (p.title or "").lower())


def test_accounts_sessions_and_limits(catalogue):
    e = catalogue.engine
    user = accounts.register(e, CONFIG, "Reader@Example.org", PASSWORD, "Reader")
    assert accounts.authenticate(e, CONFIG, "reader@example.org", PASSWORD, "10.0.0.1") == user
    token, _ = accounts.create_session(e, CONFIG, user)
    assert accounts.session_for(e, token).user == user and accounts.session_for(e, token + "x") is None
    with e.begin() as conn:  # an expired session is no session
        conn.execute(update(S.user_sessions).values(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    assert accounts.session_for(e, token) is None
    for _ in range(CONFIG.login_failures):
        with pytest.raises(Unauthorized):
            accounts.authenticate(e, CONFIG, "reader@example.org", "wrong!", "10.0.0.1")
    with pytest.raises(TooManyAttempts):
        accounts.authenticate(e, CONFIG, "reader@example.org", PASSWORD, "10.0.0.2")
    with pytest.raises(Conflict):
        accounts.register(e, CONFIG, "reader@example.org", PASSWORD, "Again")
    admin = accounts.register(e, CONFIG, "admin@example.org", PASSWORD, "Admin", role="admin")
    with pytest.raises(Forbidden):
        accounts.set_role(e, user, admin.id, "user")
    assert accounts.set_role(e, admin, user.id, "analyst").role == "analyst"
    assert accounts.set_active(e, admin, user.id, False).active is False
    assert [x["action"] for x in audit.entries(e, admin)] == ["user.active", "user.role"]
    # purge: login records past the retention period go, recent ones stay
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=CONFIG.retention_days + 1)
    gone = stats.purge(e, CONFIG, at=later)
    assert gone["login_attempts"] == CONFIG.login_failures and gone["sessions"] == 0  # ended when disabled


def test_request_case_report_and_isolation(catalogue, tmp_path):
    e = catalogue.engine
    assert catalogue.apply([pub("US1000001B2", "Napkin clip"), pub("US1000002B2", "Battery pack")]) == ["added"] * 2
    alice = accounts.register(e, CONFIG, "alice@example.org", PASSWORD, "Alice")
    bob = accounts.register(e, CONFIG, "bob@example.org", PASSWORD, "Bob")
    ada = accounts.register(e, CONFIG, "ada@example.org", PASSWORD, "Ada", role="analyst")
    req = R.submit(e, alice, kind="novelty", title="Clip", description="Is it new?", deadline=dt.date(2099, 1, 1))
    with pytest.raises(NotFound):
        R.get(e, bob, req["id"])
    with pytest.raises(Forbidden):
        cases.accept(e, alice, req["id"])
    cases.accept(e, ada, req["id"])
    cases.log_search(e, ada, req["id"], "ti=napkin", 1)
    cases.mark(e, ada, req["id"], "US1000001B2", "x", passage="p. 2", claims="1")
    cases.mark(e, ada, req["id"], "US1000002B2", "A")
    cases.mark(e, ada, req["id"], "US1000001B2", "Y", passage="p. 3")  # marked again: replaced
    cases.set_strategy(e, ada, req["id"], conclusion="Y only.")
    settings = Settings(home=tmp_path, database_url=catalogue.url)
    done = cases.deliver(e, settings, CONFIG, catalogue, ada, req["id"])
    assert done["status"] == "delivered" and [(m["number"], m["category"]) for m in done["marks"]] == [
        ("US1000001B2", "Y"), ("US1000002B2", "A")]
    body, media = cases.report_file(e, alice, req["id"], "pdf")
    assert body.startswith(b"%PDF-") and media == "application/pdf"
    html = cases.report_file(e, alice, req["id"], "html")[0].decode()
    assert html.index("US1000001B2") < html.index("US1000002B2") and "Napkin clip" in html
    with pytest.raises(NotFound):
        cases.report_file(e, bob, req["id"], "pdf")
    usage = stats.usage(e, accounts.register(e, CONFIG, "root@example.org", PASSWORD, "Root", role="admin"))
    assert usage["requests_by_kind"] == {"novelty": 1} and usage["requests_by_status"] == {"delivered": 1}
    assert usage["turnaround_days"]["delivered"] == 1 and usage["searches_per_day"][-1]["case"] == 1


def test_collections_and_watches_alert_once(catalogue, tmp_path):
    e = catalogue.engine
    settings = Settings(home=tmp_path, database_url=catalogue.url)
    catalogue.apply([pub("US1000001B2", "Napkin clip")])
    alice = accounts.register(e, CONFIG, "alice@example.org", PASSWORD, "Alice")
    bob = accounts.register(e, CONFIG, "bob@example.org", PASSWORD, "Bob")
    col = library.create_collection(e, alice, "Clips")
    library.add_item(e, alice, col["id"], "US1000001B2")
    with pytest.raises(NotFound):
        library.add_item(e, bob, col["id"], "US1000001B2")
    assert library.collections(e, alice)[0]["items"] == 1 and library.collections(e, bob) == []
    watch = watches.create_watch(e, alice, name="napkins", kind="search", value="ti=napkin", channel="feed")
    search = FakeSearch(catalogue)
    catalogue.apply([pub("US1000003B2", "Napkin ring"), pub("US1000004B2", "Gear")])
    first = watches.run_watches(settings, catalogue, ["US1000003B2", "US1000004B2"], config=CONFIG, search=search)
    again = watches.run_watches(settings, catalogue, ["US1000003B2", "US1000004B2"], config=CONFIG, search=search)
    assert (first.alerts, first.publications, first.delivered) == (1, 1, 1)
    assert (again.alerts, again.publications) == (0, 0)
    [alert] = watches.alerts(e, alice, watch["id"])
    assert alert["status"] == "delivered" and alert["numbers"] == ["US1000003B2"]
    _, hits = watches.feed_entries(e, watch["feed_token"])
    assert [h["number"] for h in hits] == ["US1000003B2"]
    with e.connect() as conn:
        assert conn.execute(select(func.count()).select_from(S.watch_hits)).scalar_one() == 1
    with pytest.raises(NotFound):
        watches.watch(e, bob, watch["id"])


class FakeEngine(FakeSearch):
    """The search backend the web app needs, over the same title matching."""

    def run_search(self, settings: Settings, catalogue: Any, request: Any) -> Any:
        from patentdesk.search.api import Hit, SearchResult

        numbers = self.matching_numbers(settings, catalogue, request.query)
        pubs = catalogue.get_many(numbers)
        hits = [Hit(n, pubs[n].title, None, [], 1.0) for n in numbers[request.offset:request.offset + request.limit]]
        return SearchResult(total=len(numbers), hits=hits, query=request.query)


def test_api_flow_on_both_backends(catalogue, tmp_path):
    """The REST API over this backend: register, request, case, report, and another user shut out."""
    import warnings

    from patentdesk.web.app import WebOptions, create_app

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
        from fastapi.testclient import TestClient

    catalogue.apply([pub("US1000001B2", "Napkin clip"), pub("US1000002B2", "Battery pack")])
    accounts.register(catalogue.engine, CONFIG, "ada@example.org", PASSWORD, "Ada", role="analyst")
    app = create_app(Settings(home=tmp_path, database_url=catalogue.url), WebOptions(api_rate=0),
                     search=FakeEngine(catalogue))
    app.state.desk_config = CONFIG
    with TestClient(app, base_url="https://testserver") as c:
        def token(email: str) -> dict[str, str]:
            r = c.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
            return {"Authorization": f"Bearer {r.json()['token']}"}

        for email in ("alice@example.org", "bob@example.org"):
            assert c.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD,
                                                         "name": email[:3]}).status_code == 201
        alice, bob, ada = token("alice@example.org"), token("bob@example.org"), token("ada@example.org")
        rid = c.post("/api/v1/requests", headers=alice, json={"kind": "fto", "title": "Clip",
                                                              "description": "May we?"}).json()["id"]
        assert c.post(f"/api/v1/cases/{rid}/accept", headers=ada).status_code == 200
        assert c.post(f"/api/v1/cases/{rid}/searches", headers=ada, json={"query": "ti=napkin"}).json()[
            "search"]["hits"] == 1
        assert c.post(f"/api/v1/cases/{rid}/marks", headers=ada,
                      json={"number": "US1000001B2", "category": "X"}).status_code == 201
        c.put(f"/api/v1/cases/{rid}/strategy", headers=ada, json={"conclusion": "Not free."})
        assert c.post(f"/api/v1/cases/{rid}/deliver", headers=ada).json()["status"] == "delivered"
        assert c.get(f"/api/v1/requests/{rid}/report", headers=alice).content.startswith(b"%PDF-")
        assert c.get(f"/api/v1/requests/{rid}/report", headers=bob).status_code == 404
        assert c.get(f"/api/v1/requests/{rid}", headers=bob).status_code == 404
        assert c.get("/api/v1/requests").status_code == 401


def test_usage_buffer_writes_in_batches_and_keeps_counts_it_could_not_write(catalogue):
    engine = catalogue.engine

    def stored() -> int:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(S.usage_events)).scalar_one())

    before = stored()
    buf = stats.UsageBuffer(engine, max_events=3, max_age=3600)
    assert buf.add("api", "battery", None) is False
    assert buf.add("portal", "ti=engine", None) is False
    assert stored() == before and buf.pending() == 2
    assert buf.add("api", "x" * 5000, None) is True  # the third asks for a flush
    assert buf.flush() == 3 and buf.pending() == 0
    assert stored() == before + 3
    with engine.connect() as conn:
        rows = conn.execute(select(S.usage_events.c.source, S.usage_events.c.query)
                            .order_by(S.usage_events.c.id.desc()).limit(3)).all()
    assert sorted(r[0] for r in rows) == ["api", "api", "portal"] and max(len(r[1]) for r in rows) == 2000
    # an old event asks for a flush however few are waiting
    aged = stats.UsageBuffer(engine, max_events=100, max_age=0.0)
    assert aged.add("api", "motor", None) is True
    # a failed write keeps the events for the next flush
    broken = stats.UsageBuffer(engine.execution_options(), max_events=100, max_age=3600)
    broken.add("api", "sensor", None)
    broken.engine = None  # type: ignore[assignment]
    with pytest.raises(AttributeError):
        broken.flush()
    assert broken.pending() == 1
    broken.engine = engine
    assert broken.flush() == 1 and stored() == before + 4
