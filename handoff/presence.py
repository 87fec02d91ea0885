"""Who is at the console now: each open console page reports every few seconds.

A specialist counts as online while their page has reported within ``ONLINE_SECONDS``. With
Redis it is a sorted set per role (member: staff id, score: last report), shared by processes.
"""

from __future__ import annotations

import time

from redis.asyncio import Redis

ONLINE_SECONDS = 45.0


class Presence:
    def __init__(self) -> None:
        self._seen: dict[str, dict[int, float]] = {}

    async def report(self, role: str, staff_id: int) -> None:
        self._seen.setdefault(role, {})[staff_id] = time.time()

    async def online(self, role: str) -> int:
        cutoff = time.time() - ONLINE_SECONDS
        return sum(1 for seen in self._seen.get(role, {}).values() if seen >= cutoff)


class RedisPresence(Presence):
    def __init__(self, redis: Redis) -> None:
        super().__init__()
        self.redis = redis

    async def report(self, role: str, staff_id: int) -> None:
        key = f"console:online:{role}"
        now = time.time()
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zadd(key, {str(staff_id): now})
            pipe.zremrangebyscore(key, 0, now - ONLINE_SECONDS)
            pipe.expire(key, int(ONLINE_SECONDS * 4))
            await pipe.execute()

    async def online(self, role: str) -> int:
        return int(
            await self.redis.zcount(f"console:online:{role}", time.time() - ONLINE_SECONDS, "+inf")
        )


__all__ = ["ONLINE_SECONDS", "Presence", "RedisPresence"]
