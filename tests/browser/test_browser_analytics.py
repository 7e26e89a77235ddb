"""The analytics page in a real browser: the charts are drawn as SVG by the vendored script under
the portal's Content-Security-Policy, with no console error; the year basis can be changed; a
report downloads; the page fits a phone; without JavaScript the tables are there.

"battery" is in the texts of 19 grants of the USPTO weekly slices (tests/browser/test_browser_portal.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from livesite import Server
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

Shot = Callable[[Page, str], Path]

BATTERY_TOTAL = 19


class Console:
    """Console errors and warnings, page errors and CSP reports of a page."""

    def __init__(self, page: Page) -> None:
        self.messages: list[str] = []
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _console(self, msg: ConsoleMessage) -> None:
        if msg.type == "error" or "Content Security Policy" in msg.text:
            self.messages.append(msg.text)

    def assert_clean(self) -> None:
        assert self.errors == []
        assert [m for m in self.messages if "favicon" not in m and "404" not in m] == [], self.messages
        assert not [m for m in self.messages if "Content Security Policy" in m]


def wait_for_charts(page: Page) -> int:
    """Every chart of the page drawn as SVG (or failed); returns how many there are."""
    charts = page.locator("figure .chart")
    n = charts.count()
    assert n > 0
    page.wait_for_function("() => [...document.querySelectorAll('figure .chart')].every("
                           "c => c.hasAttribute('data-rendered') || c.hasAttribute('data-error'))", timeout=30_000)
    failed = page.eval_on_selector_all(".chart[data-error]", "els => els.map(e => e.id + ': ' + e.dataset.error)")
    assert failed == []
    expect(page.locator("figure .chart svg")).to_have_count(n)
    return n


def test_charts_render_as_svg(page: Page, shot: Shot) -> None:
    console = Console(page)
    page.goto("/analytics?q=battery&year_basis=publication")
    expect(page.locator("#analytics-total")).to_have_attribute("data-total", str(BATTERY_TOTAL))
    n = wait_for_charts(page)
    assert n >= 15
    for chart in ("filing-trends", "top-applicants", "ipc-section", "tech-fields", "jurisdictions", "life-cycle",
                  "collaboration", "topic-map"):
        expect(page.locator(f"#chart-{chart} svg")).to_be_visible()
    # one bar per year of the span: 2005..2013 (the table under the chart lists the same years)
    bars = page.locator("#chart-filing-trends svg .mark-rect.role-mark path")
    years = page.locator("#table-filing-trends tbody tr")
    assert bars.count() == years.count() == 9
    # the network: a circle per applicant and a line per link
    nodes = page.locator("#table-collaboration-nodes tbody tr").count()
    expect(page.locator("#chart-collaboration svg .mark-symbol.role-mark path")).to_have_count(nodes)
    # once drawn, each chart's table folds away behind its summary, and opens on demand
    table = page.locator("#data-filing-trends")
    expect(table).not_to_have_attribute("open", "")
    table.locator("summary").click()
    expect(page.locator("#table-filing-trends")).to_be_visible()
    shot(page, "analytics-charts-battery")
    console.assert_clean()


def test_tooltip_shows_a_bars_numbers(page: Page) -> None:
    console = Console(page)
    page.goto("/analytics?q=battery&year_basis=publication")
    wait_for_charts(page)
    bar = page.locator("#chart-jurisdictions svg .mark-rect.role-mark path").first
    bar.hover()
    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("US")
    expect(tooltip).to_contain_text(str(BATTERY_TOTAL))
    console.assert_clean()


def test_year_basis_and_query_form(page: Page) -> None:
    console = Console(page)
    page.goto("/analytics")
    expect(page.locator("#analytics-basis")).to_have_value("priority")
    wait_for_charts(page)
    page.locator("#analytics-q").fill("battery")
    page.locator("#analytics-basis").select_option("application")
    page.locator("#analytics-button").click()
    page.wait_for_url(re.compile(r"/analytics\?q=battery&year_basis=application$"))
    expect(page.locator("#analytics-total")).to_have_attribute("data-total", str(BATTERY_TOTAL))
    expect(page.locator("#analytics-basis")).to_have_value("application")
    wait_for_charts(page)
    console.assert_clean()


def test_landscape_report_downloads(page: Page, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    page.goto("/analytics?q=battery")
    with page.expect_download() as info:
        page.locator("#report-xlsx").click()
    assert info.value.suggested_filename == "patentdesk-landscape.xlsx"
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    book = load_workbook(path, read_only=True)
    assert "filing-trends" in book.sheetnames
    with page.expect_download() as info:
        page.locator("#report-pdf").click()
    assert info.value.suggested_filename == "patentdesk-landscape.pdf"
    pdf = tmp_path / "report.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.fixture
def phone(browser: Browser, live: Server) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=live.url, viewport={"width": 375, "height": 740}, device_scale_factor=2,
                              is_mobile=True, has_touch=True, locale="en-GB")
    yield ctx
    ctx.close()


def test_phone(phone: BrowserContext, shot: Shot) -> None:
    page = phone.new_page()
    console = Console(page)
    page.goto("/analytics")
    wait_for_charts(page)
    too_wide = page.evaluate("""() => { const w = document.documentElement.clientWidth;
        return [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > w + 0.5)
          .slice(0, 3).map(e => e.tagName + (e.id ? '#' + e.id : ''))}""")
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    shot(page, "phone-analytics-charts")
    assert widths[0] <= widths[1] and too_wide == [], (widths, too_wide)
    console.assert_clean()


def test_without_javascript_the_tables_are_there(browser: Browser, live: Server, shot: Shot) -> None:
    ctx = browser.new_context(base_url=live.url, java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        page.goto("/analytics?q=battery")
        expect(page.locator("#table-jurisdictions")).to_be_visible()
        expect(page.locator("#table-jurisdictions tbody tr")).to_have_count(1)
        expect(page.locator("#table-jurisdictions tbody td").nth(1)).to_have_text(str(BATTERY_TOTAL))
        assert page.locator("figure .chart svg").count() == 0
        shot(page, "analytics-no-javascript")
    finally:
        ctx.close()
