"""The topic map: documents clustered by what they are about, laid out in 2-D, clusters labelled.

1. Documents: the set's documents with a title or abstract; above `max_docs` an even sample in
   number order (every k-th), so a large set still maps in a moment and always the same way.
2. Vectors: the title+abstract passage vectors of the vector store (`patentdesk embed`) when it
   holds every mapped document; otherwise TF-IDF vectors of title+abstract reduced to 50
   dimensions (latent semantic analysis). The output says which (`method`).
3. Clusters: k-means on the unit vectors (k-means++ start, fixed seed, best of 4 starts).
4. Layout: clusters as discs placed by the similarity of their centres, pushed apart until none
   overlap; each document inside its cluster's disc (`layout`).
5. Labels: each cluster's most distinctive terms (class-based TF-IDF: frequent in the cluster,
   rare elsewhere), from the same title+abstract texts whatever the vectors.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

SEED = 11
LSA_DIMS = 50
MAX_VOCAB = 4000
MIN_DOCS = 10
KMEANS_STARTS = 4
KMEANS_ITERATIONS = 60
LABEL_TERMS = 8

_WORD = re.compile(r"[a-z][a-z0-9]+(?:-[a-z0-9]+)*")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+")
STOPWORDS = frozenset(["a", "about", "above", "according", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "either", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "least", "less", "made", "make", "makes", "many", "may", "more", "most", "much", "must", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "one", "only", "or", "other", "our", "out", "over", "own", "per", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "through", "thus", "to", "too", "two", "under", "until", "up", "upon", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "within", "without", "would", "you", "your", "invention", "present", "disclosed", "disclosure", "provided", "provides", "providing", "method", "methods", "device", "devices", "system", "systems", "apparatus", "apparatuses", "means", "said", "wherein", "whereby", "thereof", "therein", "therefor", "comprising", "comprises", "comprise", "comprised", "including", "include", "includes", "included", "having", "first", "second", "third", "plurality", "least", "embodiment", "embodiments", "example", "examples", "described", "herein", "use", "used", "uses", "using", "based", "configured", "arranged", "relates", "related", "relating", "particular", "particularly", "generally", "further", "fig", "figs", "figure", "figures", "claim", "claims", "object", "objects", "according", "various", "type", "types", "manner", "portion", "portions", "part", "parts", "member", "members", "unit", "units", "element", "elements", "body", "structure", "structures"])


def tokens(text: str) -> list[str]:
    """Lower-case words of three or more letters (stop words out); CJK runs as character pairs."""
    low = text.lower()
    out = [w for w in _WORD.findall(low) if len(w) >= 3 and w not in STOPWORDS]
    for run in _CJK.findall(text):
        out += [run[i:i + 2] for i in range(len(run) - 1)] if len(run) > 1 else [run]
    return out


def sample(numbers: Sequence[str], limit: int) -> list[int]:
    """Indices of an even sample of `limit` items of `numbers` (sorted by number)."""
    order = sorted(range(len(numbers)), key=lambda i: numbers[i])
    if len(order) <= limit:
        return order
    step = len(order) / limit
    return [order[int(i * step)] for i in range(limit)]


def topic_map(settings: Any, catalogue: Any, pubs: pl.DataFrame, max_docs: int,
              n_topics: int | None = None) -> dict[str, Any]:
    from threadpoolctl import threadpool_limits

    # one BLAS thread: the matrices are small, threads only contend, and a fixed summation order
    # keeps the map identical from run to run
    with threadpool_limits(limits=1):
        return _topic_map(settings, catalogue, pubs, max_docs, n_topics)


def _topic_map(settings: Any, catalogue: Any, pubs: pl.DataFrame, max_docs: int,
               n_topics: int | None) -> dict[str, Any]:
    from .core import fetch_texts

    numbers = pubs["number"].to_list()
    ids = pubs["pub_id"].to_list()
    picked = sample(numbers, max_docs)
    texts = fetch_texts(catalogue, [ids[i] for i in picked])
    docs = []
    for i in picked:
        t = texts.get(ids[i], {})
        title, abstract = t.get("title"), t.get("abstract")
        if title or abstract:
            docs.append((numbers[i], title or "", " ".join(x for x in (title, abstract) if x)))
    base = {"documents_in_set": len(numbers), "documents": len(docs), "sampled": len(numbers) > max_docs,
            "sample_limit": max_docs}
    if len(docs) < MIN_DOCS:
        return {**base, "method": None, "reason": f"fewer than {MIN_DOCS} documents with a title or abstract",
                "clusters": [], "points": []}
    toks = [tokens(text) for _, _, text in docs]
    vectors, method = _stored_vectors(settings, [n for n, _, _ in docs])
    if vectors is None:
        vectors = lsa(toks)
        method = {"method": "tfidf", "vectors": f"TF-IDF of title+abstract, LSA {vectors.shape[1]} dimensions",
                  "dimensions": int(vectors.shape[1])}
    k = n_topics or max(2, min(12, round(math.sqrt(len(docs) / 20))))
    k = min(k, len(docs) - 1)
    labels, centres = kmeans(vectors, k)
    xy, cxy = layout(vectors, labels, centres)
    terms = distinctive_terms(toks, labels, k)
    sizes = np.bincount(labels, minlength=k)
    clusters = []
    for c in range(k):
        members = np.flatnonzero(labels == c)
        near = members[np.argsort(-(vectors[members] @ centres[c]))][:3]
        clusters.append({"id": c + 1, "size": int(sizes[c]), "terms": terms[c], "label": " · ".join(terms[c][:3]),
                         "x": round(float(cxy[c, 0]), 4), "y": round(float(cxy[c, 1]), 4),
                         "examples": [docs[j][0] for j in near]})
    points = [{"number": docs[j][0], "title": docs[j][1][:160], "cluster": int(labels[j]) + 1,
               "x": round(float(xy[j, 0]), 4), "y": round(float(xy[j, 1]), 4)} for j in range(len(docs))]
    return {**base, **method, "clusters": clusters, "points": points}


def _stored_vectors(settings: Any, numbers: list[str]) -> tuple[np.ndarray | None, dict[str, Any]]:
    """The vector store's title+abstract vectors of `numbers`, when it holds all of them."""
    try:
        from ..errors import ConfigError
        from ..index import vectors as V
    except ImportError:
        return None, {}
    try:
        store = V.VectorStore.of(settings)
        if not store.exists():
            return None, {}
        idx = store.load()
    except (ConfigError, OSError, ValueError, ImportError):
        return None, {}
    title_kind = V.KIND_CODE["title_abstract"]
    rows = []
    for n in numbers:
        d = idx.by_number.get(n)
        if d is None:
            return None, {}
        kinds = [k for k, _ in idx.docs[d].passages]
        if title_kind not in kinds:
            return None, {}
        rows.append(int(idx.starts[d]) + kinds.index(title_kind))
    mat = np.asarray(idx.vectors[rows], dtype=np.float32)
    model = store.model()
    key = model.key() if model else "unknown model"
    return _unit(mat), {"method": "vectors", "vectors": f"stored title+abstract embeddings ({key})",
                        "dimensions": int(mat.shape[1]), "model": key}


