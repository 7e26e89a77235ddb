"""The service desk through the REST API: accounts, a novelty request worked as a case and
delivered as a report, messages, attachments, collections, saved searches, sessions and CSRF,
login limits, password reset by email, and the audit log.

Documents and hit counts are those of the first eight USPTO weekly slices (checked against the
XML): `ta=napkin` finds only US6836899B1 (ipg050104, "Device for detachably holding an absorbent
napkin across the torso"); `ipc=H01M` finds US6982130B2, US7314687B2 and US8088512B2 (the only
three grants with an H01M IPCR in those files).
"""

from __future__ import annotations

import re
import subprocess
from typing import Any

from deskcase import PASSWORD, Account, desk_config

NAPKIN = "US6836899B1"
BATTERY = "US8088512B2"


def _json(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def pdf_text(data: bytes, tmp_path: Any) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


# ----------------------------------------------------------------------------- accounts
def test_register_login_me_logout(client_for):
    c = client_for()
    email = "Reader.One@Example.org"
    user = _json(c.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Reader One"}),
                 201)
    assert user["email"] == "reader.one@example.org" and user["role"] == "user"
    assert c.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Again"}
                  ).status_code == 409
    assert c.post("/api/v1/auth/register", json={"email": "x@example.org", "password": "short", "name": "X"}
                  ).status_code == 422
    login = _json(c.post("/api/v1/auth/login", json={"email": "reader.one@example.org", "password": PASSWORD}))
    headers = {"Authorization": f"Bearer {login['token']}"}
    assert _json(c.get("/api/v1/auth/me", headers=headers))["email"] == "reader.one@example.org"
    assert c.get("/api/v1/auth/me").status_code == 401
    assert c.post("/api/v1/auth/logout", headers=headers).status_code == 204
    r = c.get("/api/v1/auth/me", headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"


def test_stored_password_is_an_argon2_hash(desk_catalogue, make_account):
    from sqlalchemy import select

    from patentdesk.store import schema as S

    acc = make_account()
    with desk_catalogue.engine.connect() as conn:
        stored = conn.execute(select(S.users.c.password_hash).where(S.users.c.id == acc.user.id)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_login_rate_limit_blocks_even_the_right_password(client_for, make_account):
    acc = make_account()
    c = client_for()
    for _ in range(5):
        assert c.post("/api/v1/auth/login", json={"email": acc.email, "password": "wrong password!"}
                      ).status_code == 401
    r = c.post("/api/v1/auth/login", json={"email": acc.email, "password": PASSWORD})
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"


def test_password_reset_by_emailed_token(client_for, make_account, mailing_app):
    smtp = mailing_app
    acc = make_account()
    c = client_for()
    assert c.post("/api/v1/auth/password-reset", json={"email": "nobody@example.org"}).status_code == 202
    assert smtp.messages == []  # no account, no mail, the same answer
    assert c.post("/api/v1/auth/password-reset", json={"email": acc.email}).status_code == 202
    [mail] = smtp.parsed()
    assert mail["To"] == acc.email
    token = re.search(r"Your reset code: (\S+)", mail.get_content()).group(1)
    new = "a brand new passphrase"
    _json(c.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": new}))
    assert c.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": new}).status_code == 400
    assert c.get("/api/v1/auth/me", headers=acc.headers).status_code == 401  # old sessions ended
    assert c.post("/api/v1/auth/login", json={"email": acc.email, "password": PASSWORD}).status_code == 401
    assert c.post("/api/v1/auth/login", json={"email": acc.email, "password": new}).status_code == 200


def test_cookie_session_needs_the_csrf_token_to_change_anything(client_for, make_account, desk_catalogue,
                                                               app_config):
    from patentdesk.desk import accounts

    acc = make_account()
    token, session = accounts.create_session(desk_catalogue.engine, app_config, acc.user)
    c = client_for()
    c.cookies.set("pd_session", token)
    assert _json(c.get("/api/v1/collections")) == []
    r = c.post("/api/v1/collections", json={"name": "forged"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert c.post("/api/v1/collections", json={"name": "forged"}, headers={"X-CSRF-Token": "nope"}).status_code == 403
    _json(c.post("/api/v1/collections", json={"name": "mine"}, headers={"X-CSRF-Token": session.csrf_token}), 201)


# ----------------------------------------------------------------------------- the case
def test_novelty_request_worked_and_delivered(client_for, make_account, tmp_path, mailing_app):
    smtp = mailing_app
    user, analyst, admin = make_account(), make_account("analyst", "Ada Analyst"), make_account("admin")
    c = client_for()
    req = _json(c.post("/api/v1/requests", headers=user.headers, json={
        "kind": "novelty", "title": "Napkin holder worn on the body",
        "description": "Is a napkin clip held across the torso new?", "deadline": "2099-01-31"}), 201)
    rid = req["id"]
    assert req["status"] == "submitted" and req["language"] == "en"
    assert c.post(f"/api/v1/cases/{rid}/accept", headers=user.headers).status_code == 403

    case = _json(c.post(f"/api/v1/cases/{rid}/accept", headers=analyst.headers))
    assert case["status"] == "accepted" and case["analyst_id"] == analyst.user.id
    first = _json(c.post(f"/api/v1/cases/{rid}/searches", headers=analyst.headers, json={"query": "ta=napkin"}), 201)
    assert first["search"]["hits"] == 1 and [h["publication_number"] for h in first["hits"]] == [NAPKIN]
    second = _json(c.post(f"/api/v1/cases/{rid}/searches", headers=analyst.headers, json={"query": "ipc=H01M"}), 201)
    assert second["search"]["hits"] == 3
    _json(c.post(f"/api/v1/cases/{rid}/marks", headers=analyst.headers, json={
        "number": "US 6,836,899 B1", "category": "X", "passage": "column 2, lines 10-25", "claims": "1-3"}), 201)
    _json(c.post(f"/api/v1/cases/{rid}/marks", headers=analyst.headers, json={
        "number": BATTERY, "category": "A", "passage": "figure 1", "claims": "4"}), 201)
    assert c.post(f"/api/v1/cases/{rid}/marks", headers=analyst.headers,
                  json={"number": "US1B1", "category": "X"}).status_code == 404
    _json(c.post(f"/api/v1/cases/{rid}/notes", headers=analyst.headers, json={"body": "D1 looks decisive"}), 201)
    assert c.post(f"/api/v1/cases/{rid}/deliver", headers=analyst.headers).status_code == 400  # no conclusion yet
    _json(c.put(f"/api/v1/cases/{rid}/strategy", headers=analyst.headers, json={
        "databases": "patentdesk catalogue (USPTO grants)", "classes": "A45F5/04",
        "conclusion": "Claim 1 lacks novelty over D1."}))
    case = _json(c.post(f"/api/v1/cases/{rid}/deliver", headers=analyst.headers))
    assert case["status"] == "delivered" and len(case["reports"]) == 1
    assert [(s["query"], s["hits"]) for s in case["searches"]] == [("ta=napkin", 1), ("ipc=H01M", 3)]

    # the requester is told, sees the request delivered, and downloads the report
    [notice] = smtp.parsed()
    assert notice["To"] == user.email and f"/desk/requests/{rid}" in notice.get_content()
    mine = _json(c.get(f"/api/v1/requests/{rid}", headers=user.headers))
    assert mine["status"] == "delivered" and mine["report_available"] is True
    r = c.get(f"/api/v1/requests/{rid}/report", headers=user.headers)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    text = pdf_text(r.content, tmp_path)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert any(re.search(r"\bta=napkin 1\b", line) for line in lines), text
    assert any(re.search(r"\bipc=H01M 3\b", line) for line in lines), text
    assert any(line.startswith(f"X {NAPKIN}") for line in lines), text
    assert any(line.startswith(f"A {BATTERY}") for line in lines), text
    assert "Claim 1 lacks novelty over D1." in text and "Novelty / prior-art search" in text
    html = c.get(f"/api/v1/requests/{rid}/report", params={"format": "html"}, headers=user.headers)
    assert html.headers["content-type"].startswith("text/html") and "attachment" in html.headers["content-disposition"]
    assert "D1 looks decisive" not in html.text  # notes are for staff only

    # every change by the analyst is in the audit log
    log = _json(c.get("/api/v1/admin/audit", headers=admin.headers))
    actions = [e["action"] for e in log if e["object_id"] == rid and e["actor_id"] == analyst.user.id]
    assert actions[::-1] == ["case.accept", "case.search", "case.search", "case.mark", "case.mark", "case.note",
                             "case.strategy", "case.deliver"]
    closed = _json(c.post(f"/api/v1/requests/{rid}/close", headers=user.headers))
    assert closed["status"] == "closed"


def test_report_in_the_request_language(client_for, make_account, tmp_path):
    user, analyst = make_account(language="zh-Hant"), make_account("analyst")
    c = client_for()
    rid = _json(c.post("/api/v1/requests", headers=user.headers, json={
        "kind": "landscape", "title": "電池", "description": "電池專利概況"}), 201)["id"]
    _json(c.post(f"/api/v1/cases/{rid}/accept", headers=analyst.headers))
    _json(c.post(f"/api/v1/cases/{rid}/searches", headers=analyst.headers, json={"query": "ipc=H01M"}), 201)
    _json(c.put(f"/api/v1/cases/{rid}/strategy", headers=analyst.headers, json={"conclusion": "三件專利。"}))
    _json(c.post(f"/api/v1/cases/{rid}/deliver", headers=analyst.headers))
    text = pdf_text(c.get(f"/api/v1/requests/{rid}/report", headers=user.headers).content, tmp_path)
    assert "檢索報告" in text and "專利概況分析" in text and "三件專利。" in text


def test_messages_and_waiting_for_the_user(client_for, make_account):
    user, analyst = make_account(), make_account("analyst")
    c = client_for()
    rid = _json(c.post("/api/v1/requests", headers=user.headers, json={
        "kind": "question", "title": "Where to start?", "description": "How do I search by class?"}), 201)["id"]
    _json(c.post(f"/api/v1/cases/{rid}/accept", headers=analyst.headers))
    _json(c.post(f"/api/v1/cases/{rid}/status", headers=analyst.headers, json={"status": "waiting_for_user"}))
    _json(c.post(f"/api/v1/requests/{rid}/messages", headers=analyst.headers, json={"body": "Which field?"}), 201)
    assert _json(c.get(f"/api/v1/requests/{rid}", headers=user.headers))["status"] == "waiting_for_user"
    _json(c.post(f"/api/v1/requests/{rid}/messages", headers=user.headers, json={"body": "Batteries."}), 201)
    assert _json(c.get(f"/api/v1/requests/{rid}", headers=user.headers))["status"] == "in_progress"
    thread = _json(c.get(f"/api/v1/requests/{rid}/messages", headers=user.headers))
    assert [(m["body"], m["author_role"]) for m in thread] == [("Which field?", "analyst"), ("Batteries.", "user")]
    assert c.post(f"/api/v1/cases/{rid}/status", headers=analyst.headers,
                  json={"status": "submitted"}).status_code == 422
    r = c.post(f"/api/v1/cases/{rid}/accept", headers=analyst.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"


def test_attachments_limited_by_type_and_size_and_stored_under_random_names(client_for, make_account, desk_home):
    user = make_account()
    c = client_for()
    rid = _json(c.post("/api/v1/requests", headers=user.headers, json={
        "kind": "fto", "title": "Clip", "description": "Can we sell this clip?"}), 201)["id"]
    pdf = b"%PDF-1.4\n% a drawing\n"
    att = _json(c.post(f"/api/v1/requests/{rid}/attachments", headers=user.headers,
                       files={"file": ("../../etc/drawing.pdf", pdf, "application/pdf")}), 201)
    assert att["filename"] == "drawing.pdf" and att["size"] == len(pdf) and "stored_name" not in att
    stored = list((desk_home.home / "desk" / "attachments").iterdir())
    assert all("drawing" not in p.name for p in stored)
    got = c.get(f"/api/v1/requests/{rid}/attachments/{att['id']}", headers=user.headers)
    assert got.content == pdf and got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith('attachment; filename="drawing.pdf"')
    for name, data in (("x.exe", b"MZ\x90\x00"), ("fake.pdf", b"<html>not a pdf"), ("notes.txt", b"\xff\xfe\x00")):
        r = c.post(f"/api/v1/requests/{rid}/attachments", headers=user.headers, files={"file": (name, data)})
        assert r.status_code == 400, name
    big = b"%PDF-" + b"0" * desk_config().attachment_max_bytes
    r = c.post(f"/api/v1/requests/{rid}/attachments", headers=user.headers, files={"file": ("big.pdf", big)})
    assert r.status_code == 400 and "larger than" in r.json()["error"]["message"]
    huge = b"%PDF-" + b"0" * (11 * 1024 * 1024)
    assert c.post(f"/api/v1/requests/{rid}/attachments", headers=user.headers,
                  files={"file": ("huge.pdf", huge)}).status_code == 413  # refused before it is read


# ----------------------------------------------------------------------------- collections and saved searches
def test_collections_and_saved_searches(client_for, make_account):
    acc = make_account()
    c = client_for()
    col = _json(c.post("/api/v1/collections", headers=acc.headers, json={"name": "Batteries"}), 201)
    col = _json(c.post(f"/api/v1/collections/{col['id']}/items", headers=acc.headers,
                       json={"number": "us8088512b2", "note": "self-organizing"}), 201)
    assert [i["number"] for i in col["items"]] == [BATTERY]
    assert c.post(f"/api/v1/collections/{col['id']}/items", headers=acc.headers,
                  json={"number": BATTERY}).status_code == 409
    listed = _json(c.get("/api/v1/collections", headers=acc.headers))
    assert [(x["name"], x["items"]) for x in listed] == [("Batteries", 1)]
    col = _json(c.delete(f"/api/v1/collections/{col['id']}/items/{BATTERY}", headers=acc.headers))
    assert col["items"] == []
    saved = _json(c.post("/api/v1/saved-searches", headers=acc.headers, json={"name": "cells", "query": "ipc=H01M"}),
                  201)
    assert c.post("/api/v1/saved-searches", headers=acc.headers,
                  json={"name": "bad", "query": "ti=(open"}).status_code == 400
    assert [s["id"] for s in _json(c.get("/api/v1/saved-searches", headers=acc.headers))] == [saved["id"]]
    assert c.delete(f"/api/v1/saved-searches/{saved['id']}", headers=acc.headers).status_code == 204
    assert c.delete(f"/api/v1/collections/{col['id']}", headers=acc.headers).status_code == 204
    assert _json(c.get("/api/v1/collections", headers=acc.headers)) == []


def test_admin_manages_roles_and_accounts(client_for, make_account):
    admin, user = make_account("admin"), make_account()
    c = client_for()
    assert c.get("/api/v1/admin/users", headers=user.headers).status_code == 403
    changed = _json(c.patch(f"/api/v1/admin/users/{user.user.id}", headers=admin.headers, json={"role": "analyst"}))
    assert changed["role"] == "analyst"
    assert c.get("/api/v1/cases", headers=user.headers).status_code == 200  # the session sees the new role
    _json(c.patch(f"/api/v1/admin/users/{user.user.id}", headers=admin.headers, json={"active": False}))
    assert c.get("/api/v1/auth/me", headers=user.headers).status_code == 401
    staff = _json(c.post("/api/v1/admin/users", headers=admin.headers, json={
        "email": "new.analyst@example.org", "password": PASSWORD, "name": "New Analyst", "role": "analyst"}), 201)
    assert staff["role"] == "analyst"
    log = _json(c.get("/api/v1/admin/audit", headers=admin.headers))
    mine = [(e["action"], e["object_id"]) for e in log if e["actor_id"] == admin.user.id]
    assert mine[:3] == [("user.create", staff["id"]), ("user.active", user.user.id), ("user.role", user.user.id)]


def test_account_rejects_bad_input(client_for):
    c = client_for()
    assert c.post("/api/v1/auth/register", json={"email": "not-an-email", "password": PASSWORD, "name": "X"}
                  ).status_code == 400
    assert isinstance(Account, type)
