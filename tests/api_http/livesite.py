"""The real server for the HTTP and browser tests: `patentdesk serve` in a subprocess on a free
port of 127.0.0.1, over a home where `patentdesk ingest` loaded the USPTO weekly slices and where
one hostile record (markup and scripts in every text field) was added through the catalogue.

One server per test process serves both tests/api_http and tests/browser: `acquire` starts it on
first use and `release` stops it, by its pid, when the last user lets go.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from patentdesk.model import Citation, Classification, LegalEvent, Party, Provenance, Publication, Text

# The slices: 9 files of 25 grants each (and 5 sequence listings the reader skips).
SLICE_GRANTS = 225
HOSTILE = "US9990001B2"
# Runs if any text reaches the page as markup: sets the flag and opens a dialog.
SCRIPT = "<script>window.__pwned=1;alert('script')</script>"
IMG = "<img src=x onerror=\"window.__pwned=2;alert('img')\">"
HOSTILE_TITLE = f"Napkin clip {SCRIPT} <b>bold</b> & co"
HOSTILE_ABSTRACT = f"Magnetic napkin {IMG} holder {SCRIPT} with <a href=\"javascript:alert(3)\">link</a>"

START_TIMEOUT_S = 60.0


def hostile_record() -> Publication:
    """A record whose every free text holds live markup, as a malicious or broken source might."""
    return Publication(
        number=HOSTILE, country="US", doc_number="9990001", kind="B2", doc_type="grant",
        publication_date=dt.date(2013, 4, 16), application_number="13000001",
        application_date=dt.date(2011, 1, 3), application_country="US",
        texts=(
            Text("title", "en", HOSTILE_TITLE),
            Text("abstract", "en", HOSTILE_ABSTRACT),
            Text("claims", "en", f"1. A napkin clip {SCRIPT}.\n2. The clip of claim 1, wherein {IMG}."),
            Text("description", "en", f"First paragraph {SCRIPT}.\nSecond paragraph {IMG}."),
        ),
        parties=(Party(f"{SCRIPT} Hostile Corp", "applicant", 1, "US"),
                 Party(f"Doe, Jane {IMG}", "inventor", 1, "US", "Bath")),
        classifications=(Classification("ipc", "A45F5/04", 1),),
        citations=(Citation(1, "patent", "US6836899B1", "US", None, None, "examiner"),
                   Citation(2, "npl", None, None, None, f"Journal {SCRIPT}", "applicant")),
        family_id="P:hostile", family_source="priorities",
        legal_events=(LegalEvent(dt.date(2014, 1, 2), "FEE", 1, f"Fee paid {IMG}", "US"),),
        provenance=Provenance("test", "hostile.xml", 1),
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "patentdesk.cli", *args]


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without PATENTDESK_* settings (a developer's own database URL
    must not leak into the tests' server), plus `extra`."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("PATENTDESK_")}, **extra}


def sqlite_url(home: Path) -> str:
    return f"sqlite:///{home / 'catalogue.sqlite'}"


def build_home(home: Path, slices: Path) -> None:
    """Ingest the slices with the CLI, then add the hostile record and index it, then embed
    everything (`patentdesk embed`): semantic and hybrid search answer over HTTP too."""
    from patentdesk.config import resolve
    from patentdesk.index import fulltext
    from patentdesk.store.catalogue import Catalogue

    done = subprocess.run(cli("ingest", "--home", str(home), str(slices)), capture_output=True, text=True,
                          env=clean_env(), timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    settings = resolve(home, sqlite_url(home))
    with Catalogue(settings.database_url) as cat:
        assert cat.apply([hostile_record()]) == ["added"]
        fulltext.update_after_ingest(settings, cat, [HOSTILE])
    done = subprocess.run(cli("embed", "--home", str(home), "--json"), capture_output=True, text=True,
                          env=clean_env(), timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@dataclass
class Server:
    """A running `patentdesk serve`; `url` has no trailing slash."""

    home: Path
    log: Path
    env: dict[str, str] = field(default_factory=dict)
    workers: int = 1
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        self.port = free_port()
        args = cli("serve", "--home", str(self.home), "--host", "127.0.0.1", "--port", str(self.port),
                   "--workers", str(self.workers))
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=clean_env(**self.env),
                                         start_new_session=True)
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"patentdesk serve exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass  # not listening yet
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"patentdesk serve did not answer /healthz in {START_TIMEOUT_S:.0f} s:\n{self.tail()}")

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def stop(self) -> None:
        """SIGTERM to the server's pid (uvicorn shuts its workers down), SIGKILL if it hangs."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: the group is the server and its workers
            self.proc.wait(timeout=5)


@dataclass
class _Shared:
    server: Server | None = None
    users: int = 0


_shared = _Shared()


def acquire(base: Path, slices: Path) -> Server:
    """The process's server over a freshly built home under `base`; started on the first call."""
    if _shared.server is None:
        home = base / "home"
        build_home(home, slices)
        # the rate limit is off here; its own test starts a server with a small one
        _shared.server = Server(home, base / "serve.log", env={"PATENTDESK_WEB_API_RATE": "0"}).start()
    _shared.users += 1
    return _shared.server


def release() -> None:
    _shared.users -= 1
    if _shared.users == 0 and _shared.server is not None:
        _shared.server.stop()
        _shared.server = None


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Iterator[Server]:
    """The running server (conftests import this fixture)."""
    server = acquire(tmp_path_factory.mktemp("live"), data_dir / "uspto-xml" / "weekly-slices")
    yield server
    release()
