"""A columnar snapshot of the catalogue: the columns analytics reads, for every publication.

Analytics over a large result set must not load `Publication` objects one by one, nor read a
million-row catalogue table by table for every question. The snapshot keeps what the statistics
need as plain arrays under ``<home>/analysis/db-<tag>/snapshot-<format>-<state>/``, memory-mapped
when read, so selecting a result set touches only the rows it needs:

    publications   one row each, in catalogue id order (the row number is the snapshot's key):
                   number, catalogue id, jurisdiction, kind and document-type codes, publication /
                   application / earliest-priority year, family code and family size (publications
                   of the catalogue sharing the family id), forward citations (distinct citing
                   publications in the catalogue)
    parties        row, role code, name code, country code   (applicant, assignee, owner, inventor)
    classes        row, scheme code, symbol code              (ipc, cpc); `symbols.arrow` gives each
                   symbol its section, class, subclass, main group and WIPO technology field
    citations      row, kind (patent / npl), cited-by code, cited row (-1: not in the catalogue)
    names, families   the strings behind the codes (UTF-8 blob + offsets), decoded only for the set
    snapshot.json  format, the catalogue state it was read at, vocabularies, row counts

It is derived and rebuildable, like the search index. Its key is the catalogue's state (the number
of publications and the newest version row: every added or replaced record writes one), so the
first analysis after an ingest reads the catalogue again and the others read the arrays.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import mmap
import os
import shutil
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import String, cast, func, select

from ..config import Settings
from ..store import schema as S
from . import fields as TF
from . import ipc

FORMAT = 4
META = "snapshot.json"
BATCH_ROWS = 100_000
PARTY_ROLES = ("applicant", "assignee", "owner", "inventor")
CLASS_SCHEMES = ("ipc", "cpc")
CITATION_KINDS = ("patent", "npl")
YEAR_COLUMNS = {"publication": "publication_date", "application": "application_date",
                "priority": "earliest_priority_date"}

PUB_SCHEMA = {
    "pub_id": pl.Int64, "number": pl.String, "country": pl.String, "doc_number": pl.String,
    "kind": pl.String, "doc_type": pl.String, "publication_date": pl.String, "application_date": pl.String,
    "earliest_priority_date": pl.String, "family_id": pl.String,
}
PARTY_SCHEMA = {"pub_id": pl.Int64, "pos": pl.Int32, "role": pl.String, "name": pl.String, "country": pl.String}
CLASS_SCHEMA = {"pub_id": pl.Int64, "pos": pl.Int32, "scheme": pl.String, "symbol": pl.String}
CITATION_SCHEMA = {"pub_id": pl.Int64, "kind": pl.String, "cited_number": pl.String, "cited_by": pl.String}


@dataclass(frozen=True)
class CatalogueState:
    """What identifies the catalogue's content for analytics, and what the methodology page shows."""

    publications: int
    last_version: int
    last_run: int | None
    last_run_finished: str | None
    last_run_status: str | None

    @property
    def key(self) -> str:
        return f"{self.publications}-{self.last_version}"

    def to_dict(self) -> dict[str, Any]:
        return {"publications": self.publications, "last_version": self.last_version, "last_ingest_run": self.last_run,
                "last_ingest_finished": self.last_run_finished, "last_ingest_status": self.last_run_status}


def catalogue_state(catalogue: Any) -> CatalogueState:
    with catalogue.engine.connect() as conn:
        n = int(conn.execute(select(func.count()).select_from(S.publications)).scalar_one())
        last_version = conn.execute(select(func.max(S.versions.c.id))).scalar_one()
        run = conn.execute(select(S.ingest_runs.c.id, S.ingest_runs.c.finished_at, S.ingest_runs.c.status)
                           .order_by(S.ingest_runs.c.id.desc()).limit(1)).first()
    finished = run.finished_at if run is not None else None
    if isinstance(finished, dt.datetime):
        finished = finished.isoformat(timespec="seconds")
    return CatalogueState(publications=n, last_version=int(last_version or 0),
                          last_run=int(run.id) if run is not None else None,
                          last_run_finished=str(finished) if finished is not None else None,
                          last_run_status=run.status if run is not None else None)


class Strings:
    """Strings by code: a UTF-8 blob and offsets, decoded only for the codes asked for."""

    def __init__(self, blob: bytes | mmap.mmap, offsets: np.ndarray) -> None:
        self.blob = blob
        self.offsets = offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def get(self, codes: Sequence[int] | np.ndarray) -> list[str]:
        idx = np.asarray(codes, dtype=np.int64)
        starts = np.asarray(self.offsets[idx]).tolist()
        ends = np.asarray(self.offsets[idx + 1]).tolist()
        blob = self.blob
        return [blob[a:b].decode("utf-8") for a, b in zip(starts, ends)]


