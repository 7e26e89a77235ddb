"""Fixtures of the bulk tests: a small real input set, and one Spark session (local mode) for the
whole test session, since starting its JVM costs seconds."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bulkcase import LENS_EXCERPT_ROWS, lens_excerpt


@pytest.fixture(scope="session")
def bulk_inputs(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> list[str]:
    """Two USPTO weekly slices, the weekly file with one broken document, the Lens CSV with
    malformed rows (its five good records are also in excerpt A), and two overlapping Lens
    excerpts: numbers that come twice make the reading order matter."""
    folder = tmp_path_factory.mktemp("bulk-inputs")
    slices = data_dir / "uspto-xml" / "weekly-slices"
    return [
        str(slices / "ipg080101.small.xml"),
        str(slices / "ipg050104.small.xml"),
        str(data_dir / "bad-input" / "weekly-with-one-broken-document.xml"),
        str(data_dir / "bad-input" / "lens-export-malformed-rows.csv"),
        str(lens_excerpt(data_dir, folder, "lens-a.csv", 1, LENS_EXCERPT_ROWS)),
        str(lens_excerpt(data_dir, folder, "lens-b.csv", 31, 60)),
    ]


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session (2 cores, no UI, loopback only) for every test that needs one."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("pyspark is not installed: `make test` installs it with the test extra")
        pytest.skip("pyspark is not installed")
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("Java is not installed: Spark needs Java 17+ (Debian: openjdk-17-jre-headless)")
        pytest.skip("no Java for Spark")
    from patentdesk.bulk.spark import session

    s = session("local[2]", driver_memory="768m")
    yield s
    s.stop()
