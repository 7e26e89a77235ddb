"""A small real home for the operations tests: one USPTO weekly slice (25 grants) plus the weekly
file with one broken document, loaded through the CLI with its search index, once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from opscase import BROKEN, SLICE

from patentdesk.cli import main
from patentdesk.config import Settings, resolve


@pytest.fixture(scope="session")
def ops_home_template(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    home = tmp_path_factory.mktemp("ops-home")
    result = CliRunner().invoke(main, ["ingest", "--home", str(home), str(data_dir / SLICE), str(data_dir / BROKEN)])
    assert result.exit_code == 3, result.output  # one quarantined document
    return home


@pytest.fixture
def ops_settings(ops_home_template: Path, tmp_path: Path) -> Settings:
    """A private copy of the home (tests may change it)."""
    home = tmp_path / "home"
    shutil.copytree(ops_home_template, home, symlinks=True)
    return resolve(home)
