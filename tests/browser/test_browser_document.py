"""A document and the IPC browser in a real browser, over the USPTO weekly slices served by
`patentdesk serve`: follow a dependent claim to the claim it refers to, go from a classification
symbol to its page, and walk the IPC tree down from the sections. Counts are computed again here
from the server's catalogue."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from livesite import Server, sqlite_url
from playwright.sync_api import Browser, BrowserContext, Page, expect

from patentdesk.store.catalogue import Catalogue

Shot = Callable[[Page, str], Path]

GRANT = "US6836899B1"  # 23 claims; claim 2 "The holding device as in claim 1 ..."; IPC A45F5/04


def ipc_levels(symbol: str) -> list[str]:
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
def counts(live: Server) -> dict[str, int]:
    """IPC level -> publications of the served catalogue with a symbol at or under it."""
    found: dict[str, set[str]] = defaultdict(set)
    with Catalogue(sqlite_url(live.home)) as cat:
        for pub in cat.iter_publications():
            for symbol in pub.classes("ipc"):
                for code in ipc_levels(symbol):
                    found[code].add(pub.number)
    return {code: len(numbers) for code, numbers in found.items()}


def tree_rows(page: Page, selector: str) -> list[tuple[str, int]]:
    """(symbol, count) of the rows a list of the tree shows."""
    values: list[list[str]] = page.eval_on_selector_all(
        f"{selector} > li", "items => items.map(li => [li.dataset.symbol, li.querySelector('.count').dataset.count])")
    return [(s, int(n)) for s, n in values]


def test_follow_a_dependent_claim_then_its_classification(page: Page, shot: Shot, counts: dict[str, int]) -> None:
    page.goto(f"/publication/{GRANT}")
    claim2 = page.locator("#claim-2")
    expect(claim2).to_have_class("dependent")
    expect(claim2).to_have_attribute("data-refers", "1")
    expect(page.locator("#claim-1")).to_have_class("independent")
    link = claim2.locator('a[href="#claim-1"]')
    expect(link).to_have_text("1")
    link.click()
    page.wait_for_url(f"**/publication/{GRANT}#claim-1")
    expect(page.locator("#claim-1")).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target').id") == "claim-1"
    # the highlight of the claim reached
    background = page.evaluate("getComputedStyle(document.querySelector('#claim-1')).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    shot(page, "document-claim-link")

    symbol = page.locator('#classifications li[data-symbol="A45F5/04"]')
    expect(symbol.locator(".class-title")).to_have_text("Holding handkerchiefs, napkins, or the like")
    symbol.locator("a").click()
    page.wait_for_url("**/classification/A45F5/04")
    expect(page.locator("h1#symbol")).to_have_text("A45F5/04")
    expect(page.locator("#class-count")).to_have_attribute("data-count", str(counts["A45F5/04"]))
    expect(page.locator(f'#class-latest a[href="/publication/{GRANT}"]')).to_be_visible()
    expect(page.locator("#class-breadcrumbs a")).to_have_text(["IPC classification", "A", "A45", "A45F", "A45F5"])
    shot(page, "classification-subgroup")


def test_walk_down_the_ipc_tree(page: Page, shot: Shot, counts: dict[str, int]) -> None:
    page.goto("/")
    page.locator("#classification-link").click()
    page.wait_for_url("**/classification")
    sections = tree_rows(page, "#class-sections")
    assert sections == [(s, counts.get(s, 0)) for s in "ABCDEFGH"]
    shot(page, "classification-root")

    page.locator('#class-sections > li[data-symbol="H"] > a').click()
    page.wait_for_url("**/classification/H")
    expect(page.locator("h1#symbol")).to_have_text("H")
    expect(page.locator("#class-title")).to_have_text("Electricity")
    classes = tree_rows(page, "#class-children")
    assert classes == sorted((c, n) for c, n in counts.items() if len(c) == 3 and c[0] == "H")
    # one level down: the first class, whose subclasses the page lists with their counts
    first = classes[0][0]
    page.locator(f'#class-children > li[data-symbol="{first}"] > a').click()
    page.wait_for_url(f"**/classification/{first}")
    expect(page.locator("h1#symbol")).to_have_text(first)
    expect(page.locator("#class-count")).to_have_attribute("data-count", str(counts[first]))
    expect(page.locator("#class-breadcrumbs a")).to_have_text(["IPC classification", "H"])
    subclasses = tree_rows(page, "#class-children")
    assert subclasses == sorted((c, n) for c, n in counts.items() if len(c) == 4 and c.startswith(first))
    shot(page, "classification-class")
    # back up through the breadcrumbs
    page.locator('#class-breadcrumbs a[href="/classification/H"]').click()
    page.wait_for_url("**/classification/H")


def test_search_the_ipc_titles(page: Page, shot: Shot, counts: dict[str, int]) -> None:
    page.goto("/classification")
    page.locator("#class-q").fill("battery")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/classification\?q=battery$"))
    h01m = page.locator('#class-matches li[data-symbol="H01M"]')
    expect(h01m.locator(".class-title")).to_contain_text("batteries")
    expect(h01m.locator(".count")).to_have_attribute("data-count", str(counts.get("H01M", 0)))
    shot(page, "classification-search")
    h01m.locator("a").click()
    page.wait_for_url("**/classification/H01M")
    expect(page.locator("#class-search")).to_have_attribute("href", "/search?q=ipc%3DH01M")


@pytest.fixture
def phone(browser: Browser, live: Server) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=live.url, viewport={"width": 375, "height": 740}, device_scale_factor=2,
                              is_mobile=True, has_touch=True, locale="en-GB")
    yield ctx
    ctx.close()


@pytest.mark.parametrize("path", ["/classification", "/classification/A61", "/classification?q=battery",
                                  f"/publication/{GRANT}"])
def test_phone_has_no_horizontal_scroll(phone: BrowserContext, shot: Shot, path: str) -> None:
    page = phone.new_page()
    page.goto(path)
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    shot(page, "phone-" + path.strip("/").replace("/", "-").replace("?", "-"))
    assert widths[0] <= widths[1], f"{path}: {widths[0]} px wide in a {widths[1]} px screen"
