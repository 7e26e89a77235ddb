"""Fixtures of the semantic tests (the corpus is built by `semantic_corpus.build_corpus`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from semantic_corpus import Corpus, build_corpus


@pytest.fixture(scope="session")
def corpus(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    c = build_corpus(data_dir, tmp_path_factory.mktemp("semantic-corpus"), 120, 120, uspto=True)
    yield c
    c.catalogue.close()


@pytest.fixture
def small_corpus(data_dir: Path, tmp_path: Path) -> Iterator[Corpus]:
    """A tiny corpus of its own, for tests that change the store."""
    c = build_corpus(data_dir, tmp_path, 20, 20, uspto=False)
    yield c
    c.catalogue.close()
