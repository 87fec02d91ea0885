"""Access to the throw-away Redis and PostgreSQL that `bash scripts/test.sh` starts.

The URLs come from TEST_REDIS_URL and TEST_DATABASE_URL. Without them a test that needs a
service is skipped on a developer's machine, but fails when CI=true: CI must never go green by
skipping what it was meant to check.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest
import redis
import sqlalchemy
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

RUN_HINT = "`bash scripts/test.sh` installs and starts what the tests need and sets the variables"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1"}


def unavailable(reason: str) -> NoReturn:
    """Skip the current test, or fail it under CI."""
    message = f"{reason}; {RUN_HINT}"
    if in_ci():
        pytest.fail(f"{message} (CI=true: not skipping)", pytrace=False)
    pytest.skip(message)


def require_env(var: str, what: str) -> str:
    value = os.environ.get(var, "").strip()
    if not value:
        unavailable(f"{var} is not set, so there is no {what} to test against")
    return value


def flush_redis(url: str) -> None:
    """Empty the Redis database of `url` (only that db number, not the whole server)."""
    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError as exc:
        pytest.fail(f"Redis at {url} is unreachable: {exc}; {RUN_HINT}", pytrace=False)
    finally:
        client.close()


_USER_SCHEMAS = """
SELECT nspname FROM pg_namespace
 WHERE nspname <> 'information_schema' AND nspname !~ '^pg_'
"""


def _drop_user_schemas(conn: Connection) -> None:
    schemas = [row[0] for row in conn.exec_driver_sql(_USER_SCHEMAS)]
    quote = conn.dialect.identifier_preparer.quote_identifier
    for schema in schemas:
        conn.exec_driver_sql(f"DROP SCHEMA {quote(schema)} CASCADE")
    conn.exec_driver_sql("CREATE SCHEMA public")


def reset_postgres(url: str) -> None:
    """Leave the database of `url` empty: every user schema dropped, a fresh `public` made.

    Connections an earlier test leaked (holding locks) would make DROP wait forever, so after a
    short lock timeout the other sessions on this database are terminated and it is tried again.
    """
    engine = sqlalchemy.create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 5})
    try:
        try:
            conn = engine.connect()
        except OperationalError as exc:
            pytest.fail(
                f"PostgreSQL at {engine.url!r} is unreachable: {exc}; {RUN_HINT}", pytrace=False
            )
        with conn:
            try:
                with conn.begin():
                    conn.exec_driver_sql("SET LOCAL lock_timeout = '5s'")
                    _drop_user_schemas(conn)
            except OperationalError:
                with conn.begin():
                    conn.exec_driver_sql(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                with conn.begin():
                    conn.exec_driver_sql("SET LOCAL lock_timeout = '30s'")
                    _drop_user_schemas(conn)
    finally:
        engine.dispose()
