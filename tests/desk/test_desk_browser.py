"""The service desk end to end, in Debian's Chromium (Playwright) against a running `patentdesk
serve`: a reader registers and asks for a novelty search; an analyst accepts it, runs two searches,
marks an X and an A document and delivers the report; the reader downloads the PDF, whose text
(pdftotext) holds the search strategy and both documents with their categories. Then the reader
watches a class, the next weekly slice is loaded, and the watch's email reaches the local SMTP
server once, with exactly the new documents of that class.

Values checked against the XML of the weekly slices: `ta=napkin` finds only US6836899B1
(ipg050104); `ipc=H01M` finds three grants (ipg060103, ipg080101, ipg120103), US8088512B2 among
them; ipg130416 brings four grants with an H01L IPCR (08420456, 08420484, 08420530, 08421353).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from deskcase import LAST_SLICE, PASSWORD, Mailbox, Sink, desk_config

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api_http"))

from livesite import Server, clean_env
from playwright.sync_api import Browser, Page, expect, sync_playwright

from patentdesk.printing import CHROMIUM, CHROMIUM_ARGS

NAPKIN = "US6836899B1"
BATTERY = "US8088512B2"
NEW_H01L = ["US8420456B2", "US8420484B2", "US8420530B2", "US8421353B2"]
ANALYST = "ada@library.example"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, desk_home: Any, smtp_module: Any) -> Iterator[Server]:
    from patentdesk.config import resolve
    from patentdesk.desk import accounts
    from patentdesk.store.catalogue import Catalogue

    base = tmp_path_factory.mktemp("desk-live")
    home = base / "home"
    shutil.copytree(desk_home.home, home)
    with Catalogue(resolve(home).database_url) as cat:
        accounts.register(cat.engine, desk_config(), ANALYST, PASSWORD, "Ada Analyst", role="analyst")
    env = {"PATENTDESK_WEB_API_RATE": "0", "PATENTDESK_DESK_SMTP_PORT": str(smtp_module.port),
           "PATENTDESK_DESK_PASSWORD_TIME_COST": "1", "PATENTDESK_DESK_PASSWORD_MEMORY_KIB": "8192",
           "PATENTDESK_DESK_BASE_URL": "http://127.0.0.1"}
    server = Server(home, base / "serve.log", env=env).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def smtp_module() -> Iterator[Any]:
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    box: list[Any] = []
    controller = Controller(Sink(box), hostname="127.0.0.1", port=port)
    controller.start()
    yield Mailbox("127.0.0.1", port, box)
    controller.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/system-deps does)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def shot(page: Page, name: str) -> None:
    """A full-page screenshot kept as a test artifact."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"desk-{name}.png"), full_page=True)


def new_page(browser: Browser, site: Server) -> Page:
    context = browser.new_context(base_url=site.url, locale="en-GB", accept_downloads=True)
    return context.new_page()


