"""Cross-lingual keyword evidence: the catalogue's English words, embedded with the passage model.

Keyword evidence is only evidence in the query's own language, so a Portuguese or Chinese
description gets none from the English documents that make up most of a catalogue. The multilingual
model places a single word near its translations, which gives a dictionary for free: every English
word of the catalogue's titles and abstracts that occurs in at least `MIN_DOCS` documents is
embedded once, and a query word is read as the English word nearest to it when their cosine
reaches `MIN_COSINE` (``bateria`` -> battery, ``涡轮`` -> turbine). Hybrid search ranks the English
documents by those words with BM25 and fuses that ranking with the semantic one as English evidence
(`patentdesk.search.semantic`). On the development set this lifts cross-lingual recall@10 to English
targets from Portuguese 0.89 -> 0.96, simplified Chinese 0.93 -> 0.97, traditional 0.90 -> 0.97.

The lexicon lives in the vector store's folder (``lexicon/``) and is kept by the same updates:
document frequencies are counted as passages are embedded, new words are embedded at the end of an
update, and a store rebuilt (another model, another format) starts a new lexicon. A document's words
count when it is first embedded; words of removed documents stay (they only ever translate to words
that find little), and a word a changed document gains waits for another document to use it.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = 1
MIN_DOCS = 2
"""A word must occur in this many documents' English titles/abstracts to be in the lexicon."""
MAX_WORDS = 60_000
"""The most frequent words kept (about 120 MB of float32 vectors at the cap)."""
MIN_COSINE = 0.5
"""A query word translates only to an English word at least this close (tuned on the development
set: 0.5-0.6 give the same recall; 0.7 drops simplified Chinese by 0.03)."""
DIR = "lexicon"
_WORD_RE = re.compile(r"[a-z]{3,}")
_COUNTS = "counts.json"
_WORDS = "words.json"
_VECTORS = "vectors.npy"


def english_words(text: str) -> set[str]:
    """The candidate lexicon words of an English text: lower-case letter runs of 3 or more."""
    return set(_WORD_RE.findall(text.lower()))


class Lexicon:
    """Embedded English words; `translate` reads query words as their nearest English word."""

    def __init__(self, words: list[str], vectors: np.ndarray, model: str) -> None:
        self.words = words
        self.vectors = vectors
        self.model = model

    def __len__(self) -> int:
        return len(self.words)

    def translate(self, encoder: Any, terms: Sequence[str], min_cosine: float = MIN_COSINE) -> list[str]:
        """The nearest English word of each term (in order, without repeats); terms with no word
        close enough are left out."""
        if not terms or not self.words:
            return []
        sims = encoder.encode(list(terms)) @ self.vectors.T
        out: list[str] = []
        for row in sims:
            j = int(np.argmax(row))
            if row[j] >= min_cosine and self.words[j] not in out:
                out.append(self.words[j])
        return out


class LexiconStore:
    """The lexicon files of one vector store folder."""

    def __init__(self, root: Path) -> None:
        self.root = root / DIR
        self._lock = threading.Lock()
        self._loaded: tuple[float, Lexicon] | None = None

    def clear(self) -> None:
        for name in (_COUNTS, _WORDS, _VECTORS):
            (self.root / name).unlink(missing_ok=True)
        self._loaded = None

    def counts(self) -> Counter[str]:
        path = self.root / _COUNTS
        if not path.is_file():
            return Counter()
        return Counter(json.loads(path.read_text(encoding="utf-8"))["documents"])

    def add_documents(self, word_sets: Iterable[set[str]]) -> None:
        """Count these documents' words (one per document)."""
        counts = self.counts()
        for words in word_sets:
            counts.update(words)
        self._write_json(_COUNTS, {"format": FORMAT, "documents": dict(counts)})

    def refresh(self, encoder: Any) -> int:
        """Embed the frequent words not embedded yet; the number of words embedded."""
        counts = self.counts()
        frequent = sorted((w for w, n in counts.items() if n >= MIN_DOCS), key=lambda w: (-counts[w], w))
        frequent = frequent[:MAX_WORDS]
        words, vectors, model = self._read()
        if model is not None and model != encoder.info.key():
            words, vectors = [], None  # another model's vectors are never mixed in
        have = set(words)
        new = [w for w in frequent if w not in have]
        if not new:
            return 0
        added = encoder.encode(new).astype(np.float32)
        vectors = added if vectors is None or not len(words) else np.vstack([vectors, added])
        words = words + new
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f"{_VECTORS}.tmp{os.getpid()}.npy"
        np.save(tmp, vectors)
        os.replace(tmp, self.root / _VECTORS)
        self._write_json(_WORDS, {"format": FORMAT, "model": encoder.info.key(), "words": words})
        self._loaded = None
        return len(new)

    def load(self, model: str) -> Lexicon | None:
        """The lexicon made with `model`, or None (none yet, or another model's)."""
        path = self.root / _WORDS
        try:
            stamp = path.stat().st_mtime
        except FileNotFoundError:
            return None
        with self._lock:
            if self._loaded is not None and self._loaded[0] == stamp and self._loaded[1].model == model:
                return self._loaded[1]
            words, vectors, found = self._read()
            if found != model or vectors is None or len(words) != len(vectors):
                return None
            lex = Lexicon(words, vectors, model)
            self._loaded = (stamp, lex)
            return lex

    def _read(self) -> tuple[list[str], np.ndarray | None, str | None]:
        path = self.root / _WORDS
        if not path.is_file() or not (self.root / _VECTORS).is_file():
            return [], None, None
        meta = json.loads(path.read_text(encoding="utf-8"))
        return list(meta["words"]), np.load(self.root / _VECTORS), meta.get("model")

    def _write_json(self, name: str, value: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f"{name}.tmp{os.getpid()}"
        tmp.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.root / name)
