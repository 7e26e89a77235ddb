"""Watches and alerts: a new weekly slice is loaded and each watch hears of exactly the new
publications it matches, once, by email (to a local aiosmtpd server), by its Atom feed, or by a
signed webhook; a failed delivery is kept, retried and shown to the admin.

The new slice is ipg130416 (25 grants of 2013-04-16). Checked against its XML: four of them carry
an H01L IPCR (08420456, 08420484, 08420530, 08421353), while eleven grants of the eight older
slices also do; "Okamoto, Satoru" is the first inventor-applicant of 08420456 and of no older grant.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner
from deskcase import LAST_SLICE, PASSWORD, desk_config
from lxml import etree
from sqlalchemy import select, update

import patentdesk.cli_desk  # noqa: F401 - registers the desk commands
from patentdesk.cli import main
from patentdesk.desk import accounts, watches
from patentdesk.index import fulltext
from patentdesk.ingest.pipeline import ingest
from patentdesk.store import schema as S
from patentdesk.store.catalogue import Catalogue

NEW_H01L = ["US8420456B2", "US8420484B2", "US8420530B2", "US8421353B2"]
OKAMOTO = "US8420456B2"


class _Hook(BaseHTTPRequestHandler):
    calls: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.calls.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    calls: ClassVar[list[tuple[dict[str, str], bytes]]] = []
    handler = type("Hook", (_Hook,), {"calls": calls})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", calls
    finally:
        server.shutdown()
        server.server_close()


def _dead_url() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/gone"  # nothing listens there once the socket is closed


def test_new_slice_alerts_each_watch_once_with_exactly_the_new_matches(fresh_home, slices, smtp, hook):
    hook_url, calls = hook
    config = desk_config(smtp_port=smtp.port)
    env = {f"PATENTDESK_DESK_{k.upper()}": str(v) for k, v in
           {"smtp_port": smtp.port, "base_url": "https://desk.example", "password_time_cost": 1,
            "password_memory_kib": 8192}.items()}
    with Catalogue(fresh_home.database_url) as cat:
        user = accounts.register(cat.engine, config, "reader@example.org", PASSWORD, "Reader")
        by_mail = watches.create_watch(cat.engine, user, name="semiconductors", kind="class", value="H01L")
        by_feed = watches.create_watch(cat.engine, user, name="Okamoto", kind="applicant", value="Okamoto, Satoru",
                                       channel="feed")
        by_hook = watches.create_watch(cat.engine, user, name="hooked", kind="search", value="ipc=H01L",
                                       channel="webhook", webhook_url=hook_url)
        broken = watches.create_watch(cat.engine, user, name="broken", kind="class", value="H01L",
                                      channel="webhook", webhook_url=_dead_url())
        assert watches.watch_query("class", "H01L") == "ipc=H01L"

    # what `patentdesk ingest` does after loading: update the index, then run the watches
    with Catalogue(fresh_home.database_url) as cat:
        loaded = ingest(cat, [str(slices / LAST_SLICE)])
        assert (loaded.added, loaded.skipped) == (25, 2)  # and 2 sequence listings skipped
        fulltext.update_after_ingest(fresh_home, cat, loaded.changed_numbers)
        ran = watches.run_watches(fresh_home, cat, loaded.changed_numbers, config=config)
    assert ran.to_dict() == {"watches": 4, "alerts": 4, "delivered": 3, "failed": 1, "publications": 13}

    # email: one message, to the owner, listing exactly the four new H01L grants
    [mail] = smtp.parsed()
    assert mail["To"] == "reader@example.org" and "semiconductors" in mail["Subject"]
    body = mail.get_content()
    listed = sorted(line.split()[0] for line in body.splitlines() if line.startswith("US"))
    assert listed == NEW_H01L
    assert "https://desk.example/publication/US8420456B2" in body

    # webhook: signed with the watch's secret, the same four
    [(headers, payload)] = calls
    with Catalogue(fresh_home.database_url) as cat:
        secret = cat.engine.connect().execute(select(S.watches.c.secret).where(
            S.watches.c.id == by_hook["id"])).scalar_one()
        assert headers["x-patentdesk-signature"] == "sha256=" + hmac.new(secret.encode(), payload,
                                                                          hashlib.sha256).hexdigest()
        assert [p["number"] for p in json.loads(payload)["publications"]] == NEW_H01L

        # feed: only Okamoto's grant
        info, hits = watches.feed_entries(cat.engine, by_feed["feed_token"])
        assert [h["number"] for h in hits] == [OKAMOTO]
        feed = etree.fromstring(watches.atom(config, info, hits, cat.get_many([OKAMOTO])))
        ns = {"a": "http://www.w3.org/2005/Atom"}
        assert [e.text for e in feed.findall("a:entry/a:id", ns)] == [f"https://desk.example/publication/{OKAMOTO}"]
        assert feed.find("a:entry/a:title", ns).text.startswith(f"{OKAMOTO} Method of manufacturing")

        # the broken webhook: kept with its error, to be retried, visible to the admin
        admin = accounts.register(cat.engine, config, "admin@example.org", PASSWORD, "Admin", role="admin")
        [failing] = watches.failing_alerts(cat.engine, admin)
        assert failing["watch_id"] == broken["id"] and failing["status"] == "retrying"
        assert failing["attempts"] == 1 and "ConnectError" in failing["last_error"]
        assert failing["numbers"] == NEW_H01L and failing["owner"] == "reader@example.org"
        with pytest.raises(accounts.Forbidden):
            watches.failing_alerts(cat.engine, user)

    # loading the same slice again, and running the watches over its numbers: no new alert
    runner = CliRunner()
    again = runner.invoke(main, ["ingest", "--home", str(fresh_home.home), str(slices / LAST_SLICE)], env=env)
    assert "unchanged 25" in again.output
    rerun = runner.invoke(main, ["watches", "run", "--home", str(fresh_home.home), "--json",
                                 *(x for n in NEW_H01L for x in ("--number", n))], env=env)
    assert rerun.exit_code == 0, rerun.output
    # nothing new; the broken webhook's retry is not due yet
    assert json.loads(rerun.output) == {"watches": 4, "alerts": 0, "delivered": 0, "failed": 0, "publications": 0}
    assert len(smtp.messages) == 1 and len(calls) == 1
    with Catalogue(fresh_home.database_url) as cat:
        # once due it is tried again, and given up after the last attempt
        for attempt in range(2, config.alert_max_attempts + 1):
            with cat.engine.begin() as conn:
                conn.execute(update(S.watch_alerts).where(S.watch_alerts.c.id == failing["id"])
                             .values(next_attempt_at=S.watch_alerts.c.created_at))
            assert watches.deliver_due(fresh_home, cat, config) == (0, 1)
        [gave_up] = watches.failing_alerts(cat.engine, admin)
        assert gave_up["status"] == "failed" and gave_up["attempts"] == config.alert_max_attempts
        assert watches.deliver_due(fresh_home, cat, config) == (0, 0)
        watches.retry_alert(cat.engine, admin, failing["id"])
        assert watches.failing_alerts(cat.engine, admin)[0]["status"] == "retrying"
        assert len(smtp.messages) == 1
        mails_of_watch = watches.alerts(cat.engine, user, by_mail["id"])
        assert [(a["status"], a["numbers"]) for a in mails_of_watch] == [("delivered", NEW_H01L)]


def test_watch_input_is_checked(desk_catalogue, make_account):
    acc = make_account()
    engine = desk_catalogue.engine
    from patentdesk.errors import QuerySyntaxError, UserError

    with pytest.raises(QuerySyntaxError):
        watches.create_watch(engine, acc.user, name="bad", kind="search", value="ti=(open")
    with pytest.raises(UserError):
        watches.create_watch(engine, acc.user, name="hook", kind="class", value="H01L", channel="webhook",
                             webhook_url="file:///etc/passwd")
    assert watches.watch_query("class", "h01m 10/0525") == "ipc=H01M10/0525/low"
    assert watches.watch_query("applicant", 'Sony "Corp"') == 'pa="Sony  Corp "'
    assert watches.watch_query("citation", "US6836899B1") == "ct=US6836899B1"