def log_in(page: Page, email: str) -> None:
    page.goto("/desk/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_url(re.compile(r"/desk$"))


def mark(page: Page, number: str, category: str, passage: str, claims: str) -> None:
    form = page.locator(f'#case-results li[data-number="{number}"] form.mark-form')
    form.locator('select[name="category"]').select_option(category)
    form.locator('input[name="passage"]').fill(passage)
    form.locator('input[name="claims"]').fill(claims)
    form.locator("button").click()
    expect(page.locator(f'#marks-table tr[data-number="{number}"] td.cat')).to_have_text(category)


def test_novelty_request_from_registration_to_the_pdf_report(browser, site, tmp_path, smtp_module):
    reader = new_page(browser, site)
    reader.goto("/desk/register")
    reader.fill("#name", "Rita Reader")
    reader.fill("#email", "rita@example.org")
    reader.fill("#password", PASSWORD)
    reader.click("#register-button")
    expect(reader.locator("#flash")).to_have_text("Your account is ready. Welcome!")
    reader.click("#new-request-link")
    reader.select_option("#kind", "novelty")
    reader.fill("#title", "Napkin holder worn across the torso")
    reader.fill("#description", "A clip that holds a napkin across the chest while eating. Is it new?")
    reader.click("#submit-request")
    expect(reader.locator("#request-status")).to_have_attribute("data-status", "submitted")
    shot(reader, "request-submitted")
    rid = int(re.search(r"/desk/requests/(\d+)", reader.url).group(1))

    analyst = new_page(browser, site)
    log_in(analyst, ANALYST)
    analyst.click("#cases-link")
    analyst.click(f'#case-queue tr[data-request="{rid}"] a')
    analyst.click("#accept-case")
    expect(analyst.locator("#case-status")).to_have_attribute("data-status", "accepted")
    analyst.fill("#case-query", "ta=napkin")
    analyst.click("#case-search-button")
    expect(analyst.locator("#case-results li.hit")).to_have_count(1)
    mark(analyst, NAPKIN, "X", "column 2, lines 5-30; figure 1", "1-3")
    analyst.fill("#case-query", "ipc=H01M")
    analyst.click("#case-search-button")
    expect(analyst.locator("#case-results li.hit")).to_have_count(3)
    mark(analyst, BATTERY, "A", "abstract", "4")
    expect(analyst.locator("#search-log tbody tr td.hits")).to_have_text(["1", "3"])
    shot(analyst, "case-work")
    analyst.fill("#databases", "patentdesk catalogue: USPTO full-text grants 2005-2013")
    analyst.fill("#classes", "A45F5/00, H01M")
    analyst.fill("#conclusion", "Claims 1-3 are anticipated by D1.")
    analyst.click("#save-strategy")
    analyst.click("#deliver")
    expect(analyst.locator("#flash")).to_have_text("The report has been delivered.")
    expect(analyst.locator("#case-status")).to_have_attribute("data-status", "delivered")

    [notice] = smtp_module.parsed()
    assert notice["To"] == "rita@example.org" and f"/desk/requests/{rid}" in notice.get_content()
    reader.reload()
    expect(reader.locator("#request-status")).to_have_attribute("data-status", "delivered")
    shot(reader, "request-delivered")
    with reader.expect_download() as download:
        reader.click("#report-pdf")
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "Search strategy" in lines and "Cited documents" in lines
    assert any(re.search(r"^1 patentdesk ta=napkin 1 \d{4}-\d\d-\d\d$", line) for line in lines), text
    assert any(re.search(r"^2 patentdesk ipc=H01M 3 \d{4}-\d\d-\d\d$", line) for line in lines), text
    assert any(line.startswith(f"X {NAPKIN}") for line in lines), text
    assert any(line.startswith(f"A {BATTERY}") for line in lines), text
    assert "Databases patentdesk catalogue: USPTO full-text grants 2005-2013" in lines
    assert "Claims 1-3 are anticipated by D1." in lines


def test_watch_set_in_the_portal_alerts_once_after_the_next_slice(browser, site, slices, smtp_module):
    from patentdesk.config import resolve
    from patentdesk.desk import accounts
    from patentdesk.store.catalogue import Catalogue

    with Catalogue(resolve(site.home).database_url) as cat:
        accounts.register(cat.engine, desk_config(), "walt@example.org", PASSWORD, "Walt Watcher")
    reader = new_page(browser, site)
    log_in(reader, "walt@example.org")
    reader.goto("/desk/watches")
    reader.fill("#watch-name", "semiconductors")
    reader.select_option("#watch-kind", "class")
    reader.fill("#watch-value", "H01L")
    reader.select_option("#watch-channel", "email")
    reader.locator("#watch-form button").click()
    expect(reader.locator("#watch-list tbody tr")).to_have_count(1)
    expect(reader.locator("#watch-list td.query")).to_have_text("ipc=H01L")

    before = len(smtp_module.messages)
    cli = [sys.executable, "-c", "import patentdesk.cli_desk; from patentdesk.cli import main; main()"]
    env = clean_env(PATENTDESK_DESK_SMTP_PORT=str(smtp_module.port))
    for _ in range(2):  # the second load finds nothing new: no second email
        done = subprocess.run(cli + ["ingest", "--home", str(site.home), str(slices / LAST_SLICE)],
                              capture_output=True, text=True, env=env, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        ran = subprocess.run(cli + ["watches", "run", "--run", "latest", "--home", str(site.home)],
                             capture_output=True, text=True, env=env, timeout=300, check=False)
        assert ran.returncode == 0, ran.stderr
    mails = smtp_module.parsed()[before:]
    assert len(mails) == 1
    assert mails[0]["To"] == "walt@example.org"
    listed = sorted(line.split()[0] for line in mails[0].get_content().splitlines() if line.startswith("US"))
    assert listed == NEW_H01L
    reader.reload()
    expect(reader.locator("#watch-list tbody tr td").nth(4)).to_have_text("4")
