"""Which errors mean "a backing service is down", the one case a webhook answers 503."""

from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import InterfaceError, OperationalError


class Outage(Exception):
    """The database or Redis did not answer; the platform should deliver the update again."""


OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    OperationalError,
    InterfaceError,
    ConnectionRefusedError,
)


def is_outage(error: BaseException) -> bool:
    return isinstance(error, (Outage, *OUTAGE_ERRORS))


__all__ = ["OUTAGE_ERRORS", "Outage", "is_outage"]