def _unit(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return (m / np.where(norms == 0, 1, norms)).astype(np.float32)


def lsa(toks: list[list[str]]) -> np.ndarray:
    """TF-IDF (sublinear tf, smooth idf) of the documents' terms, reduced by a seeded randomized SVD.

    The term matrix stays sparse (coordinate arrays; products by sorting and `reduceat`), and only
    eigen-decompositions of small (dims x dims) matrices are used: LAPACK's QR and SVD of tall
    matrices are slow when the BLAS threads compete with other processes."""
    n = len(toks)
    df = Counter(t for doc in toks for t in set(doc))
    vocab = sorted((t for t, d in df.items() if 2 <= d <= max(2, 0.5 * n)), key=lambda t: (-df[t], t))[:MAX_VOCAB]
    if len(vocab) < 2:
        vocab = sorted(df, key=lambda t: (-df[t], t))[:MAX_VOCAB]
    index = {t: i for i, t in enumerate(vocab)}
    rows, cols, vals = [], [], []
    for i, doc in enumerate(toks):
        for t, c in Counter(doc).items():
            j = index.get(t)
            if j is not None:
                rows.append(i)
                cols.append(j)
                vals.append((1.0 + math.log(c)) * (math.log((1 + n) / (1 + df[t])) + 1))
    width = max(2, len(vocab))
    x = _Sparse(np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64), np.array(vals, dtype=np.float64),
                n, width)
    x.normalize_rows()
    dims = max(1, min(LSA_DIMS, n - 1, width - 1))
    rng = np.random.default_rng(SEED)
    omega = rng.standard_normal((width, dims + 10))
    q = _orthonormal(x.dot(omega))
    for _ in range(2):  # power iterations sharpen the leading directions
        q = _orthonormal(x.dot(x.tdot(q)))
    b = x.tdot(q).T  # Q^T X, (dims + 10) x width
    evals, evecs = np.linalg.eigh(b @ b.T)  # B = U S V^T: B B^T = U S^2 U^T
    top = np.argsort(-evals)[:dims]
    s = np.sqrt(np.clip(evals[top], 0, None))
    emb = (q @ evecs[:, top]) * s
    return _unit(emb.astype(np.float32))


