"""The REST API over real HTTP, against `patentdesk serve` (uvicorn) over the ingested weekly slices.

Counts were checked against the XML: 19 of the 225 grants use "battery"/"batteries" in their
title, abstract, claims or description (a 20th has the word only in the title of a cited paper,
which is not indexed); by weekly file (= publication year) 2005:1 2006:1 2008:3 2009:4 2010:1
2011:2 2012:4 2013:3. US6836899B1 is the first grant of ipg050104 (doc-number 06836899).
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from livesite import HOSTILE, HOSTILE_TITLE, SLICE_GRANTS, Server

from patentdesk.export import COLUMN_NAMES

BATTERY_TOTAL = 19
BATTERY_YEARS = {"2005": 1, "2006": 1, "2008": 3, "2009": 4, "2010": 1, "2011": 2, "2012": 4, "2013": 3}
FIRST_GRANT = "US6836899B1"


def _error(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    err: dict[str, object] = body["error"]
    assert err["code"] == code
    assert isinstance(err["message"], str) and err["message"]
    return err


# ----------------------------------------------------------------------------- service
def test_healthz_and_security_headers(http: httpx.Client) -> None:
    r = http.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "server" not in r.headers  # uvicorn's banner is switched off


def test_openapi_served(http: httpx.Client) -> None:
    schema = http.get("/openapi.json").json()
    assert {"/api/v1/search", "/api/v1/publications/{number}", "/api/v1/export", "/healthz"} <= set(schema["paths"])


# ----------------------------------------------------------------------------- search
def test_search_json_shape(http: httpx.Client) -> None:
    r = http.get("/api/v1/search", params={"q": "battery", "limit": 5, "facets": "country,year"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert set(body) == {"total", "mode", "hits", "facets"}
    assert body["total"] == BATTERY_TOTAL
    assert len(body["hits"]) == 5
    for hit in body["hits"]:
        assert set(hit) == {"publication_number", "title", "publication_date", "applicants", "score", "snippet",
                            "why"}
        assert hit["publication_number"].startswith("US")
        assert isinstance(hit["score"], float) and hit["score"] > 0
        assert "<mark>battery</mark>" in hit["snippet"].lower() or "<mark>batteries</mark>" in hit["snippet"].lower()
    scores = [h["score"] for h in body["hits"]]
    assert scores == sorted(scores, reverse=True)
    assert body["facets"]["country"] == [{"value": "US", "count": BATTERY_TOTAL}]
    assert {v["value"]: v["count"] for v in body["facets"]["year"]} == BATTERY_YEARS


def test_search_pages_cover_all_hits_once(http: httpx.Client) -> None:
    pages = [http.get("/api/v1/search", params={"q": "battery", "limit": 8, "offset": o}).json()
             for o in (0, 8, 16)]
    numbers = [h["publication_number"] for p in pages for h in p["hits"]]
    assert [len(p["hits"]) for p in pages] == [8, 8, 3]
    assert len(set(numbers)) == BATTERY_TOTAL


def test_search_newest_first_and_counts_only(http: httpx.Client) -> None:
    body = http.get("/api/v1/search", params={"q": "battery", "sort": "-date", "limit": 100}).json()
    dates = [h["publication_date"] for h in body["hits"]]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == "2013-04-16" and dates[-1] == "2005-01-04"
    counts = http.get("/api/v1/search", params={"q": "battery", "limit": 0}).json()
    assert counts["total"] == BATTERY_TOTAL and counts["hits"] == []


def test_search_whole_catalogue_by_country(http: httpx.Client) -> None:
    body = http.get("/api/v1/search", params={"q": "cc=US", "limit": 0, "facets": "year"}).json()
    assert body["total"] == SLICE_GRANTS + 1  # the slices and the hostile record
    years = {v["value"]: v["count"] for v in body["facets"]["year"]}
    assert years == {str(y): 25 for y in range(2005, 2014) if y != 2013} | {"2013": 26}


def test_search_returns_hostile_text_as_data(http: httpx.Client) -> None:
    body = http.get("/api/v1/search", params={"q": "ti=napkin", "limit": 10}).json()
    hit = next(h for h in body["hits"] if h["publication_number"] == HOSTILE)
    assert hit["title"] == HOSTILE_TITLE  # JSON carries the text as it is; escaping is the page's job
    # the snippet is HTML: the record's markup arrives escaped, only <mark> is real markup
    snippet = hit["snippet"]
    assert "<script" not in snippet and "<img" not in snippet
    assert "&lt;" in snippet and "<mark>" in snippet


@pytest.mark.parametrize(("query", "position", "message"), [
    ("(battery", 1, "unclosed parenthesis"),
    ("battery AND (cell", 13, "unclosed parenthesis"),
    ("battery AND", 12, "'and' needs a search term after it"),
    ("ti=", 4, "missing value after ti="),
    ("pd>=20x1", 5, "invalid date '20x1'"),
])
def test_bad_query_is_400_with_position(http: httpx.Client, query: str, position: int, message: str) -> None:
    err = _error(http.get("/api/v1/search", params={"q": query}), 400, "query_syntax")
    assert err["position"] == position
    assert err["message"] == message
    assert isinstance(err["hint"], str) and err["hint"]


@pytest.mark.parametrize(("params", "status", "code"), [
    ({"q": "   "}, 400, "invalid_parameter"),
    ({"q": "a" * 2001}, 400, "query_too_long"),
    ({"q": "battery", "limit": 101}, 422, "invalid_parameter"),
    ({"q": "battery", "offset": -1}, 422, "invalid_parameter"),
    ({"q": "battery", "offset": 10_001}, 400, "invalid_parameter"),
    ({"q": "battery", "sort": "title"}, 422, "invalid_parameter"),
    ({"q": "battery", "facets": "bogus"}, 400, "invalid_parameter"),
    ({"q": "battery", "published_before": "2010-13-45"}, 422, "invalid_parameter"),
    ({}, 422, "invalid_parameter"),
])
def test_bad_parameters(http: httpx.Client, params: dict[str, object], status: int, code: str) -> None:
    _error(http.get("/api/v1/search", params=params), status, code)  # type: ignore[arg-type]


def test_published_before_filters(http: httpx.Client) -> None:
    body = http.get("/api/v1/search", params={"q": "battery", "published_before": "2009-01-01",
                                              "facets": "year", "limit": 0}).json()
    assert body["total"] == 1 + 1 + 3  # 2005, 2006, 2008
    assert {v["value"] for v in body["facets"]["year"]} == {"2005", "2006", "2008"}


# ----------------------------------------------------------------------------- publications
@pytest.mark.parametrize("spelling", [FIRST_GRANT, "us6836899b1", "US 6,836,899 B1", "US06836899B1", "US-6836899-B1",
                                      "US6836899"])
def test_publication_by_any_spelling(http: httpx.Client, spelling: str) -> None:
    r = http.get("/api/v1/publications/" + spelling)
    assert r.status_code == 200, r.text
    assert r.headers["content-location"] == f"/api/v1/publications/{FIRST_GRANT}"
    pub = r.json()
    assert pub["number"] == FIRST_GRANT
    assert (pub["doc_number"], pub["kind"], pub["doc_type"]) == ("6836899", "B1", "grant")
    assert pub["publication_date"] == "2005-01-04"
    assert (pub["application_number"], pub["application_date"]) == ("10339710", "2003-01-09")
    title = next(t["text"] for t in pub["texts"] if t["kind"] == "title")
    assert title == "Device for detachably holding an absorbent napkin across the torso"
    applicant = next(p for p in pub["parties"] if p["role"] == "applicant")
    assert (applicant["name"], applicant["city"], applicant["country"]) == ("Glasmire, Samuel G.", "Bath", "US")
    assert len(pub["citations"]) == 39
    assert pub["classifications"][0]["symbol"] == "A45F5/04"


def test_unknown_publication_is_404_json(http: httpx.Client) -> None:
    err = _error(http.get("/api/v1/publications/US1234567B2"), 404, "not_found")
    assert "US1234567B2" in str(err["message"])


@pytest.mark.parametrize("number", ["not-a-number", "6836899"])  # a bare number names no office
def test_malformed_number_is_400_json(http: httpx.Client, number: str) -> None:
    _error(http.get("/api/v1/publications/" + number), 400, "invalid_number")


def test_unknown_route_and_method(http: httpx.Client) -> None:
    _error(http.get("/api/v1/nothing-here"), 404, "not_found")
    _error(http.post("/api/v1/search", params={"q": "battery"}), 405, "method_not_allowed")


def test_oversized_body_is_413(http: httpx.Client) -> None:
    r = http.post("/api/v1/search", params={"q": "battery"}, content=b"a" * 100_000)
    _error(r, 413, "payload_too_large")
    assert "content-security-policy" in r.headers


# ----------------------------------------------------------------------------- export
def test_export_csv(http: httpx.Client) -> None:
    r = http.get("/api/v1/export", params={"q": "battery", "format": "csv"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="patentdesk-export.csv"'
    assert r.headers["x-total-count"] == r.headers["x-exported-count"] == str(BATTERY_TOTAL)
    rows = list(csv.reader(io.StringIO(r.text)))
    assert tuple(rows[0]) == COLUMN_NAMES
    assert len(rows) == 1 + BATTERY_TOTAL
    search = http.get("/api/v1/search", params={"q": "battery", "limit": 100}).json()
    assert {row[0] for row in rows[1:]} == {h["publication_number"] for h in search["hits"]}
    dates = [row[COLUMN_NAMES.index("publication_date")] for row in rows[1:]]
    assert dates == sorted(dates, reverse=True)  # newest first


def test_export_jsonl_limit(http: httpx.Client) -> None:
    r = http.get("/api/v1/export", params={"q": "battery", "format": "jsonl", "limit": 3})
    assert r.status_code == 200
    assert (r.headers["x-total-count"], r.headers["x-exported-count"]) == (str(BATTERY_TOTAL), "3")
    records = [json.loads(line) for line in r.text.splitlines()]
    assert len(records) == 3 and all(rec["country"] == "US" for rec in records)


def test_export_bad_format(http: httpx.Client) -> None:
    _error(http.get("/api/v1/export", params={"q": "battery", "format": "pdf"}), 422, "invalid_parameter")


# ----------------------------------------------------------------------------- rate limit
@pytest.fixture(scope="module")
def limited(live: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A second server over the same home with a small rate limit: 3 requests, then 1 per 2 s."""
    log = Path(tmp_path_factory.mktemp("limited")) / "serve.log"
    server = Server(live.home, log, env={"PATENTDESK_WEB_API_RATE": "0.5", "PATENTDESK_WEB_API_BURST": "3"})
    server.start()
    yield server
    server.stop()


def test_rate_limit(limited: Server) -> None:
    with httpx.Client(base_url=limited.url, timeout=30.0) as c:
        statuses = [c.get("/api/v1/search", params={"q": "battery", "limit": 0}).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        r = c.get("/api/v1/search", params={"q": "battery", "limit": 0})
        _error(r, 429, "rate_limited")
        # no X-RateLimit-* headers are sent; Retry-After says how long to wait
        assert not [h for h in r.headers if h.lower().startswith("x-ratelimit")]
        wait = int(r.headers["retry-after"])
        assert 1 <= wait <= 2
        assert "content-security-policy" in r.headers
        # the limit covers /api/ only: pages and health checks still answer
        assert c.get("/healthz").status_code == 200
        assert c.get("/").status_code == 200
        time.sleep(wait)
        assert c.get("/api/v1/search", params={"q": "battery", "limit": 0}).status_code == 200
