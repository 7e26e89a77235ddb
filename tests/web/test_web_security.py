"""Escaping of hostile record text, security headers, and pages that need no inline script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from webcase import CITED, HOSTILE

from patentdesk.web.claims import split_claims

WEB = Path(__file__).resolve().parents[2] / "src" / "patentdesk" / "web"


def test_hostile_record_is_escaped_everywhere_on_its_page(client):
    r = client.get(f"/publication/{HOSTILE}")
    assert r.status_code == 200
    html = r.text
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "<b>bold</b>" not in html and "<i>x</i>" not in html
    # title, abstract, claims, description, applicant, NPL citation and legal event, each escaped
    assert "Napkin clip &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt; &amp; co" in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert html.count("&lt;script&gt;") >= 7
    # our own markup still works around escaped text: claim links, citation links
    assert 'The clip of claim <a href="#claim-1">1</a>, wherein &lt;i&gt;x&lt;/i&gt;.' in html
    assert 'claims <a href="#claim-1">1</a> or <a href="#claim-2">2</a>' in html
    assert f'<a href="/publication/{CITED}">{CITED}</a>' in html
    # only the file's name is shown, not the server's folders
    assert "hostile.xml" in html and "/srv/secret" not in html


def test_hostile_record_is_escaped_in_results(client):
    r = client.get("/search", params={"q": "napkin clip"})
    assert r.status_code == 200
    assert f'data-number="{HOSTILE}"' in r.text
    page = r.text.lower().replace('<script src="/static/search.js" defer></script>', "")  # the page's own script
    assert "<script" not in page and "<img" not in page
    # the snippet's own <mark> survives
    assert "<mark>" in r.text


def test_search_query_is_escaped_when_echoed(client):
    q = '"><script>alert(1)</script>'
    for url in ("/search", "/analytics"):
        r = client.get(url, params={"q": q})
        assert "<script>alert(1)</script>" not in r.text
        assert "&lt;script&gt;" in r.text


@pytest.mark.parametrize("path", ["/", "/search?q=napkin", f"/publication/{CITED}", "/classification/A45F",
                                  "/analytics", "/api/v1/search?q=napkin", "/healthz", "/static/style.css",
                                  "/openapi.json", "/no-such-page", "/api/v1/publications/US1B1"])
def test_security_headers_on_every_response(client, path):
    r = client.get(path)
    csp = r.headers["content-security-policy"]
    assert csp.startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    assert r.headers["x-frame-options"] == "DENY"


def test_templates_have_no_inline_script_style_or_handlers():
    for template in sorted((WEB / "templates").glob("*.html")):
        text = template.read_text(encoding="utf-8")
        assert "<script" not in text, template.name
        assert "<style" not in text and " style=" not in text, template.name
        assert not re.search(r"\son[a-z]+\s*=", text), template.name
        assert "http://" not in text and "https://" not in text, template.name  # nothing from elsewhere


def test_only_snippets_are_marked_safe():
    uses = {t.name: t.read_text(encoding="utf-8").count("|safe") for t in (WEB / "templates").glob("*.html")}
    assert uses == {**{k: 0 for k in uses}, "search.html": 1}
    assert "{{ hit.snippet|safe }}" in (WEB / "templates" / "search.html").read_text(encoding="utf-8")


def test_claim_links_are_built_over_escaped_text():
    claims = split_claims('1. A <b>thing</b> & "x".\n2. The thing of claim 1.\n3. As in claims 1 to 2 or 9.')
    assert [c.number for c in claims] == [1, 2, 3]
    assert str(claims[0].html) == "A &lt;b&gt;thing&lt;/b&gt; &amp; &#34;x&#34;."
    assert str(claims[1].html) == 'The thing of claim <a href="#claim-1">1</a>.'
    # claim 9 does not exist: no dead link
    assert str(claims[2].html) == 'As in claims <a href="#claim-1">1</a> to <a href="#claim-2">2</a> or 9.'
