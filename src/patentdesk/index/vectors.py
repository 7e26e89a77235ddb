"""The passage vector store: embeddings of every publication, rebuildable from the catalogue.

Each publication is cut into passages (`passages`): title + abstract (one per language), the first
claim, the other claims in groups, and description chunks. Each passage gets one vector. The store
lives in ``settings.vectors_dir``:

    vectors.json        format, model identity, segment list, generation counter
    seg-000001.npy      float32 (n_passages, 512) vectors of one batch of publications
    seg-000001.json     the batch's publications: number, content hash, dates, family, languages,
                        and the (kind, ordinal) of each of its passages, in vector order
    hnsw.faiss + hnsw.json   approximate index, only when the store is large (`HNSW_MIN_PASSAGES`)

A segment is written completely before `vectors.json` lists it, so an interrupted `embed` loses at
most the batch in flight and the next run carries on (resumable). A publication re-embedded later
lives in a newer segment; the newest wins and the older rows are dropped at load and by compaction.

The model identity (`embed.ModelInfo`) is recorded; a store built with another model, version or
text normalization is never searched with the current encoder (`StaleVectors`) and `update`
re-embeds everything instead of mixing vectors.

Search is exact (one matrix-vector product) up to `HNSW_MIN_PASSAGES`; above it a faiss HNSW index
is built at the end of `update` and used unless a filter keeps too few passages. A document scores
by its best passage.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..config import Settings
from ..errors import ConfigError
from ..model import Publication
from .embed import DIM, Encoder, ModelInfo, default_encoder
from .lexicon import LexiconStore, english_words

FORMAT = 3
"""2: a title passage beside each title/abstract passage; 3: with its English lexicon
(`patentdesk.index.lexicon`). An older store is re-embedded."""
META_FILE = "vectors.json"
HNSW_MIN_PASSAGES = 1_000_000
"""Above this many passages queries go through a faiss HNSW index (exact search below)."""
# Measured at 1M passages (bench/embed_bench.py; 2 cores): M=32, efConstruction=48 builds in about
# 8 minutes and gives recall@10 0.96 against exact search at efSearch=256 (p50 2 ms); M=16 builds
# in 3.5 minutes but needs efSearch=512 for 0.92.
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 48
HNSW_EF_SEARCH = 256
HNSW_MIN_SELECTIVITY = 0.2
"""A filter that keeps fewer passages than this share is searched exactly (faster and exact)."""

KINDS = ("title_abstract", "claim1", "claims", "description", "title")
KIND_CODE = {k: i for i, k in enumerate(KINDS)}
CHUNK_CHARS = 900
"""Target passage length for claim groups and description chunks (about an abstract)."""
MAX_DESCRIPTION_CHUNKS = 12
MAX_CLAIM_CHUNKS = 8
BATCH_DOCS = 256
"""Publications per segment: the unit of resumption."""
COMPACT_SEGMENTS = 64
COMPACT_DEAD_SHARE = 0.3

ProgressFn = Callable[[str, dict[str, Any]], None]


class StaleVectors(ConfigError):
    """The vectors were built with another model (or none exist): `patentdesk embed` fixes it.
    The server answers 503: semantic search is not available until then, keyword search is."""

    status = 503
    code = "stale_vectors"


class VectorsMissing(StaleVectors):
    code = "vectors_missing"


# ----------------------------------------------------------------------------- passages
@dataclass(frozen=True)
class Passage:
    kind: str  # one of KINDS
    ordinal: int  # position among the passages of that kind
    lang: str
    text: str


_CLAIM_START_RE = re.compile(r"^\s*(\d+)\s*[.)]\s*")
_PARA_RE = re.compile(r"\n\s*\n|\n")


def passages(pub: Publication) -> list[Passage]:
    """The passages of a publication, in a fixed order (the store keeps only kind + ordinal)."""
    out: list[Passage] = []
    titles = {t.lang: t.text for t in pub.texts_of("title") if t.text and t.text.strip()}
    abstracts = {t.lang: t.text for t in pub.texts_of("abstract") if t.text and t.text.strip()}
    langs = list(dict.fromkeys([*abstracts, *titles]))
    # the abstract's languages first; a title alone only when no abstract exists in that language
    for i, lang in enumerate(sorted(langs, key=lambda lg: (lg not in abstracts, lg != "en", lg))[:3]):
        parts = [p for p in (titles.get(lang), abstracts.get(lang)) if p]
        if not abstracts.get(lang) and not titles.get(lang):
            continue
        out.append(Passage("title_abstract", i, lang, ". ".join(_squash(p) for p in parts)))
        if titles.get(lang) and abstracts.get(lang):
            # the title alone as well: a short, focused statement of the invention that a long
            # abstract dilutes (on the development set: cross-lingual recall@10 from Portuguese
            # 0.85 -> 0.89, from traditional Chinese 0.89 -> 0.90, English unchanged)
            out.append(Passage("title", i, lang, _squash(titles[lang])))
    claims_text = _preferred(pub, "claims")
    if claims_text is not None:
        lang, text = claims_text
        claims = _split_claims(text)
        if claims:
            out.append(Passage("claim1", 0, lang, claims[0]))
            for j, chunk in enumerate(_group(claims[1:], CHUNK_CHARS)[:MAX_CLAIM_CHUNKS]):
                out.append(Passage("claims", j, lang, chunk))
    desc = _preferred(pub, "description")
    if desc is not None:
        lang, text = desc
        paras = [_squash(p) for p in _PARA_RE.split(text) if p.strip()]
        for j, chunk in enumerate(_group(paras, CHUNK_CHARS)[:MAX_DESCRIPTION_CHUNKS]):
            out.append(Passage("description", j, lang, chunk))
    return out


def passage_text(pub: Publication, kind: str, ordinal: int) -> str | None:
    for p in passages(pub):
        if p.kind == kind and p.ordinal == ordinal:
            return p.text
    return None


def _preferred(pub: Publication, kind: str) -> tuple[str, str] | None:
    found = [t for t in pub.texts_of(kind) if t.text and t.text.strip()]
    if not found:
        return None
    best = next((t for t in found if t.lang == "en"), found[0])
    return best.lang, best.text


def _squash(text: str) -> str:
    return " ".join(text.split())


def _split_claims(text: str) -> list[str]:
    """One claim per line, as the readers store them; long unnumbered blocks stay whole."""
    claims: list[str] = []
    for line in text.splitlines():
        line = _squash(line)
        if not line:
            continue
        if claims and not _CLAIM_START_RE.match(line):
            claims[-1] += " " + line
        else:
            claims.append(line)
    return [_CLAIM_START_RE.sub("", c, count=1) or c for c in claims]


def _group(pieces: Sequence[str], target: int) -> list[str]:
    """Consecutive pieces joined up to about `target` characters; a long piece is cut at sentences."""
    out: list[str] = []
    cur = ""
    for piece in pieces:
        for part in _cut(piece, target * 2):
            if cur and len(cur) + 1 + len(part) > target:
                out.append(cur)
                cur = part
            else:
                cur = f"{cur} {part}" if cur else part
    if cur:
        out.append(cur)
    return out


_SENTENCE_END_RE = re.compile(r"(?<=[.;!?。；！？])\s*")


def _cut(text: str, limit: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    out: list[str] = []
    cur = ""
    for sent in _SENTENCE_END_RE.split(text):
        while len(sent) > limit:  # no sentence end in sight: hard cut
            out.append(sent[:limit])
            sent = sent[limit:]
        if cur and len(cur) + len(sent) > limit:
            out.append(cur)
            cur = sent
        else:
            cur = f"{cur} {sent}".strip()
    if cur:
        out.append(cur)
    return out


# ----------------------------------------------------------------------------- languages
_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA_RE = re.compile("[\u3040-\u30ff]")
_HANGUL_RE = re.compile("[\uac00-\ud7af]")
_WORD_RE = re.compile(r"[^\W\d_]+")
_STOPWORDS = {
    "en": frozenset(["the", "of", "and", "a", "an", "in", "to", "is", "for", "with", "by", "on", "that", "which", "from", "as", "are", "be", "at", "or", "this", "its"]),
    "pt": frozenset(["o", "a", "os", "as", "de", "do", "da", "dos", "das", "em", "no", "na", "nos", "nas", "um", "uma", "com", "para", "por", "que", "e", "é", "ao", "à", "pelo", "pela", "se", "são", "ou", "seu", "sua", "entre", "sem", "mais"]),
    "es": frozenset(["el", "la", "los", "las", "de", "del", "en", "un", "una", "con", "para", "por", "que", "y", "es", "al", "se", "su", "sus", "entre", "sin", "más"]),
    "fr": frozenset(["le", "la", "les", "de", "des", "du", "en", "un", "une", "avec", "pour", "par", "que", "et", "est", "au", "aux", "se", "sur", "dans", "sans"]),
    "de": frozenset(["der", "die", "das", "und", "ein", "eine", "mit", "für", "von", "zu", "ist", "im", "in", "den", "dem", "des", "auf", "bei", "aus"]),
}


def detect_language(text: str) -> str:
    """Rough language of a query or passage: script first, then stop words; "en" by default."""
    sample = text[:2000]
    letters = len(_WORD_RE.findall(sample)) or 1
    han = len(_HAN_RE.findall(sample))
    if _KANA_RE.search(sample):
        return "ja"
    if len(_HANGUL_RE.findall(sample)) > 2:
        return "ko"
    if han and han >= letters * 0.5:
        return "zh"
    words = [w.lower() for w in _WORD_RE.findall(sample)]
    best, best_n = "en", 0
    for lang, stops in _STOPWORDS.items():
        n = sum(1 for w in words if w in stops)
        if n > best_n:
            best, best_n = lang, n
    return best


def _base_lang(lang: str | None) -> str:
    return (lang or "und").split("-")[0].lower()


# ----------------------------------------------------------------------------- documents
@dataclass(frozen=True)
class DocEntry:
    number: str
    content_hash: str
    pd: int  # YYYYMMDD, 0 when unknown
    prd: int  # earliest priority YYYYMMDD, 0 when unknown
    family: str | None
    langs: str  # comma-separated base languages of the passages
    passages: tuple[tuple[int, int], ...]  # (kind code, ordinal) per vector row

    def to_json(self) -> list[Any]:
        return [self.number, self.content_hash, self.pd, self.prd, self.family, self.langs,
                [list(p) for p in self.passages]]

    @classmethod
    def from_json(cls, row: list[Any]) -> DocEntry:
        return cls(row[0], row[1], int(row[2]), int(row[3]), row[4], row[5], tuple((int(a), int(b)) for a, b in row[6]))


def _ymd(d: dt.date | None) -> int:
    return d.year * 10000 + d.month * 100 + d.day if d else 0


def doc_entry(pub: Publication, content_hash: str, pas: Sequence[Passage]) -> DocEntry:
    langs = []
    for p in pas:
        lang = _base_lang(p.lang)
        if lang == "und":
            lang = detect_language(p.text)
        langs.append(lang)
    return DocEntry(pub.number, content_hash, _ymd(pub.publication_date), _ymd(pub.earliest_priority_date),
                    pub.family_id, ",".join(dict.fromkeys(langs)),
                    tuple((KIND_CODE[p.kind], p.ordinal) for p in pas))


# ----------------------------------------------------------------------------- the store
@dataclass
class UpdateSummary:
    model: str
    rebuilt: bool = False
    reason: str | None = None
    embedded_docs: int = 0
    embedded_passages: int = 0
    removed_docs: int = 0
    unchanged_docs: int = 0
    total_docs: int = 0
    total_passages: int = 0
    seconds: float = 0.0
    hnsw: bool = False
    lexicon_words: int = 0
    """English words newly embedded into the lexicon (`patentdesk.index.lexicon`)."""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class VectorStore:
    """The vectors folder: read, update from the catalogue, search."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._loaded: tuple[Any, VectorIndex] | None = None
        self._lexicon: LexiconStore | None = None

    @classmethod
    def of(cls, settings: Settings) -> VectorStore:
        return _store_for(settings.vectors_dir)

    @property
    def lexicon(self) -> LexiconStore:
        """The embedded English words of the catalogue (`patentdesk.index.lexicon`)."""
        if self._lexicon is None:
            self._lexicon = LexiconStore(self.root)
        return self._lexicon

    # -- metadata --------------------------------------------------------------------------
    @property
    def meta_path(self) -> Path:
        return self.root / META_FILE

    def exists(self) -> bool:
        return self.meta_path.is_file()

    def meta(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.meta_path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
        except FileNotFoundError:
            return None
        except json.JSONDecodeError as e:
            raise ConfigError(f"vector store metadata {self.meta_path} is damaged ({e}); rebuild it with "
                              "`patentdesk embed --rebuild`") from None

    def model(self) -> ModelInfo | None:
        meta = self.meta()
        if not meta:
            return None
        return ModelInfo(**meta["model"])

    def check_model(self, info: ModelInfo) -> None:
        meta = self.meta()
        if meta is None:
            raise VectorsMissing("no vectors yet: run `patentdesk embed` to build them")
        if meta.get("format") != FORMAT:
            raise StaleVectors(f"the vector store has format {meta.get('format')}, this version reads {FORMAT}: "
                               "run `patentdesk embed` to rebuild it")
        have = ModelInfo(**meta["model"])
        if have != info:
            raise StaleVectors(f"the vectors were built with {have.key()}, the encoder is {info.key()}: "
                               "run `patentdesk embed` to re-embed the catalogue")

    def _write_meta(self, meta: dict[str, Any]) -> None:
        meta["updated"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        _atomic_write(self.meta_path, json.dumps(meta, indent=1).encode("utf-8"))

    def status(self) -> dict[str, Any]:
        meta = self.meta()
        if meta is None:
            return {"exists": False, "path": str(self.root)}
        idx = self.load(check=False)
        return {"exists": True, "path": str(self.root), "model": ModelInfo(**meta["model"]).key(),
                "documents": idx.n_docs, "passages": idx.n_passages, "segments": len(meta["segments"]),
                "generation": meta.get("generation", 0), "hnsw": idx.hnsw is not None, "updated": meta.get("updated"),
                "lexicon_words": len(lex) if (lex := self.lexicon.load(ModelInfo(**meta["model"]).key())) else 0}

    # -- segments --------------------------------------------------------------------------
    def _seg_paths(self, seg: int) -> tuple[Path, Path]:
        return self.root / f"seg-{seg:06d}.npy", self.root / f"seg-{seg:06d}.json"

    def _write_segment(self, seg: int, vectors: np.ndarray, docs: list[DocEntry]) -> None:
        vec_path, doc_path = self._seg_paths(seg)
        tmp = vec_path.with_suffix(".npy.tmp")
        with open(tmp, "wb") as f:
            np.save(f, np.ascontiguousarray(vectors, dtype=np.float32))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, vec_path)
        _atomic_write(doc_path, json.dumps({"docs": [d.to_json() for d in docs]}, ensure_ascii=False).encode("utf-8"))

    def _read_segment_docs(self, seg: int) -> list[DocEntry]:
        _, doc_path = self._seg_paths(seg)
        return [DocEntry.from_json(r) for r in json.loads(doc_path.read_text(encoding="utf-8"))["docs"]]

    def _live(self, meta: dict[str, Any]) -> dict[str, tuple[int, int, DocEntry]]:
        """number -> (segment, index of the doc in its segment, entry) for the newest copy of each."""
        live: dict[str, tuple[int, int, DocEntry]] = {}
        removed = set(meta.get("removed", ()))
        for seg in meta["segments"]:
            for i, d in enumerate(self._read_segment_docs(seg)):
                live[d.number] = (seg, i, d)
        for number in removed:
            live.pop(number, None)
        return live

    # -- update ----------------------------------------------------------------------------
    def update(self, catalogue: Any, encoder: Encoder | None = None, *, rebuild: bool = False,
               numbers: Iterable[str] | None = None, progress: ProgressFn | None = None,
               hnsw_min_passages: int = HNSW_MIN_PASSAGES) -> UpdateSummary:
        """Bring the vectors in line with the catalogue.

        Embeds publications that are new or whose content changed, forgets removed ones. With
        `numbers`, looks only at those (the incremental path after an ingest). A store made with
        another model is rebuilt from scratch (never mixed).
        """
        import time

        t0 = time.perf_counter()
        encoder = encoder or default_encoder()
        info = encoder.info
        summary = UpdateSummary(model=info.key())
        self.root.mkdir(parents=True, exist_ok=True)
        meta = self.meta()
        if meta is not None and not rebuild:
            if meta.get("format") != FORMAT:
                rebuild, summary.reason = True, f"store format {meta.get('format')} -> {FORMAT}"
            elif ModelInfo(**meta["model"]) != info:
                rebuild = True
                summary.reason = f"model changed: {ModelInfo(**meta['model']).key()} -> {info.key()}"
        if meta is None or rebuild:
            if meta is not None:
                self._clear()
            self.lexicon.clear()
            summary.rebuilt = meta is not None
            summary.reason = summary.reason or ("requested" if meta is not None else "new store")
            meta = {"format": FORMAT, "model": info.__dict__, "segments": [], "removed": [], "generation": 0,
                    "next_segment": 1,
                    "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
            self._write_meta(meta)
            numbers = None  # everything

        live = self._live(meta)
        current = _catalogue_hashes(catalogue, None if numbers is None else list(numbers))
        if numbers is None:
            gone = [n for n in live if n not in current]
        else:
            wanted = set(numbers)
            gone = [n for n in wanted if n in live and n not in current]
        pending = [n for n, h in current.items() if n not in live or live[n][2].content_hash != h]
        summary.unchanged_docs = len(current) - len(pending)
        if gone:
            meta["removed"] = sorted(set(meta.get("removed", ())) | set(gone))
            summary.removed_docs = len(gone)
        if progress:
            progress("start", {"documents": len(pending)})
        for start in range(0, len(pending), BATCH_DOCS):
            batch = pending[start:start + BATCH_DOCS]
            pubs = catalogue.get_many(batch)
            docs: list[DocEntry] = []
            texts: list[str] = []
            english: list[set[str]] = []
            for number in batch:
                pub = pubs.get(number)
                if pub is None:  # deleted meanwhile
                    continue
                pas = passages(pub)
                docs.append(doc_entry(pub, current[number], pas))
                texts.extend(p.text for p in pas)
                # a document's words count once: those of a changed document were counted when it
                # was first embedded (a word it gains waits for another document to use it)
                english.append(set() if number in live else
                               {w for p in pas if p.kind == "title_abstract" and p.lang == "en"
                                for w in english_words(p.text)})

            def tick(k: int) -> None:
                if progress:
                    progress("passages", {"n": k})

            vectors = encoder.encode(texts, progress=tick) if texts else np.empty((0, DIM), np.float32)
            seg = int(meta.get("next_segment", 1))
            self._write_segment(seg, vectors, docs)
            meta["segments"].append(seg)
            meta["next_segment"] = seg + 1
            revived = {d.number for d in docs}
            meta["removed"] = [n for n in meta.get("removed", ()) if n not in revived]
            meta["generation"] = int(meta.get("generation", 0)) + 1
            self._write_meta(meta)
            self.lexicon.add_documents(english)
            summary.embedded_docs += len(docs)
            summary.embedded_passages += len(texts)
            if progress:
                progress("documents", {"n": len(batch)})
        if gone and not pending:
            meta["generation"] = int(meta.get("generation", 0)) + 1
            self._write_meta(meta)
        self._maybe_compact(meta)
        if pending or summary.rebuilt:
            summary.lexicon_words = self.lexicon.refresh(encoder)
        self._loaded = None
        idx = self.load(check=False)
        summary.total_docs, summary.total_passages = idx.n_docs, idx.n_passages
        if idx.n_passages >= hnsw_min_passages:
            if idx.hnsw is None:
                if progress:
                    progress("hnsw", {"passages": idx.n_passages})
                build_hnsw(self, idx)
                self._loaded = None
            summary.hnsw = True
        summary.seconds = round(time.perf_counter() - t0, 3)
        return summary

    def _clear(self) -> None:
        for p in self.root.glob("seg-*"):
            p.unlink()
        for name in ("hnsw.faiss", "hnsw.json", META_FILE):
            (self.root / name).unlink(missing_ok=True)

    def _maybe_compact(self, meta: dict[str, Any]) -> None:
        segs = meta["segments"]
        if len(segs) < 2:
            return
        total = 0
        for seg in segs:
            total += sum(len(d.passages) for d in self._read_segment_docs(seg))
        live = self._live(meta)
        alive = sum(len(e.passages) for _, _, e in live.values())
        if len(segs) <= COMPACT_SEGMENTS and (total == 0 or (total - alive) / total <= COMPACT_DEAD_SHARE):
            return
        idx = self._assemble(meta)
        seg = int(meta.get("next_segment", 1))
        self._write_segment(seg, idx.vectors, idx.docs)
        old = list(segs)
        meta["segments"] = [seg]
        meta["next_segment"] = seg + 1
        meta["removed"] = []
        meta["generation"] = int(meta.get("generation", 0)) + 1
        self._write_meta(meta)
        for s in old:
            for p in self._seg_paths(s):
                p.unlink(missing_ok=True)

    # -- reading ---------------------------------------------------------------------------
    def load(self, *, check: bool = True, encoder_info: ModelInfo | None = None) -> VectorIndex:
        """The searchable index, cached until the store changes."""
        if check:
            self.check_model(encoder_info or default_encoder().info)
        meta = self.meta()
        if meta is None:
            raise VectorsMissing("no vectors yet: run `patentdesk embed` to build them")
        key = (meta.get("generation"), meta.get("segments"), _mtime(self.root / "hnsw.json"))
        with self._lock:
            if self._loaded is not None and self._loaded[0] == key:
                return self._loaded[1]
            idx = self._assemble(meta)
            idx.hnsw = load_hnsw(self, meta, idx)
            self._loaded = (key, idx)
            return idx

    def _assemble(self, meta: dict[str, Any]) -> VectorIndex:
        live = self._live(meta)
        by_seg: dict[int, list[tuple[int, DocEntry]]] = {}
        for seg, i, entry in live.values():
            by_seg.setdefault(seg, []).append((i, entry))
        parts: list[np.ndarray] = []
        docs: list[DocEntry] = []
        for seg in meta["segments"]:
            chosen = sorted(by_seg.get(seg, ()), key=lambda x: x[0])
            if not chosen:
                continue
            all_docs = self._read_segment_docs(seg)
            offsets = np.zeros(len(all_docs) + 1, dtype=np.int64)
            np.cumsum([len(d.passages) for d in all_docs], out=offsets[1:])
            vec_path, _ = self._seg_paths(seg)
            mat = np.load(vec_path, mmap_mode="r")
            if mat.shape[0] != offsets[-1] or (mat.ndim == 2 and mat.shape[1] != DIM):
                raise ConfigError(f"vector segment {vec_path.name} does not match its index: "
                                  "run `patentdesk embed --rebuild`")
            if len(chosen) == len(all_docs):
                parts.append(np.asarray(mat, dtype=np.float32))
            else:
                rows = np.concatenate([np.arange(offsets[i], offsets[i + 1]) for i, _ in chosen])
                parts.append(np.asarray(mat[rows], dtype=np.float32))
            docs.extend(e for _, e in chosen)
        vectors = np.concatenate(parts) if parts else np.empty((0, DIM), np.float32)
        return VectorIndex(vectors, docs)


_STORES: dict[Path, VectorStore] = {}
_STORES_LOCK = threading.Lock()


def _store_for(root: Path) -> VectorStore:
    """One store object per folder and process, so the loaded index is shared between requests."""
    root = Path(root).resolve()
    with _STORES_LOCK:
        store = _STORES.get(root)
        if store is None:
            store = _STORES[root] = VectorStore(root)
        return store


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _catalogue_hashes(catalogue: Any, numbers: list[str] | None) -> dict[str, str]:
    """number -> content hash of the catalogue's current publications (all, or the given ones)."""
    from sqlalchemy import select

    from ..store import schema as S

    p = S.publications
    out: dict[str, str] = {}
    with catalogue.engine.connect() as conn:
        if numbers is None:
            for number, h in conn.execute(select(p.c.number, p.c.content_hash).order_by(p.c.id)):
                out[number] = h
        else:
            for i in range(0, len(numbers), 500):
                q = select(p.c.number, p.c.content_hash).where(p.c.number.in_(numbers[i:i + 500]))
                for number, h in conn.execute(q):
                    out[number] = h
    return out


# ----------------------------------------------------------------------------- searching
@dataclass
class DocHit:
    doc: int  # index into VectorIndex.docs
    number: str
    score: float
    passage_kind: str
    passage_ordinal: int


@dataclass
class VectorIndex:
    vectors: np.ndarray  # (n_passages, DIM) float32, passages of one document contiguous
    docs: list[DocEntry]
    hnsw: Any = None
    doc_of: np.ndarray = field(init=False)
    starts: np.ndarray = field(init=False)
    pd: np.ndarray = field(init=False)
    prd: np.ndarray = field(init=False)
    by_number: dict[str, int] = field(init=False)
    nonempty: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        counts = np.fromiter((len(d.passages) for d in self.docs), dtype=np.int64, count=len(self.docs))
        self.starts = np.zeros(len(self.docs) + 1, dtype=np.int64)
        np.cumsum(counts, out=self.starts[1:])
        self.doc_of = np.repeat(np.arange(len(self.docs), dtype=np.int64), counts)
        self.pd = np.fromiter((d.pd for d in self.docs), dtype=np.int64, count=len(self.docs))
        self.prd = np.fromiter((d.prd for d in self.docs), dtype=np.int64, count=len(self.docs))
        self.by_number = {d.number: i for i, d in enumerate(self.docs)}
        self.nonempty = counts > 0

    @property
    def n_docs(self) -> int:
        return len(self.docs)

    @property
    def n_passages(self) -> int:
        return int(self.vectors.shape[0])

    def doc_mask(self, published_before: str | None = None, priority_before: str | None = None,
                 exclude: Iterable[int] = ()) -> np.ndarray | None:
        """Documents that pass the cut-offs (dates exclusive; unknown dates never pass a cut-off)."""
        mask: np.ndarray | None = None
        for arr, value in ((self.pd, published_before), (self.prd, priority_before)):
            if value:
                limit = _ymd(dt.date.fromisoformat(value))
                m = (arr > 0) & (arr < limit)
                mask = m if mask is None else mask & m
        ex = list(exclude)
        if ex:
            if mask is None:
                mask = np.ones(self.n_docs, dtype=bool)
            mask[ex] = False
        return mask

    def passage_rows(self, doc: int) -> slice:
        return slice(int(self.starts[doc]), int(self.starts[doc + 1]))

    def search(self, queries: np.ndarray, k: int, doc_mask: np.ndarray | None = None,
               exact: bool | None = None) -> list[DocHit]:
        """The k best documents for one or more query vectors (a document: its best passage
        against its best-matching query vector)."""
        q = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        if self.n_passages == 0 or k <= 0:
            return []
        use_hnsw = self.hnsw is not None and exact is not True
        if use_hnsw and doc_mask is not None:
            kept = float(np.count_nonzero(doc_mask)) / max(1, self.n_docs)
            use_hnsw = kept >= HNSW_MIN_SELECTIVITY
        if use_hnsw:
            return self._search_hnsw(q, k, doc_mask)
        return self._search_exact(q, k, doc_mask)

    def passage_scores(self, q: np.ndarray) -> np.ndarray:
        scores = self.vectors @ q[0] if len(q) == 1 else (self.vectors @ q.T).max(axis=1)
        return scores.astype(np.float32, copy=False)

    def _search_exact(self, q: np.ndarray, k: int, doc_mask: np.ndarray | None) -> list[DocHit]:
        scores = self.passage_scores(q)
        best = np.full(self.n_docs, -np.inf, dtype=np.float32)
        if self.n_docs:
            # documents without passages (no text at all) keep -inf; reduceat needs strictly
            # increasing starts inside the array
            best[self.nonempty] = np.maximum.reduceat(scores, self.starts[:-1][self.nonempty])
        if doc_mask is not None:
            best = np.where(doc_mask, best, -np.inf)
        k = min(k, int(np.count_nonzero(np.isfinite(best))))
        if k <= 0:
            return []
        top = np.argpartition(-best, k - 1)[:k]
        top = top[np.lexsort((top, -best[top]))]
        out = []
        for d in top:
            rows = self.passage_rows(int(d))
            j = int(np.argmax(scores[rows]))
            out.append(self._hit(int(d), float(best[d]), j))
        return out

    def _search_hnsw(self, q: np.ndarray, k: int, doc_mask: np.ndarray | None) -> list[DocHit]:
        import faiss

        want = min(self.n_passages, max(10 * k, 200))
        params = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
        params.efSearch = max(HNSW_EF_SEARCH, want)
        if doc_mask is not None:
            bits = np.packbits(doc_mask[self.doc_of], bitorder="little")
            params.sel = faiss.IDSelectorBitmap(self.n_passages, faiss.swig_ptr(bits))
        dist, ids = self.hnsw.search(q, want, params=params)
        best: dict[int, tuple[float, int]] = {}
        for row_scores, row_ids in zip(dist, ids):
            for s, pid in zip(row_scores, row_ids):
                if pid < 0:
                    continue
                d = int(self.doc_of[pid])
                if d not in best or s > best[d][0]:
                    best[d] = (float(s), int(pid - self.starts[d]))
        ranked = sorted(best.items(), key=lambda x: (-x[1][0], x[0]))[:k]
        return [self._hit(d, s, j) for d, (s, j) in ranked]

    def _hit(self, d: int, score: float, j: int) -> DocHit:
        kind, ordinal = self.docs[d].passages[j]
        return DocHit(d, self.docs[d].number, score, KINDS[kind], ordinal)

    def doc_vectors(self, doc: int) -> np.ndarray:
        return self.vectors[self.passage_rows(doc)]

    def doc_passages(self, doc: int) -> list[tuple[str, int]]:
        return [(KINDS[k], o) for k, o in self.docs[doc].passages]


# ----------------------------------------------------------------------------- HNSW
def build_hnsw(store: VectorStore, idx: VectorIndex, m: int = HNSW_M) -> Any:
    """Build and save the HNSW index of the current store (inner product on unit vectors)."""
    import faiss

    meta = store.meta() or {}
    index = faiss.IndexHNSWFlat(DIM, m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    for start in range(0, idx.n_passages, 100_000):
        index.add(np.ascontiguousarray(idx.vectors[start:start + 100_000]))
    tmp = store.root / "hnsw.faiss.tmp"
    faiss.write_index(index, str(tmp))
    os.replace(tmp, store.root / "hnsw.faiss")
    _atomic_write(store.root / "hnsw.json", json.dumps(
        {"generation": meta.get("generation"), "passages": idx.n_passages, "m": m,
         "ef_construction": HNSW_EF_CONSTRUCTION}).encode("utf-8"))
    return index


def load_hnsw(store: VectorStore, meta: dict[str, Any], idx: VectorIndex) -> Any:
    """The saved HNSW index when it was built for exactly this store state, else None."""
    info_path = store.root / "hnsw.json"
    if not info_path.is_file() or idx.n_passages < 1:
        return None
    info = json.loads(info_path.read_text(encoding="utf-8"))
    if info.get("generation") != meta.get("generation") or info.get("passages") != idx.n_passages:
        return None  # stale: exact search until the next `embed` rebuilds it
    import faiss

    index = faiss.read_index(str(store.root / "hnsw.faiss"))
    index.hnsw.efSearch = HNSW_EF_SEARCH  # type: ignore[attr-defined]
    return index


def update_after_ingest(settings: Settings, catalogue: Any, changed_numbers: list[str],
                        progress: ProgressFn | None = None) -> UpdateSummary | None:
    """Embed what an ingest added or changed, when the catalogue has a vector store at all."""
    store = VectorStore.of(settings)
    if not store.exists() or not changed_numbers:
        return None
    return store.update(catalogue, numbers=changed_numbers, progress=progress)

