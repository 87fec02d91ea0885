"""Alembic environment: the schema comes from SQLModel.metadata, the engine from the app."""

from __future__ import annotations

from alembic import context
from musofir.storage import models  # noqa: F401  (registers the tables on the metadata)
from sqlalchemy import Engine
from sqlmodel import SQLModel

engine: Engine = context.config.attributes["engine"]


def _ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """APScheduler keeps its job store in a table of its own making; migrations leave it be."""
    return not (type_ == "table" and name == "apscheduler_jobs")


with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
        include_object=_ours,
    )
    with context.begin_transaction():
        context.run_migrations()