@dataclass
class Snapshot:
    path: Path
    state: CatalogueState
    meta: dict[str, Any]
    a: dict[str, np.ndarray]  # the arrays, memory-mapped
    names: Strings
    families: Strings
    symbols: pl.DataFrame  # symbol code -> symbol, section, class, subclass, group, field
    titles: dict[str, str | None]  # every section, class, subclass and main group code -> short IPC title

    @property
    def built_at(self) -> str:
        return str(self.meta["built_at"])

    @property
    def size(self) -> int:
        return len(self.a["number"])

    def vocab(self, name: str) -> list[Any]:
        return list(self.meta["vocab"][name])

    def code_of(self, name: str, value: str) -> int:
        values = self.meta["vocab"][name]
        return values.index(value) if value in values else -1

    def describe(self) -> dict[str, Any]:
        return {"catalogue": self.state.to_dict(), "snapshot_built_at": self.built_at, "rows": self.meta["rows"]}

    def lookup(self, numbers: Sequence[str]) -> tuple[np.ndarray, list[str]]:
        """Rows of the numbers found (in the order given, without repeats) and the numbers not found."""
        if not numbers or self.size == 0:
            return np.empty(0, dtype=np.int64), list(numbers)
        ordered, order = self.a["sorted_number"], self.a["order"]
        width = ordered.dtype.itemsize
        keys = np.array([n.encode("utf-8")[:width + 1] for n in numbers], dtype=f"S{width + 1}")
        pos = np.minimum(np.searchsorted(ordered, keys), len(order) - 1)
        hit = np.asarray(ordered[pos]) == keys
        rows = np.asarray(order[pos])
        found = rows[hit].astype(np.int64)
        _, first = np.unique(found, return_index=True)
        missing = [n for n, ok in zip(numbers, hit) if not ok]
        return found[np.sort(first)], missing

    def numbers(self, rows: np.ndarray) -> list[str]:
        return [b.decode("ascii", "replace") for b in self.a["number"][rows].tolist()]


_CACHE: dict[Path, Snapshot] = {}
_LOCK = threading.Lock()


def root_of(settings: Settings, catalogue: Any) -> Path:
    """One folder per database, so two catalogues sharing a home never mix."""
    tag = hashlib.sha256(str(catalogue.url).encode()).hexdigest()[:10]
    return settings.home / "analysis" / f"db-{tag}"


def load(settings: Settings, catalogue: Any, *, state: CatalogueState | None = None) -> Snapshot:
    """The snapshot of the catalogue as it is now: from memory, from disk, or read afresh."""
    state = state or catalogue_state(catalogue)
    root = root_of(settings, catalogue)
    path = root / f"snapshot-{FORMAT}-{state.key}"
    with _LOCK:
        cached = _CACHE.get(root)
        if cached is not None and cached.path == path:
            return cached
        if not (path / META).is_file():
            build(catalogue, path, state)
            _prune(root, keep=path)
        snap = read(path, state)
        _CACHE[root] = snap
        return snap


ARRAYS = ("number", "sorted_number", "order", "db_id", "country", "kind", "doc_type", "year_publication",
          "year_application", "year_priority", "family", "family_size", "forward", "p_row", "p_role", "p_name", "p_country", "c_row",
          "c_scheme", "c_symbol", "t_row", "t_kind", "t_by", "t_cited", "name_off", "family_off")


def read(path: Path, state: CatalogueState) -> Snapshot:
    meta = json.loads((path / META).read_text(encoding="utf-8"))
    a = {name: np.load(path / f"{name}.npy", mmap_mode="r") for name in ARRAYS}
    blob = {name: _map(path / f"{name}.bin") for name in ("names", "families")}
    return Snapshot(path=path, state=state, meta=meta, a=a, names=Strings(blob["names"], a["name_off"]),
                    families=Strings(blob["families"], a["family_off"]), symbols=pl.read_ipc(path / "symbols.arrow"),
                    titles=dict(pl.read_ipc(path / "titles.arrow").iter_rows()))


def _map(path: Path) -> bytes | mmap.mmap:
    """The file memory-mapped (read-only); an empty file as empty bytes (mmap refuses those)."""
    if path.stat().st_size == 0:
        return b""
    with open(path, "rb") as f:
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _prune(root: Path, keep: Path) -> None:
    """Older snapshots of the same database go; a process still reading one keeps its mapping."""
    for p in root.glob("snapshot-*"):
        if p != keep and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)


