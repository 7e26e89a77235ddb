"""Headless Chromium for printing HTML to PDF: the one place that starts the browser.

Playwright's sync API refuses to run in a thread that already has a running asyncio loop (a web
request handler, a test that drives a browser itself). Printing therefore always happens in a
short-lived worker thread of its own, whoever calls it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .errors import PatentdeskError

T = TypeVar("T")

CHROMIUM = Path(os.environ.get("PATENTDESK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


class PrintError(PatentdeskError):
    code = "pdf_failed"
    status = 500


def with_page(work: Callable[[Any], T], *, javascript: bool = True, offline: bool = True) -> T:
    """Run `work(page)` on a fresh page of a headless Chromium and return its result."""
    if not CHROMIUM.exists():
        raise PrintError(f"Chromium not found at {CHROMIUM} (install Debian's chromium or set PATENTDESK_CHROMIUM)")
    box: dict[str, Any] = {}

    def run() -> None:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
                try:
                    context = browser.new_context(java_script_enabled=javascript, offline=offline)
                    box["result"] = work(context.new_page())
                finally:
                    browser.close()
        except PlaywrightError as e:
            box["error"] = PrintError(f"Chromium could not print: {e}")
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread below
            box["error"] = e

    worker = threading.Thread(target=run, name="patentdesk-print", daemon=True)
    worker.start()
    worker.join()
    if "error" in box:
        raise box["error"]
    return box["result"]  # type: ignore[no-any-return]
