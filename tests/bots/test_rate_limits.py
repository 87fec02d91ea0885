"""Rate limits shared by every server process: reservations in Redis, the same rule in memory."""

from __future__ import annotations

import pytest
from musofir.bots.delivery.ratelimit import Limiter, MemoryLimiter, Rate, RedisLimiter
from musofir.dialogs.redis_state import connect

CHAT = Rate(per_second=1, burst=3)
BOT = Rate(per_second=30, burst=30)


async def waits(limiter: Limiter, count: int, key: str = "chat:a") -> list[float]:
    return [await limiter.reserve([(key, CHAT)]) for _ in range(count)]


def assert_paced(found: list[float]) -> None:
    """A burst of three goes at once, then one a second: 0, 0, 0, ~1, ~2, ~3."""
    assert found[:3] == [0.0, 0.0, 0.0]
    for n, wait in enumerate(found[3:], start=1):
        assert n - 0.1 <= wait <= n + 0.01, found


async def test_memory_paces_a_chat_and_leaves_others_alone() -> None:
    limiter = MemoryLimiter()
    assert_paced(await waits(limiter, 6))
    assert await limiter.reserve([("chat:b", CHAT)]) == 0.0


async def test_two_processes_share_one_budget_through_redis(redis_url: str) -> None:
    first, second = connect(redis_url), connect(redis_url)
    try:
        one, two = RedisLimiter(first), RedisLimiter(second)
        found = []
        for n in range(6):
            found.append(await (one if n % 2 else two).reserve([("chat:a", CHAT)]))
        assert_paced(found)
        # The bot-wide limit and the chat's: the longer wait wins, and both are reserved.
        both = await one.reserve([("bot", BOT), ("chat:a", CHAT)])
        assert both == pytest.approx(found[-1] + 1, abs=0.1)
    finally:
        await first.aclose()
        await second.aclose()
