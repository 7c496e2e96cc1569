"""Alembic environment: the program passes its own connection; nothing is read from alembic.ini."""

from __future__ import annotations

from alembic import context

from console.db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the program runs migrations
    raise RuntimeError("run migrations through `duty-console db upgrade`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
