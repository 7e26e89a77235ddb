"""The analytics page, its landscape reports and /api/v1/analyze over real USPTO grants.

The numbers the charts draw are checked against counts made here straight from the catalogue's
records (the result set is what the search engine matches, the counting is done independently).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from html import unescape
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from patentdesk.cli import main
from patentdesk.search.engine import matching_numbers
from patentdesk.web.app import WebOptions

CATALOGUE_SIZE = 228  # 225 slice grants, the hostile record, the EP application and grant


@pytest.fixture(autouse=True)
def _no_language_cookie(client):
    client.cookies.clear()
    yield
    client.cookies.clear()


# ----------------------------------------------------------------------------- reading pages
class _Page(HTMLParser):
    """The chart data blocks, the tables (id -> rows of cell texts) and where scripts sit."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: dict[str, str] = {}
        self.scripts: list[dict[str, str | None]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.ids: list[str] = []
        self._block: str | None = None
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_main = False
        self.scripts_in_main = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"] or "")
        if tag == "main":
            self._in_main = True
        if tag == "script":
            self.scripts.append(a)
            self.scripts_in_main += self._in_main
            if a.get("type") == "application/json" and a.get("data-chart"):
                self._block = a["data-chart"]
                self.blocks[self._block] = ""
        elif tag == "table":
            self._table = a.get("id")
            self.tables[self._table or ""] = []
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._in_main = False
        elif tag == "script":
            self._block = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._block is not None:
            self.blocks[self._block] += data
        elif self._cell is not None:
            self._cell.append(data)


def read(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def dataset(page: _Page, chart: str, name: str | None = None) -> list[dict[str, Any]]:
    spec = json.loads(page.blocks[f"chart-{chart}"])
    return spec["datasets"][name or chart]


def table_counts(page: _Page, table: str, key: int = 0, value: int = 1) -> dict[str, int]:
    rows = page.tables[table][1:]  # the header row first
    return {r[key]: int(r[value].replace(",", "")) for r in rows}


def total(html: str) -> int:
    m = re.search(r'id="analytics-total" data-total="(\d+)"', html)
    assert m, "no total"
    return int(m.group(1))


# ----------------------------------------------------------------------------- independent counts
def records(web_catalogue, numbers: list[str]) -> list[Any]:
    found = web_catalogue.get_many(numbers)
    assert len(found) == len(set(numbers))
    return list(found.values())


def all_numbers(web_catalogue) -> list[str]:
    from sqlalchemy import select

    from patentdesk.store import schema as S

    with web_catalogue.engine.connect() as conn:
        return [r[0] for r in conn.execute(select(S.publications.c.number))]


def year_counts(pubs: list[Any], attribute: str) -> dict[int, int]:
    return dict(Counter(getattr(p, attribute).year for p in pubs if getattr(p, attribute)))


def ipc_sections(pubs: list[Any]) -> dict[str, int]:
    return dict(Counter(s for p in pubs for s in {c.symbol[0] for c in p.classifications if c.scheme == "ipc"}))


# ----------------------------------------------------------------------------- the page
@pytest.mark.parametrize("q", ["battery", ""])
def test_charts_draw_the_catalogues_counts(client, web_settings, web_catalogue, q):
    r = client.get("/analytics", params={"q": q, "year_basis": "publication"})
    assert r.status_code == 200
    numbers = matching_numbers(web_settings, web_catalogue, q) if q else all_numbers(web_catalogue)
    pubs = records(web_catalogue, numbers)
    assert total(r.text) == len(pubs) == (19 if q else CATALOGUE_SIZE)
    page = read(r.text)

    # documents per publication year: the chart and its table, every year of the span
    years = year_counts(pubs, "publication_date")
    drawn = {row["year"]: row["documents"] for row in dataset(page, "filing-trends")}
    assert {y: n for y, n in drawn.items() if n} == years
    assert set(drawn) == set(range(min(years), max(years) + 1))
    assert table_counts(page, "table-filing-trends") == {str(y): n for y, n in drawn.items()}
    assert sum(row["documents"] for row in dataset(page, "trends-by-jurisdiction")) == len(pubs)

    # jurisdictions and IPC sections (a document counts once per section it has)
    countries = dict(Counter(p.country for p in pubs))
    assert {row["country"]: row["documents"] for row in dataset(page, "jurisdictions")} == countries
    assert table_counts(page, "table-jurisdictions") == countries
    sections = ipc_sections(pubs)
    assert {row["code"]: row["documents"] for row in dataset(page, "ipc-section")} == sections
    assert table_counts(page, "table-ipc-section", 0, 2) == sections

    # the rest of the report's charts are there, each with its table
    for chart in ("top-applicants", "top-inventors", "applicant-year", "tech-fields", "new-entrants",
                  "life-cycle", "collaboration", "topic-map"):
        assert f"chart-{chart}" in page.blocks, chart
        assert f'id="figure-{chart}"' in r.text and f'id="data-{chart}"' in r.text
    top = dataset(page, "top-applicants")
    assert [row[1] for row in page.tables["table-top-applicants"][1:]] == [row["name"] for row in top]
    assert top[0]["documents"] >= top[-1]["documents"] >= 1


def test_year_basis_selector(client, web_settings, web_catalogue):
    pubs = records(web_catalogue, matching_numbers(web_settings, web_catalogue, "battery"))
    for basis, attribute in (("application", "application_date"), ("priority", "earliest_priority_date"),
                             (None, "earliest_priority_date")):
        r = client.get("/analytics", params={"q": "battery", **({"year_basis": basis} if basis else {})})
        assert r.status_code == 200
        assert re.search(rf'<option value="{basis or "priority"}" selected>', r.text)
        drawn = {row["year"]: row["documents"] for row in dataset(read(r.text), "filing-trends")}
        assert {y: n for y, n in drawn.items() if n} == year_counts(pubs, attribute), basis
    # an unknown basis falls back to the default rather than failing the page
    r = client.get("/analytics", params={"q": "battery", "year_basis": "nonsense"})
    assert r.status_code == 200 and '<option value="priority" selected>' in r.text


def test_collaboration_network(client, web_catalogue):
    r = client.get("/analytics")
    page = read(r.text)
    nodes = dataset(page, "collaboration", "collaboration-nodes")
    edges = dataset(page, "collaboration", "collaboration-edges")
    names = {n["name"] for n in nodes}
    assert 2 <= len(nodes) <= 40 and edges
    assert all(e["source"] in names and e["target"] in names for e in edges)
    # the heaviest link: as many documents name both applicants
    heaviest = max(edges, key=lambda e: e["weight"])
    pubs = records(web_catalogue, all_numbers(web_catalogue))
    both = [p for p in pubs if {heaviest["source"], heaviest["target"]} <= set(p.applicants)]
    assert len(both) == heaviest["weight"]
    # the tables under the chart: every node, every link
    assert len(page.tables["table-collaboration-nodes"]) == len(nodes) + 1
    assert len(page.tables["table-collaboration-edges"]) == len(edges) + 1
    assert 'id="section-collaboration"' in r.text


def test_topic_map_is_shown_when_it_can_be_made_and_hidden_otherwise(client):
    r = client.get("/analytics", params={"q": "battery"})
    page = read(r.text)
    clusters = dataset(page, "topic-map", "topic-clusters")
    points = dataset(page, "topic-map", "topic-points")
    assert len(clusters) >= 2 and sum(c["size"] for c in clusters) == len(points) == 19
    assert "table-topic-clusters" in page.tables and "table-topic-points" not in page.tables
    # two documents are too few for topics: no map, no empty section
    r = client.get("/analytics", params={"q": "cc=EP"})
    assert r.status_code == 200 and total(r.text) == 2
    assert "chart-topic-map" not in read(r.text).blocks and 'id="section-topics"' not in r.text


def test_page_has_no_inline_script_and_escapes_record_text(client):
    r = client.get("/analytics", params={"q": "napkin"})
    page = read(r.text)
    assert page.scripts_in_main == 0  # data blocks and the chart script sit after <main>
    assert r.text.count("<script") == len(page.scripts) == len(page.blocks) + 1
    for attrs in page.scripts:
        if attrs.get("src"):
            assert re.fullmatch(r"/analytics/charts\.js\?v=[\w.-]+", unescape(attrs["src"] or ""))
        else:
            assert attrs.get("type") == "application/json" and attrs.get("data-chart")
    # the hostile applicant is data inside the blocks and text in the tables, never markup
    assert "<script>alert" not in r.text
    assert '<script>alert("x")</script> Hostile Corp' in [row["name"] for row in dataset(page, "top-applicants")]
    assert '&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Hostile Corp' in r.text
    assert "&lt;script&gt;" in client.get("/analytics", params={"q": '"><script>alert(1)</script>'}).text
    # the page works without scripts: each chart's table is open until the script draws the chart
    assert len(re.findall(r'<details class="chart-data" id="data-[\w-]+" open>', r.text)) == len(page.blocks)
    assert len(page.ids) == len(set(page.ids))


def test_chart_script_is_served_from_the_app(client):
    r = client.get("/analytics/charts.js")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    assert "patentdeskCharts" in r.text and "expressionInterpreter" in r.text  # Vega without eval
    assert "https://cdn." not in r.text


def test_query_errors_and_empty_sets(client):
    r = client.get("/analytics", params={"q": "ti=(neural and"})
    assert r.status_code == 400 and 'id="query-error"' in r.text and "data-chart" not in r.text
    r = client.get("/analytics", params={"q": "x" * 2001})
    assert r.status_code == 400 and 'id="query-error"' in r.text
    r = client.get("/analytics", params={"q": "zzqxjvwk"})
    assert r.status_code == 200 and total(r.text) == 0
    assert 'id="nothing-to-analyse"' in r.text and 'id="report-downloads"' not in r.text
    assert "Preview" not in r.text and "coming soon" not in r.text


def test_page_speaks_the_portals_language(client):
    r = client.get("/analytics", params={"q": "battery", "lang": "zh-Hans"})
    assert '<html lang="zh-Hans">' in r.text
    assert "申请趋势" in r.text  # the report's section title "Filing trends"
    assert "lang=zh-Hans" in unescape(re.search(r'id="report-pdf" href="([^"]+)"', r.text).group(1))


# ----------------------------------------------------------------------------- reports
def report(client, fmt: str, q: str = "battery", **params: str):
    r = client.get("/analytics/report", params={"q": q, "format": fmt, **params})
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-disposition"] == f'attachment; filename="patentdesk-landscape.{fmt}"'
    return r


def test_download_links_on_the_page(client):
    r = client.get("/analytics", params={"q": "battery", "year_basis": "application"})
    for fmt in ("pdf", "html", "xlsx"):
        href = unescape(re.search(rf'id="report-{fmt}" href="([^"]+)"', r.text).group(1))
        assert href == f"/analytics/report?q=battery&year_basis=application&format={fmt}&lang=en"


def test_pdf_report(client, tmp_path: Path):
    r = report(client, "pdf")
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(r.content)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Patent landscape report" in text and "battery" in text
    assert "Filing trends" in text and "19 documents" in text


def test_html_report_carries_the_chart_specs(client, web_settings, web_catalogue):
    r = report(client, "html", year_basis="publication", lang="pt")
    assert r.headers["content-type"].startswith("text/html")
    assert '<html lang="pt">' in r.text and "Relatório de panorama de patentes" in r.text
    page = read(r.text)
    assert {"chart-filing-trends", "chart-top-applicants", "chart-collaboration"} <= set(page.blocks)
    pubs = records(web_catalogue, matching_numbers(web_settings, web_catalogue, "battery"))
    drawn = {row["year"]: row["documents"] for row in dataset(page, "filing-trends")}
    assert {y: n for y, n in drawn.items() if n} == year_counts(pubs, "publication_date")
    assert "patentdeskCharts" in r.text  # one self-contained file: the chart script is inside


def test_xlsx_report(client, web_settings, web_catalogue):
    from openpyxl import load_workbook

    r = report(client, "xlsx", year_basis="publication")
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(r.content), read_only=True)
    assert {"filing-trends", "jurisdictions", "top-applicants"} <= set(book.sheetnames)
    rows = list(book["filing-trends"].iter_rows(min_row=4, values_only=True))
    pubs = records(web_catalogue, matching_numbers(web_settings, web_catalogue, "battery"))
    assert {row[0]: row[1] for row in rows if row[1]} == year_counts(pubs, "publication_date")


def test_report_errors(client):
    r = client.get("/analytics/report", params={"q": "battery", "format": "docx"})
    assert r.status_code == 400 and "format" in r.text
    r = client.get("/analytics/report", params={"q": "ti=(", "format": "xlsx"})
    assert r.status_code == 400 and "text/html" in r.headers["content-type"]


# ----------------------------------------------------------------------------- REST
def assert_error(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


def _stable(analysis: dict[str, Any]) -> dict[str, Any]:
    """The analysis without what differs from run to run (timings, time of day)."""
    out = {k: v for k, v in analysis.items() if k != "timings"}
    out["methodology"] = {k: v for k, v in analysis["methodology"].items() if k != "generated_at"}
    return out


def test_api_analyze_is_the_clis_json(client, web_settings):
    r = client.get("/api/v1/analyze", params={"q": "battery", "year_basis": "application"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    cli = CliRunner().invoke(main, ["analyze", "battery", "--year-basis", "application", "--json",
                                    "--home", str(web_settings.home), "--database-url", web_settings.database_url])
    assert cli.exit_code == 0, cli.output
    assert _stable(body) == _stable(json.loads(cli.output))
    assert body["summary"]["documents"] == 19 and body["methodology"]["year_basis"] == "application"


def test_api_analyze_options(client):
    body = client.get("/api/v1/analyze", params={"q": "all", "top": 3, "with_topics": "false"}).json()
    assert body["summary"]["documents"] == CATALOGUE_SIZE
    assert len(body["top_applicants"]["top"]) == 3 and "topic_map" not in body
    body = client.get("/api/v1/analyze", params={"q": "all", "country": "EP"}).json()
    assert body["summary"]["documents"] == 2 and body["jurisdictions"] == [
        {"country": "EP", "documents": 2, "share": 100.0}]
    body = client.get("/api/v1/analyze", params={"q": "all", "year_basis": "publication", "from_year": 2013}).json()
    assert body["summary"]["documents"] == 26 and body["summary"]["first_year"] == 2013


def test_api_analyze_errors(client):
    assert_error(client.get("/api/v1/analyze", params={"q": " "}), 400, "invalid_parameter")
    assert_error(client.get("/api/v1/analyze"), 422, "invalid_parameter")
    err = assert_error(client.get("/api/v1/analyze", params={"q": "ti=(neural and"}), 400, "query_syntax")
    assert err["position"] >= 1
    assert_error(client.get("/api/v1/analyze", params={"q": "all", "year_basis": "grant"}), 422, "invalid_parameter")
    assert_error(client.get("/api/v1/analyze", params={"q": "all", "top": 0}), 422, "invalid_parameter")
    assert_error(client.get("/api/v1/analyze", params={"q": "all", "from_year": 2012, "to_year": 2005}), 400,
                 "bad_request")
    assert_error(client.get("/api/v1/analyze", params={"q": "x" * 2001}), 400, "query_too_long")


def test_api_analyze_is_rate_limited(make_client):
    with make_client(WebOptions(api_rate=0.001, api_burst=1)) as c:
        assert c.get("/api/v1/analyze", params={"q": "cc=EP", "with_topics": "false"}).status_code == 200
        assert_error(c.get("/api/v1/analyze", params={"q": "cc=EP"}), 429, "rate_limited")
