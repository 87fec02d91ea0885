"""Alembic migrations; run on every start by musofir.storage.database.migrate."""
