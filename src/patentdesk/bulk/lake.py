"""The Parquet lake: what `patentdesk bulk ingest` / `bulk embed` write and `patentdesk load` reads.

Layout (every dataset is Hive-partitioned Parquet, readable by Spark, pyarrow, DuckDB, pandas)::

    LAKE/_lake.json                  the lake's identity: format, id, creation time
    LAKE/_runs/<run>.json            one bulk ingest run: inputs, engine, units with counts;
                                     written last, so a run without it never happened
    LAKE/_embeddings/<run>.json      one bulk embed run: model, the ingest runs it covered
    LAKE/publications/source=<reader>/year=<YYYY|unknown>/part-*.parquet
    LAKE/rejections/disposition=<quarantined|skipped>/part-*.parquet
    LAKE/embeddings/source=<reader>/year=<YYYY|unknown>/part-*.parquet

A publication row holds the record exactly (`record`: `Publication.to_dict()` as JSON, run id
left out) beside flat columns for analysis (number, country, kind, doc type, dates, family,
title). `unit` and `ordinal` keep the reading order of `patentdesk ingest`, which decides what a
catalogue keeps when one number comes twice. Every row names its `lake_run`; rows of a run
without a manifest (an engine that died half-way) are ignored.

`load_lake` brings the runs a catalogue has not loaded yet into it, one catalogue run per lake
run (its `command` names the lake and the run: that is the ledger), so loading again only adds
what is new. Embeddings go into the vector store through its own `update`, with an encoder that
answers from the lake (`LakeEncoder`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import ConfigError, UserError
from ..model import Provenance, Publication
from .units import (
    PUBLICATION,
    REJECTION,
    UNIT,
    Unit,
    record_json,
    text_key,
    unit_rows,
    year_of,
)

FORMAT = 1
PUBLICATIONS, REJECTIONS, EMBEDDINGS = "publications", "rejections", "embeddings"
PUB_PARTITIONS = ("source", "year")
REJ_PARTITIONS = ("disposition",)
EMB_PARTITIONS = ("source", "year")

# (column, type) in row order; types: str, int (32-bit), date, bytes. Partition columns last.
PUB_COLUMNS: tuple[tuple[str, str], ...] = (
    ("lake_run", "str"), ("unit", "int"), ("ordinal", "int"), ("number", "str"), ("country", "str"),
    ("doc_number", "str"), ("kind", "str"), ("doc_type", "str"), ("publication_date", "date"),
    ("application_number", "str"), ("application_date", "date"), ("earliest_priority_date", "date"),
    ("family_id", "str"), ("lang", "str"), ("title", "str"), ("content_hash", "str"), ("file", "str"),
    ("position", "int"), ("record", "str"), ("source", "str"), ("year", "str"),
)
REJ_COLUMNS: tuple[tuple[str, str], ...] = (
    ("lake_run", "str"), ("unit", "int"), ("ordinal", "int"), ("file", "str"), ("position", "int"),
    ("record", "str"), ("reason", "str"), ("excerpt", "str"), ("disposition", "str"),
)
EMB_COLUMNS: tuple[tuple[str, str], ...] = (
    ("embed_run", "str"), ("number", "str"), ("content_hash", "str"), ("model", "str"), ("kind", "str"),
    ("ordinal", "int"), ("lang", "str"), ("text_key", "str"), ("vector", "bytes"), ("source", "str"),
    ("year", "str"),
)
DATASETS = {PUBLICATIONS: (PUB_COLUMNS, PUB_PARTITIONS), REJECTIONS: (REJ_COLUMNS, REJ_PARTITIONS),
            EMBEDDINGS: (EMB_COLUMNS, EMB_PARTITIONS)}

ProgressFn = Callable[[str, dict[str, Any]], None]


class LakeError(ConfigError):
    code = "lake"


# ----------------------------------------------------------------------------- rows
def publication_row(lake_run: str, unit: int, ordinal: int, pub: Publication, content_hash: str) -> tuple[Any, ...]:
    prov = pub.provenance or Provenance("unknown", "", 0)
    return (lake_run, unit, ordinal, pub.number, pub.country, pub.doc_number, pub.kind, pub.doc_type,
            pub.publication_date, pub.application_number, pub.application_date, pub.earliest_priority_date,
            pub.family_id, pub.lang, pub.title, content_hash, prov.file, prov.position, record_json(pub),
            prov.source, year_of(pub.publication_date))


def rejection_row(lake_run: str, unit: int, ordinal: int, rej: dict[str, Any]) -> tuple[Any, ...]:
    return (lake_run, unit, ordinal, rej["file"], rej["position"], rej["record"], rej["reason"], rej["excerpt"],
            rej["disposition"])


def arrow_schema(columns: Sequence[tuple[str, str]]) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]

    types = {"str": pa.string(), "int": pa.int32(), "date": pa.date32(), "bytes": pa.binary()}
    return pa.schema([(name, types[t]) for name, t in columns])


# ----------------------------------------------------------------------------- the lake
def new_run_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _atomic_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, path)


@dataclass(frozen=True)
class Lake:
    root: Path

    @classmethod
    def open(cls, root: str | os.PathLike[str], *, create: bool = False) -> Lake:
        lake = cls(Path(root).expanduser().resolve())
        meta = lake.root / "_lake.json"
        if not meta.is_file():
            if not create:
                raise UserError(f"{root}: not a patentdesk lake (no _lake.json); write one with "
                                "`patentdesk bulk ingest --out`")
            if lake.root.exists() and any(lake.root.iterdir()):
                raise UserError(f"{root}: the folder is not empty and is not a patentdesk lake")
            _atomic_json(meta, {"format": FORMAT, "id": uuid.uuid4().hex, "created": _now(),
                                "patentdesk": __version__})
        info = lake.info()
        if info.get("format") != FORMAT:
            raise LakeError(f"{root}: lake format {info.get('format')}, this patentdesk reads format {FORMAT}")
        return lake

    def info(self) -> dict[str, Any]:
        return json.loads((self.root / "_lake.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]

    @property
    def id(self) -> str:
        return str(self.info()["id"])

    def path(self, dataset: str) -> Path:
        return self.root / dataset

    # -- manifests --------------------------------------------------------------------------
    def runs(self) -> list[dict[str, Any]]:
        """Complete ingest runs, oldest first."""
        return _manifests(self.root / "_runs")

    def embed_runs(self) -> list[dict[str, Any]]:
        return _manifests(self.root / "_embeddings")

    def write_run(self, manifest: dict[str, Any]) -> None:
        _atomic_json(self.root / "_runs" / f"{manifest['run']}.json", manifest)

    def write_embed_run(self, manifest: dict[str, Any]) -> None:
        _atomic_json(self.root / "_embeddings" / f"{manifest['run']}.json", manifest)

    # -- reading ----------------------------------------------------------------------------
    def dataset(self, name: str) -> Any:
        """The pyarrow dataset of `publications`, `rejections` or `embeddings` (maybe empty)."""
        import pyarrow.dataset as ds  # type: ignore[import-untyped]

        columns, parts = DATASETS[name]
        schema = arrow_schema(columns)
        part_schema = arrow_schema([c for c in columns if c[0] in parts])
        path = self.path(name)
        if not path.is_dir():
            return ds.dataset(schema.empty_table())
        # Partition values are read as text: "unknown" years beside numeric ones, same type everywhere.
        return ds.dataset(str(path), format="parquet", schema=schema,
                          partitioning=ds.partitioning(part_schema, flavor="hive"))


def _manifests(folder: Path) -> list[dict[str, Any]]:
    if not folder.is_dir():
        return []
    out = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]
    return sorted(out, key=lambda m: str(m["run"]))


# ----------------------------------------------------------------------------- writing (embedded engine)
def write_rows(lake: Lake, name: str, rows: Sequence[tuple[Any, ...]], basename: str) -> None:
    """Append rows to one dataset of the lake with pyarrow."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.dataset as ds  # type: ignore[import-untyped]

    if not rows:
        return
    columns, parts = DATASETS[name]
    schema = arrow_schema(columns)
    table = pa.Table.from_pylist([dict(zip((c for c, _ in columns), r)) for r in rows], schema=schema)
    ds.write_dataset(table, str(lake.path(name)), format="parquet",
                     partitioning=ds.partitioning(arrow_schema([c for c in columns if c[0] in parts]),
                                                  flavor="hive"),
                     basename_template=f"part-{basename}-{{i}}.parquet",
                     existing_data_behavior="overwrite_or_ignore")