class _Sparse:
    """A sparse matrix in coordinate form with the two products the SVD needs."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n: int, m: int) -> None:
        self.rows, self.cols, self.vals, self.shape = rows, cols, vals, (n, m)
        self.by_col = np.argsort(cols, kind="stable")

    def normalize_rows(self) -> None:
        norms = np.sqrt(np.bincount(self.rows, weights=self.vals ** 2, minlength=self.shape[0]))
        self.vals = self.vals / np.where(norms == 0, 1.0, norms)[self.rows]

    def dot(self, m: np.ndarray) -> np.ndarray:
        """X @ m."""
        return _segment_sum(self.rows, self.vals[:, None] * m[self.cols], self.shape[0])

    def tdot(self, m: np.ndarray) -> np.ndarray:
        """X^T @ m."""
        o = self.by_col
        return _segment_sum(self.cols[o], self.vals[o, None] * m[self.rows[o]], self.shape[1])


def _segment_sum(keys: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Rows of `values` summed per key (`keys` sorted ascending) into a (size, k) matrix."""
    out = np.zeros((size, values.shape[1]))
    if len(keys):
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        out[keys[starts]] = np.add.reduceat(values, starts, axis=0)
    return out


def _orthonormal(y: np.ndarray) -> np.ndarray:
    """Orthonormal columns spanning y (Cholesky QR with a small ridge)."""
    g = y.T @ y
    g += np.eye(len(g)) * (1e-6 * float(np.trace(g)) / len(g) + 1e-12)
    low = np.linalg.cholesky(g)
    return y @ np.linalg.inv(low).T


