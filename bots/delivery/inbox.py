"""The inbox: every update is recorded and leased before the platform gets its 2xx.

The holder of the lease handles it and removes it. If the holder dies, the lease expires and
the sweeper in any server process finishes the update, so a dedupe mark alone can never
swallow a message that was never answered. A failed attempt keeps the entry with a lease that
expires after a pause: that pause is the backoff between attempts.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod

from musofir.dialogs.redis_pipe import RedisPipe
from redis.asyncio import Redis


class Inbox(ABC):
    @abstractmethod
    async def hold(self, message_key: str, entry: str, lease_seconds: float) -> bool:
        """Record the update and lease it; False when another process holds it already."""

    @abstractmethod
    async def lease(self, message_key: str, lease_seconds: float) -> bool:
        """Lease an entry still in the inbox; False when it is held or was finished meanwhile.

        The sweeper lists entries and then leases them one by one: an update that finished in
        between must not be leased, or it would be handled (and its reply resent) once more.
        """

    @abstractmethod
    async def renew(self, message_key: str, lease_seconds: float) -> None:
        """Extend a lease this process holds."""

    @abstractmethod
    async def retry_later(self, message_key: str, pause_seconds: float) -> int:
        """Keep the entry, free it after a pause; return how many attempts failed so far."""

    @abstractmethod
    async def remove(self, message_key: str) -> None: ...

    @abstractmethod
    async def pending(self, limit: int = 200) -> list[tuple[str, str]]:
        """Entries as ``(message key, entry)``, leased or not."""


class MemoryInbox(Inbox):
    """For one process without Redis: survives a failed attempt, not a restart (the log says)."""

    def __init__(self) -> None:
        self._entries: dict[str, str] = {}
        self._leases: dict[str, float] = {}
        self._failures: dict[str, int] = {}

    async def hold(self, message_key: str, entry: str, lease_seconds: float) -> bool:
        self._entries[message_key] = entry
        return await self.lease(message_key, lease_seconds)

    async def lease(self, message_key: str, lease_seconds: float) -> bool:
        if message_key not in self._entries:
            return False
        now = time.monotonic()
        if self._leases.get(message_key, 0.0) > now:
            return False
        self._leases[message_key] = now + lease_seconds
        return True

    async def renew(self, message_key: str, lease_seconds: float) -> None:
        self._leases[message_key] = time.monotonic() + lease_seconds

    async def retry_later(self, message_key: str, pause_seconds: float) -> int:
        self._leases[message_key] = time.monotonic() + pause_seconds
        self._failures[message_key] = self._failures.get(message_key, 0) + 1
        return self._failures[message_key]

    async def remove(self, message_key: str) -> None:
        self._entries.pop(message_key, None)
        self._leases.pop(message_key, None)
        self._failures.pop(message_key, None)

    async def pending(self, limit: int = 200) -> list[tuple[str, str]]:
        return list(self._entries.items())[:limit]


_LEASE_IF_PENDING = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[2]) then return 1 end
return 0
"""
"""One step, so an entry removed (with its lease, in one transaction) is never leased again."""


class RedisInbox(Inbox):
    """A hash of entries, a lease key per entry and a hash of failure counts.

    Every update passes through here twice, so the commands go through the shared
    ``RedisPipe``; only the sweeper's scan uses redis-py.
    """

    def __init__(self, redis: Redis, prefix: str = "musofir:inbox") -> None:
        self.redis = redis
        self.entries_key = prefix
        self.failures_key = f"{prefix}:failures"
        self.prefix = prefix
        self.pipe = RedisPipe.like(redis)
        self._lease_if_pending = self.pipe.script(_LEASE_IF_PENDING)

    def _lease_key(self, message_key: str) -> str:
        return f"{self.prefix}:lease:{message_key}"

    async def hold(self, message_key: str, entry: str, lease_seconds: float) -> bool:
        lease_ms = int(lease_seconds * 1000)
        _, leased = await self.pipe.batch(
            [
                ("HSET", self.entries_key, message_key, entry),
                ("SET", self._lease_key(message_key), "1", "NX", "PX", lease_ms),
            ]
        )
        return bool(leased)

    async def lease(self, message_key: str, lease_seconds: float) -> bool:
        leased = await self._lease_if_pending(
            keys=[self.entries_key, self._lease_key(message_key)],
            args=[message_key, int(lease_seconds * 1000)],
        )
        return bool(leased)

    async def renew(self, message_key: str, lease_seconds: float) -> None:
        lease_ms = int(lease_seconds * 1000)
        await self.pipe.call("SET", self._lease_key(message_key), "1", "PX", lease_ms)

    async def retry_later(self, message_key: str, pause_seconds: float) -> int:
        _, failures = await self.pipe.transaction(
            [
                ("SET", self._lease_key(message_key), "1", "PX", int(pause_seconds * 1000)),
                ("HINCRBY", self.failures_key, message_key, 1),
            ]
        )
        return int(failures)

    async def remove(self, message_key: str) -> None:
        await self.pipe.transaction(
            [
                ("HDEL", self.entries_key, message_key),
                ("HDEL", self.failures_key, message_key),
                ("DEL", self._lease_key(message_key)),
            ]
        )

    async def pending(self, limit: int = 200) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        async for key, entry in self.redis.hscan_iter(self.entries_key, count=limit):
            found.append((key, entry))
            if len(found) >= limit:
                break
        return found


__all__ = ["Inbox", "MemoryInbox", "RedisInbox"]