def write_unit(lake_root: str, run: str, fmt: str | None, unit_t: Sequence[Any]) -> tuple[Any, ...]:
    """Parse one unit and write its rows to the lake; returns the unit's counts.

    The engines' workers call this with plain arguments. File names are fixed by run and unit
    (``part-<run>-u<unit>-<i>.parquet``), so a task that is run again (a retry, a speculative
    copy) replaces its own files instead of adding rows twice: the commit is idempotent.
    """
    lake = Lake(Path(lake_root))
    pubs: list[tuple[Any, ...]] = []
    rejs: list[tuple[Any, ...]] = []
    stats: tuple[Any, ...] = ()
    for tag, row in unit_rows(unit_t, fmt, run):
        if tag == PUBLICATION:
            pubs.append(row)
        elif tag == REJECTION:
            rejs.append(row)
        elif tag == UNIT:
            stats = row
    name = f"{run}-u{int(unit_t[0]):06d}"
    write_rows(lake, PUBLICATIONS, pubs, name)
    write_rows(lake, REJECTIONS, rejs, name)
    return stats


@dataclass
class BulkSummary:
    """What a bulk ingest run gave, as `patentdesk bulk ingest --json` prints it."""

    run: str
    lake: str
    engine: str
    units: int = 0
    files: int = 0
    read: int = 0
    publications: int = 0
    skipped: int = 0
    quarantined: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def run_manifest(run: str, engine: str, inputs: Sequence[str], fmt: str | None, units: Sequence[Unit],
                 unit_stats: Iterable[Sequence[Any]], started: str, seconds: float,
                 extra: dict[str, Any] | None = None) -> dict[str, Any]:
    stats = {int(s[0]): s for s in unit_stats}
    missing = [u.path for u in units if u.index not in stats]
    if missing:
        raise LakeError(f"the engine returned no result for {len(missing)} file(s), e.g. {missing[0]}")
    rows = []
    totals: Counter[str] = Counter()
    for u in units:
        s = stats[u.index]
        row = {"unit": u.index, "path": u.path, "size": u.size, "files": s[3], "read": s[4], "skipped": s[5],
               "quarantined": s[6], "publications": s[7], "seconds": s[8]}
        rows.append(row)
        for k in ("files", "read", "skipped", "quarantined", "publications"):
            totals[k] += int(row[k])
    return {"run": run, "engine": engine, "inputs": list(inputs), "format": fmt, "patentdesk": __version__,
            "started": started, "finished": _now(), "seconds": round(seconds, 3), "counts": dict(totals),
            "units": rows, **(extra or {})}


