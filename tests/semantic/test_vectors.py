"""The vector store: incremental, resumable, model-aware; exact and HNSW search."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import numpy as np
import pytest
from semantic_corpus import Corpus

from patentdesk.index import vectors as V
from patentdesk.index.embed import Encoder, ModelInfo, default_encoder
from patentdesk.search import semantic as S
from patentdesk.search.api import SearchRequest


class CountingEncoder:
    """Delegates to the real encoder, counts texts, may claim another model or fail on purpose."""

    def __init__(self, info: ModelInfo | None = None, fail_after: int | None = None) -> None:
        self.inner: Encoder = default_encoder()
        self.info = info or self.inner.info
        self.texts = 0
        self.calls = 0
        self.fail_after = fail_after

    def encode(self, texts: Any, **kw: Any) -> np.ndarray:
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise KeyboardInterrupt("interrupted on purpose")
        texts = list(texts)
        self.texts += len(texts)
        return self.inner.encode(texts, **kw)


def test_store_describes_itself(small_corpus: Corpus) -> None:
    store = V.VectorStore.of(small_corpus.settings)
    meta = json.loads((small_corpus.settings.vectors_dir / V.META_FILE).read_text())
    assert meta["format"] == V.FORMAT
    assert ModelInfo(**meta["model"]) == default_encoder().info
    st = store.status()
    assert st["exists"] and st["documents"] == small_corpus.catalogue.count() == small_corpus.rows
    assert st["passages"] >= st["documents"]
    assert st["model"] == default_encoder().info.key()
    assert st["lexicon_words"] > 0


def test_update_is_incremental(small_corpus: Corpus) -> None:
    store = V.VectorStore.of(small_corpus.settings)
    enc = CountingEncoder()
    again = store.update(small_corpus.catalogue, enc)  # type: ignore[arg-type]
    assert again.embedded_docs == 0 and enc.texts == 0
    assert again.unchanged_docs == small_corpus.rows

    # change one record's abstract: only that record is embedded again
    pub = next(small_corpus.catalogue.iter_publications())
    texts = tuple(dataclasses.replace(t, text=t.text + " Also applies to drones.") if t.kind == "abstract" else t
                  for t in pub.texts)
    small_corpus.catalogue.apply([dataclasses.replace(pub, texts=texts)])
    changed = store.update(small_corpus.catalogue, enc, numbers=[pub.number])  # type: ignore[arg-type]
    assert changed.embedded_docs == 1 and enc.texts == len(V.passages(dataclasses.replace(pub, texts=texts)))
    idx = store.load()
    assert idx.n_docs == small_corpus.rows  # the old copy is superseded, not duplicated
    d = idx.by_number[pub.number]
    new_vec = enc.inner.encode([V.passages(dataclasses.replace(pub, texts=texts))[0].text])[0]
    assert float(idx.doc_vectors(d)[0] @ new_vec) > 0.9999


def test_removed_records_leave_the_store(small_corpus: Corpus) -> None:
    from sqlalchemy import delete

    from patentdesk.store import schema as Sch

    store = V.VectorStore.of(small_corpus.settings)
    victim = store.load().docs[3].number
    with small_corpus.catalogue.engine.begin() as conn:
        conn.execute(delete(Sch.publications).where(Sch.publications.c.number == victim))
    summary = store.update(small_corpus.catalogue, CountingEncoder())  # type: ignore[arg-type]
    assert summary.removed_docs == 1 and summary.embedded_docs == 0
    assert victim not in store.load().by_number


def test_a_changed_model_triggers_a_full_reembed(small_corpus: Corpus) -> None:
    store = V.VectorStore.of(small_corpus.settings)
    before = store.load().n_passages
    other = dataclasses.replace(default_encoder().info, name="use-multilingual-v4")
    # the store refuses to be searched with another model, rather than mixing spaces
    with pytest.raises(V.StaleVectors, match="re-embed"):
        store.load(encoder_info=other)
    enc = CountingEncoder(info=other)
    summary = store.update(small_corpus.catalogue, enc)  # type: ignore[arg-type]
    assert summary.rebuilt and summary.reason and "model changed" in summary.reason
    assert summary.embedded_docs == small_corpus.rows
    # every passage and every lexicon word is embedded again with the new model
    lex = store.lexicon.load(other.key())
    assert lex is not None and len(lex) > 0
    assert summary.embedded_passages == before and enc.texts == before + len(lex)
    assert store.lexicon.load(default_encoder().info.key()) is None
    assert store.model() == other
    # now the current model is the stale one
    with pytest.raises(V.StaleVectors):
        store.load(encoder_info=default_encoder().info)


def test_an_older_store_format_is_reembedded(small_corpus: Corpus) -> None:
    store = V.VectorStore.of(small_corpus.settings)
    before = store.load().n_passages
    meta_path = store.meta_path
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta_path.write_text(json.dumps({**meta, "format": V.FORMAT - 1}), encoding="utf-8")
    with pytest.raises(V.StaleVectors, match="format"):
        store.load()
    summary = store.update(small_corpus.catalogue)
    assert summary.rebuilt and summary.reason == f"store format {V.FORMAT - 1} -> {V.FORMAT}"
    assert summary.embedded_docs == small_corpus.rows and store.load().n_passages == before


def test_search_with_stale_vectors_says_what_to_do(small_corpus: Corpus) -> None:
    other = dataclasses.replace(default_encoder().info, version="9.9.9")
    store = V.VectorStore.of(small_corpus.settings)
    store.update(small_corpus.catalogue, CountingEncoder(info=other))  # type: ignore[arg-type]
    with pytest.raises(V.StaleVectors, match="patentdesk embed"):
        S.run(small_corpus.settings, small_corpus.catalogue, SearchRequest("concrete", mode="semantic"))


def test_an_interrupted_embed_resumes(small_corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    store = V.VectorStore.of(small_corpus.settings)
    monkeypatch.setattr(V, "BATCH_DOCS", 8)
    with pytest.raises(KeyboardInterrupt):
        store.update(small_corpus.catalogue, CountingEncoder(fail_after=2), rebuild=True)  # type: ignore[arg-type]
    # two batches of 8 were written before the interruption; the store is readable as it is
    assert store.load(check=False).n_docs == 16
    enc = CountingEncoder()
    summary = store.update(small_corpus.catalogue, enc)  # type: ignore[arg-type]
    assert summary.embedded_docs == small_corpus.rows - 16
    assert summary.unchanged_docs == 16
    assert store.load().n_docs == small_corpus.rows


def test_empty_catalogue(tmp_path: Any) -> None:
    from patentdesk.config import resolve
    from patentdesk.store.catalogue import Catalogue

    settings = resolve(tmp_path / "home").ensure()
    cat = Catalogue(settings.database_url)
    try:
        summary = V.VectorStore.of(settings).update(cat, CountingEncoder())  # type: ignore[arg-type]
        assert summary.total_docs == 0
        idx = V.VectorStore.of(settings).load()
        assert idx.search(np.ones((1, 512), np.float32), 5) == []
    finally:
        cat.close()


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.standard_normal((n, 512)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _entries(n_docs: int, per_doc: int) -> list[V.DocEntry]:
    return [V.DocEntry(f"XX{i}A", "h", 20000101 + (i % 20) * 10000, 0, None, "en",
                       tuple((1, j) for j in range(per_doc))) for i in range(n_docs)]


def test_exact_search_scores_documents_by_their_best_passage() -> None:
    rng = np.random.default_rng(7)
    vecs = _unit(rng, 30)
    idx = V.VectorIndex(vecs, _entries(10, 3))
    q = vecs[17]  # passage 2 of document 5
    hits = idx.search(q, 3)
    assert hits[0].number == "XX5A" and hits[0].passage_ordinal == 2
    assert hits[0].score == pytest.approx(1.0, abs=1e-5)
    mask = idx.doc_mask(published_before="2005-01-01")  # documents 0..4 (2000..2004)
    assert all(int(h.number[2:-1]) < 5 for h in idx.search(q, 10, mask))


def test_hnsw_recall_against_exact(tmp_path: Any) -> None:
    """faiss HNSW on 8,000 clustered passages; recall@10 against exact search."""
    pytest.importorskip("faiss")
    rng = np.random.default_rng(3)
    centers = _unit(rng, 200)
    vecs = centers[rng.integers(0, 200, 8_000)] + 0.35 * _unit(rng, 8_000)
    vecs = (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).astype(np.float32)
    store = V.VectorStore(tmp_path / "vectors")
    store.root.mkdir()
    idx = V.VectorIndex(vecs, _entries(8_000, 1))
    store._write_meta({"format": V.FORMAT, "model": default_encoder().info.__dict__, "segments": [],
                       "generation": 1})
    idx.hnsw = V.build_hnsw(store, idx, m=16)
    queries = centers[:40] + 0.2 * _unit(rng, 40)
    recalls = []
    for q in queries:
        exact = {h.number for h in idx.search(q, 10, exact=True)}
        approx = {h.number for h in idx.search(q, 10)}
        recalls.append(len(exact & approx) / 10)
    assert float(np.mean(recalls)) >= 0.9
    # a filter that keeps half of the passages runs inside HNSW (faiss ID selector)
    half = np.zeros(idx.n_docs, dtype=bool)
    half[::2] = True
    inside = idx.search(queries[1], 10, half)
    assert all(int(h.number[2:-1]) % 2 == 0 for h in inside)
    assert inside[0] == idx.search(queries[1], 10, half, exact=True)[0]
    # a selective filter falls back to exact search
    mask = idx.doc_mask(published_before="2001-01-01")
    assert mask is not None and mask.mean() < V.HNSW_MIN_SELECTIVITY
    filtered = idx.search(queries[0], 10, mask)
    assert filtered == idx.search(queries[0], 10, mask, exact=True)
