"""The HTML page (interactive charts, no CDN, no inline script), the XLSX workbook (the data of
every chart), the report strings in four languages, and the `analyze` / `report` commands."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from patentdesk import cli_analysis  # noqa: F401  (registers the commands on `main`)
from patentdesk.cli import main
from patentdesk.reports import build_report, write_report
from patentdesk.reports import strings as T
from patentdesk.reports.charts import build_charts

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def test_strings_have_four_real_translations() -> None:
    fmt = string.Formatter()
    for key, values in T.STRINGS.items():
        assert len(values) == 4 and all(v.strip() for v in values), key
        fields = [sorted(f for _, f, _, _ in fmt.parse(v) if f) for v in values]
        assert all(f == fields[0] for f in fields), key
    # Chinese strings are Chinese (not English left in place); the two scripts differ somewhere
    assert T.text("zh-Hans", "sec_trends") == "申请趋势" and T.text("zh-Hant", "sec_trends") == "申請趨勢"
    assert T.text("pt", "page_of", page=3, total=9) == "Página 3 de 9"
    assert len(T.FIELDS) == 35 and len(T.SECTORS) == 5
    assert T.field_name("zh-Hant", 27, "Engines, pumps, turbines") == "引擎、泵、渦輪機"
    assert T.number("pt", 12345.5, 1) == "12.345,5" and T.number("en", 12345.5, 1) == "12,345.5"


def test_one_spec_serves_page_pdf_and_workbook(jet_analysis: dict[str, Any]) -> None:
    charts = build_charts(jet_analysis, "en")
    assert {"filing-trends", "top-applicants", "ipc-subclass", "tech-fields", "collaboration", "topic-map",
            "life-cycle", "new-entrants", "family-sizes", "applicant-year", "applicant-class"} <= set(charts)
    assert "most-cited" not in charts  # the Lens export has no patent citations
    trends = charts["filing-trends"]
    assert trends.datasets()["filing-trends"] == jet_analysis["filing_trends"]["years"]
    top = charts["top-applicants"].datasets()["top-applicants"]
    assert [(r["name"], r["documents"]) for r in top] == [
        (r["name"], r["documents"]) for r in jet_analysis["top_applicants"]["top"]]
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(trends.spec)
    assert "Documents per earliest priority year" in svg


@pytest.fixture(scope="module")
def html_page(tmp_path_factory: pytest.TempPathFactory, jet_analysis: dict[str, Any],
              jet_home: Any) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("html") / "jet engines.html"
    info = write_report(jet_analysis, out, title="Jet engines", lang="en", cache_dir=jet_home[0].home / "cache")
    return out, info


def test_html_page_has_no_inline_script_and_no_cdn(html_page: tuple[Path, dict[str, Any]],
                                                   jet_analysis: dict[str, Any]) -> None:
    out, info = html_page
    page = out.read_text(encoding="utf-8")
    script = out.parent / "jet engines_files" / "charts.js"
    assert info["files"] == [str(out), str(script)] and script.stat().st_size > 500_000
    tags = re.findall(r"<script([^>]*)>", page)
    executable = [t for t in tags if 'type="application/json"' not in t]
    assert executable == [' src="jet%20engines_files/charts.js" defer']
    assert not re.search(r"https?://(?!vega\.github\.io/schema)", page)  # only the spec's $schema id
    blocks = re.findall(r'<script type="application/json" data-chart="chart-([^"]+)">(.*?)</script>', page, re.DOTALL)
    assert len(blocks) == len(info["charts"])
    specs = {cid: json.loads(body) for cid, body in blocks}
    assert specs["top-applicants"]["datasets"]["top-applicants"][0]["name"] == "UNIV DALIAN TECH"
    assert "Jet engines" in page and jet_analysis["methodology"]["result_set_sha256"] in page


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs chromium (scripts/system-deps)")
def test_html_charts_draw_in_a_browser_offline(html_page: tuple[Path, dict[str, Any]]) -> None:
    from playwright.sync_api import sync_playwright

    out, info = html_page
    errors: list[str] = []
    remote: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("request", lambda r: remote.append(r.url) if not r.url.startswith("file:") else None)
            page.goto(out.as_uri())
            n = len(info["charts"])
            page.wait_for_function(f"document.querySelectorAll('.chart svg.marks').length >= {n}", timeout=60_000)
            titles = page.eval_on_selector_all(".chart svg.marks", "els => els.map(e => e.textContent)")
        finally:
            browser.close()
    assert errors == [] and remote == []
    assert any("Top 20 applicants" in t for t in titles)


def test_inline_html_is_one_file(tmp_path: Path, jet_analysis: dict[str, Any], jet_home: Any) -> None:
    out = tmp_path / "one.html"
    info = write_report(jet_analysis, out, lang="pt", inline_script=True, cache_dir=jet_home[0].home / "cache")
    page = out.read_text(encoding="utf-8")
    assert info["files"] == [str(out)] and not (tmp_path / "one_files").exists()
    assert "vegaEmbed" in page and "Relatório de panorama de patentes" in page and 'lang="pt"' in page


def test_xlsx_holds_every_chart_dataset(tmp_path: Path, jet_analysis: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "jet.xlsx"
    info = write_report(jet_analysis, out, lang="zh-Hant")
    report = build_report(jet_analysis, None, "zh-Hant")
    datasets = {name: rows for c in report.charts.values() for name, rows in c.datasets().items()}
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames[:2] == ["目錄", "主要數據"] and wb.sheetnames[-1] == "方法說明"
    assert set(datasets) <= set(wb.sheetnames) and info["sheets"] == wb.sheetnames[1:]
    rows = list(wb["top-applicants"].iter_rows(values_only=True))
    assert rows[0][0] == "前 20 位申請人" and "文獻數" in rows[2]
    body = rows[3:]
    assert [(r[1], r[2]) for r in body] == [(a["name"], a["documents"]) for a in jet_analysis["top_applicants"]["top"]]
    fields = list(wb["tech-fields"].iter_rows(values_only=True))
    assert fields[3][1] == "引擎、泵、渦輪機" and fields[3][3] == jet_analysis["tech_fields"]["fields"][0]["documents"]
    years = list(wb["filing-trends"].iter_rows(values_only=True))[3:]
    assert sum(r[1] for r in years) == 3779
    meth = [r for r in wb["方法說明"].iter_rows(values_only=True) if r and r[0] == "重新執行命令"]
    assert meth and meth[0][1] == jet_analysis["methodology"]["rerun"]


def test_cli_analyze_and_report(jet_home: Any, tmp_path: Path) -> None:
    settings, _cat = jet_home
    numbers = tmp_path / "saved.txt"
    numbers.write_text("# a saved collection\nUS 8001762 B2\nUS 2011/0185700 A1\nRU2000000C1  # not there\n",
                       encoding="utf-8")
    runner = CliRunner()
    home = ["--home", str(settings.home)]
    res = runner.invoke(main, ["analyze", "--numbers", str(numbers), "--year-basis", "publication", "--json", *home])
    assert res.exit_code == 0, res.output
    got = json.loads(res.output)
    assert got["summary"]["documents"] == 2
    assert got["methodology"]["numbers_not_found"] == ["RU2000000C1"]
    assert {r["year"]: r["documents"] for r in got["filing_trends"]["years"] if r["documents"]} == {2011: 2}
    res = runner.invoke(main, ["analyze", "all", "--no-topics", "--top", "5", *home])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("3779 documents") and "UNIV DALIAN TECH" in res.output
    assert "re-run: patentdesk analyze all --year-basis priority --top 5 --json" in res.output
    out = tmp_path / "r.xlsx"
    res = runner.invoke(main, ["report", "landscape", "all", "--out", str(out), "--lang", "zh-Hans", "--title", "喷气",
                               "--topic-docs", "300", "--json", *home])
    assert res.exit_code == 0, res.output
    info = json.loads(res.output)
    assert info["format"] == "xlsx" and info["documents"] == 3779 and out.is_file()
    res = runner.invoke(main, ["analyze", *home])
    assert res.exit_code != 0 and "QUERY" in res.output
    res = runner.invoke(main, ["report", "landscape", "all", "--out", str(tmp_path / "r.doc"), *home])
    assert res.exit_code != 0 and ".pdf" in res.output


def test_cli_analyze_a_query(jet_home: Any) -> None:
    from patentdesk.index import fulltext
    from patentdesk.search.engine import matching_numbers

    settings, cat = jet_home
    fulltext.rebuild(settings, cat)
    query = "ta=(jet and engine)"
    expected = matching_numbers(settings, cat, query)
    res = CliRunner().invoke(main, ["analyze", query, "--no-topics", "--json", "--home", str(settings.home)])
    assert res.exit_code == 0, res.output
    got = json.loads(res.output)
    assert 0 < got["summary"]["documents"] == len(expected) < 3779
    assert got["methodology"]["query"] == query
    assert got["methodology"]["rerun"].startswith("patentdesk analyze 'ta=(jet and engine)'")
    res = CliRunner().invoke(main, ["analyze", "ta=(jet and", "--json", "--home", str(settings.home)])
    assert res.exit_code == 2 and "error" in json.loads(res.output)

