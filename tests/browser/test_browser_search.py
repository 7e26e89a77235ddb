"""The search form's enhancements in a real browser: the query builder, the mode switch and the
cut-offs, selecting hits and exporting them, keyboard-only use; no console error and no CSP
violation on the way. The served catalogue (livesite.py) has no vectors, so the semantic modes
must say so and offer keywords instead.

Values from the USPTO weekly slices: "battery" is in the texts of 19 grants, 4 of them in the 2009
file (ipg090106, published 2009-01-06).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from patentdesk.search.fields import FIELDS

Shot = Callable[[Page, str], Path]

BATTERY_TOTAL = 19


@pytest.fixture
def watched(page: Page) -> Iterator[Page]:
    """The page, failing the test on any console error, uncaught exception or CSP report. Chromium
    also logs an error for a page answered with an error status (an invalid query is a 400 page)
    and for the favicon it asks for: those are no script's fault."""
    problems: list[str] = []
    documents: set[str] = set()

    def on_console(msg: ConsoleMessage) -> None:
        url = msg.location.get("url", "")
        if msg.text.startswith("Failed to load resource") and (url in documents or url.endswith("/favicon.ico")):
            return
        if msg.type in ("error", "warning") or "Content Security Policy" in msg.text:
            problems.append(f"console {msg.type}: {msg.text} ({url})")

    page.on("response", lambda r: documents.add(r.url) if r.request.resource_type == "document" else None)

    page.on("console", on_console)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.add_init_script("""document.addEventListener('securitypolicyviolation',
        e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));""")
    yield page
    assert not problems, problems


def total(page: Page) -> int:
    return int(page.locator("#total").get_attribute("data-total") or "-1")


def api_total(page: Page, **params: str) -> int:
    r = page.request.get("/api/v1/search", params={"limit": "0", **params})
    assert r.ok, r.text()
    n: int = r.json()["total"]
    return n


# ----------------------------------------------------------------------------- builder
def test_builder_writes_the_query_and_searches(watched: Page, shot: Shot) -> None:
    page = watched
    page.goto("/")
    page.locator("#builder summary").click()
    expect(page.locator("#builder-add")).to_be_visible()  # the script's controls appear
    page.locator("#f1").select_option("txt")
    page.locator("#t1").fill("battery")
    page.locator("#f2").select_option("cc")
    page.locator("#t2").fill("US")
    expect(page.locator("#m2")).to_be_hidden()  # a code list has no word matching to choose
    page.locator("#b-from").fill("2009")
    page.locator("#b-to").fill("2009-12-31")
    dates = ' and pd within "2009,2009-12-31"'
    expect(page.locator("#builder-preview")).to_have_text("txt=battery and cc=US" + dates)
    # a fourth row, numbered like the others, combined with "or"
    page.locator("#builder-add").click()
    expect(page.locator("#builder-rows > li")).to_have_count(4)
    expect(page.locator("#f4")).to_be_focused()
    page.locator("#o4").select_option("or")
    page.locator("#f4").select_option("ti")
    page.locator("#t4").fill("lithium cell")
    page.locator("#m4").select_option("phrase")
    query = 'txt=battery and cc=US or ti="lithium cell"' + dates  # rows left to right, the dates for all
    expect(page.locator("#builder-preview")).to_have_text(query)
    shot(page, "search-builder")
    # the server composes the same query from the same fields (the form without scripts)
    fields = page.locator("#builder-form").evaluate(
        "f => Object.fromEntries([...new FormData(f)].filter(([k, v]) => v !== ''))")
    built = page.request.get("/search/build", params=fields, max_redirects=0)
    assert built.status == 303
    assert parse_qs(urlsplit(built.headers["location"]).query)["q"] == [query]
    page.locator("#builder-submit").click()
    page.wait_for_url(re.compile(r"/search\?q="))
    expect(page.locator("#q")).to_have_value(query)
    assert total(page) == api_total(page, q=query)
    assert "mode=" not in page.url and "published_before" not in page.url  # empty options stay out
    shot(page, "search-builder-results")


def test_builder_copies_into_the_search_box(watched: Page) -> None:
    page = watched
    page.goto("/search?q=battery")
    page.locator("#builder summary").click()
    page.locator("#f1").select_option("pa")
    page.locator("#t1").fill("sony")
    page.locator("#builder-use").click()
    expect(page.locator("#q")).to_have_value("pa=sony")
    expect(page.locator("#q")).to_be_focused()


