"""Nobody reaches another user's requests, collections, saved searches or watches: every desk route
of the API, called by another user with the owner's ids, fails (404: the object is not theirs, so
not there for them); staff routes refuse users (403); admin routes refuse analysts (403); and
anonymous calls get 401. The route list is read from the app's OpenAPI schema, so a new route without a
line here fails the test."""

from __future__ import annotations

from typing import Any

import pytest
from deskcase import Account

NAPKIN = "US6836899B1"

# Routes anyone may call without an account.
PUBLIC = {("POST", "/api/v1/auth/register"), ("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/password-reset"),
          ("POST", "/api/v1/auth/password-reset/confirm"), ("GET", "/api/v1/learning/exercises"),
          ("POST", "/api/v1/learning/exercises/{exercise_id}/check")}

# Routes on objects that belong to one user: another user must get 404.
OWNED = {
    ("GET", "/api/v1/requests/{request_id}"): None,
    ("POST", "/api/v1/requests/{request_id}/close"): None,
    ("GET", "/api/v1/requests/{request_id}/messages"): None,
    ("POST", "/api/v1/requests/{request_id}/messages"): {"json": {"body": "let me in"}},
    ("POST", "/api/v1/requests/{request_id}/attachments"): {"files": {"file": ("a.txt", b"hello")}},
    ("GET", "/api/v1/requests/{request_id}/attachments/{attachment_id}"): None,
    ("GET", "/api/v1/requests/{request_id}/report"): None,
    ("GET", "/api/v1/collections/{collection_id}"): None,
    ("PATCH", "/api/v1/collections/{collection_id}"): {"json": {"name": "stolen"}},
    ("DELETE", "/api/v1/collections/{collection_id}"): None,
    ("POST", "/api/v1/collections/{collection_id}/items"): {"json": {"number": NAPKIN}},
    ("DELETE", "/api/v1/collections/{collection_id}/items/{number}"): None,
    ("GET", "/api/v1/saved-searches/{saved_id}"): None,
    ("DELETE", "/api/v1/saved-searches/{saved_id}"): None,
    ("GET", "/api/v1/watches/{watch_id}"): None,
    ("PATCH", "/api/v1/watches/{watch_id}"): {"json": {"active": False}},
    ("DELETE", "/api/v1/watches/{watch_id}"): None,
    ("GET", "/api/v1/watches/{watch_id}/alerts"): None,
}

# Routes for staff (a user gets 403) and for admins (an analyst gets 403 too).
STAFF = {
    ("GET", "/api/v1/cases"): None,
    ("GET", "/api/v1/cases/{request_id}"): None,
    ("POST", "/api/v1/cases/{request_id}/accept"): None,
    ("POST", "/api/v1/cases/{request_id}/status"): {"json": {"status": "closed"}},
    ("POST", "/api/v1/cases/{request_id}/searches"): {"json": {"query": "napkin"}},
    ("POST", "/api/v1/cases/{request_id}/marks"): {"json": {"number": NAPKIN, "category": "X"}},
    ("DELETE", "/api/v1/cases/{request_id}/marks/{mark_id}"): None,
    ("POST", "/api/v1/cases/{request_id}/notes"): {"json": {"body": "n"}},
    ("PUT", "/api/v1/cases/{request_id}/strategy"): {"json": {"conclusion": "c"}},
    ("POST", "/api/v1/cases/{request_id}/deliver"): None,
}
ADMIN = {
    ("GET", "/api/v1/admin/users"): None,
    ("POST", "/api/v1/admin/users"): {"json": {"email": "z@example.org", "password": "0123456789ab", "name": "Z"}},
    ("PATCH", "/api/v1/admin/users/{user_id}"): {"json": {"role": "admin"}},
    ("GET", "/api/v1/admin/audit"): None,
    ("GET", "/api/v1/admin/alerts"): None,
    ("POST", "/api/v1/admin/alerts/{alert_id}/retry"): None,
    ("GET", "/api/v1/admin/stats"): None,
    ("GET", "/api/v1/admin/stats/export"): None,
    ("GET", "/api/v1/admin/settings"): None,
    ("PUT", "/api/v1/admin/settings"): {"json": {"retention_days": 1}},
    ("GET", "/api/v1/admin/ingests"): None,
}
# The caller's own things: they answer, but only with the caller's objects.
OWN_LISTS = {("GET", "/api/v1/requests"), ("POST", "/api/v1/requests"), ("GET", "/api/v1/collections"),
             ("POST", "/api/v1/collections"), ("GET", "/api/v1/saved-searches"), ("POST", "/api/v1/saved-searches"),
             ("GET", "/api/v1/watches"), ("POST", "/api/v1/watches"), ("GET", "/api/v1/auth/me"),
             ("POST", "/api/v1/auth/logout")}
# The public catalogue API (tests/web and tests/api_http test it): open to everyone, no account.
OLD_API = {("GET", "/api/v1/search"), ("GET", "/api/v1/publications/{number}"), ("GET", "/api/v1/export"),
           ("GET", "/api/v1/publications/{number}/similar"), ("GET", "/api/v1/analyze"),
           ("GET", "/api/v1/classification/{symbol}")}


def desk_routes(app: Any) -> set[tuple[str, str]]:
    """Every operation of the API, as its OpenAPI schema documents it."""
    paths = app.openapi()["paths"]
    out = {(m.upper(), p) for p, ops in paths.items() if p.startswith("/api/v1/") for m in ops}
    return out - OLD_API


