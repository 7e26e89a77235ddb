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


# =============================================================================== service desk
# Accounts, requests worked as cases, search reports, collections, saved searches, watches and
# their alerts, usage counts. Migration 0004 creates these tables; `patentdesk.desk` works them.
from sqlalchemy import Boolean, LargeBinary

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),  # stored lower-cased
    Column("password_hash", String(255), nullable=False),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),  # user | analyst | admin
    Column("language", String(12), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_login_at", DateTime(timezone=True)),
)

# Only hashes of session and reset tokens are kept: a copy of the database opens no account.
user_sessions = Table(
    "user_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index(None, "user_id"),
)

password_resets = Table(
    "password_resets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
)

# Failed logins, for the rate limit; purged after the retention period like other personal data.
login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False),
    Column("client", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index(None, "email", "at"),
    Index(None, "client", "at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("actor_role", String(16), nullable=False),
    Column("action", String(64), nullable=False),
    Column("object_type", String(32), nullable=False),
    Column("object_id", Integer),
    Column("detail", Text),  # JSON
    Index(None, "at"),
)

service_requests = Table(
    "service_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # novelty | fto | landscape | question
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("deadline", Date),
    Column("language", String(12), nullable=False),
    Column("status", String(20), nullable=False),
    Column("analyst_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("databases", Text),  # the search strategy, as the report states it
    Column("classes", Text),
    Column("conclusion", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("accepted_at", DateTime(timezone=True)),
    Column("delivered_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    Index(None, "user_id"),
    Index(None, "status"),
)


def _case_child(name: str, *columns: Column, indexes: tuple = ()) -> Table:
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True),
        Column("request_id", Integer, ForeignKey("service_requests.id", ondelete="CASCADE"), nullable=False),
        Column("author_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
        Column("created_at", DateTime(timezone=True), nullable=False),
        *columns,
        Index(None, "request_id"),
        *indexes,
    )


request_attachments = _case_child(
    "request_attachments",
    Column("filename", String(255), nullable=False),  # as given, shown only; never a path
    Column("content_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("stored_name", String(64), nullable=False, unique=True),
)

case_searches = _case_child(
    "case_searches",
    Column("database", String(40), nullable=False),
    Column("query", Text, nullable=False),
    Column("hits", Integer, nullable=False),
)

case_marks = _case_child(
    "case_marks",
    Column("number", String(40), nullable=False),
    Column("category", String(2), nullable=False),  # X | Y | A
    Column("passage", Text),
    Column("claims", String(100)),
    Column("note", Text),
    UniqueConstraint("request_id", "number"),
)

case_notes = _case_child("case_notes", Column("body", Text, nullable=False))

case_messages = _case_child("case_messages", Column("body", Text, nullable=False))

search_reports = _case_child(
    "search_reports",
    Column("language", String(12), nullable=False),
    Column("html", Text, nullable=False),
    Column("pdf", LargeBinary, nullable=False),
)

collections = Table(
    "collections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("description", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index(None, "user_id"),
)

collection_items = Table(
    "collection_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("collection_id", Integer, ForeignKey("collections.id", ondelete="CASCADE"), nullable=False),
    Column("number", String(40), nullable=False),
    Column("note", Text),
    Column("added_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("collection_id", "number"),
)

saved_searches = Table(
    "saved_searches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("query", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index(None, "user_id"),
)

watches = Table(
    "watches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),  # search | applicant | class | citation
    Column("value", Text, nullable=False),
    Column("saved_search_id", Integer, ForeignKey("saved_searches.id", ondelete="SET NULL")),
    Column("channel", String(16), nullable=False),  # email | feed | webhook
    Column("webhook_url", Text),
    Column("secret", String(64), nullable=False),  # the feed's private token; the webhook's signing key
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index(None, "user_id"),
)

# One alert per watch and run that found something; delivered by the watch's channel, retried
# when delivery fails. `watch_hits` is keyed by (watch, publication): a publication alerts once.
watch_alerts = Table(
    "watch_alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("watch_id", Integer, ForeignKey("watches.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("delivered_at", DateTime(timezone=True)),
    Index(None, "watch_id"),
    Index(None, "status"),
)

watch_hits = Table(
    "watch_hits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("watch_id", Integer, ForeignKey("watches.id", ondelete="CASCADE"), nullable=False),
    Column("number", String(40), nullable=False),
    Column("alert_id", Integer, ForeignKey("watch_alerts.id", ondelete="CASCADE"), nullable=False),
    Column("found_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("watch_id", "number"),
    Index(None, "alert_id"),
)

# Searches counted for the usage statistics: no user, no address; the query text is blanked once
# older than the retention period, the count per day stays.
usage_events = Table(
    "usage_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("day", Date, nullable=False),
    Column("source", String(16), nullable=False),  # portal | api | case | exercise
    Column("query", Text),
    Column("hits", Integer),
    Index(None, "day"),
)

desk_settings = Table(
    "desk_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

DESK_TABLES = (users, user_sessions, password_resets, login_attempts, audit_log, service_requests,
               request_attachments, case_searches, case_marks, case_notes, case_messages, search_reports,
               collections, collection_items, saved_searches, watches, watch_alerts, watch_hits, usage_events,
               desk_settings)

# A librarian's decisions on applicant name groups (`patentdesk names override`): the raw name as
# entered, its comparison key when saved, the group label it gets, and whether it moves the name
# alone or the whole group the harmonizer puts it in.
name_overrides = Table(
    "name_overrides",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("name_key", Text, nullable=False),
    Column("group_label", Text, nullable=False),
    Column("scope", String(8), nullable=False),  # name | group
    Column("note", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index(None, "name_key"),
)
