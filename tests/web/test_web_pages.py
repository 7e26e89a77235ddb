"""The portal's pages over real USPTO grants: every address, redirects, facets, paging, errors."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from webcase import CITED, EP_PAIR, HOSTILE

# US6836899B1 as printed in ipg050104.small.xml (doc-number 06836899, kind B1, date 20050104)
TITLE = "Device for detachably holding an absorbent napkin across the torso"


@pytest.fixture(autouse=True)
def _no_language_cookie(client):
    """Language tests set the cookie; no other test should see it."""
    client.cookies.clear()
    yield
    client.cookies.clear()


def hrefs(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', html)]


def by_id(html: str, element_id: str) -> str:
    """The text of the element that carries `element_id`, up to its closing tag (flat elements only)."""
    pattern = r'<(\w+)[^>]*\bid="' + re.escape(element_id) + r'"[^>]*>(.*?)</\1>'
    m = re.search(pattern, html, re.DOTALL)
    assert m, f"no element #{element_id}"
    return m.group(2)


# ----------------------------------------------------------------------------- home
def test_home_has_a_labelled_search_form_and_the_catalogue_size(client):
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<label for="q">' in html and 'id="q" name="q"' in html
    assert 'class="skip-link" href="#main"' in html and '<main id="main"' in html
    # 225 grants in the nine weekly slices (5 sequence listings are skipped) + 3 made in webcase.py
    assert "228 publications in the catalogue" in html


# ----------------------------------------------------------------------------- results
def test_search_page_lists_hits_with_marked_snippets_and_facets(client):
    r = client.get("/search", params={"q": "napkin"})
    assert r.status_code == 200
    html = r.text
    api = client.get("/api/v1/search", params={"q": "napkin", "facets": "country"}).json()
    assert api["total"] >= 2
    assert f'data-total="{api["total"]}"' in html
    assert f'href="/publication/{CITED}"' in html
    assert TITLE in html
    assert "<mark>" in html  # the engine's snippet markup is kept
    facet = by_id(html, "facet-country")
    assert ">US</a>" in facet


def test_facet_link_adds_a_filter_to_the_query(client):
    html = client.get("/search", params={"q": "napkin"}).text
    links = [h for h in hrefs(html) if "cc%3DUS" in h]
    assert links, "no country facet link"
    refined = parse_qs(urlsplit(links[0]).query)["q"][0]
    assert refined == "(napkin) AND cc=US"
    page = client.get(links[0])
    assert page.status_code == 200
    api = client.get("/api/v1/search", params={"q": refined}).json()
    assert f'data-total="{api["total"]}"' in page.text
    assert 'class="applied"' in page.text  # the applied value is shown as applied, not as a link again


def test_sort_and_paging(client):
    q = "device"
    api = client.get("/api/v1/search", params={"q": q, "limit": 100}).json()
    assert api["total"] > 10
    html = client.get("/search", params={"q": q, "sort": "-date", "limit": 5, "offset": 5}).text
    newest = client.get("/api/v1/search", params={"q": q, "sort": "-date", "limit": 5, "offset": 5}).json()
    shown = re.findall(r'<li class="hit" data-number="([^"]+)"', html)
    assert shown == [h["publication_number"] for h in newest["hits"]]
    dates = [h["publication_date"] for h in newest["hits"]]
    assert dates == sorted(dates, reverse=True)
    assert '<ol id="results" class="hits" start="6">' in html
    pages = -(-api["total"] // 5)
    assert f"Page 2 of {pages}" in html
    prev_link = [h for h in hrefs(html) if "offset=0" in h]
    next_link = [h for h in hrefs(html) if "offset=10" in h]
    assert prev_link and next_link
    assert '<option value="-date" selected>' in html


def test_odd_paging_values_are_clamped_not_refused(client):
    r = client.get("/search", params={"q": "napkin", "limit": "9999", "offset": "-4"})
    assert r.status_code == 200
    assert '<option value="100" selected>' in r.text


def test_empty_query_goes_home(client):
    r = client.get("/search", params={"q": "  "}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_query_syntax_error_is_shown_with_position_and_hint(client):
    from patentdesk.errors import QuerySyntaxError
    from patentdesk.search.query import parse

    q = "napkin AND ("
    with pytest.raises(QuerySyntaxError) as err:
        parse(q)
    r = client.get("/search", params={"q": q})
    assert r.status_code == 400
    assert 'id="query-error"' in r.text
    assert f"At character {err.value.position}." in r.text
    assert unescape(err.value.hint or "") in unescape(r.text)


def test_overlong_query_is_refused_politely(client):
    r = client.get("/search", params={"q": "a" * 2001})
    assert r.status_code == 400
    assert "longer than 2000 characters" in r.text


# ----------------------------------------------------------------------------- documents
def test_publication_page_sections(client):
    r = client.get(f"/publication/{CITED}")
    assert r.status_code == 200
    html = r.text
    assert f"<h1 id=\"doc-title\" lang=\"en\">{TITLE}</h1>" in html
    for section in ("biblio", "abstract", "claims", "description", "classifications", "provenance"):
        assert f'id="{section}"' in html
    # 23 claims in the XML; claim 2 depends on claim 1 and links to it
    assert 'id="claim-23"' in html and 'id="claim-24"' not in html
    claim2 = by_id(html, "claim-2")
    assert claim2.startswith("The holding device as in claim <a href=\"#claim-1\">1</a> wherein")
    # the description is collapsed
    assert re.search(r'<details class="description" id="description" lang="en">', html)
    # IPC A45F 5/04 links to its classification page
    assert 'href="/classification/A45F5/04"' in html
    assert "Glasmire, Samuel G. (Bath, US)" in html
    assert "2005-01-04" in by_id(html, "biblio-date")
    # the record cited by the hostile record, which is in the same family
    assert f'href="/publication/{HOSTILE}"' in by_id(html, "cited-by")
    assert f'href="/publication/{HOSTILE}"' in html.split('id="family"')[1]


def test_priorities_are_listed(client):
    # ipg050104.small.xml, US06837086: <priority-claim> JP 2002-156293 of 20020529
    html = client.get("/publication/US6837086B2").text
    assert "<tr><td>JP</td><td>2002-156293</td><td>2002-05-29</td></tr>" in by_id(html, "priorities")


@pytest.mark.parametrize("spelling", ["US 6,836,899 B1", "us6836899b1", "US06836899B1", "US6836899",
                                      "US-6836899-B1"])
def test_any_spelling_redirects_to_the_canonical_number(client, spelling):
    r = client.get(f"/publication/{spelling}", params={"lang": "pt"}, follow_redirects=False)
    assert r.status_code in (301, 308)
    assert r.headers["location"] == f"/publication/{CITED}?lang=pt"


def test_number_without_kind_that_several_documents_share_offers_a_choice(client):
    r = client.get("/publication/EP 1000001", follow_redirects=False)
    assert r.status_code == 200
    choices = by_id(r.text, "choices")
    assert [f'href="/publication/{n}"' in choices for n in EP_PAIR] == [True, True]
    r = client.get("/publication/ep1000001b1", follow_redirects=False)
    assert r.headers["location"] == f"/publication/{EP_PAIR[1]}"
    grant = client.get(r.headers["location"]).text
    assert f'href="/publication/{EP_PAIR[0]}"' in grant.split('id="family"')[1]


@pytest.mark.parametrize("number", ["US1234567B2", "not-a-number", "XX"])
def test_unknown_publication_is_a_friendly_404(client, number):
    r = client.get(f"/publication/{number}")
    assert r.status_code == 404
    assert 'id="error"' in r.text and "Page not found" in r.text
    assert "Traceback" not in r.text


# ----------------------------------------------------------------------------- classification
def test_classification_page_counts_and_links_to_search(client):
    r = client.get("/classification/A45F5/04")
    assert r.status_code == 200
    api = client.get("/api/v1/search", params={"q": "ipc=A45F5/04", "limit": 0}).json()
    assert api["total"] >= 2  # US6836899B1 and the hostile record
    assert f'data-count="{api["total"]}"' in r.text
    assert 'href="/search?q=ipc%3DA45F5%2F04"' in r.text
    levels = by_id(r.text, "classification")
    for level in ("A", "A45", "A45F", "A45F5"):
        assert f'href="/classification/{level}"' in levels


def test_classification_spelling_redirects(client):
    r = client.get("/classification/a45f 5/04", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/classification/A45F5/04"
    assert client.get("/classification/not a symbol").status_code == 404


# ----------------------------------------------------------------------------- analytics
def test_analytics_page_answers(client):
    """The page in detail: tests/web/test_web_analytics.py."""
    r = client.get("/analytics")
    assert r.status_code == 200
    assert "228 publications" in r.text and 'id="chart-filing-trends"' in r.text
    r = client.get("/analytics", params={"q": "napkin"})
    assert r.status_code == 200 and 'id="table-jurisdictions"' in r.text


# ----------------------------------------------------------------------------- languages
@pytest.mark.parametrize("lang, html_lang, phrase", [
    ("zh-Hans", "zh-Hans", "专利检索"),
    ("zh-Hant", "zh-Hant", "專利檢索"),
    ("pt", "pt", "Pesquisa de patentes"),
    ("en", "en", "Patent search"),
])
def test_lang_parameter_picks_the_language_and_sets_a_cookie(client, lang, html_lang, phrase):
    r = client.get("/", params={"lang": lang})
    assert f'<html lang="{html_lang}">' in r.text
    assert phrase in r.text
    assert f"lang={lang}" in r.headers["set-cookie"]


def test_cookie_remembers_and_lang_parameter_wins(client):
    client.cookies.set("lang", "zh-Hant")
    assert '<html lang="zh-Hant">' in client.get("/search", params={"q": "napkin"}).text
    assert '<html lang="pt">' in client.get("/", params={"lang": "pt"}).text
    assert '<html lang="pt">' in client.get("/").text  # the new choice is remembered


@pytest.mark.parametrize("header, expected", [
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans"),
    ("zh-TW", "zh-Hant"),
    ("zh-HK,en;q=0.5", "zh-Hant"),
    ("pt-BR,pt;q=0.9", "pt"),
    ("de-DE,fr;q=0.9", "en"),
    ("fr;q=0.9,pt;q=0.3,zh-Hant;q=0.5", "zh-Hant"),
])
def test_accept_language(client, header, expected):
    r = client.get("/", headers={"Accept-Language": header})
    assert f'<html lang="{expected}">' in r.text
    assert "set-cookie" not in r.headers


def test_translated_document_page(client):
    html = client.get(f"/publication/{CITED}", params={"lang": "zh-Hant"}).text
    assert "申請專利範圍" in html and "書目資料" in html


# ----------------------------------------------------------------------------- service addresses
def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok", "version": "0.1.0"}


def test_static_css_is_served(client):
    r = client.get("/static/style.css")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")
    assert "@media (max-width" in r.text and ":focus-visible" in r.text


def test_unknown_page_is_a_friendly_404(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and 'id="error"' in r.text


# ----------------------------------------------------------------------------- markup
class _Checker(HTMLParser):
    """Balanced non-void tags and unique ids: what stable browser tests and assistive tech rely on."""

    VOID = frozenset({"meta", "link", "input", "br", "img", "hr", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.ids += [v for k, v in attrs if k == "id" and v]
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()


@pytest.mark.parametrize("path", ["/", "/search?q=napkin", "/search?q=napkin+AND+(", f"/publication/{CITED}",
                                  f"/publication/{HOSTILE}", "/publication/EP1000001", "/classification/A45F5/04",
                                  "/analytics", "/analytics?q=napkin", "/no-such-page"])
@pytest.mark.parametrize("lang", ["en", "zh-Hant"])
def test_pages_are_well_formed_with_unique_ids(client, path, lang):
    checker = _Checker()
    checker.feed(client.get(path, params={"lang": lang}).text)
    assert not checker.errors and checker.stack == [], (checker.errors, checker.stack)
    duplicates = {i for i in checker.ids if checker.ids.count(i) > 1}
    assert not duplicates
    assert "main" in checker.ids