# ------------------------------------------------------------------------------------ building
def build(catalogue: Any, path: Path, state: CatalogueState) -> dict[str, Any]:
    """Read the analysed columns of every publication into arrays at `path` (atomically)."""
    start = time.perf_counter()
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    p, pa, c, ci = S.publications, S.parties, S.classifications, S.citations
    # dates travel as ISO text: parsing them per row in Python would dominate a large read
    pub_q = select(p.c.id, p.c.number, p.c.country, p.c.doc_number, p.c.kind, p.c.doc_type,
                   *(cast(p.c[name], String).label(name) for name in YEAR_COLUMNS.values()), p.c.family_id
                   ).order_by(p.c.id)
    party_q = (select(pa.c.pub_id, pa.c.pos, pa.c.role, pa.c.name, pa.c.country).where(pa.c.role.in_(PARTY_ROLES))
               .order_by(pa.c.pub_id, pa.c.pos))
    class_q = (select(c.c.pub_id, c.c.pos, c.c.scheme, c.c.symbol).where(c.c.scheme.in_(CLASS_SCHEMES))
               .order_by(c.c.pub_id, c.c.pos))
    cite_q = select(ci.c.pub_id, ci.c.kind, ci.c.cited_number, ci.c.cited_by)
    with catalogue.engine.connect() as conn:
        pubs = _fetch(conn, pub_q, PUB_SCHEMA).with_row_index("row")
        parties = _fetch(conn, party_q, PARTY_SCHEMA)
        classes = _fetch(conn, class_q, CLASS_SCHEMA)
        citations = _fetch(conn, cite_q, CITATION_SCHEMA)
    rows_of = pubs.select("pub_id", pl.col("row").cast(pl.Int32))
    vocab: dict[str, list[Any]] = {}
    out: dict[str, np.ndarray] = {}

    # publications
    width = max([1, *pubs["number"].str.len_bytes().to_list()])
    number = np.array([n.encode("utf-8") for n in pubs["number"].to_list()], dtype=f"S{width}")
    out["number"] = number
    out["order"] = np.argsort(number, kind="stable").astype(np.int32)
    out["sorted_number"] = number[out["order"]]
    out["db_id"] = pubs["pub_id"].to_numpy().astype(np.int64)
    for col in ("country", "kind", "doc_type"):
        out[col], vocab[col] = _codes(pubs[col], np.int16)
    for basis, col in YEAR_COLUMNS.items():
        year = pubs[col].str.slice(0, 4).cast(pl.Int16, strict=False).fill_null(0)
        out[f"year_{basis}"] = year.to_numpy().astype(np.int16)
    fam = pubs.select("row", "family_id")
    fam_ids = fam["family_id"].drop_nulls().unique().sort()
    fam_code = fam.join(pl.DataFrame({"family_id": fam_ids}).with_row_index("code"), on="family_id", how="left",
                        maintain_order="left")
    out["family"] = fam_code["code"].fill_null(-1).to_numpy().astype(np.int32)
    sizes = np.bincount(out["family"][out["family"] >= 0], minlength=len(fam_ids))
    out["family_size"] = np.where(out["family"] >= 0, sizes[np.maximum(out["family"], 0)] if len(sizes) else 1,
                                  1).astype(np.int32)
    fam_blob, out["family_off"] = _blob(fam_ids.to_list())

    # parties
    parties = parties.join(rows_of, on="pub_id", maintain_order="left")
    names = parties["name"].unique().sort()
    parties = parties.join(pl.DataFrame({"name": names}).with_row_index("name_id"), on="name", maintain_order="left")
    out["p_row"] = parties["row"].to_numpy().astype(np.int32)
    out["p_role"], vocab["role"] = _codes(parties["role"], np.int8)
    out["p_name"] = parties["name_id"].to_numpy().astype(np.int32)
    out["p_country"], vocab["party_country"] = _codes(parties["country"], np.int16)
    name_blob, out["name_off"] = _blob(names.to_list())

    # classifications
    classes = classes.join(rows_of, on="pub_id", maintain_order="left")
    symbols = classes["symbol"].unique().sort()
    classes = classes.join(pl.DataFrame({"symbol": symbols}).with_row_index("symbol_id"), on="symbol",
                           maintain_order="left")
    out["c_row"] = classes["row"].to_numpy().astype(np.int32)
    out["c_scheme"], vocab["scheme"] = _codes(classes["scheme"], np.int8)
    out["c_symbol"] = classes["symbol_id"].to_numpy().astype(np.int32)
    table = symbol_table(symbols.to_list())
    table.write_ipc(tmp / "symbols.arrow")
    codes = sorted({c for level in ipc.LEVELS for c in table[level].drop_nulls().to_list()})
    pl.DataFrame({"code": codes, "title": [ipc.short_title(c) for c in codes]},
                 schema={"code": pl.String, "title": pl.String}).write_ipc(tmp / "titles.arrow")

    # citations
    citations = resolve_citations(citations.join(rows_of, on="pub_id", maintain_order="left"),
                                  pubs.select(pl.col("row").cast(pl.Int32), "number", "country", "doc_number"))
    out["t_row"] = citations["row"].to_numpy().astype(np.int32)
    out["t_kind"] = (citations["kind"] == "npl").cast(pl.Int8).to_numpy()
    vocab["t_kind"] = list(CITATION_KINDS)
    out["t_by"], vocab["cited_by"] = _codes(citations["cited_by"], np.int8)
    out["t_cited"] = citations["cited_row"].fill_null(-1).to_numpy().astype(np.int32)
    out["forward"] = np.zeros(len(number), dtype=np.int32)
    resolved = out["t_cited"] >= 0
    if resolved.any():
        # distinct citing publications per cited one
        pairs = np.unique(out["t_row"][resolved].astype(np.int64) * len(number) + out["t_cited"][resolved])
        out["forward"] = np.bincount(pairs % len(number), minlength=len(number)).astype(np.int32)

    for name, arr in out.items():
        np.save(tmp / f"{name}.npy", np.ascontiguousarray(arr))
    (tmp / "names.bin").write_bytes(name_blob)
    (tmp / "families.bin").write_bytes(fam_blob)
    rows = {"publications": int(pubs.height), "parties": int(parties.height), "classifications": int(classes.height),
            "citations": int(citations.height)}
    meta = {"format": FORMAT, "state": state.to_dict(), "rows": rows, "vocab": vocab,
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - start, 3)}
    (tmp / META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
    if path.exists():
        shutil.rmtree(path)
    os.replace(tmp, path)
    return meta


def _fetch(conn: Any, q: Any, schema: dict[str, Any]) -> pl.DataFrame:
    names = list(schema)
    parts: list[pl.DataFrame] = []
    result = conn.execution_options(yield_per=BATCH_ROWS).execute(q)
    for chunk in result.partitions():
        cols = list(zip(*chunk)) if chunk else [() for _ in names]
        parts.append(pl.DataFrame({n: list(v) for n, v in zip(names, cols)}, schema=schema))
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.concat(parts, rechunk=True)


def _codes(values: pl.Series, dtype: Any) -> tuple[np.ndarray, list[Any]]:
    """Small-vocabulary codes: -1 for null, else the index in the sorted distinct values."""
    vocab = sorted(v for v in values.unique().to_list() if v is not None)
    index = {v: i for i, v in enumerate(vocab)}
    codes = values.replace_strict(index, default=-1, return_dtype=pl.Int32).to_numpy()
    return codes.astype(dtype), vocab


def _blob(strings: list[str]) -> tuple[bytes, np.ndarray]:
    encoded = [s.encode("utf-8") for s in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    if encoded:
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return b"".join(encoded), offsets


def symbol_table(symbols: list[str]) -> pl.DataFrame:
    """Each distinct symbol with its IPC-hierarchy codes and WIPO technology field."""
    return pl.DataFrame({
        "symbol_id": list(range(len(symbols))), "symbol": symbols,
        **{level: [ipc.level_of(s, level) for s in symbols] for level in ipc.LEVELS},
        "field": [TF.field_number(s) for s in symbols],
    }, schema={"symbol_id": pl.Int32, "symbol": pl.String, "section": pl.String, "class": pl.String,
               "subclass": pl.String, "group": pl.String, "field": pl.Int32})


def resolve_citations(citations: pl.DataFrame, pubs: pl.DataFrame) -> pl.DataFrame:
    """Add `cited_row`: the catalogue publication a patent citation names. The exact number first;
    else the number without its kind, when exactly one publication has it (a citation of the
    application that the catalogue holds as its grant of the same number, or the reverse)."""
    exact = pubs.select(pl.col("number").alias("cited_number"), pl.col("row").alias("cited_row"))
    base = pubs.select((pl.col("country") + pl.col("doc_number")).alias("cited_base"), pl.col("row").alias("base_row"))
    unique_base = (base.group_by("cited_base").agg(pl.col("base_row").first(), pl.len().alias("n"))
                   .filter(pl.col("n") == 1).drop("n"))
    out = (citations.join(exact, on="cited_number", how="left")
           .with_columns(number_base(pl.col("cited_number")).alias("cited_base"))
           .join(unique_base, on="cited_base", how="left")
           .with_columns(pl.when(pl.col("kind") == "npl").then(None)
                         .otherwise(pl.coalesce("cited_row", "base_row")).alias("cited_row")))
    return out.drop("cited_base", "base_row")


def number_base(numbers: pl.Expr) -> pl.Expr:
    """"US7783348B2" -> "US7783348", "USD586076S1" -> "USD586076"; unchanged when no kind follows."""
    base = numbers.str.extract(r"^([A-Z]{2}.*?[0-9])(?:[A-Z][0-9]?)?$", 1)
    return pl.coalesce(base, numbers)
