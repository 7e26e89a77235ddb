"""The search and results pages beyond the query box: retrieval modes, novelty cut-offs, the query
builder, the syntax help page, selection export and translated facet values; semantic modes both
without vectors (a clear message) and over a small embedded catalogue (one real weekly slice)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from webcase import EP_PAIR

from patentdesk.cli import main
from patentdesk.config import Settings, resolve
from patentdesk.export import COLUMN_NAMES, FORMATS
from patentdesk.search import fields as SF
from patentdesk.search import semantic
from patentdesk.search.query import parse
from patentdesk.search.techfields import all_fields
from patentdesk.store.catalogue import Catalogue
from patentdesk.web import searchform as SFM
from patentdesk.web.api import MAX_EXPORT_NUMBERS
from patentdesk.web.app import WebOptions, create_app
from patentdesk.web.i18n import translations

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient


@pytest.fixture(autouse=True)
def _no_language_cookie(client):
    client.cookies.clear()
    yield
    client.cookies.clear()


def hrefs(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', html)]


def shown_numbers(html: str) -> list[str]:
    return re.findall(r'<li class="hit" data-number="([^"]+)"', html)


def mode_used(html: str) -> str:
    m = re.search(r'id="mode-used" data-mode="(\w+)"', html)
    assert m, "the page does not say which mode ran"
    return m.group(1)


def api_numbers(client, **params) -> list[str]:
    r = client.get("/api/v1/search", params={"limit": 100, **params})
    assert r.status_code == 200, r.text
    return [h["publication_number"] for h in r.json()["hits"]]


# ----------------------------------------------------------------------------- the form
def test_form_offers_modes_cutoffs_builder_and_help(client):
    html = client.get("/").text
    assert re.findall(r'<select id="mode" name="mode"[^>]*>(.*?)</select>', html, re.DOTALL)
    modes = re.findall(r'<option value="(\w*)"', re.search(r'id="mode".*?</select>', html, re.DOTALL).group(0))
    assert modes == ["", "keyword", "semantic", "hybrid"]
    assert 'type="date" id="published_before" name="published_before"' in html
    assert 'type="date" id="priority_before" name="priority_before"' in html
    assert 'id="builder-form" method="get" action="/search/build"' in html
    first_row = re.search(r'<select id="f1" name="f1".*?</select>', html, re.DOTALL).group(0)
    builder_fields = re.findall(r'<option value="(\w+)" data-kind="(\w+)"', first_row)
    assert len(re.findall(r'<select id="f\d" name="f\d" class="b-field">', html)) == SFM.BUILDER_ROWS
    assert [f for f, _ in builder_fields] == [code for code, _ in SFM.BUILDER_FIELDS]
    assert all(SF.BY_NAME[f].kind == kind for f, kind in builder_fields)
    assert 'href="/help/query"' in html
    assert html.count("<script") == 1 and '<script src="/static/search.js" defer></script>' in html
    assert client.get("/static/search.js").status_code == 200


def test_modes_are_those_of_the_engine():
    assert SFM.MODES == semantic.MODES


# ----------------------------------------------------------------------------- modes
def test_keyword_mode_and_automatic_mode_without_vectors(client):
    keyword = client.get("/search", params={"q": "napkin clip", "mode": "keyword"})
    assert keyword.status_code == 200
    assert mode_used(keyword.text) == "keyword"
    assert "Search mode: Keywords (query language)" in keyword.text
    assert shown_numbers(keyword.text) == api_numbers(client, q="napkin clip", mode="keyword")[:20]
    # automatic: plain text would be hybrid, but this catalogue has no vectors: keywords, said so
    auto = client.get("/search", params={"q": "napkin clip"})
    assert auto.status_code == 200
    assert mode_used(auto.text) == "keyword"
    assert "(chosen automatically)" in auto.text


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_semantic_modes_without_vectors_say_why_and_offer_keywords(client, mode):
    r = client.get("/search", params={"q": "napkin clip", "mode": mode, "published_before": "2010-01-01"})
    assert r.status_code == 400
    assert 'id="query-error"' in r.text
    assert "The search could not be run" in r.text
    assert "patentdesk embed" in r.text and "Search by meaning is not available" in r.text
    [link] = [h for h in hrefs(r.text) if "mode=keyword" in h]
    params = parse_qs(urlsplit(link).query)
    assert params == {"q": ["napkin clip"], "mode": ["keyword"], "published_before": ["2010-01-01"]}
    assert client.get(link).status_code == 200
    # the choice stays selected in the form
    assert f'<option value="{mode}" selected>' in r.text


def test_semantic_mode_sorted_by_date_is_a_clear_error(client):
    r = client.get("/search", params={"q": "napkin clip", "mode": "semantic", "sort": "-date"})
    assert r.status_code == 400
    assert "ranks by relevance only" in r.text


def test_date_sort_in_automatic_mode_runs_keywords(client):
    r = client.get("/search", params={"q": "napkin clip", "sort": "-date"})
    assert r.status_code == 200
    assert mode_used(r.text) == "keyword"
    assert shown_numbers(r.text) == api_numbers(client, q="napkin clip", mode="keyword", sort="-date")[:20]


def test_unknown_mode_falls_back_to_automatic(client):
    r = client.get("/search", params={"q": "napkin", "mode": "telepathic"})
    assert r.status_code == 200
    assert '<option value="" selected>' in r.text
    assert not [h for h in hrefs(r.text) if "telepathic" in h and "lang=" not in h]  # language links keep all


# ----------------------------------------------------------------------------- cut-offs
def test_published_before_filters_and_is_kept_in_every_link(client, web_catalogue):
    q, cutoff = "device", "2008-01-01"
    everything = api_numbers(client, q=q, sort="-date")
    r = client.get("/search", params={"q": q, "published_before": cutoff, "limit": 5, "sort": "-date"})
    assert r.status_code == 200
    expected = api_numbers(client, q=q, published_before=cutoff, sort="-date")
    assert 0 < len(expected) < len(everything)
    total = int(re.search(r'data-total="(\d+)"', r.text).group(1))
    assert total == client.get("/api/v1/search", params={"q": q, "published_before": cutoff}).json()["total"]
    assert shown_numbers(r.text) == expected[:5]
    for number in shown_numbers(r.text):
        pub = web_catalogue.get(number)
        assert pub is not None and pub.publication_date < dt.date(2008, 1, 1)
    assert 'value="2008-01-01"' in r.text and 'id="cutoff-published"' in r.text
    # pager, facet and sort links keep the cut-off
    links = [h for h in hrefs(r.text) if h.startswith("/search?")]
    assert any("offset=5" in h for h in links) and any("py%3D" in h for h in links)
    for link in links:
        assert parse_qs(urlsplit(link).query).get("published_before") == [cutoff], link
    assert '<input type="hidden" name="published_before" value="2008-01-01">' in r.text
    # export and analytics take a query: the cut-off is written into it
    [analyze] = [h for h in hrefs(r.text) if h.startswith("/analytics?")]
    written = parse_qs(urlsplit(analyze).query)["q"][0]
    assert written == f"({q}) AND pd<{cutoff}"
    assert client.get("/api/v1/search", params={"q": written}).json()["total"] == total


def test_priority_before_filters(client):
    q, cutoff = "device", "2004-01-01"
    r = client.get("/search", params={"q": q, "priority_before": cutoff, "limit": 100})
    assert r.status_code == 200
    expected = api_numbers(client, q=q, priority_before=cutoff)
    assert 0 < len(expected) < len(api_numbers(client, q=q))
    assert shown_numbers(r.text) == expected
    [analyze] = [h for h in hrefs(r.text) if h.startswith("/analytics?")]
    assert parse_qs(urlsplit(analyze).query)["q"] == [f"({q}) AND prd<{cutoff}"]


@pytest.mark.parametrize("name, value", [("published_before", "2008-13-01"), ("published_before", "yesterday"),
                                         ("priority_before", "2008"), ("priority_before", "<script>")])
def test_invalid_cutoff_is_a_message_not_a_crash(client, name, value):
    r = client.get("/search", params={"q": "napkin", name: value})
    assert r.status_code == 400
    assert "is not a date (use YYYY-MM-DD)" in r.text
    assert "<script>" not in r.text.split("<main", 1)[1].split("</main>")[0].replace("&lt;script&gt;", "")


def test_empty_options_are_ignored(client):
    r = client.get("/search", params={"q": "napkin", "mode": "", "published_before": "", "priority_before": ""})
    assert r.status_code == 200
    links = [h for h in hrefs(r.text) if h.startswith("/search?") and "lang=" not in h]
    assert links
    assert not [h for h in links if "published_before" in h or "mode=" in h]


# ----------------------------------------------------------------------------- builder
@pytest.mark.parametrize("rows, dates, expected", [
    ([SFM.Row("ti", "battery")], ("pd", "", ""), "ti=battery"),
    ([SFM.Row("ta", "lithium battery")], ("pd", "", ""), 'ta all "lithium battery"'),
    ([SFM.Row("ab", "rotor  stator", "any")], ("pd", "", ""), 'ab any "rotor stator"'),
    ([SFM.Row("cl", '"heat sink"', "phrase")], ("pd", "", ""), 'cl="heat sink"'),
    ([SFM.Row("pa", "Samsung"), SFM.Row("in", "smith", op="or")], ("pd", "", ""), "pa=Samsung or in=smith"),
    ([SFM.Row("txt", "engine"), SFM.Row("ipc", "F02K, B64D", op="not")], ("pd", "", ""),
     'txt=engine not ipc any "F02K B64D"'),
    ([SFM.Row("ipc", "H01M10/05/low")], ("pd", "", ""), "ipc=H01M10/05/low"),
    ([SFM.Row("cc", "US"), SFM.Row("kind", "B2")], ("pd", "", ""), "cc=US and kind=B2"),
    ([SFM.Row("pn", "US7783348B2"), SFM.Row("ap", "")], ("pd", "", ""), "pn=US7783348B2"),
    ([SFM.Row("ti", "batter*")], ("pd", "2005", "2010-06-30"), 'ti=batter* and pd within "2005,2010-06-30"'),
    ([], ("prd", "", "2001"), "prd<=2001"),
    ([], ("ad", "20100101", ""), "ad>=20100101"),
    ([SFM.Row("ti", "and")], ("pd", "", ""), 'ti="and"'),  # an operator word is a value, not an operator
    ([SFM.Row("ti", "a=b (c)")], ("pd", "", ""), 'ti all "a=b (c)"'),
    ([SFM.Row("ti", "x", op="not")], ("pd", "", ""), "not ti=x"),
    ([SFM.Row("nosuch", "x"), SFM.Row("pd", "2005")], ("pd", "", ""), ""),
])
def test_builder_composition(rows, dates, expected):
    query = SFM.compose(rows, *dates)
    assert query == expected
    if query:
        parse(query)  # the language reads what the builder writes


def test_builder_refuses_what_is_no_date():
    from patentdesk.errors import UserError

    with pytest.raises(UserError, match="is not a date"):
        SFM.compose([], "pd", "last year", "")


def test_build_without_scripts_redirects_to_the_results(client):
    params = {"f1": "ta", "t1": "napkin clip", "m1": "all", "f2": "cc", "o2": "and", "t2": "US",
              "f3": "pa", "o3": "not", "t3": "nobody", "df": "pd", "from": "2005", "to": "2013",
              "mode": "keyword", "published_before": "2014-01-01"}
    r = client.get("/search/build", params=params, follow_redirects=False)
    assert r.status_code == 303
    target = parse_qs(urlsplit(r.headers["location"]).query)
    query = 'ta all "napkin clip" and cc=US not pa=nobody and pd within "2005,2013"'
    assert target == {"q": [query], "mode": ["keyword"], "published_before": ["2014-01-01"]}
    page = client.get(r.headers["location"])
    assert page.status_code == 200
    assert shown_numbers(page.text) == api_numbers(client, q=query, published_before="2014-01-01")[:20]
    assert shown_numbers(page.text)


def test_build_with_nothing_goes_home_and_bad_dates_say_so(client):
    r = client.get("/search/build", params={"f1": "ti", "t1": "  "}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    bad = client.get("/search/build", params={"t1": "napkin", "from": "soon"})
    assert bad.status_code == 400
    assert "is not a date" in bad.text


# ----------------------------------------------------------------------------- help page
def test_query_help_lists_every_field_and_relation_with_runnable_examples(client):
    r = client.get("/help/query")
    assert r.status_code == 200
    html = r.text
    for f in SF.FIELDS:
        row = re.search(r'<tr data-field="' + re.escape(f.name) + r'">(.*?)</tr>', html, re.DOTALL)
        assert row, f.name
        assert f'href="/search?q={_enc(f.example)}"' in row.group(1), f.name
        assert SFM.FIELD_LABELS[f.name] in unescape(row.group(1))
    for rel in SF.RELATIONS:
        assert f'<tr data-relation="{unescape(rel)}">' in unescape(html)
    # every example on the page is a query the language reads
    for link in hrefs(html):
        if link.startswith("/search?"):
            parse(parse_qs(urlsplit(link).query)["q"][0])


def test_query_help_in_chinese_keeps_the_codes(client):
    html = client.get("/help/query", params={"lang": "zh-Hans"}).text
    assert '<html lang="zh-Hans">' in html
    assert "<code>ti</code>" in html and "<code>ipc</code>" in html


def _enc(q: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"q": q})[2:]


# ----------------------------------------------------------------------------- selection and export
def test_results_offer_selection_and_every_export_format(client):
    html = client.get("/search", params={"q": "napkin"}).text
    numbers = shown_numbers(html)
    picks = re.findall(r'<input type="checkbox" class="pick" id="pick-\d+" name="numbers" value="([^"]+)" '
                       r'form="export-form">', html)
    assert picks == numbers and numbers
    assert 'id="select-all"' in html
    assert 'id="export-form" class="export-form" method="get" action="/api/v1/export"' in html
    for fmt in FORMATS:
        [link] = [h for h in hrefs(html) if h.startswith("/api/v1/export?") and f"format={fmt}" in h]
        assert parse_qs(urlsplit(link).query) == {"q": ["napkin"], "format": [fmt]}
    assert re.findall(r'<option value="(\w+)">', re.search(r'id="export-format".*?</select>', html, re.DOTALL).group(0)) \
        == list(FORMATS)
    assert "/analytics?q=napkin" in hrefs(html)


def test_export_of_a_selection_has_exactly_the_selected_numbers(client):
    html = client.get("/search", params={"q": "device", "limit": 20}).text
    numbers = shown_numbers(html)
    chosen = [numbers[3], numbers[0], numbers[7]]
    # what the form sends: one numbers= per ticked box
    r = client.get("/api/v1/export", params=[("format", "csv")] + [("numbers", n) for n in chosen])
    assert r.status_code == 200, r.text
    assert r.headers["x-exported-count"] == "3"
    rows = list(csv.reader(io.StringIO(r.text)))
    assert tuple(rows[0]) == COLUMN_NAMES
    assert [row[0] for row in rows[1:]] == chosen  # exactly these, in the order given
    # comma-separated, other spellings and repeats are the same selection
    spelled = ",".join(["US " + chosen[0][2:], chosen[1].lower(), chosen[2], chosen[0]])
    again = client.get("/api/v1/export", params={"format": "csv", "numbers": spelled})
    assert again.status_code == 200
    assert [row[0] for row in list(csv.reader(io.StringIO(again.text)))[1:]] == chosen


@pytest.mark.parametrize("fmt", FORMATS)
def test_selection_export_in_every_format(client, fmt, tmp_path: Path):
    chosen = api_numbers(client, q="napkin")[:2]
    r = client.get("/api/v1/export", params={"format": fmt, "numbers": ",".join(chosen)})
    assert r.status_code == 200, r.text
    body = r.content
    if fmt == "csv":
        found = [row[0] for row in list(csv.reader(io.StringIO(body.decode())))[1:]]
    elif fmt == "jsonl":
        import json

        found = [json.loads(line)["number"] for line in body.decode().splitlines()]
    elif fmt == "ris":
        found = re.findall(r"^PN  - (\S+)", body.decode(), re.MULTILINE)
    elif fmt == "bibtex":
        found = re.findall(r"number\s*=\s*\{([^}]+)\}", body.decode())
    else:
        from openpyxl import load_workbook

        path = tmp_path / "x.xlsx"
        path.write_bytes(body)
        found = [row[0] for row in load_workbook(path).active.iter_rows(min_row=2, values_only=True)]
    assert found == chosen


@pytest.mark.parametrize("params, message", [
    ({"numbers": "US0000001B1"}, "is not in the catalogue"),
    ({"numbers": "not a number at all"}, "is not in the catalogue"),
    ({"numbers": EP_PAIR[0][:-2]}, "is ambiguous"),
    ({"numbers": "X" * 200}, "is not a publication number"),
    ({}, "give a query, or the numbers"),
])
def test_selection_export_refuses_bad_numbers(client, params, message):
    r = client.get("/api/v1/export", params={"format": "csv", **params})
    assert r.status_code == 400
    assert message in r.json()["error"]["message"]


def test_selection_export_is_limited(client):
    numbers = api_numbers(client, q="device")[:1] * (MAX_EXPORT_NUMBERS + 1)
    r = client.get("/api/v1/export", params={"format": "csv", "numbers": ",".join(numbers)})
    assert r.status_code == 400
    assert f"at most {MAX_EXPORT_NUMBERS}" in r.json()["error"]["message"]


def test_query_export_still_works(client):
    r = client.get("/api/v1/export", params={"q": "napkin", "format": "csv"})
    assert r.status_code == 200
    assert {row[0] for row in list(csv.reader(io.StringIO(r.text)))[1:]} == set(api_numbers(client, q="napkin"))


# ----------------------------------------------------------------------------- facet values
def test_tech_field_names_cover_the_concordance():
    assert set(SFM.TECH_FIELDS) == {name for _, name in all_fields()}


def test_tech_field_facet_values_in_chinese(client):
    en = client.get("/search", params={"q": "device"}).text
    english = re.findall(r'data-facet="tech_field" data-value="([^"]+)">([^<]+)<', en)
    assert english and all(unescape(v) == unescape(label) for v, label in english)
    zh = client.get("/search", params={"q": "device", "lang": "zh-Hans"}).text
    shown = {unescape(v): unescape(label)
             for v, label in re.findall(r'data-facet="tech_field" data-value="([^"]+)">([^<]+)<', zh)}
    api = client.get("/api/v1/search", params={"q": "device", "limit": 0, "facets": "tech_field", "facet_size": 10})
    assert set(shown) == {unescape(v) for v, _ in english} == {v["value"] for v in api.json()["facets"]["tech_field"]}
    chinese = translations("zh-Hans")
    for value, label in shown.items():
        assert label == chinese.gettext(SFM.TECH_FIELDS[value])
        assert label != value and re.search(r"[\u4e00-\u9fff]", label), (value, label)


def test_country_facet_names_the_country_in_the_portal_language(client):
    def names(lang: str) -> str:
        html = client.get("/search", params={"q": "napkin", "lang": lang}).text
        facet = re.search(r'id="facet-country".*?</section>', html, re.DOTALL).group(0)
        assert ">US</a>" in facet  # the code stays the link, and the filter
        return re.search(r'<span class="value-name">([^<]+)</span>', facet).group(1)

    assert names("en") == "United States"
    assert names("zh-Hans") == "美国"
    assert names("pt") == "Estados Unidos"


# ----------------------------------------------------------------------------- semantic over vectors
SLICE = "uspto-xml/weekly-slices/ipg090106.small.xml"  # 25 grants of 2009-01-06
SPADE_BIT = "US7473056B2"  # "Spade bit": "This invention relates generally to boring tools ..."


@pytest.fixture(scope="module")
def embedded(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    home = tmp_path_factory.mktemp("embedded-home")
    for args in (["ingest", "--home", str(home), str(data_dir / SLICE)], ["embed", "--home", str(home)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
    return resolve(home)


@pytest.fixture(scope="module")
def sem_client(embedded: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(embedded, WebOptions(api_rate=0))) as c:
        yield c


def test_semantic_mode_over_vectors_shows_mode_and_passages(sem_client):
    q = "boring holes in wood with a flat drill bit"
    r = sem_client.get("/search", params={"q": q, "mode": "semantic"})
    assert r.status_code == 200
    assert mode_used(r.text) == "semantic"
    numbers = shown_numbers(r.text)
    assert numbers[0] == SPADE_BIT  # by meaning: its title says none of these words
    whys = re.findall(r'<p class="why"><span class="why-label">Best matching passage:</span> ([^<]*)</p>', r.text)
    assert len(whys) == len(numbers)
    assert "boring" in whys[0].lower()
    # the automatic choice for plain text is hybrid now that vectors exist
    auto = sem_client.get("/search", params={"q": q})
    assert mode_used(auto.text) == "hybrid" and "(chosen automatically)" in auto.text
    assert shown_numbers(auto.text)[0] == SPADE_BIT


def test_semantic_mode_applies_the_cutoffs(sem_client, embedded):
    cutoff = "2005-01-01"
    r = sem_client.get("/search", params={"q": "a battery", "mode": "semantic", "priority_before": cutoff,
                                          "limit": 100})
    assert r.status_code == 200
    numbers = shown_numbers(r.text)
    with Catalogue(embedded.database_url) as cat:
        everyone = {p.number: p.earliest_priority_date for p in cat.get_many(api_numbers(
            sem_client, q="pd=2009", mode="keyword")).values()}
    older = {n for n, d in everyone.items() if d is not None and d < dt.date(2005, 1, 1)}
    assert 0 < len(older) < len(everyone)
    assert set(numbers) == older
    # no document is published before the slice's date: nothing, and no error
    none = sem_client.get("/search", params={"q": "a battery", "mode": "semantic", "published_before": "2009-01-06"})
    assert none.status_code == 200 and 'data-total="0"' in none.text
