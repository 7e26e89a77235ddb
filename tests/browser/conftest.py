"""Headless Debian Chromium driven by Playwright against the running server.

The server harness lives beside the HTTP tests (tests/api_http/livesite.py); both folders share
one server per test process. Playwright never downloads a browser here: it launches
/usr/bin/chromium. Screenshots of every page visited go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api_http"))

from livesite import Server, live
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from patentdesk.printing import CHROMIUM, CHROMIUM_ARGS

__all__ = ["browser", "context", "live", "page", "shot"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")  # Playwright's sync loop must end before other files use a browser
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/system-deps does)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser, live: Server) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=live.url, viewport={"width": 1280, "height": 900}, locale="en-GB",
                              accept_downloads=True)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot kept as a test artifact: test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def shot() -> Callable[[Page, str], Path]:
    return screenshot