def kmeans(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Spherical k-means, k-means++ starts with a fixed seed; clusters numbered by size (largest 0)."""
    rng = np.random.default_rng(SEED)
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for _ in range(KMEANS_STARTS):
        centres = _plus_plus(x, k, rng)
        labels = np.zeros(len(x), dtype=np.int64)
        for it in range(KMEANS_ITERATIONS):
            new = np.argmax(x @ centres.T, axis=1)
            if it and np.array_equal(new, labels):
                break
            labels = new
            centres = _centres(x, labels, k, centres)
        score = float(np.sum(1.0 - np.max(x @ centres.T, axis=1)))
        if best is None or score < best[0] - 1e-9:
            best = (score, labels, centres)
    assert best is not None
    _, labels, centres = best
    sizes = np.bincount(labels, minlength=k)
    order = sorted(range(k), key=lambda c: (-sizes[c], c))
    remap = np.empty(k, dtype=np.int64)
    remap[order] = np.arange(k)
    return remap[labels], centres[order]


def _plus_plus(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    centres = [x[int(rng.integers(len(x)))]]
    dist = 1.0 - x @ centres[0]
    for _ in range(1, k):
        p = np.clip(dist, 0, None)
        total = float(p.sum())
        j = int(rng.choice(len(x), p=p / total)) if total > 0 else int(rng.integers(len(x)))
        centres.append(x[j])
        dist = np.minimum(dist, 1.0 - x @ x[j])
    return np.vstack(centres)


def _centres(x: np.ndarray, labels: np.ndarray, k: int, old: np.ndarray) -> np.ndarray:
    onehot = np.zeros((k, len(x)), dtype=x.dtype)
    onehot[labels, np.arange(len(x))] = 1.0
    out = onehot @ x
    for c in range(k):
        if not np.any(labels == c):
            # an empty cluster restarts at the document farthest from its centre
            far = int(np.argmin(np.max(x @ old.T, axis=1)))
            out[c] = x[far]
    return _unit(out)


def layout(x: np.ndarray, labels: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2-D coordinates of documents and cluster centres, scaled into [-1, 1].

    A projection of all documents onto one plane piles the clusters on top of each other, so the
    map is drawn in two steps: each cluster is a disc (area by size) placed by classical MDS of
    the distances between cluster centres (similar topics lie close), discs pushed apart until
    none overlap; inside its disc a document sits by its position on the cluster's own two main
    axes."""
    k = len(centres)
    sizes = np.bincount(labels, minlength=k).astype(np.float64)
    radius = 0.45 * np.sqrt(sizes / max(1.0, sizes.max()))
    c = centres.astype(np.float64)
    d2 = np.clip(2.0 - 2.0 * (c @ c.T), 0, None)
    j = np.eye(k) - 1.0 / k
    gram = -0.5 * j @ d2 @ j
    evals, evecs = np.linalg.eigh(gram)
    top = np.argsort(-evals)[:2]
    pos = evecs[:, top] * np.sqrt(np.clip(evals[top], 0, None))
    if pos.shape[1] < 2:
        pos = np.hstack([pos, np.zeros((k, 2 - pos.shape[1]))])
    for d in range(2):  # a fixed orientation: the largest cluster on the positive side
        if pos[0, d] < 0:
            pos[:, d] *= -1
    spread = float(np.max(np.abs(pos))) or 1.0
    pos = pos / spread
    pos = _separate(pos, radius)
    pts = np.zeros((len(x), 2))
    for cl in range(k):
        members = np.flatnonzero(labels == cl)
        if len(members) < 3:
            pts[members] = pos[cl]
            continue
        dev = (x[members] - centres[cl]).astype(np.float64)
        local = dev @ _principal(dev.T @ dev, 2)
        # each axis scaled on its own: a round disc, not a streak along the cluster's main axis
        reach = np.quantile(np.abs(local), 0.9, axis=0)
        local = local / np.where(reach > 0, reach, 1.0)
        pts[members] = pos[cl] + np.clip(local, -1.6, 1.6) * (0.7 * radius[cl])
    scale = float(np.max(np.abs(pts))) or 1.0
    return pts / scale, pos / scale


def _separate(pos: np.ndarray, radius: np.ndarray, gap: float = 0.06, rounds: int = 300) -> np.ndarray:
    """Push discs apart until no two overlap (deterministic: fixed order, fixed directions)."""
    pos = pos.copy()
    k = len(pos)
    for _ in range(rounds):
        moved = False
        for a in range(k):
            for b in range(a + 1, k):
                delta = pos[b] - pos[a]
                dist = float(np.hypot(*delta))
                need = radius[a] + radius[b] + gap
                if dist >= need:
                    continue
                if dist < 1e-9:
                    angle = 2.0 * math.pi * b / k
                    delta, dist = np.array([math.cos(angle), math.sin(angle)]), 1.0
                push = (need - dist) / 2.0 * delta / dist
                pos[a] -= push
                pos[b] += push
                moved = True
        if not moved:
            break
    return pos


def _principal(cov: np.ndarray, n: int) -> np.ndarray:
    """The `n` leading eigenvectors of a small symmetric matrix, as columns, sign-fixed."""
    evals, evecs = np.linalg.eigh(cov.astype(np.float64))
    vecs = evecs[:, np.argsort(-evals)[:n]]
    for j in range(vecs.shape[1]):
        if vecs[np.argmax(np.abs(vecs[:, j])), j] < 0:
            vecs[:, j] *= -1
    return vecs


def distinctive_terms(toks: list[list[str]], labels: np.ndarray, k: int, n: int = LABEL_TERMS) -> list[list[str]]:
    """Class-based TF-IDF: a term's share of the cluster's words times log(1 + mean cluster size in
    words / the term's count overall); a term must occur in two documents of the cluster."""
    per = [Counter() for _ in range(k)]  # type: list[Counter[str]]
    docfreq = [Counter() for _ in range(k)]  # type: list[Counter[str]]
    for doc, c in zip(toks, labels):
        per[c].update(doc)
        docfreq[c].update(set(doc))
    overall: Counter[str] = Counter()
    for cnt in per:
        overall.update(cnt)
    words = [sum(cnt.values()) for cnt in per]
    mean_words = sum(words) / max(1, k)
    out = []
    for c in range(k):
        scored = [(cnt / max(1, words[c]) * math.log(1 + mean_words / overall[t]), t)
                  for t, cnt in per[c].items() if docfreq[c][t] >= 2 or len(per[c]) < 20]
        scored.sort(key=lambda s: (-s[0], s[1]))
        out.append([t for _, t in scored[:n]])
    return out
