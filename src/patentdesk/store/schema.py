"""The catalogue schema (SQLAlchemy Core). Alembic migrations in `migrations/` create exactly this;
`tests/store/test_migrations.py` checks that they agree."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ingest_runs = Table(
    "ingest_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),  # running | finished | failed
    Column("command", Text),
    Column("files", Integer, nullable=False, default=0),
    Column("read", Integer, nullable=False, default=0),
    Column("added", Integer, nullable=False, default=0),
    Column("updated", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("skipped", Integer, nullable=False, default=0),
    Column("quarantined", Integer, nullable=False, default=0),
)

publications = Table(
    "publications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(40), nullable=False, unique=True),
    Column("country", String(8), nullable=False),
    Column("doc_number", String(32), nullable=False),
    Column("kind", String(16)),
    Column("doc_type", String(20), nullable=False),
    Column("publication_date", Date),
    Column("application_number", String(64)),
    Column("application_country", String(8)),
    Column("application_date", Date),
    Column("earliest_priority_date", Date),
    Column("family_id", String(64)),
    Column("family_source", String(16)),
    Column("lang", String(12)),
    Column("source_rank", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("source", String(40), nullable=False),
    Column("source_file", Text, nullable=False),
    Column("source_position", Integer, nullable=False),
    Column("run_id", Integer, ForeignKey("ingest_runs.id")),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index(None, "country", "doc_number"),
    Index(None, "publication_date"),
    Index(None, "family_id"),
    Index(None, "run_id"),
)


def _child(name: str, *columns: Column, indexes: tuple = ()) -> Table:
    return Table(
        name,
        metadata,
        Column("pub_id", Integer, ForeignKey("publications.id", ondelete="CASCADE"), nullable=False),
        Column("seq", Integer, nullable=False),
        # position in the record's tuple: `seq` alone does not keep the order (a party's is per role)
        Column("pos", Integer, nullable=False, server_default="0"),
        *columns,
        Index(None, "pub_id"),
        *indexes,
    )


texts = _child(
    "texts",
    Column("kind", String(16), nullable=False),
    Column("lang", String(12), nullable=False),
    Column("text", Text, nullable=False),
)

parties = _child(
    "parties",
    Column("role", String(16), nullable=False),
    Column("name", Text, nullable=False),
    Column("country", String(8)),
    Column("city", Text),
    Column("address", Text),
    Column("party_kind", String(16)),
    indexes=(Index(None, "name"),),
)

classifications = _child(
    "classifications",
    Column("scheme", String(12), nullable=False),
    Column("symbol", String(40), nullable=False),
    Column("version", String(16)),
    Column("level", String(8)),
    Column("value", String(8)),
    Column("country", String(8)),
    indexes=(Index(None, "scheme", "symbol"),),
)

citations = _child(
    "citations",
    Column("kind", String(8), nullable=False),
    Column("cited_number", String(64)),
    Column("cited_country", String(8)),
    Column("cited_date", Date),
    Column("text", Text),
    Column("cited_by", String(16)),
    Column("category", String(16)),
    indexes=(Index(None, "cited_number"),),
)

priorities = _child(
    "priorities",
    Column("country", String(8)),
    Column("number", String(64), nullable=False),
    Column("date", Date),
    Column("kind", String(32)),  # national / provisional / continuation-in-part ...
)

legal_events = _child(
    "legal_events",
    Column("date", Date),
    Column("code", String(64), nullable=False),
    Column("description", Text),
    Column("country", String(8)),
)

identifiers = _child(
    "identifiers",
    Column("scheme", String(32), nullable=False),  # lens / docdb / related-publication ...
    Column("value", String(128), nullable=False),
    indexes=(Index(None, "scheme", "value"),),
)

# Every version of every record ever loaded: the replacement log, and the memory that lets a
# re-ingest of an older file leave the newer record in place.
versions = Table(
    "versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(40), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("source", String(40), nullable=False),
    Column("source_file", Text, nullable=False),
    Column("source_position", Integer, nullable=False),
    Column("source_rank", Integer, nullable=False),
    Column("run_id", Integer, ForeignKey("ingest_runs.id")),
    Column("status", String(16), nullable=False),  # current | replaced | superseded
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Column("replaced_at", DateTime(timezone=True)),
    UniqueConstraint("number", "content_hash"),
)

# Records that were not loaded: quarantined (broken) or skipped (not a patent), with the reason.
rejections = Table(
    "rejections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("ingest_runs.id")),
    Column("file", Text, nullable=False),
    Column("position", Integer, nullable=False),
    Column("record", Text),
    Column("disposition", String(12), nullable=False),  # quarantined | skipped
    Column("reason", Text, nullable=False),
    Column("excerpt", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("file", "position", "disposition"),
)

CHILD_TABLES = (texts, parties, classifications, citations, priorities, legal_events, identifiers)