def summary_of(lake: Lake, manifest: dict[str, Any]) -> BulkSummary:
    c = manifest["counts"]
    return BulkSummary(run=manifest["run"], lake=str(lake.root), engine=manifest["engine"],
                       units=len(manifest["units"]), files=c.get("files", 0), read=c.get("read", 0),
                       publications=c.get("publications", 0), skipped=c.get("skipped", 0),
                       quarantined=c.get("quarantined", 0), seconds=manifest["seconds"])


def embedded_ingest(inputs: Sequence[str], out: str | os.PathLike[str], *, fmt: str | None = None,
                    progress: ProgressFn | None = None, flush_rows: int = 2000) -> BulkSummary:
    """`bulk ingest --engine embedded`: the units one after the other in this process."""
    from .units import plan

    if fmt:
        from ..ingest.base import get_reader

        get_reader(fmt)  # an unknown format is a usage error before any work
    units = plan(inputs)
    lake = Lake.open(out, create=True)
    run = new_run_id()
    started, t0 = _now(), time.perf_counter()
    pubs: list[tuple[Any, ...]] = []
    rejs: list[tuple[Any, ...]] = []
    stats: list[tuple[Any, ...]] = []
    part = 0

    def flush() -> None:
        nonlocal part
        write_rows(lake, PUBLICATIONS, pubs, f"{run}-{part:05d}")
        write_rows(lake, REJECTIONS, rejs, f"{run}-{part:05d}")
        pubs.clear()
        rejs.clear()
        part += 1

    for u in units:
        if progress:
            progress("file", {"name": u.path, "size": u.size})
        for tag, row in unit_rows(u.to_tuple(), fmt, run):
            if tag == PUBLICATION:
                pubs.append(row)
            elif tag == REJECTION:
                rejs.append(row)
            elif tag == UNIT:
                stats.append(row)
        if len(pubs) >= flush_rows:
            flush()
        if progress:
            progress("file_done", {"name": u.path, "size": u.size})
    flush()
    manifest = run_manifest(run, "embedded", inputs, fmt, units, stats, started, time.perf_counter() - t0)
    lake.write_run(manifest)
    return summary_of(lake, manifest)


