"""Text analysis: the index path cuts exactly the words the query/snippet path cuts, on real texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from patentdesk.index import analysis as A
from patentdesk.ingest.pipeline import ingest
from patentdesk.store.catalogue import Catalogue

# a USPTO weekly slice, Chinese, Japanese, and EPO grants with claims in German, English and French
FILES = ("uspto-xml/weekly-slices/ipg130416.small.xml", "cnipa-xml", "jpo-xml",
         "epo/publication-server/grant_v1-0-B2.xml", "epo/publication-server/application_v1-5-A2.xml")


def test_index_path_equals_tokenize_on_real_texts(data_dir: Path, tmp_path: Path) -> None:
    with Catalogue(f"sqlite:///{tmp_path / 'c.sqlite'}") as cat:
        summary = ingest(cat, [str(data_dir / f) for f in FILES])
        assert summary.added > 40
        langs = set()
        checked = 0
        for pub in cat.iter_publications():
            for t in pub.texts:
                toks, folded, end = A.tokenize(t.text, 7)
                words, folded2, positions, end2 = A.index_tokens(t.text, 7)
                assert [x.text for x in toks] == words
                assert [x.position for x in toks] == positions
                assert (folded, end) == (folded2, end2)
                langs.add(t.lang)
                checked += 1
        assert checked > 150 and {"en", "de", "fr", "zh", "ja"} <= langs


@pytest.mark.parametrize("text, words", [
    ("Lithium-ion BATTERY's cells", ["lithium", "ion", "battery", "s", "cells"]),
    ("Propulsão À JATO", ["propulsao", "a", "jato"]),
    ("ＡＢＣ　１２３", ["abc", "123"]),          # full width
    ("Straße", ["strasse"]),
    ("電池組", ["电池组", "电池", "电", "池", "组"]),  # folded, segmented, sub-words and characters
])
def test_words(text: str, words: list[str]) -> None:
    assert [t.text for t in A.tokenize(text)[0]] == words


def test_sentence_gaps() -> None:
    toks = A.tokenize("A rotor. The blade!\nNext 3.5 mm")[0]
    assert [(t.text, t.position) for t in toks] == [
        ("a", 0), ("rotor", 1), ("the", 1002), ("blade", 1003), ("next", 2004), ("3", 2005), ("5", 2006),
        ("mm", 2007)]


def test_overlong_sentence_is_cut() -> None:
    toks = A.tokenize(" ".join(["w"] * (A.MAX_SENTENCE + 2)))[0]
    assert toks[A.MAX_SENTENCE - 1].position == A.MAX_SENTENCE - 1
    assert toks[A.MAX_SENTENCE].position == A.MAX_SENTENCE + A.SENTENCE_GAP


@pytest.mark.parametrize("word, tokens", [
    ("batter*", [("batter.*", True)]),
    ("colo?r", [("colo.?r", True)]),
    ("wom#n", [("wom.n", True)]),
    ("Lithium-ion", [("lithium", False), ("ion", False)]),
    ("電池", [("电池", False)]),
    ("電*", [("电.*", True)]),
])
def test_query_words(word: str, tokens: list[tuple[str, bool]]) -> None:
    assert [(t.text, t.pattern) for t in A.analyze_query_word(word)] == tokens


def test_stems_per_language() -> None:
    assert A.stem("en", "batteries") == "batteri"
    assert A.stem("pt", "baterias") == "bat"
    assert A.stem_language("und") == "en" and A.stem_language("pt") == "pt" and A.stem_language("de") is None
