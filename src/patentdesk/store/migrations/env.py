"""Alembic environment: run against the connection handed over by `patentdesk.store.catalogue.migrate`."""

from alembic import context

from patentdesk.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the package always hands a connection over
    raise RuntimeError("patentdesk migrations run through patentdesk.store.catalogue.migrate()")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
