"""Alembic environment: runs migrations on the connection `archive.db.upgrade_schema` hands over."""

from alembic import context

from archive.db import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - the CLI always passes a connection
    raise RuntimeError("run migrations through archive.db.open_database()")

# render_as_batch: SQLite can barely ALTER, so Alembic rebuilds tables ("move and copy").
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
