"""Rate limits shared by every server process: GCRA reservations, in Redis or in memory.

Written here rather than taken from ``limits``: the outbox needs, in one atomic step across
processes, *how long to wait* for a slot under several limits at once (the bot's and the chat's).
``limits`` answers yes or no per hit, so waiting would mean polling, and it would bring a second
Redis client. The generic cell rate algorithm is a few lines: each key keeps a "theoretical
arrival time"; a reservation moves it on by one interval and says how long to sleep.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from musofir.dialogs.redis_pipe import RedisPipe
from redis.asyncio import Redis


@dataclass(frozen=True, slots=True)
class Rate:
    """``per_second`` sustained, with up to ``burst`` messages at once."""

    per_second: float
    burst: int = 1

    @property
    def interval_ms(self) -> float:
        return 1000.0 / self.per_second


Limit = tuple[str, Rate]


class Limiter(ABC):
    @abstractmethod
    async def reserve(self, limits: Sequence[Limit]) -> float:
        """Reserve one slot under every limit; return the seconds to wait before using it."""

    async def wait(self, limits: Sequence[Limit]) -> None:
        if limits:
            delay = await self.reserve(limits)
            if delay > 0:
                await asyncio.sleep(delay)


class MemoryLimiter(Limiter):
    """One process's limiter, for the demo and single-process servers without Redis."""

    def __init__(self) -> None:
        self._tat: dict[str, float] = {}

    async def reserve(self, limits: Sequence[Limit]) -> float:
        now = time.monotonic() * 1000
        wait = 0.0
        for key, rate in limits:
            tat = max(self._tat.get(key, now), now)
            wait = max(wait, tat - now - (rate.burst - 1) * rate.interval_ms)
            self._tat[key] = tat + rate.interval_ms
        if len(self._tat) > 50_000:
            self._tat = {k: t for k, t in self._tat.items() if t > now}
        return wait / 1000


# KEYS: the limit keys; ARGV: interval_ms, burst per key. Redis's own clock serves every process.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local wait = 0
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', key))
  if not tat or tat < now then tat = now end
  local this_wait = tat - now - (burst - 1) * interval
  if this_wait > wait then wait = this_wait end
  local next_tat = tat + interval
  redis.call('SET', key, tostring(next_tat), 'PX', math.ceil(next_tat - now) + 1000)
end
return tostring(wait)
"""


class RedisLimiter(Limiter):
    def __init__(self, redis: Redis, prefix: str = "musofir:rate") -> None:
        self.redis = redis
        self.prefix = prefix
        self._script = RedisPipe.like(redis).script(_RESERVE)  # one call per message sent

    async def reserve(self, limits: Sequence[Limit]) -> float:
        keys = [f"{self.prefix}:{key}" for key, _ in limits]
        args: list[float | int] = []
        for _, rate in limits:
            args += [rate.interval_ms, rate.burst]
        waited = await self._script(keys=keys, args=args)
        return float(waited) / 1000


__all__ = ["Limit", "Limiter", "MemoryLimiter", "Rate", "RedisLimiter"]
