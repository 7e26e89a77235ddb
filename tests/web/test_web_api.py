"""The REST API over real USPTO grants: JSON shapes, spellings, errors, limits, export."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from webcase import CITED, HOSTILE

from patentdesk.errors import QuerySyntaxError
from patentdesk.search.api import FACETS, SearchRequest
from patentdesk.search.engine import matching_numbers, run_search
from patentdesk.search.query import parse
from patentdesk.web.app import WebOptions


def assert_error(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert "Traceback" not in r.text
    return body["error"]


# ----------------------------------------------------------------------------- search
def test_search_json_is_exactly_the_engine_result(client, web_settings, web_catalogue):
    r = client.get("/api/v1/search", params={"q": "napkin", "limit": 5, "facets": "country,year"})
    assert r.status_code == 200
    expected = run_search(web_settings, web_catalogue,
                          SearchRequest("napkin", limit=5, facets=("country", "year"))).to_dict()
    assert r.json() == expected
    body = r.json()
    assert set(body) == {"total", "mode", "hits", "facets"} and body["mode"] == "keyword"
    assert set(body["facets"]) == {"country", "year"}
    assert set(body["hits"][0]) == {"publication_number", "title", "publication_date", "applicants", "score",
                                    "snippet", "why"}
    assert CITED in [h["publication_number"] for h in body["hits"]]


def test_search_parameters(client, web_settings, web_catalogue):
    r = client.get("/api/v1/search", params=[("q", "device"), ("limit", "3"), ("offset", "2"),
                                             ("sort", "date"), ("facets", "kind"), ("facets", "year")])
    assert r.status_code == 200
    expected = run_search(web_settings, web_catalogue,
                          SearchRequest("device", limit=3, offset=2, sort="date", facets=("kind", "year")))
    assert r.json() == expected.to_dict()
    dates = [h["publication_date"] for h in r.json()["hits"]]
    assert dates == sorted(dates)


def test_all_facets_and_counts_only(client):
    r = client.get("/api/v1/search", params={"q": "napkin", "limit": 0, "facets": ",".join(FACETS)})
    assert r.status_code == 200
    assert r.json()["hits"] == [] and r.json()["total"] >= 2
    assert set(r.json()["facets"]) <= set(FACETS)


@pytest.mark.parametrize("params, status, code", [
    ({"q": "napkin", "limit": 101}, 422, "invalid_parameter"),
    ({"q": "napkin", "limit": -1}, 422, "invalid_parameter"),
    ({"q": "napkin", "offset": 10_001}, 400, "invalid_parameter"),
    ({"q": "napkin", "sort": "title"}, 422, "invalid_parameter"),
    ({"q": "napkin", "facets": "colour"}, 400, "invalid_parameter"),
    ({"limit": 5}, 422, "invalid_parameter"),
    ({"q": "   "}, 400, "invalid_parameter"),
    ({"q": "a" * 2001}, 400, "query_too_long"),
])
def test_search_parameter_errors(client, params, status, code):
    assert_error(client.get("/api/v1/search", params=params), status, code)


def test_page_size_limit_is_100(client):
    assert client.get("/api/v1/search", params={"q": "device", "limit": 100}).status_code == 200


@pytest.mark.parametrize("q", ["napkin AND (", 'ti="unclosed', "zz=foo"])
def test_query_syntax_error_has_position_and_hint(client, q):
    with pytest.raises(QuerySyntaxError) as err:
        parse(q)
    e = assert_error(client.get("/api/v1/search", params={"q": q}), 400, "query_syntax")
    assert e["message"] == err.value.message
    assert e["position"] == err.value.position
    assert e["hint"] == err.value.hint


# ----------------------------------------------------------------------------- publications
def test_publication_json_is_the_record(client, web_catalogue):
    r = client.get(f"/api/v1/publications/{CITED}")
    assert r.status_code == 200
    pub = web_catalogue.get(CITED)
    assert pub is not None and pub.provenance is not None
    expected = pub.to_dict()
    # the file as loaded (the test data's full path) travels as its own name only
    assert pub.provenance.file.endswith("/ipg050104.small.xml")
    expected["provenance"]["file"] = "ipg050104.small.xml"
    assert r.json() == expected
    assert r.json()["publication_date"] == "2005-01-04"
    assert r.json()["texts"][0] == {"kind": "title", "lang": "en",
                                    "text": "Device for detachably holding an absorbent napkin across the torso"}


@pytest.mark.parametrize("spelling", ["US 6,836,899 B1", "us6836899b1", "US06836899B1", "US6836899"])
def test_publication_any_spelling(client, spelling):
    r = client.get(f"/api/v1/publications/{spelling}")
    assert r.status_code == 200 and r.json()["number"] == CITED
    assert r.headers["content-location"] == f"/api/v1/publications/{CITED}"


def test_publication_errors(client):
    assert_error(client.get("/api/v1/publications/US1234567B2"), 404, "not_found")
    assert_error(client.get("/api/v1/publications/nonsense"), 400, "invalid_number")
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(client.post("/api/v1/search", params={"q": "x"}), 405, "method_not_allowed")


# ----------------------------------------------------------------------------- export
def test_export_csv_has_every_matching_record(client, web_settings, web_catalogue):
    numbers = matching_numbers(web_settings, web_catalogue, "napkin")
    r = client.get("/api/v1/export", params={"q": "napkin", "format": "csv"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert 'filename="patentdesk-export.csv"' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["publication_number"] for row in rows] == numbers
    assert r.headers["x-total-count"] == str(len(numbers))


def test_export_formats(client):
    q = f"pn={CITED}"
    jsonl = client.get("/api/v1/export", params={"q": q, "format": "jsonl"})
    assert [json.loads(line)["number"] for line in jsonl.text.splitlines()] == [CITED]
    ris = client.get("/api/v1/export", params={"q": q, "format": "ris"})
    assert ris.text.startswith("TY  - PAT") and f"PN  - {CITED}" in ris.text
    bib = client.get("/api/v1/export", params={"q": q, "format": "bibtex"})
    assert bib.text.startswith("@patent{") and bib.headers["content-disposition"].endswith('.bib"')
    xlsx = client.get("/api/v1/export", params={"q": q, "format": "xlsx"})
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "xl/worksheets/sheet1.xml" in zipfile.ZipFile(io.BytesIO(xlsx.content)).namelist()


def test_export_limit_and_errors(client):
    r = client.get("/api/v1/export", params={"q": "device", "format": "jsonl", "limit": 2})
    assert len(r.text.splitlines()) == 2
    assert int(r.headers["x-total-count"]) > 2 and r.headers["x-exported-count"] == "2"
    assert_error(client.get("/api/v1/export", params={"q": "device", "format": "pdf"}), 422, "invalid_parameter")
    assert_error(client.get("/api/v1/export", params={"q": "device AND ("}), 400, "query_syntax")


# ----------------------------------------------------------------------------- limits
def test_rate_limit_on_api_only(make_client):
    with make_client(WebOptions(api_rate=0.001, api_burst=2)) as c:
        assert c.get("/api/v1/publications/" + CITED).status_code == 200
        assert c.get("/api/v1/publications/" + CITED).status_code == 200
        r = c.get("/api/v1/publications/" + CITED)
        assert_error(r, 429, "rate_limited")
        assert int(r.headers["retry-after"]) >= 1
        assert c.get("/publication/" + CITED).status_code == 200  # the portal is not limited


def test_request_body_size_limit(client):
    r = client.post("/api/v1/search", content=b"x" * (64 * 1024 + 1))
    assert_error(r, 413, "payload_too_large")


def test_unexpected_errors_reveal_nothing(make_client):
    class Broken:
        def run_search(self, *args):
            raise RuntimeError("secret internals /srv/db")

        def matching_numbers(self, *args):
            raise RuntimeError("secret internals /srv/db")

    with make_client(WebOptions(api_rate=0), search=Broken(), raise_server_exceptions=False) as c:
        r = c.get("/api/v1/search", params={"q": "napkin"})
        assert_error(r, 500, "internal")
        assert "secret" not in r.text
        page = c.get("/search", params={"q": "napkin"})
        assert page.status_code == 500 and "secret" not in page.text and "Traceback" not in page.text
        assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_hostile_record_json_is_data_not_markup(client):
    r = client.get(f"/api/v1/publications/{HOSTILE}")
    assert r.headers["content-type"] == "application/json"
    assert r.json()["texts"][0]["text"].startswith("Napkin clip <script>")


def test_semantic_modes_without_vectors_answer_503_and_keyword_still_works(client):
    # the web catalogue has no vectors: semantic search is not ready, and says so without a trace
    for mode in ("semantic", "hybrid"):
        r = client.get("/api/v1/search", params={"q": "napkin holder with a magnet", "mode": mode})
        err = assert_error(r, 503, "vectors_missing")
        assert "patentdesk embed" in err["message"]
    r = client.get("/api/v1/search", params={"q": "napkin", "mode": "keyword"})
    assert r.status_code == 200 and r.json()["mode"] == "keyword" and r.json()["total"] > 0
    # without a mode, plain text is read by the keyword engine until vectors exist: all the words ...
    r = client.get("/api/v1/search", params={"q": "napkin holder magnetizable"})
    body = r.json()
    assert r.status_code == 200 and body["mode"] == "keyword"
    assert [h["publication_number"] for h in body["hits"]] == ["US6836899B1"]
    # ... or, when no document has them all, any of them
    r = client.get("/api/v1/search", params={"q": "napkin holder zyxwvut"})
    assert r.status_code == 200 and "US6836899B1" in [h["publication_number"] for h in r.json()["hits"]]