# ----------------------------------------------------------------------------- modes and cut-offs
def test_mode_switch_and_cutoff(watched: Page, shot: Shot) -> None:
    page = watched
    page.goto("/search?q=battery")
    expect(page.locator("#mode-used")).to_have_attribute("data-mode", "keyword")
    page.locator("#mode").select_option("semantic")
    page.locator("#search-button").click()
    page.wait_for_url(re.compile(r"mode=semantic"))
    # the live site's catalogue is embedded: hits by meaning, each with its best passage
    expect(page.locator("#mode-used")).to_have_attribute("data-mode", "semantic")
    expect(page.locator("#mode")).to_have_value("semantic")
    expect(page.locator("#results .hit").first).to_be_visible()
    expect(page.locator("#results .why").first).to_be_visible()
    shot(page, "search-semantic")
    page.locator("#mode").select_option("keyword")
    page.locator("#search-button").click()
    page.wait_for_url(re.compile(r"mode=keyword"))
    expect(page.locator("#mode-used")).to_have_attribute("data-mode", "keyword")
    expect(page.locator("#total")).to_have_attribute("data-total", str(BATTERY_TOTAL))
    # a cut-off: only what was published before 2009-01-06
    page.locator("#published_before").fill("2009-01-06")
    page.locator("#search-button").click()
    page.wait_for_url(re.compile(r"published_before=2009-01-06"))
    older = api_total(page, q="battery", published_before="2009-01-06")
    assert 0 < older < BATTERY_TOTAL
    assert total(page) == older
    for date in page.locator("#results .hit-date time").all():
        assert (date.get_attribute("datetime") or "") < "2009-01-06"
    expect(page.locator("#cutoff-published")).to_contain_text("2009-01-06")
    # sorting keeps the mode and the cut-off
    page.locator("#sort").select_option("-date")
    page.locator("#sort-apply").click()
    page.wait_for_url(re.compile(r"sort=-date"))
    assert parse_qs(urlsplit(page.url).query)["published_before"] == ["2009-01-06"]
    assert total(page) == older
    shot(page, "search-cutoff")


# ----------------------------------------------------------------------------- selection and export
def test_select_two_hits_and_export_them(watched: Page, tmp_path: Path, shot: Shot) -> None:
    page = watched
    page.goto("/search?q=battery")
    button = page.locator("#export-selected")
    expect(button).to_be_disabled()
    picks = page.locator("#results input.pick")
    expect(picks).to_have_count(BATTERY_TOTAL)
    numbers = [picks.nth(i).get_attribute("value") for i in (1, 4)]
    picks.nth(1).check()
    picks.nth(4).check()
    expect(page.locator("#selected-count")).to_have_text("2 documents selected")
    expect(page.locator("#select-all")).to_have_js_property("indeterminate", True)
    expect(button).to_be_enabled()
    shot(page, "search-selection")
    with page.expect_download() as info:
        button.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert target.name == "patentdesk-export.csv"
    with target.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert [row[0] for row in rows[1:]] == numbers
    # the same two as RIS
    page.locator("#export-format").select_option("ris")
    with page.expect_download() as info:
        button.click()
    ris = tmp_path / info.value.suggested_filename
    info.value.save_as(ris)
    assert re.findall(r"^PN  - (\S+)", ris.read_text(encoding="utf-8"), re.MULTILINE) == numbers
    # select all on the page, then none
    page.locator("#select-all").check()
    expect(page.locator("#results input.pick:checked")).to_have_count(BATTERY_TOTAL)
    expect(page.locator("#selected-count")).to_have_text(f"{BATTERY_TOTAL} documents selected")
    page.locator("#select-all").uncheck()
    expect(page.locator("#results input.pick:checked")).to_have_count(0)
    expect(button).to_be_disabled()
    # the whole set, and its analysis
    expect(page.locator("#export-all a")).to_have_count(5)
    href = page.locator("#analyze-link").get_attribute("href")
    assert href == "/analytics?q=battery"


# ----------------------------------------------------------------------------- keyboard
def _tab_to(page: Page, element_id: str, most: int = 40) -> int:
    for steps in range(1, most + 1):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return steps
    pytest.fail(f"{most} presses of Tab did not reach #{element_id}")


def test_keyboard_only_search_with_options_builder_and_selection(watched: Page, shot: Shot) -> None:
    page = watched
    page.goto("/search?q=battery")
    _tab_to(page, "q")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "search-button"
    _tab_to(page, "mode", 3)  # past the help link
    page.keyboard.press("ArrowDown")  # automatic -> keyword
    expect(page.locator("#mode")).to_have_value("keyword")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "published_before"
    page.keyboard.type("01012009")  # en-GB: dd/mm/yyyy
    expect(page.locator("#published_before")).to_have_value("2009-01-01")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"published_before=2009-01-01"))
    assert parse_qs(urlsplit(page.url).query)["mode"] == ["keyword"]
    # the builder opens and fills from the keyboard
    page.locator("#q").focus()
    _tab_to(page, "builder-summary", 12)
    page.keyboard.press("Enter")
    expect(page.locator("#builder")).to_have_attribute("open", "")
    _tab_to(page, "f1", 5)
    page.keyboard.press("Tab")
    page.keyboard.type("battery")
    expect(page.locator("#builder-preview")).to_have_text("ta=battery")
    _tab_to(page, "builder-submit", 25)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=ta%3Dbattery"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["mode"] == ["keyword"] and query["published_before"] == ["2009-01-01"]  # kept from the form
    # a hit selected with the space bar, exported with Enter
    _tab_to(page, "pick-1", 60)
    page.keyboard.press("Space")
    expect(page.locator("#pick-1")).to_be_checked()
    _tab_to(page, "export-selected", 120)
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    assert info.value.suggested_filename == "patentdesk-export.csv"
    shot(page, "search-keyboard")


# ----------------------------------------------------------------------------- help
def test_help_page_runs_its_examples(watched: Page, shot: Shot) -> None:
    page = watched
    page.goto("/search?q=battery")
    page.locator("#help-link").click()
    page.wait_for_url("**/help/query")
    expect(page.locator("#help-field-table tbody tr")).to_have_count(len(FIELDS))
    shot(page, "query-help")
    page.locator('#help-field-table tr[data-field="ipc"] a').click()
    page.wait_for_url(re.compile(r"/search\?q=ipc%3D"))
    expect(page.locator("#total")).to_have_attribute("data-total", re.compile(r"^\d+$"))