def pending_embed_runs(lake: Lake, model_key: str) -> list[str]:
    """Ingest runs of the lake that no embed run has covered with this model yet."""
    covered = {r for m in lake.embed_runs() if m.get("model") == model_key for r in m.get("runs", ())}
    return [m["run"] for m in lake.runs() if m["run"] not in covered]


def embedded_embed(lake_path: str | os.PathLike[str], *, encoder: Any | None = None,
                   progress: ProgressFn | None = None, flush_rows: int = 5000) -> dict[str, Any]:
    """`bulk embed --engine embedded`: passage vectors of the lake's new runs, in this process."""
    import pyarrow.dataset as ds  # type: ignore[import-untyped]

    from ..index.embed import default_encoder
    from .units import embed_rows

    lake = Lake.open(lake_path)
    enc = encoder or default_encoder()
    key = enc.info.key()
    runs = pending_embed_runs(lake, key)
    erun = new_run_id()
    started, t0 = _now(), time.perf_counter()
    rows: list[tuple[Any, ...]] = []
    count = docs = part = 0
    if runs:
        scanner = lake.dataset(PUBLICATIONS).scanner(
            columns=["number", "content_hash", "record", "source", "year"], filter=ds.field("lake_run").isin(runs))

        def records() -> Iterator[tuple[str, str, str, str, str]]:
            nonlocal docs
            for batch in scanner.to_batches():
                for r in batch.to_pylist():
                    docs += 1
                    yield r["number"], r["content_hash"], r["record"], r["source"], r["year"]

        for row in embed_rows(records(), enc):
            rows.append((erun, *row))
            count += 1
            if len(rows) >= flush_rows:
                write_rows(lake, EMBEDDINGS, rows, f"{erun}-{part:05d}")
                rows.clear()
                part += 1
                if progress:
                    progress("passages", {"n": count})
        write_rows(lake, EMBEDDINGS, rows, f"{erun}-{part:05d}")
    manifest = {"run": erun, "engine": "embedded", "model": key, "runs": runs, "documents": docs,
                "passages": count, "started": started, "finished": _now(),
                "seconds": round(time.perf_counter() - t0, 3), "patentdesk": __version__}
    lake.write_embed_run(manifest)
    return manifest


# ----------------------------------------------------------------------------- loading
@dataclass
class LoadSummary:
    """What `patentdesk load` did; the counts have the meaning of `patentdesk ingest`'s."""

    runs: list[str] = field(default_factory=list)
    run_ids: list[int] = field(default_factory=list)
    files: int = 0
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    quarantined: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    changed_numbers: list[str] = field(default_factory=list, repr=False)
    vectors: dict[str, Any] | None = None

    def counts(self) -> dict[str, int]:
        from ..ingest.pipeline import COUNT_FIELDS

        return {k: getattr(self, k) for k in COUNT_FIELDS}

    def to_dict(self) -> dict[str, Any]:
        return {"runs": self.runs, "run_ids": self.run_ids, **self.counts(), "errors": self.errors,
                "vectors": self.vectors}


_LEDGER_RE = re.compile(r" lake=(\w+) run=([\w-]+)$")


def _ledger_command(lake: Lake, run: str) -> str:
    return f"load {lake.root} lake={lake.id} run={run}"


def loaded_runs(catalogue: Any, lake: Lake) -> tuple[set[str], set[str]]:
    """(runs this catalogue loaded completely, runs it began to load) of this lake."""
    from sqlalchemy import select

    from ..store import schema as S

    done: set[str] = set()
    tried: set[str] = set()
    r = S.ingest_runs
    with catalogue.engine.connect() as conn:
        rows = conn.execute(select(r.c.command, r.c.status).where(r.c.command.like(f"load % lake={lake.id} run=%")))
        for command, status in rows:
            m = _LEDGER_RE.search(command or "")
            if m and m.group(1) == lake.id:
                (done if status == "finished" else tried).add(m.group(2))
    return done, tried - done


