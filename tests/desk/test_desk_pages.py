"""The service desk in the portal: forms with CSRF tokens, login and logout, a request from the
form to the delivered report, the case page, watches, admin pages and the learning section, and
that no page of one user shows to another."""

from __future__ import annotations

import re
from typing import Any

import pytest
from deskcase import PASSWORD

NAPKIN = "US6836899B1"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(c: Any, email: str, password: str = PASSWORD) -> Any:
    page = c.get("/desk/login")
    return c.post("/desk/login", data={"email": email, "password": password, "csrf_token": csrf(page.text),
                                       "next": "/desk"}, follow_redirects=False)


def test_register_from_the_form_sets_a_secure_session_cookie(client_for):
    c = client_for()
    form = c.get("/desk/register")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    assert c.post("/desk/register", data={"email": "form@example.org", "name": "Form", "password": PASSWORD},
                  follow_redirects=False).status_code == 422  # no token at all
    bad = c.post("/desk/register", data={"email": "form@example.org", "name": "Form", "password": PASSWORD,
                                         "csrf_token": "forged"}, follow_redirects=False)
    assert bad.status_code == 403
    r = c.post("/desk/register", data={"email": "form@example.org", "name": "Form", "password": PASSWORD,
                                       "csrf_token": csrf(form.text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/desk?done=registered"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("pd_session="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie
    home = c.get(r.headers["location"])
    assert home.status_code == 200 and "Your account is ready" in home.text and 'id="who">Form<' in home.text


def test_pages_need_a_login_and_send_back_after_it(client_for, make_account):
    acc = make_account()
    c = client_for()
    r = c.get("/desk/requests/new", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/desk/login?next=%2Fdesk%2Frequests%2Fnew"
    page = c.get(r.headers["location"])
    r = c.post("/desk/login", data={"email": acc.email, "password": PASSWORD, "csrf_token": csrf(page.text),
                                    "next": "/desk/requests/new"}, follow_redirects=False)
    assert r.headers["location"] == "/desk/requests/new"
    # an address elsewhere is never followed
    page = c.get("/desk/login")
    r = c.post("/desk/login", data={"email": acc.email, "password": PASSWORD, "csrf_token": csrf(page.text),
                                    "next": "//evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/desk"
    wrong = login(client_for(), acc.email, "not the password")
    assert wrong.status_code == 401 and "Wrong email or password." in wrong.text


def test_request_through_the_portal_to_the_report(client_for, make_account):
    user, analyst = make_account(), make_account("analyst")
    uc, ac = client_for(), client_for()
    login(uc, user.email)
    login(ac, analyst.email)
    form = uc.get("/desk/requests/new")
    r = uc.post("/desk/requests/new", data={"csrf_token": csrf(form.text), "kind": "novelty", "title": "Napkin clip",
                                           "description": "Worn across the torso", "deadline": "2099-05-01",
                                           "report_language": "pt"}, follow_redirects=True)
    assert r.status_code == 200 and "Your request has been sent to the library." in r.text
    rid = int(re.search(r"/desk/requests/(\d+)/messages", r.text).group(1))
    assert f'data-request="{rid}"' in ac.get("/desk/cases").text
    token = csrf(ac.get(f"/desk/cases/{rid}").text)
    ac.post(f"/desk/cases/{rid}/accept", data={"csrf_token": token})
    found = ac.post(f"/desk/cases/{rid}/search", data={"csrf_token": token, "query": "ta=napkin"})
    assert f'data-number="{NAPKIN}"' in found.text
    ac.post(f"/desk/cases/{rid}/marks", data={"csrf_token": token, "number": NAPKIN, "category": "X",
                                              "passage": "fig. 1", "claims": "1"})
    ac.post(f"/desk/cases/{rid}/strategy", data={"csrf_token": token, "databases": "patentdesk", "classes": "A45F",
                                                 "conclusion": "Sem novidade."})
    done = ac.post(f"/desk/cases/{rid}/deliver", data={"csrf_token": token})
    assert done.status_code == 200 and "The report has been delivered." in done.text
    mine = uc.get(f"/desk/requests/{rid}")
    assert 'data-status="delivered"' in mine.text and 'id="report-pdf"' in mine.text
    pdf = uc.get(f"/desk/requests/{rid}/report.pdf")
    assert pdf.content.startswith(b"%PDF-")
    html = uc.get(f"/desk/requests/{rid}/report.html").text
    assert '<html lang="pt">' in html and "Relatório de busca" in html and NAPKIN in html
    # another user sees none of it
    other = client_for()
    login(other, make_account().email)
    for path in (f"/desk/requests/{rid}", f"/desk/requests/{rid}/report.pdf", f"/desk/cases/{rid}"):
        assert other.get(path).status_code in (403, 404), path


def test_watches_page_and_private_feed(client_for, make_account):
    acc = make_account()
    c = client_for()
    login(c, acc.email)
    token = csrf(c.get("/desk/watches").text)
    r = c.post("/desk/watches", data={"csrf_token": token, "name": "cells", "kind": "class", "value": "H01M",
                                      "channel": "feed"})
    assert r.status_code == 200 and "ipc=H01M" in r.text
    feed_url = re.search(r'href="(/desk/feeds/[^"]+\.atom)"', r.text).group(1)
    feed = client_for().get(feed_url)  # no login: the token is the key
    assert feed.status_code == 200 and feed.headers["content-type"] == "application/atom+xml"
    assert client_for().get("/desk/feeds/not-a-token.atom").status_code == 404


def test_admin_pages_and_statistics(client_for, make_account):
    admin, user = make_account("admin"), make_account()
    c = client_for()
    login(c, admin.email)
    c.get("/search", params={"q": "ipc=H01M and battery"})
    page = c.get("/desk/admin")
    assert page.status_code == 200 and user.email in page.text
    stats = c.get("/desk/admin/stats")
    assert stats.status_code == 200 and 'id="searches-chart"' in stats.text
    assert "ipc=h01m and battery" in stats.text and ">H01M<" in stats.text
    exported = c.get("/desk/admin/stats.csv")
    assert exported.headers["content-type"].startswith("text/csv") and "top_classes,H01M," in exported.text
    uc = client_for()
    login(uc, user.email)
    assert uc.get("/desk/admin").status_code == 403 and uc.get("/desk/admin/stats").status_code == 403


@pytest.mark.parametrize("lang, title", [("en", "How to read a claim"), ("zh-Hans", "如何阅读权利要求"),
                                         ("zh-Hant", "如何閱讀申請專利範圍"), ("pt", "Como ler uma reivindicação")])
def test_guides_in_four_languages(client_for, lang, title):
    r = client_for().get("/desk/learn/reading-claims", params={"lang": lang})
    assert r.status_code == 200 and f"<h1>{title}</h1>" in r.text and f'<html lang="{lang}">' in r.text


def test_exercise_shows_what_was_missed(client_for):
    c = client_for()
    assert "batteries-by-class" in c.get("/desk/learn").text
    r = c.get("/desk/learn/exercises/batteries-by-class", params={"q": "ta=battery"})
    missed = re.findall(r'<li><a href="/publication/(\w+)">', r.text)
    # ta=battery finds 4 grants: two in H01M (US7314687B2, US8088512B2) and two outside it
    assert missed == ["US6982130B2"]
    assert 'data-solved="no"' in r.text and "ipc=H01M" in r.text
    solved = c.get("/desk/learn/exercises/batteries-by-class", params={"q": "ipc=H01M"})
    assert 'data-solved="yes"' in solved.text
    api = c.post("/api/v1/learning/exercises/footwear-titles/check", json={"numbers": ["US 6836979 B2"]})
    assert api.json() == {"exercise": "footwear-titles", "solved": False, "found": ["US6836979B2"],
                          "missed": ["USD534340S1"], "extra": []}
