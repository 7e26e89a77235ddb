"""Progress of long jobs (ingest, load) where other processes can see it.

A job writes ``HOME/run/progress-<job>-<pid>.json`` at most once a second and removes it when it
ends; the web service's `/metrics` reads these files (`active_jobs`) to publish ingest progress.
A file left by a killed process is recognized by its dead pid and ignored.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from ..config import Settings

RUN_DIR = "run"
MIN_INTERVAL_S = 1.0


class ProgressFile:
    def __init__(self, path: Path, job: str) -> None:
        self.path = path
        self.job = job
        self.state: dict[str, Any] = {"job": job, "pid": os.getpid(), "started": time.time(), "updated": time.time(),
                                      "files": 0, "records": 0, "bytes": 0, "phase": "starting", "current": None}
        self._last = 0.0

    @classmethod
    def for_settings(cls, settings: Settings, job: str) -> ProgressFile:
        return cls(settings.home / RUN_DIR / f"progress-{job}-{os.getpid()}.json", job)

    def __enter__(self) -> Self:
        self._write(force=True)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.path.unlink(missing_ok=True)

    def update(self, event: str, data: dict[str, Any]) -> None:
        """A progress callback in the shape `ingest.pipeline` and `bulk.lake` call."""
        s = self.state
        if event == "file":
            s["files"] += 1
            s["current"] = data.get("name")
            s["phase"] = "reading"
        elif event == "file_done":
            s["bytes"] += int(data.get("size") or 0)
        elif event == "records":
            s["records"] += int(data.get("count") or 0)
            s["phase"] = "storing"
        else:
            s["phase"] = event
        self._write()

    def _write(self, force: bool = False) -> None:
        now = time.time()
        if not force and now - self._last < MIN_INTERVAL_S:
            return
        self._last = now
        self.state["updated"] = now
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.write_text(json.dumps(self.state), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # progress is informative: a full or read-only disk must not stop the job


def active_jobs(settings: Settings) -> list[dict[str, Any]]:
    """Progress of the jobs running now on this machine (files of dead processes are skipped)."""
    folder = settings.home / RUN_DIR
    out = []
    for p in sorted(folder.glob("progress-*.json")) if folder.is_dir() else []:
        try:
            state = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # being replaced right now
        if _alive(int(state.get("pid", 0))):
            out.append(state)
    return out


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