def load_lake(catalogue: Any, lake_path: str | os.PathLike[str], *, batch_size: int = 200,
              progress: ProgressFn | None = None) -> LoadSummary:
    """Bring the lake's ingest runs that this catalogue has not loaded yet into it."""
    lake = Lake.open(lake_path)
    done, tried = loaded_runs(catalogue, lake)
    summary = LoadSummary()
    for manifest in lake.runs():
        run = manifest["run"]
        if run in done:
            continue
        _load_run(catalogue, lake, manifest, summary, batch_size, progress, retry=run in tried)
        summary.runs.append(run)
    summary.changed_numbers = list(dict.fromkeys(summary.changed_numbers))
    return summary


def _load_run(catalogue: Any, lake: Lake, manifest: dict[str, Any], summary: LoadSummary, batch_size: int,
              progress: ProgressFn | None, *, retry: bool) -> None:
    import pyarrow.compute as pc  # type: ignore[import-untyped]
    import pyarrow.dataset as ds  # type: ignore[import-untyped]

    from ..store.catalogue import ADDED, UPDATED

    run = manifest["run"]
    run_id = catalogue.begin_run(_ledger_command(lake, run))
    summary.run_ids.append(run_id)
    counts = {"files": 0, "read": 0, "added": 0, "updated": 0, "unchanged": 0, "skipped": 0, "quarantined": 0}
    status = "failed"
    try:
        mine = ds.field("lake_run") == run
        # rejections: written as the ingest loop writes them (the catalogue keeps one per file,
        # position and disposition)
        rej = lake.dataset(REJECTIONS).to_table(filter=mine).sort_by([("unit", "ascending"),
                                                                      ("ordinal", "ascending")])
        for r in rej.to_pylist():
            catalogue.reject(run_id, r["file"], r["position"], r["record"], r["reason"], r["disposition"],
                             r["excerpt"])
            if r["disposition"] == "quarantined":
                summary.errors.append({"file": r["file"], "record": r["record"] or (
                    f"document {r['position']}" if r["position"] else None), "position": r["position"],
                    "reason": r["reason"]})

        pubs = lake.dataset(PUBLICATIONS)
        numbers = pubs.to_table(columns=["number"], filter=mine).column("number")
        vc = pc.value_counts(numbers)
        repeated = {v["values"] for v in vc.to_pylist() if v["counts"] > 1}
        later: list[tuple[int, int, str, str]] = []
        batch: list[Publication] = []

        def flush() -> None:
            if not batch:
                return
            for pub, outcome in zip(batch, catalogue.apply(batch, run_id)):
                if outcome in (ADDED, UPDATED):
                    summary.changed_numbers.append(pub.number)
                    counts[outcome] += 1
                else:
                    counts["unchanged"] += 1
                    if retry:  # an interrupted load may have stored it without indexing it
                        summary.changed_numbers.append(pub.number)
            if progress:
                progress("records", {"count": len(batch)})
            batch.clear()

        scanner = pubs.scanner(columns=["unit", "ordinal", "number", "content_hash", "record"], filter=mine)
        for rb in scanner.to_batches():
            for r in rb.to_pylist():
                if r["number"] in repeated:
                    # One number read twice: the catalogue's choice depends on the reading order,
                    # so these go in afterwards in that order. Different numbers never interact.
                    later.append((r["unit"], r["ordinal"], r["content_hash"], r["record"]))
                    continue
                batch.append(_publication(r["record"], r["content_hash"], run_id))
                if len(batch) >= batch_size:
                    flush()
        flush()
        for _, _, h, record in sorted(later, key=lambda x: (x[0], x[1])):
            batch.append(_publication(record, h, run_id))
            if len(batch) >= batch_size:
                flush()
        flush()
        c = manifest["counts"]
        counts.update(files=int(c.get("files", 0)), read=int(c.get("read", 0)), skipped=int(c.get("skipped", 0)),
                      quarantined=int(c.get("quarantined", 0)))
        status = "finished"
    finally:
        catalogue.finish_run(run_id, counts, status=status)
    for k, v in counts.items():
        setattr(summary, k, getattr(summary, k) + v)


