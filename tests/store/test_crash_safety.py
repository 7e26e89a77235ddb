"""An ingest killed with SIGKILL at any point, then run again, leaves the catalogue of one clean run.

The command line runs in a subprocess on real USPTO weekly slices with a small batch size. It is
killed several times: when the catalogue has reached a growing number of records (so the kill
lands between or inside batch transactions of a run that has already re-read earlier records), and
after short random delays (start-up, migrations, the first batches). A last run completes. The
result is compared with a clean in-process ingest of the same files into a fresh catalogue: same
numbers, same content hash per number, stored children that still hash to it, one current version
per number, and the same rejections.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from sqlalchemy import func, select

from patentdesk.ingest.pipeline import ingest
from patentdesk.store import schema as S
from patentdesk.store.catalogue import Catalogue

SLICES = ["ipg050104.small.xml", "ipg080101.small.xml", "ipg110104.small.xml", "ipg130416.small.xml"]
BROKEN = "bad-input/weekly-with-one-broken-document.xml"
BATCH = 4
EXIT_OK, EXIT_QUARANTINED = 0, 3


def _inputs(data_dir: Path) -> list[str]:
    return [str(data_dir / "uspto-xml/weekly-slices" / n) for n in SLICES] + [str(data_dir / BROKEN)]


def _command(url: str, home: Path, inputs: list[str]) -> list[str]:
    return [sys.executable, "-m", "patentdesk.cli", "ingest", "--home", str(home), "--database-url", url,
            "--batch-size", str(BATCH), "--no-index", "--json", *inputs]


def _count(cat: Catalogue) -> int:
    with cat.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(S.publications)).scalar_one())


def _kill_when(cmd: list[str], ready: Callable[[], bool], *, timeout: float = 60.0) -> bool:
    """Start `cmd`, SIGKILL it as soon as `ready()` holds; False if it finished first."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy())
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None:
            if ready():
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                return True
            if time.monotonic() > deadline:
                pytest.fail("ingest subprocess did not reach the kill point in time")
            time.sleep(0.01)
        stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        assert proc.returncode in (EXIT_OK, EXIT_QUARANTINED), stderr
        return False
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()


def _snapshot(cat: Catalogue) -> dict[str, Any]:
    with cat.engine.connect() as conn:
        rows = conn.execute(select(S.publications.c.number, S.publications.c.content_hash)).all()
        versions = conn.execute(select(S.versions.c.number, S.versions.c.content_hash, S.versions.c.status)
                                .order_by(S.versions.c.number)).all()
        child_rows = {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                      for t in S.CHILD_TABLES}
    hashes = dict((r.number, r.content_hash) for r in rows)
    assert len(hashes) == len(rows), "duplicate numbers"
    # what is stored under each number still hashes to the recorded hash: no half-written children
    for pub in cat.iter_publications(batch_size=50):
        assert pub.content_hash() == hashes[pub.number], pub.number
    return {
        "publications": hashes,
        "versions": [tuple(v) for v in versions],
        "children": child_rows,
        "rejections": [(r["file"], r["position"], r["disposition"], r["record"], r["reason"], r["excerpt"])
                       for r in cat.rejections()],
    }


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_killed_ingest_resumes_to_the_clean_result(backend: str, data_dir: Path, tmp_path: Path,
                                                   make_catalogue: Callable[[str], Catalogue]) -> None:
    inputs = _inputs(data_dir)
    clean = make_catalogue("sqlite")
    clean_summary = ingest(clean, inputs, batch_size=BATCH)
    expected = _snapshot(clean)
    total = len(expected["publications"])
    # the slices hold 4 x 25 grants plus two sequence listings (ipg130416); the broken weekly file
    # has 4 documents, one of them truncated
    assert clean_summary.skipped == 2 and clean_summary.quarantined == 1
    assert total == 100 + 3
    assert all(v[2] == "current" for v in expected["versions"]) and len(expected["versions"]) == total

    crashed = make_catalogue(backend)
    cmd = _command(crashed.url, tmp_path / "home", inputs)
    kills = 0
    # kill inside later and later runs: every run re-reads what the previous one stored. The last
    # threshold leaves a few batches of the last slice to go, so the kill cannot miss its window.
    for threshold in (1, total // 3, (2 * total) // 3, total - 12):
        killed = _kill_when(cmd, lambda t=threshold: _count(crashed) >= t)
        assert killed, f"ingest finished before reaching {threshold} records"
        kills += 1
        assert threshold <= _count(crashed) < total
    rng = random.Random(20240611)
    for _ in range(3):
        delay = rng.uniform(0.05, 1.5)
        start = time.monotonic()
        kills += _kill_when(cmd, lambda: time.monotonic() - start >= delay)
    assert kills >= 4

    final = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=os.environ.copy())
    assert final.returncode == EXIT_QUARANTINED, final.stderr
    summary = json.loads(final.stdout)
    assert summary["read"] == clean_summary.read
    assert summary["added"] + summary["unchanged"] == total and summary["updated"] == 0
    assert (summary["skipped"], summary["quarantined"]) == (2, 1)
    assert [(e["file"], e["position"]) for e in summary["errors"]] == [
        (e["file"], e["position"]) for e in clean_summary.errors]

    got = _snapshot(crashed)
    assert got["publications"] == expected["publications"]
    assert got["versions"] == expected["versions"]
    assert got["children"] == expected["children"]
    assert got["rejections"] == expected["rejections"]
    runs = crashed.runs(limit=50)
    assert runs[0].status == "finished"
    # the killed runs never finished (a kill during start-up may come before the run is recorded)
    assert 4 <= sum(r.status == "running" for r in runs) <= kills
