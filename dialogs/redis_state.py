"""The production state store on Redis (redis-py asyncio), shared by every server process."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.lock import Lock

from .state import KeyedLocks, StateStore


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
        return cls(Redis.from_url(url, decode_responses=True), **kwargs)

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

    async def close(self) -> None:
        await self.redis.aclose()


__all__ = ["KeyBuilder", "RedisStateStore"]