def test_every_desk_route_is_covered_here(desk_app):
    covered = PUBLIC | set(OWNED) | set(STAFF) | set(ADMIN) | OWN_LISTS
    assert desk_routes(desk_app) == covered


@pytest.fixture(scope="module")
def world(desk_app: Any, desk_catalogue: Any, app_config: Any) -> dict[str, Any]:
    """Alice's objects of every kind, a case worked by an analyst, and a delivered report."""
    import uuid
    import warnings

    from patentdesk.desk import accounts, cases, library, requests, watches

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using `httpx`")
        from fastapi.testclient import TestClient  # noqa: F401

    engine = desk_catalogue.engine

    def account(role: str) -> Account:
        email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
        user = accounts.register(engine, app_config, email, "correct horse battery staple", role.title(), role=role)
        return Account(user, email, accounts.create_session(engine, app_config, user)[0])

    alice, bob, analyst, admin = account("user"), account("user"), account("analyst"), account("admin")
    req = requests.submit(engine, alice.user, kind="novelty", title="Mine", description="Private matter")
    att = requests.add_attachment(engine, desk_app.state.services.settings, app_config, alice.user, req["id"],
                                  "secret.txt", b"secret")
    cases.accept(engine, analyst.user, req["id"])
    mark = cases.mark(engine, analyst.user, req["id"], NAPKIN, "X")
    cases.set_strategy(engine, analyst.user, req["id"], conclusion="done")
    cases.deliver(engine, desk_app.state.services.settings, app_config, desk_catalogue, analyst.user, req["id"])
    col = library.create_collection(engine, alice.user, "Alice's")
    library.add_item(engine, alice.user, col["id"], NAPKIN)
    saved = library.save_search(engine, alice.user, "napkins", "ta=napkin")
    watch = watches.create_watch(engine, alice.user, name="napkins", kind="search", value="ta=napkin")
    ids = {"request_id": req["id"], "attachment_id": att["id"], "mark_id": mark["id"], "collection_id": col["id"],
           "number": NAPKIN, "saved_id": saved["id"], "watch_id": watch["id"], "user_id": alice.user.id,
           "alert_id": 1, "exercise_id": "batteries-by-class"}
    return {"alice": alice, "bob": bob, "analyst": analyst, "admin": admin, "ids": ids}


def _call(client: Any, method: str, path: str, ids: dict[str, Any], spec: dict[str, Any] | None,
          headers: dict[str, str]) -> Any:
    return client.request(method, path.format(**ids), headers=headers, **(spec or {}))


def test_anonymous_calls_get_401(client_for, world):
    c = client_for()
    for method, path in sorted(set(OWNED) | set(STAFF) | set(ADMIN) | OWN_LISTS):
        spec = OWNED.get((method, path)) or STAFF.get((method, path)) or ADMIN.get((method, path))
        r = _call(c, method, path, world["ids"], spec, {})
        assert r.status_code == 401, (method, path, r.status_code)
        assert r.json()["error"]["code"] == "unauthorized"


def test_another_user_cannot_reach_owned_objects(client_for, world):
    c = client_for()
    bob = world["bob"]
    for (method, path), spec in sorted(OWNED.items(), key=lambda kv: kv[0]):
        r = _call(c, method, path, world["ids"], spec, bob.headers)
        assert r.status_code == 404, (method, path, r.status_code, r.text)
    # nothing of Alice's shows in Bob's lists
    for path in ("/api/v1/requests", "/api/v1/collections", "/api/v1/saved-searches", "/api/v1/watches"):
        assert c.get(path, headers=bob.headers).json() == [], path
    # and Alice's objects are all still there, untouched
    alice = world["alice"]
    ids = world["ids"]
    assert c.get(f"/api/v1/requests/{ids['request_id']}", headers=alice.headers).json()["status"] == "delivered"
    col = c.get(f"/api/v1/collections/{ids['collection_id']}", headers=alice.headers).json()
    assert col["name"] == "Alice's" and [i["number"] for i in col["items"]] == [NAPKIN]
    assert c.get(f"/api/v1/watches/{ids['watch_id']}", headers=alice.headers).json()["active"] is True
    assert c.get(f"/api/v1/saved-searches/{ids['saved_id']}", headers=alice.headers).status_code == 200


def test_users_cannot_work_cases_and_analysts_cannot_administer(client_for, world):
    c = client_for()
    for (method, path), spec in sorted({**STAFF, **ADMIN}.items(), key=lambda kv: kv[0]):
        r = _call(c, method, path, world["ids"], spec, world["alice"].headers)
        assert r.status_code == 403, (method, path, r.status_code, r.text)
    for (method, path), spec in sorted(ADMIN.items(), key=lambda kv: kv[0]):
        r = _call(c, method, path, world["ids"], spec, world["analyst"].headers)
        assert r.status_code == 403, (method, path, r.status_code, r.text)


def test_the_owner_and_staff_do_reach_them(client_for, world):
    c = client_for()
    ids = world["ids"]
    for who in ("alice", "analyst"):
        r = c.get(f"/api/v1/requests/{ids['request_id']}/report", headers=world[who].headers)
        assert r.status_code == 200 and r.content.startswith(b"%PDF-"), who
        r = c.get(f"/api/v1/requests/{ids['request_id']}/attachments/{ids['attachment_id']}",
                  headers=world[who].headers)
        assert r.content == b"secret", who
    # staff see cases, but not a user's collections or watches
    assert c.get(f"/api/v1/watches/{ids['watch_id']}", headers=world["analyst"].headers).status_code == 404
    assert c.get(f"/api/v1/collections/{ids['collection_id']}", headers=world["admin"].headers).status_code == 404
