"""Patent text is untrusted: a record whose title, abstract, claims, description, parties,
citations and legal events hold <script> and <img onerror> (livesite.hostile_record) is shown as
text, and nothing in it runs: `window.__pwned` stays undefined, no dialog opens, the browser
reports no blocked script (so nothing even tried) and the `<img src=x>` is never requested.

Each page is checked twice: as served, under the Content-Security-Policy, and with the browser
told to ignore the CSP, which proves the escaping holds on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from livesite import HOSTILE, HOSTILE_TITLE, IMG, SCRIPT, Server
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, Request, Response, expect

Shot = Callable[[Page, str], Path]


@dataclass
class Watch:
    """What a page did that it must not: dialogs, CSP reports, page errors, requests for /x."""

    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    injected_requests: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", self._request)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, msg: ConsoleMessage) -> None:
        if msg.type in ("error", "warning"):
            self.console.append(msg.text)

    def _request(self, request: Request) -> None:
        if request.url.rstrip("/").endswith("/x"):
            self.injected_requests.append(request.url)

    def assert_clean(self, page: Page) -> None:
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert self.dialogs == []
        assert self.errors == []
        assert self.injected_requests == []
        assert not [m for m in self.console if "Content Security Policy" in m], self.console


@pytest.fixture(params=["csp", "no-csp"])
def hostile_page(request: pytest.FixtureRequest, browser: Browser, live: Server) -> Iterator[tuple[Page, Watch, str]]:
    ctx = browser.new_context(base_url=live.url, bypass_csp=request.param == "no-csp",
                              viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    watch = Watch()
    watch.attach(page)
    yield page, watch, request.param
    ctx.close()


def _checked(response: Response | None) -> Response:
    assert response is not None
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "object-src 'none'" in csp
    assert response.headers.get("x-content-type-options") == "nosniff"
    return response


def test_hostile_record_in_results_and_document(hostile_page: tuple[Page, Watch, str], shot: Shot) -> None:
    page, watch, mode = hostile_page
    _checked(page.goto("/search?q=napkin"))
    hit = page.locator(f'#results li.hit[data-number="{HOSTILE}"]')
    # shown as the text it is, tags and all
    expect(hit.locator(".hit-title a")).to_have_text(HOSTILE_TITLE)
    expect(hit.locator(".hit-applicants")).to_contain_text(SCRIPT)
    expect(hit.locator(".snippet")).to_contain_text("<img src=x")
    assert hit.locator("script, img, b, a[href^='javascript']").count() == 0
    assert page.locator("main script, main img").count() == 0
    shot(page, f"xss-results-{mode}")
    watch.assert_clean(page)

    hit.locator(".hit-title a").click()
    page.wait_for_url(f"**/publication/{HOSTILE}")
    _checked(page.reload())
    expect(page.locator("#doc-title")).to_have_text(HOSTILE_TITLE)
    assert HOSTILE_TITLE in page.title()
    expect(page.locator("#abstract")).to_contain_text(IMG)
    expect(page.locator("#claim-1")).to_contain_text(SCRIPT)
    expect(page.locator("#claim-2")).to_contain_text(IMG)
    expect(page.locator("#npl-citations")).to_contain_text(SCRIPT)
    expect(page.locator("#legal-events")).to_contain_text(IMG)
    expect(page.locator("#biblio")).to_contain_text(f"{SCRIPT} Hostile Corp")
    page.locator("#description summary").click()
    expect(page.locator("#description")).to_contain_text(SCRIPT)
    # the only scripts and images on the page would be the record's: there are none
    assert page.locator("script, img, iframe, object, embed").count() == 0
    assert page.locator("#document a[href^='javascript']").count() == 0
    # claim 2 refers to claim 1: the link the page builds is the only markup added to claim text
    expect(page.locator("#claim-2 a")).to_have_attribute("href", "#claim-1")
    shot(page, f"xss-document-{mode}")
    watch.assert_clean(page)


@pytest.mark.parametrize("path", [
    "/search?q=" + quote(SCRIPT),
    "/search?q=" + quote(f"ti={IMG}"),
    "/analytics?q=" + quote(SCRIPT + " napkin"),
    "/publication/" + quote(SCRIPT, safe=""),
    "/classification/" + quote(IMG, safe=""),
    "/search?q=napkin&lang=" + quote(f'"><script>window.__pwned=1</script>'),
])
def test_reflected_input_is_inert(hostile_page: tuple[Page, Watch, str], path: str) -> None:
    page, watch, _ = hostile_page
    response = _checked(page.goto(path))
    assert response.status < 500
    assert page.locator("main script, main img").count() == 0
    watch.assert_clean(page)


def test_watch_sees_a_script_that_runs(browser: Browser) -> None:
    """The checks above can fail: the same markup, put on a page as markup, is caught."""
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        watch = Watch()
        watch.attach(page)
        page.set_content(f"<h1>{HOSTILE_TITLE}</h1><p>{IMG}</p>")
        page.wait_for_function("window.__pwned !== undefined")
        with pytest.raises(AssertionError):
            watch.assert_clean(page)
        assert watch.dialogs  # both payloads open one
    finally:
        ctx.close()
