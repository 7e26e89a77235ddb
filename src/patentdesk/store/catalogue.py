"""The catalogue: every publication the library loads, in one normalized shape.

`Catalogue.apply()` is the only write path for publications. It works in batches, one transaction
each, keyed by the canonical number, so an ingest killed at any point and run again ends with the
records of one clean run: a record is added, replaces an older version of itself, or leaves the
catalogue unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    String,
    Table,
    cast,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection

from ..errors import InvalidNumber, NotFound
from ..model import (
    Citation,
    Classification,
    Identifier,
    LegalEvent,
    Party,
    Priority,
    Provenance,
    Publication,
    Text,
)
from ..normalize import parse_number
from . import schema as S

ADDED, UPDATED, UNCHANGED = "added", "updated", "unchanged"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _text_safe(value: str) -> str:
    """PostgreSQL text cannot hold NUL; an excerpt of a binary file shows it as U+FFFD instead."""
    return value.replace("\x00", "\ufffd")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            # fewer, larger checkpoints: bulk loads otherwise spend their time in WAL fsyncs
            cur.execute("PRAGMA wal_autocheckpoint=16384")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    from ..ops.settings import pool_options

    return create_engine(url, pool_pre_ping=True, **pool_options())


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema with Alembic."""
    from alembic import command
    from alembic.config import Config

    here = Path(__file__).parent
    cfg = Config()
    cfg.set_main_option("script_location", str(here / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@dataclass(frozen=True)
class RunSummary:
    id: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    files: int
    read: int
    added: int
    updated: int
    unchanged: int
    skipped: int
    quarantined: int


class Catalogue:
    def __init__(self, url: str, *, create: bool = True) -> None:
        self.url = url
        if url.startswith("sqlite:///") and create:
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(url)
        if create:
            migrate(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ ingest runs
    def begin_run(self, command: str) -> int:
        with self.engine.begin() as conn:
            res = conn.execute(
                insert(S.ingest_runs).values(started_at=_now(), status="running", command=command, files=0, read=0,
                                             added=0, updated=0, unchanged=0, skipped=0, quarantined=0)
            )
            return int(res.inserted_primary_key[0])

    def finish_run(self, run_id: int, counts: dict[str, int], status: str = "finished") -> None:
        with self.engine.begin() as conn:
            conn.execute(update(S.ingest_runs).where(S.ingest_runs.c.id == run_id)
                         .values(finished_at=_now(), status=status, **counts))

    def runs(self, limit: int = 10) -> list[RunSummary]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(S.ingest_runs).order_by(S.ingest_runs.c.id.desc()).limit(limit)).mappings()
            return [RunSummary(**{k: r[k] for k in RunSummary.__dataclass_fields__}) for r in rows]

    # ------------------------------------------------------------------ rejections
    def reject(self, run_id: int | None, file: str, position: int, record: str | None, reason: str,
               disposition: str, excerpt: str | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(S.rejections).where(S.rejections.c.file == file, S.rejections.c.position == position,
                                                    S.rejections.c.disposition == disposition))
            conn.execute(insert(S.rejections).values(run_id=run_id, file=file, position=position, record=record,
                                                     reason=reason, disposition=disposition,
                                                     excerpt=_text_safe(excerpt or "")[:2000] or None,
                                                     created_at=_now()))

    def clear_rejection(self, file: str, position: int) -> None:
        """A record that loads now is no longer quarantined."""
        with self.engine.begin() as conn:
            conn.execute(delete(S.rejections).where(S.rejections.c.file == file, S.rejections.c.position == position))

    def rejections(self, disposition: str | None = None) -> list[dict[str, Any]]:
        q = select(S.rejections).order_by(S.rejections.c.file, S.rejections.c.position)
        if disposition:
            q = q.where(S.rejections.c.disposition == disposition)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    # ------------------------------------------------------------------ writing publications
    def apply(self, pubs: Sequence[Publication], run_id: int | None = None) -> list[str]:
        """Store a batch in one transaction; returns 'added' / 'updated' / 'unchanged' per record.

        New records, their child rows and version rows are held back and written together, one
        executemany per table (round trips, not rows, are what a batch costs); they are written out
        before a replacement, which must see every earlier row of its number."""
        if not pubs:
            return []
        # the last record for a number inside one batch wins, as it would across batches
        outcomes: list[str] = [UNCHANGED] * len(pubs)
        now = _now()
        with self.engine.begin() as conn:
            numbers = list({p.number for p in pubs})
            current = {r.number: _Cur(r.id, r.number, r.content_hash, r.source_rank) for r in conn.execute(
                select(S.publications.c.id, S.publications.c.number, S.publications.c.content_hash,
                       S.publications.c.source_rank).where(S.publications.c.number.in_(numbers)))}
            seen: dict[str, set[str]] = defaultdict(set)
            for r in conn.execute(select(S.versions.c.number, S.versions.c.content_hash)
                                  .where(S.versions.c.number.in_(numbers))):
                seen[r.number].add(r.content_hash)
            pending = _Pending()
            for i, pub in enumerate(pubs):
                h = pub.content_hash()
                cur = current.get(pub.number)
                prov = pub.provenance or Provenance("unknown", "", 0)
                if cur is None:
                    pending.added.append((pub, self._pub_row(pub, h, run_id, now)))
                    pending.versions.append(self._version_row(pub, h, prov, run_id, "current", now))
                    current[pub.number] = _Cur(None, pub.number, h, pub.source_rank)
                    seen[pub.number].add(h)
                    outcomes[i] = ADDED
                elif cur.content_hash == h or h in seen[pub.number]:
                    outcomes[i] = UNCHANGED
                elif pub.source_rank < cur.source_rank:
                    pending.versions.append(self._version_row(pub, h, prov, run_id, "superseded", now))
                    seen[pub.number].add(h)
                    outcomes[i] = UNCHANGED
                else:
                    pending.write(conn, current)
                    pub_id = cur.id
                    assert pub_id is not None  # written just now if it was added in this batch
                    conn.execute(update(S.versions).where(S.versions.c.number == pub.number,
                                                          S.versions.c.status == "current")
                                 .values(status="replaced", replaced_at=now))
                    for t in S.CHILD_TABLES:
                        conn.execute(delete(t).where(t.c.pub_id == pub_id))
                    conn.execute(update(S.publications).where(S.publications.c.id == pub_id)
                                 .values(**self._pub_row(pub, h, run_id, now)))
                    self._insert_children(conn, [(pub_id, pub)])
                    _insert_rows(conn, S.versions, [self._version_row(pub, h, prov, run_id, "current", now)])
                    current[pub.number] = _Cur(pub_id, pub.number, h, pub.source_rank)
                    seen[pub.number].add(h)
                    outcomes[i] = UPDATED
            pending.write(conn, current)
        return outcomes

    @staticmethod
    def _pub_row(pub: Publication, h: str, run_id: int | None, now: dt.datetime) -> dict[str, Any]:
        prov = pub.provenance or Provenance("unknown", "", 0)
        return dict(number=pub.number, country=pub.country, doc_number=pub.doc_number, kind=pub.kind,
                    doc_type=pub.doc_type, publication_date=pub.publication_date,
                    application_number=pub.application_number, application_country=pub.application_country,
                    application_date=pub.application_date, earliest_priority_date=pub.earliest_priority_date,
                    family_id=pub.family_id, family_source=pub.family_source, lang=pub.lang,
                    source_rank=pub.source_rank, content_hash=h, source=prov.source, source_file=prov.file,
                    source_position=prov.position, run_id=run_id, updated_at=now)

    @staticmethod
    def _version_row(pub: Publication, h: str, prov: Provenance, run_id: int | None, status: str,
                     now: dt.datetime) -> dict[str, Any]:
        return dict(number=pub.number, content_hash=h, source=prov.source, source_file=prov.file,
                    source_position=prov.position, source_rank=pub.source_rank, run_id=run_id, status=status,
                    seen_at=now)

    @staticmethod
    def _insert_children(conn: Connection, records: Sequence[tuple[int, Publication]]) -> None:
        """Child rows of several records, one executemany per table; `pos` keeps each tuple's order."""
        rows: dict[Table, list[tuple[Any, ...]]] = {t: [] for t in _CHILD_COLUMNS}
        for pub_id, pub in records:
            rows[S.texts] += [(pub_id, i, i, t.kind, t.lang, t.text) for i, t in enumerate(pub.texts)]
            rows[S.parties] += [(pub_id, p.sequence, i, p.role, p.name, p.country, p.city, p.address, p.kind)
                                for i, p in enumerate(pub.parties)]
            rows[S.classifications] += [(pub_id, c.sequence, i, c.scheme, c.symbol, c.version, c.level, c.value,
                                         c.country) for i, c in enumerate(pub.classifications)]
            rows[S.citations] += [(pub_id, c.sequence, i, c.kind, c.cited_number, c.cited_country, c.cited_date,
                                   c.text, c.cited_by, c.category) for i, c in enumerate(pub.citations)]
            rows[S.priorities] += [(pub_id, p.sequence, i, p.country, p.number, p.date, p.kind)
                                   for i, p in enumerate(pub.priorities)]
            rows[S.legal_events] += [(pub_id, e.sequence, i, e.date, e.code, e.description, e.country)
                                     for i, e in enumerate(pub.legal_events)]
            rows[S.identifiers] += [(pub_id, i, i, x.scheme, x.value) for i, x in enumerate(pub.identifiers)]
        for table, data in rows.items():
            _insert_many(conn, table, _CHILD_COLUMNS[table], data)

    # ------------------------------------------------------------------ reading
    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(S.publications)).scalar_one())

    def lookup(self, text: str) -> list[str]:
        """Canonical numbers matching any common spelling; several when the kind is not given."""
        pn = parse_number(text)
        q = select(S.publications.c.number).where(S.publications.c.country == pn.country,
                                                  S.publications.c.doc_number == pn.number)
        if pn.kind:
            q = q.where(S.publications.c.kind == pn.kind)
        with self.engine.connect() as conn:
            found = [r[0] for r in conn.execute(q.order_by(S.publications.c.publication_date.desc()))]
        if not found and pn.kind and len(pn.kind) == 1:
            # "US7783348B" -> any B kind
            with self.engine.connect() as conn:
                found = [r[0] for r in conn.execute(
                    select(S.publications.c.number).where(S.publications.c.country == pn.country,
                                                          S.publications.c.doc_number == pn.number,
                                                          S.publications.c.kind.like(pn.kind + "%")))]
        return found

    def resolve(self, text: str) -> str:
        """The one canonical number for a spelling; raises NotFound / InvalidNumber."""
        try:
            found = self.lookup(text)
        except InvalidNumber:
            raise
        if not found:
            raise NotFound(f"no publication {text!r} in the catalogue")
        return found[0]

    def get(self, number: str) -> Publication | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(S.publications).where(S.publications.c.number == number)).mappings().first()
            if row is None:
                return None
            return self._load(conn, [row])[0]

    def texts_of(self, numbers: Iterable[str], kinds: Sequence[str]) -> dict[str, list[tuple[str, str, str]]]:
        """The texts of these kinds for these publications, as (kind, lang, text) in stored order:
        one query, without loading the whole records (search snippets need only this)."""
        numbers = list(dict.fromkeys(numbers))
        out: dict[str, list[tuple[str, str, str]]] = {n: [] for n in numbers}
        if not numbers or not kinds:
            return out
        t, p = S.texts, S.publications
        with self.engine.connect() as conn:
            for i in range(0, len(numbers), 500):
                q = (select(p.c.number, t.c.kind, t.c.lang, t.c.text).join(t, t.c.pub_id == p.c.id)
                     .where(p.c.number.in_(numbers[i:i + 500]), t.c.kind.in_(list(kinds)))
                     .order_by(t.c.pub_id, t.c.pos, t.c.seq))
                for number, kind, lang, text in conn.execute(q):
                    out[number].append((kind, lang, text))
        return out

    def get_many(self, numbers: Iterable[str]) -> dict[str, Publication]:
        numbers = list(numbers)
        out: dict[str, Publication] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(numbers), 500):
                rows = list(conn.execute(select(S.publications)
                                         .where(S.publications.c.number.in_(numbers[i:i + 500]))).mappings())
                for p in self._load(conn, rows):
                    out[p.number] = p
        return out

    def iter_publications(self, batch_size: int = 500, since_run: int | None = None) -> Iterator[Publication]:
        """Every publication, in id order, loaded in batches (memory stays flat)."""
        last = 0
        while True:
            with self.engine.connect() as conn:
                q = select(S.publications).where(S.publications.c.id > last)
                if since_run is not None:
                    q = q.where(S.publications.c.run_id > since_run)
                rows = list(conn.execute(q.order_by(S.publications.c.id).limit(batch_size)).mappings())
                if not rows:
                    return
                last = rows[-1]["id"]
                yield from self._load(conn, rows)

    def _load(self, conn: Connection, rows: Sequence[Any]) -> list[Publication]:
        ids = [r["id"] for r in rows]
        kids: dict[str, dict[int, list[Any]]] = {}
        for t in S.CHILD_TABLES:
            grouped: dict[int, list[Any]] = defaultdict(list)
            for r in conn.execute(select(t).where(t.c.pub_id.in_(ids))
                                  .order_by(t.c.pub_id, t.c.pos, t.c.seq)).mappings():
                grouped[r["pub_id"]].append(r)
            kids[t.name] = grouped
        out = []
        for r in rows:
            i = r["id"]
            out.append(Publication(
                number=r["number"], country=r["country"], doc_number=r["doc_number"], kind=r["kind"],
                doc_type=r["doc_type"], publication_date=r["publication_date"],
                application_number=r["application_number"], application_date=r["application_date"],
                application_country=r["application_country"],
                earliest_priority_date=r["earliest_priority_date"], family_id=r["family_id"],
                family_source=r["family_source"], lang=r["lang"], source_rank=r["source_rank"],
                texts=tuple(Text(kind=x["kind"], lang=x["lang"], text=x["text"]) for x in kids["texts"][i]),
                parties=tuple(Party(name=x["name"], role=x["role"], sequence=x["seq"], country=x["country"],
                                    city=x["city"], address=x["address"], kind=x["party_kind"])
                              for x in kids["parties"][i]),
                classifications=tuple(Classification(scheme=x["scheme"], symbol=x["symbol"], sequence=x["seq"],
                                                     version=x["version"], level=x["level"], value=x["value"],
                                                     country=x["country"])
                                      for x in kids["classifications"][i]),
                citations=tuple(Citation(sequence=x["seq"], kind=x["kind"], cited_number=x["cited_number"],
                                         cited_country=x["cited_country"], cited_date=x["cited_date"],
                                         text=x["text"], cited_by=x["cited_by"], category=x["category"])
                                for x in kids["citations"][i]),
                priorities=tuple(Priority(country=x["country"], number=x["number"], date=x["date"],
                                          sequence=x["seq"], kind=x["kind"]) for x in kids["priorities"][i]),
                legal_events=tuple(LegalEvent(date=x["date"], code=x["code"], sequence=x["seq"],
                                              description=x["description"], country=x["country"])
                                   for x in kids["legal_events"][i]),
                identifiers=tuple(Identifier(scheme=x["scheme"], value=x["value"]) for x in kids["identifiers"][i]),
                provenance=Provenance(source=r["source"], file=r["source_file"], position=r["source_position"],
                                      run_id=r["run_id"]),
            ))
        return out

    def history(self, number: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(S.versions).where(S.versions.c.number == number)
                                                  .order_by(S.versions.c.id)).mappings()]

    def stats(self) -> dict[str, Any]:
        p = S.publications
        year = func.substr(cast(p.c.publication_date, String), 1, 4)
        with self.engine.connect() as conn:
            def grouped(col: Any) -> dict[str, int]:
                rows = conn.execute(select(col, func.count()).group_by(col).order_by(col))
                return {str(k) if k is not None else "unknown": int(n) for k, n in rows}

            return {
                "publications": int(conn.execute(select(func.count()).select_from(p)).scalar_one()),
                "by_source": grouped(p.c.source),
                "by_country": grouped(p.c.country),
                "by_kind": grouped(p.c.kind),
                "by_doc_type": grouped(p.c.doc_type),
                "by_year": grouped(year),
                "quarantined": int(conn.execute(select(func.count()).select_from(S.rejections)
                                                .where(S.rejections.c.disposition == "quarantined")).scalar_one()),
                "skipped": int(conn.execute(select(func.count()).select_from(S.rejections)
                                            .where(S.rejections.c.disposition == "skipped")).scalar_one()),
                "last_ingests": [
                    {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in r.__dict__.items()}
                    for r in self.runs(5)
                ],
            }


