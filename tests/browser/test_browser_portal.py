"""The portal in a real browser: search, facets, documents, languages, export, analytics,
keyboard use and a phone-size screen, over the USPTO weekly slices served by `patentdesk serve`.

Values checked against the XML: 225 grants (25 per weekly file, one file per year 2005-2013;
kinds B2 169, B1 30, S1 24, H1 1, P2 1) plus the hostile record (B2, 2013); "battery" is in the
texts of 19 grants, 4 of them in the 2009 file (ipg090106). US6836899B1 is the first grant of
ipg050104: published 2005-01-04, 23 claims, applicant Glasmire, Samuel G.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from livesite import SLICE_GRANTS, Server
from playwright.sync_api import Browser, BrowserContext, Page, expect

from patentdesk.export import COLUMN_NAMES

Shot = Callable[[Page, str], Path]

BATTERY_TOTAL = 19
FIRST_GRANT = "US6836899B1"
FIRST_TITLE = "Device for detachably holding an absorbent napkin across the torso"


def expect_total(page: Page, n: int) -> None:
    """The results page (waited for) says `n` publications were found."""
    expect(page.locator("#total")).to_have_attribute("data-total", str(n))


def table(page: Page, selector: str) -> dict[str, str]:
    rows: list[list[str]] = page.eval_on_selector_all(
        f"{selector} tbody tr", "rows => rows.map(r => [r.cells[0].innerText.trim(), r.cells[1].innerText.trim()])")
    return dict((k, v) for k, v in rows)


# ----------------------------------------------------------------------------- search
def test_search_from_home(page: Page, shot: Shot) -> None:
    page.goto("/")
    expect(page.locator("#catalogue-size")).to_have_text(f"{SLICE_GRANTS + 1} publications in the catalogue")
    expect(page.locator("#q")).to_be_focused()  # autofocus: a visitor can type at once
    shot(page, "home")
    page.locator("#q").fill("battery")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=battery$"))
    expect_total(page, BATTERY_TOTAL)
    expect(page.locator("#total")).to_have_text(f"{BATTERY_TOTAL} publications found")
    expect(page.locator("#results > li.hit")).to_have_count(BATTERY_TOTAL)
    expect(page.locator("#results .snippet mark").first).to_have_text(re.compile(r"batter(y|ies)", re.IGNORECASE))
    expect(page.locator("#q")).to_have_value("battery")
    shot(page, "search-results")


def test_facet_narrows_results(page: Page, shot: Shot) -> None:
    page.goto("/search?q=battery")
    expect_total(page, BATTERY_TOTAL)
    page.locator('#facet-year a[data-facet="year"][data-value="2009"]').click()
    page.wait_for_url(re.compile(r"py%3D2009"))
    expect_total(page, 4)
    expect(page.locator("#results > li.hit")).to_have_count(4)
    for date in page.locator("#results .hit-date time").all():
        assert (date.get_attribute("datetime") or "").startswith("2009-")
    expect(page.locator("#facet-year .applied")).to_have_text("2009")
    shot(page, "search-facet-year-2009")
    # a second facet adds to the first: every one of the four is a US grant
    page.locator('#facet-country a[data-facet="country"][data-value="US"]').click()
    page.wait_for_url(re.compile(r"cc%3DUS"))
    expect_total(page, 4)
    expect(page.locator("#q")).to_have_value("((battery) AND py=2009) AND cc=US")
    expect(page.locator("#facet-country .applied")).to_have_text("US")


def test_paging_and_sort(page: Page) -> None:
    page.goto("/search?q=battery&limit=10")
    expect(page.locator("#page-of")).to_have_text("Page 1 of 2")
    first_page = page.locator("#results > li.hit").evaluate_all("els => els.map(e => e.dataset.number)")
    page.locator("#next-page").click()
    expect(page.locator("#page-of")).to_have_text("Page 2 of 2")
    second_page = page.locator("#results > li.hit").evaluate_all("els => els.map(e => e.dataset.number)")
    assert len(first_page) == 10 and len(second_page) == BATTERY_TOTAL - 10
    assert not set(first_page) & set(second_page)
    page.locator("#sort").select_option("-date")
    page.locator("#sort-apply").click()
    page.wait_for_url(re.compile(r"sort=-date"))
    dates = page.locator("#results .hit-date time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert dates == sorted(dates, reverse=True) and dates[0] == "2013-04-16"


def test_query_error_shows_position(page: Page, shot: Shot) -> None:
    page.goto("/search?q=" + "battery%20AND%20(cell")
    expect(page.locator("#query-error")).to_be_visible()
    expect(page.locator("#query-error .error-message")).to_have_text("unclosed parenthesis")
    expect(page.locator("#query-error")).to_contain_text("At character 13.")
    shot(page, "search-query-error")


# ----------------------------------------------------------------------------- documents
def test_open_document(page: Page, shot: Shot) -> None:
    page.goto("/search?q=napkin")
    hit = page.locator(f'#results li.hit[data-number="{FIRST_GRANT}"]')
    expect(hit.locator(".hit-title a")).to_have_text(FIRST_TITLE)
    hit.locator(".hit-title a").click()
    page.wait_for_url(f"**/publication/{FIRST_GRANT}")
    expect(page.locator("#doc-title")).to_have_text(FIRST_TITLE)
    expect(page.locator("#doc-number")).to_contain_text(FIRST_GRANT)
    expect(page.locator("#biblio-date time")).to_have_attribute("datetime", "2005-01-04")
    expect(page.locator("#biblio")).to_contain_text("Glasmire, Samuel G. (Bath, US)")
    expect(page.locator("#claims ol.claims > li")).to_have_count(23)
    expect(page.locator("#classifications")).to_contain_text("A45F5/04")
    # the hostile record cites this grant: the page lists it as citing
    expect(page.locator("#cited-by a")).to_have_text(["US9990001B2"])
    expect(page.locator("#description p").first).not_to_be_visible()  # folded until asked for
    page.locator("#description summary").click()
    expect(page.locator("#description p").first).to_be_visible()
    shot(page, "document")


def test_document_number_spelling_redirects(page: Page) -> None:
    response = page.goto("/publication/us%206,836,899%20b1")
    assert response is not None and response.status == 200
    assert page.url.endswith(f"/publication/{FIRST_GRANT}")
    expect(page.locator("#doc-title")).to_have_text(FIRST_TITLE)


def test_unknown_document_page(page: Page, shot: Shot) -> None:
    response = page.goto("/publication/US1234567B2")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    shot(page, "not-found")


# ----------------------------------------------------------------------------- languages
LABELS = {
    # code: (search button, facets title, total line for 19, analytics, abstract heading, skip link)
    "zh-Hans": ("检索", "筛选", "找到 19 件公开文献", "统计分析", "摘要", "跳到主要内容"),
    "zh-Hant": ("檢索", "篩選", "找到 19 件公開文獻", "統計分析", "摘要", "跳到主要內容"),
    "pt": ("Pesquisar", "Refinar", "19 publicações encontradas", "Análises", "Resumo",
           "Ir para o conteúdo principal"),
}


@pytest.mark.parametrize("code", list(LABELS))
def test_switch_language(page: Page, shot: Shot, code: str) -> None:
    button, refine, found, analytics, abstract, skip = LABELS[code]
    page.goto("/search?q=battery")
    expect(page.locator("#search-button")).to_have_text("Search")
    page.locator(f"#lang-{code}").click()
    page.wait_for_url(re.compile(rf"lang={code}"))
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.locator("#search-button")).to_have_text(button)
    expect(page.locator("#facets-title")).to_have_text(refine)
    expect(page.locator("#total")).to_have_text(found)
    expect(page.locator(".skip-link")).to_have_text(skip)
    expect(page.locator(f"#lang-{code}")).to_have_attribute("aria-current", "true")
    shot(page, f"search-{code}")
    # the choice is remembered (cookie) on the next pages, which carry no ?lang=
    page.locator(".site-nav a[href='/analytics']").click()
    page.wait_for_url("**/analytics")
    expect(page.locator("#analytics h1")).to_contain_text(analytics)
    page.goto(f"/publication/{FIRST_GRANT}")
    expect(page.locator("#abstract-title")).to_have_text(abstract)
    expect(page.locator("html")).to_have_attribute("lang", code)
    shot(page, f"document-{code}")


def test_language_from_browser_preference(browser: Browser, live: Server) -> None:
    ctx = browser.new_context(base_url=live.url, locale="zh-TW", extra_http_headers={"Accept-Language": "zh-TW"})
    try:
        page = ctx.new_page()
        page.goto("/")
        expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
        expect(page.locator("#search-button")).to_have_text("檢索")
    finally:
        ctx.close()


# ----------------------------------------------------------------------------- export
def test_export_download(page: Page, tmp_path: Path) -> None:
    page.goto("/search?q=battery")
    with page.expect_download() as info:
        page.locator("#export-csv").click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == "patentdesk-export.csv"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    with target.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == COLUMN_NAMES
    assert len(rows) == 1 + BATTERY_TOTAL
    on_page = set(page.locator("#results > li.hit").evaluate_all("els => els.map(e => e.dataset.number)"))
    assert {row[0] for row in rows[1:]} == on_page

    with page.expect_download() as info:
        page.locator("#export-ris").click()
    ris = tmp_path / info.value.suggested_filename
    info.value.save_as(ris)
    assert ris.name == "patentdesk-export.ris"
    text = ris.read_text(encoding="utf-8")
    assert text.count("TY  - PAT") == BATTERY_TOTAL
    assert {m for m in re.findall(r"^PN  - (\S+)", text, re.MULTILINE)} == on_page


# ----------------------------------------------------------------------------- analytics
def test_analytics_page(page: Page, shot: Shot) -> None:
    """The charts themselves: tests/browser/test_browser_analytics.py."""
    page.goto("/")
    page.locator(".site-nav a[href='/analytics']").click()
    page.wait_for_url("**/analytics")
    expect(page.locator("#analytics-total")).to_have_text(f"{SLICE_GRANTS + 1} publications")
    # once a chart is drawn its table folds away behind its summary
    expect(page.locator("#chart-jurisdictions")).to_have_attribute("data-rendered", "true")
    page.locator("#data-jurisdictions summary").click()
    assert table(page, "#table-jurisdictions") == {"US": str(SLICE_GRANTS + 1)}
    shot(page, "analytics")
    page.locator("#analytics-q").fill("battery")
    page.locator("#analytics-basis").select_option("publication")
    page.locator("#analytics-q").press("Enter")
    page.wait_for_url(re.compile(r"/analytics\?q=battery"))
    expect(page.locator("#analytics-total")).to_have_text(f"{BATTERY_TOTAL} publications")
    expect(page.locator("#chart-filing-trends")).to_have_attribute("data-rendered", "true")
    page.locator("#data-filing-trends summary").click()
    assert table(page, "#table-filing-trends") == {"2005": "1", "2006": "1", "2007": "0", "2008": "3", "2009": "4",
                                                   "2010": "1", "2011": "2", "2012": "4", "2013": "3"}
    shot(page, "analytics-battery")


# ----------------------------------------------------------------------------- keyboard
def test_keyboard_skip_link_and_search_box(page: Page) -> None:
    page.goto("/search?q=battery")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["width"] > 1  # shown when focused, not left off-screen
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    assert page.url.endswith("#main")
    # from the top of the page, Tab reaches the search box in a few steps
    page.goto("/search?q=battery")
    for steps in range(1, 21):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "q":
            break
    else:
        pytest.fail("20 presses of Tab did not reach the search box")
    assert steps <= 12, steps
    page.keyboard.press("End")  # focus by Tab selects the box's text
    page.keyboard.type(" AND cell")  # the query language: read exactly, every word required
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=battery\+AND\+cell"))
    found = int(page.locator("#total").get_attribute("data-total") or "-1")
    assert 0 < found <= BATTERY_TOTAL


# ----------------------------------------------------------------------------- phone
PHONE_PAGES = {
    "home": "/",
    "search": "/search?q=battery",
    "document": "/publication/US8421271B2",  # a long citation table with 13 patent documents
    "analytics": "/analytics",
}


@pytest.fixture
def phone(browser: Browser, live: Server) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=live.url, viewport={"width": 375, "height": 740}, device_scale_factor=2,
                              is_mobile=True, has_touch=True, locale="en-GB")
    yield ctx
    ctx.close()


@pytest.mark.parametrize("name", list(PHONE_PAGES))
def test_phone_has_no_horizontal_scroll(phone: BrowserContext, shot: Shot, name: str) -> None:
    page = phone.new_page()
    page.goto(PHONE_PAGES[name])
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    too_wide = page.evaluate("""() => { const w = document.documentElement.clientWidth;
        return [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > w + 0.5)
          .slice(0, 3).map(e => e.tagName + (e.id ? '#' + e.id : ''))}""")
    shot(page, f"phone-{name}")
    assert widths[0] <= widths[1], f"{name}: {widths[0]} px wide in a {widths[1]} px screen; too wide: {too_wide}"
