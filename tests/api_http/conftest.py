"""The running server (see livesite.py) and an HTTP client for it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from livesite import Server, live

__all__ = ["http", "live"]


@pytest.fixture(scope="session")
def http(live: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=30.0) as client:
        yield client