# child table -> its columns, in the order `Catalogue._insert_children` builds the rows
_CHILD_COLUMNS: dict[Table, tuple[str, ...]] = {
    S.texts: ("pub_id", "seq", "pos", "kind", "lang", "text"),
    S.parties: ("pub_id", "seq", "pos", "role", "name", "country", "city", "address", "party_kind"),
    S.classifications: ("pub_id", "seq", "pos", "scheme", "symbol", "version", "level", "value", "country"),
    S.citations: ("pub_id", "seq", "pos", "kind", "cited_number", "cited_country", "cited_date", "text", "cited_by",
                  "category"),
    S.priorities: ("pub_id", "seq", "pos", "country", "number", "date", "kind"),
    S.legal_events: ("pub_id", "seq", "pos", "date", "code", "description", "country"),
    S.identifiers: ("pub_id", "seq", "pos", "scheme", "value"),
}
# the driver's placeholder for each DB-API paramstyle that takes positional parameters
_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """`_insert_many` for rows as dicts that all have the same keys in the same order."""
    if rows:
        columns = tuple(rows[0])
        _insert_many(conn, table, columns, [tuple(r.values()) for r in rows])


def _insert_many(conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """One INSERT of many rows, handed straight to the driver's executemany.

    For the thousands of child rows of a batch, SQLAlchemy's per-row parameter handling costs more
    than the database's own work. Values pass the same bind processors (dates as text on SQLite)
    that SQLAlchemy would apply, so what is stored does not change."""
    if not rows:
        return
    dialect = conn.dialect
    mark = _PLACEHOLDERS.get(dialect.paramstyle)
    if mark is None:
        conn.execute(insert(table), [dict(zip(columns, r)) for r in rows])
        return
    processors = [(i, proc) for i, name in enumerate(columns)
                  if (proc := table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None]
    if processors:
        converted = []
        for row in rows:
            values = list(row)
            for i, proc in processors:
                values[i] = proc(values[i])
            converted.append(tuple(values))
        rows = converted
    prep = dialect.identifier_preparer
    sql = (f"INSERT INTO {prep.format_table(table)} ({', '.join(prep.quote(c) for c in columns)}) "
           f"VALUES ({', '.join([mark] * len(columns))})")
    conn.exec_driver_sql(sql, rows)


@dataclass
class _Cur:
    id: int | None  # None while the record is added but not yet written
    number: str
    content_hash: str
    source_rank: int


@dataclass
class _Pending:
    """The writes of a batch held back: new records (with their publications rows) and version rows,
    each list in record order, so that ids come out as they would one record at a time."""

    added: list[tuple[Publication, dict[str, Any]]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)

    def write(self, conn: Connection, current: dict[str, _Cur]) -> None:
        """Send what is held; the new records' ids go into `current`."""
        if self.added:
            _insert_rows(conn, S.publications, [row for _pub, row in self.added])
            numbers = [pub.number for pub, _row in self.added]
            ids: dict[str, int] = {}
            for i in range(0, len(numbers), 500):
                ids.update((r.number, r.id) for r in conn.execute(
                    select(S.publications.c.id, S.publications.c.number)
                    .where(S.publications.c.number.in_(numbers[i:i + 500]))))
            Catalogue._insert_children(conn, [(ids[pub.number], pub) for pub, _row in self.added])
            for number in numbers:
                current[number].id = ids[number]
        if self.versions:
            _insert_rows(conn, S.versions, self.versions)
        self.added.clear()
        self.versions.clear()