def _publication(record: str, content_hash: str, run_id: int) -> Publication:
    pub = Publication.from_dict(json.loads(record))
    if pub.content_hash() != content_hash:
        raise LakeError(f"{pub.number}: the record in the lake does not match its content hash (a lake "
                        "written by another patentdesk version?); write the lake again")
    prov = pub.provenance or Provenance("unknown", "", 0)
    return pub.with_provenance(Provenance(prov.source, prov.file, prov.position, run_id))


# ----------------------------------------------------------------------------- vectors
class LakeEncoder:
    """An encoder for `VectorStore.update` that answers with the lake's vectors.

    The store cuts passages and asks for their vectors as usual; a passage whose text the lake
    has a vector for (same model) gets that vector, any other is encoded here by the real encoder,
    so the store never mixes models and never misses a passage.
    """

    def __init__(self, vectors: dict[str, Any], encoder: Any | None = None) -> None:
        from ..index.embed import model_info

        self.info = model_info() if encoder is None else encoder.info
        self._vectors = vectors
        self._encoder = encoder
        self.hits = 0
        self.computed = 0

    def encode(self, texts: Iterable[str], *, progress: Callable[[int], None] | None = None,
               normalized: bool = False) -> Any:
        import numpy as np

        from ..index.embed import DIM, default_encoder

        items = list(texts)
        out = np.empty((len(items), DIM), dtype=np.float32)
        missing: list[int] = []
        for i, t in enumerate(items):
            vec = self._vectors.get(text_key(t))
            if vec is None:
                missing.append(i)
            else:
                out[i] = np.frombuffer(vec, dtype="<f4")
        if missing:
            self._encoder = self._encoder or default_encoder()
            out[missing] = self._encoder.encode([items[i] for i in missing], normalized=normalized)
        self.hits += len(items) - len(missing)
        self.computed += len(missing)
        if progress:
            progress(len(items))
        return out


def lake_vectors(lake: Lake, model_key: str, numbers: Sequence[str] | None) -> dict[str, bytes]:
    """text key -> vector bytes of the lake's embeddings with this model (of these numbers)."""
    import pyarrow.dataset as ds  # type: ignore[import-untyped]

    flt = ds.field("model") == model_key
    if numbers is not None:
        flt = flt & ds.field("number").isin(list(numbers))
    table = lake.dataset(EMBEDDINGS).to_table(columns=["text_key", "vector"], filter=flt)
    return dict(zip(table.column("text_key").to_pylist(), table.column("vector").to_pylist()))


VECTOR_CHUNK = 20_000


def update_vectors(settings: Any, catalogue: Any, lake_path: str | os.PathLike[str], numbers: Sequence[str],
                   progress: ProgressFn | None = None) -> dict[str, Any] | None:
    """Bring the vector store in line after a load: when it exists, or when the lake has vectors."""
    from ..index.embed import model_info
    from ..index.vectors import VectorStore

    lake = Lake.open(lake_path)
    key = model_info().key()
    has_vectors = any(m.get("model") == key for m in lake.embed_runs())
    store = VectorStore.of(settings)
    if not numbers or not (store.exists() or has_vectors):
        return None
    creating = not store.exists()
    # computed: passages the lake had no vector for; lexicon words are always embedded here
    total: dict[str, Any] = {"embedded_docs": 0, "from_lake": 0, "computed": 0, "lexicon_words": 0}
    chunks = [None] if creating else [numbers[i:i + VECTOR_CHUNK] for i in range(0, len(numbers), VECTOR_CHUNK)]
    for chunk in chunks:
        enc = LakeEncoder(lake_vectors(lake, key, chunk) if has_vectors else {})
        res = store.update(catalogue, encoder=enc, numbers=chunk)  # type: ignore[arg-type]
        total["embedded_docs"] += res.embedded_docs
        total["from_lake"] += enc.hits
        total["computed"] += enc.computed - res.lexicon_words
        total["lexicon_words"] += res.lexicon_words
        total.update(total_docs=res.total_docs, total_passages=res.total_passages, model=res.model)
    return total
