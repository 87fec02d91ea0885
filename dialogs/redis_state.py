"""The production state store on Redis (redis-py asyncio), shared by every server process."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.lock import Lock

from .state import Conversation, KeyedLocks, StateStore


def connect(url: str, *, max_connections: int = 64, wait_seconds: float = 20.0) -> Redis:
    """A client whose pool makes callers wait for a free connection instead of failing.

    redis-py's default pool raises "Too many connections" under a burst of people; a blocking
    pool turns the burst into a short queue. One client is shared by everything in a process.
    """
    pool = BlockingConnectionPool.from_url(
        url, max_connections=max_connections, timeout=wait_seconds, decode_responses=True
    )
    return Redis(connection_pool=pool)


@dataclass(frozen=True, slots=True)
class KeyBuilder:
    """Turns logical keys into Redis keys, so the layout can change without touching the store."""

    prefix: str = "musofir"

    def state(self, key: str) -> str:
        return f"{self.prefix}:state:{key}"

    def lock(self, key: str) -> str:
        return f"{self.prefix}:lock:{key}"

    def done(self, message_key: str) -> str:
        return f"{self.prefix}:done:{message_key}"

    def value(self, name: str) -> str:
        return f"{self.prefix}:value:{name}"


class RedisStateStore(StateStore):
    """State with an idle expiry, a Redis lock per person and dedupe marks with a TTL."""

    def __init__(
        self,
        redis: Redis,
        *,
        keys: KeyBuilder | None = None,
        state_ttl_seconds: int = 90 * 24 * 3600,
        lock_timeout_seconds: float = 60.0,
    ) -> None:
        self.redis = redis
        self.keys = keys or KeyBuilder()
        self.state_ttl_seconds = state_ttl_seconds
        self.lock_timeout_seconds = lock_timeout_seconds
        self._local = KeyedLocks()

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> RedisStateStore:
        return cls(connect(url), **kwargs)

    async def get(self, key: str) -> dict[str, Any] | None:
        raw = await self.redis.get(self.keys.state(key))
        return json.loads(raw) if raw else None

    async def set(self, key: str, data: dict[str, Any]) -> None:
        await self.redis.set(self.keys.state(key), json.dumps(data), ex=self.state_ttl_seconds)

    async def delete(self, key: str) -> None:
        await self.redis.delete(self.keys.state(key))

    @asynccontextmanager
    async def lock(self, key: str) -> AsyncIterator[None]:
        # The in-process lock first keeps this process's messages in arrival order (asyncio locks
        # are FIFO); the Redis lock then excludes other processes. The timeout frees a lock whose
        # holder died, so a crash cannot wedge a person's conversation.
        async with self._local.hold(key):
            lock = Lock(self.redis, self.keys.lock(key), timeout=self.lock_timeout_seconds)
            async with lock:
                yield

    async def is_done(self, message_key: str) -> bool:
        return bool(await self.redis.exists(self.keys.done(message_key)))

    async def mark_done(self, message_key: str, ttl_seconds: int) -> None:
        await self.redis.set(self.keys.done(message_key), "1", ex=ttl_seconds)

    async def put_value(self, name: str, value: str, ttl_seconds: int) -> None:
        await self.redis.set(self.keys.value(name), value, ex=ttl_seconds)

    async def get_value(self, name: str) -> str | None:
        value = await self.redis.get(self.keys.value(name))
        return str(value) if value is not None else None

    async def take_value(self, name: str) -> str | None:
        value = await self.redis.getdel(self.keys.value(name))
        return str(value) if value is not None else None

    async def save_turn(
        self, key: str, conversation: Conversation, journal: tuple[str, str, int] | None
    ) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:  # MULTI/EXEC: both or neither
            pipe.set(
                self.keys.state(key), json.dumps(conversation.to_json()), ex=self.state_ttl_seconds
            )
            if journal is not None:
                name, value, ttl = journal
                pipe.set(self.keys.value(name), value, ex=ttl)
            await pipe.execute()

    async def are_done(self, message_keys: Sequence[str]) -> list[bool]:
        if not message_keys:
            return []
        found = await self.redis.mget([self.keys.done(k) for k in message_keys])
        return [value is not None for value in found]

    async def recall(self, message_key: str, journal_name: str) -> tuple[str | None, bool]:
        journal, done = await self.redis.mget(
            self.keys.value(journal_name), self.keys.done(message_key)
        )
        return (str(journal) if journal is not None else None), done is not None

    async def finish(self, message_key: str, ttl_seconds: int, journal_name: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self.keys.done(message_key), "1", ex=ttl_seconds)
            pipe.delete(self.keys.value(journal_name))
            await pipe.execute()

    async def ping(self) -> None:
        await self.redis.ping()

    async def close(self) -> None:
        await self.redis.aclose()


__all__ = ["KeyBuilder", "RedisStateStore", "connect"]
