"""Fixtures of the analytics tests: catalogues built from the real Lens exports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from patentdesk.analysis import groups

_REAL_HARMONIZER = groups.harmonizer


@pytest.fixture(scope="session", autouse=True)
def exact_name_groups() -> Iterator[None]:
    """The statistics are checked against names grouped by their exact normalized form (the rule
    the expected values follow); the harmonizer hook has its own test."""
    mp = pytest.MonkeyPatch()
    mp.setattr(groups, "harmonizer", lambda: (None, groups.EXACT))
    yield
    mp.undo()


@pytest.fixture
def real_harmonizer() -> Callable[[], tuple[Any, str]]:
    """`groups.harmonizer` as installed (the session fixture above replaces it)."""
    return _REAL_HARMONIZER


@pytest.fixture(scope="session")
def concordance_path(data_dir: Path) -> Path:
    return data_dir / "classification" / "wipo-ipc-technology-concordance.csv"
