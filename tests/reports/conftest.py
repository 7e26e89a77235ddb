"""Fixtures of the report tests: one analysis of the real Lens jet-engine export per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from patentdesk.analysis import Options, ResultSet, analyze, groups
from patentdesk.config import Settings
from patentdesk.ingest.pipeline import ingest
from patentdesk.store.catalogue import Catalogue


@pytest.fixture(scope="session", autouse=True)
def exact_name_groups() -> Iterator[None]:
    """Reports are tested on names grouped by their exact normalized form (fast and fixed)."""
    mp = pytest.MonkeyPatch()
    mp.setattr(groups, "harmonizer", lambda: (None, groups.EXACT))
    yield
    mp.undo()


@pytest.fixture(scope="module")
def jet_home(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Iterator[tuple[Settings, Catalogue]]:
    home = tmp_path_factory.mktemp("jet-report")
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'catalogue.sqlite'}")
    cat = Catalogue(settings.database_url)
    ingest(cat, [str(data_dir / "lens" / "lens-export-jet-engines.csv")])
    yield settings, cat
    cat.close()


@pytest.fixture(scope="module")
def jet_analysis(jet_home: tuple[Settings, Catalogue]) -> dict[str, Any]:
    settings, cat = jet_home
    numbers = tuple(p.number for p in cat.iter_publications())
    return analyze(settings, cat, ResultSet(numbers, collection="jet-engines.txt"), Options(topic_docs=800))
