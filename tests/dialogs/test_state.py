"""The state store contract, checked once against every implementation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from musofir.dialogs import Conversation, MemoryStateStore, StateStore
from musofir.dialogs.redis_state import RedisStateStore
from musofir.dialogs.state import Option


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[StateStore]:
    if request.param == "memory":
        built: StateStore = MemoryStateStore()
    else:
        built = RedisStateStore.from_url(
            request.getfixturevalue("redis_url"), lock_timeout_seconds=5
        )
    yield built
    await built.close()


async def test_a_conversation_round_trips(store: StateStore) -> None:
    saved = Conversation(
        language="uz", flow="services", step="await_place", slots={"town": "Qozon"}, turns=3,
        options=[Option("Menyu", "menu")], pseudonym="Guest-4F2K",
    )  # fmt: skip
    await store.save("k1", saved)
    assert await store.load("k1") == saved
    assert await store.load("someone-else") == Conversation()


async def test_the_store_returns_copies_not_its_own_objects(store: StateStore) -> None:
    await store.set("k1", {"language": "ru", "slots": {"a": 1}})
    first = await store.get("k1")
    assert first is not None
    first["slots"]["a"] = 2
    assert await store.get("k1") == {"language": "ru", "slots": {"a": 1}}


async def test_delete_forgets_the_conversation(store: StateStore) -> None:
    await store.set("k1", {"language": "ru"})
    await store.delete("k1")
    assert await store.get("k1") is None


async def test_a_handled_message_is_remembered_until_its_ttl(store: StateStore) -> None:
    assert not await store.is_done("webchat:m1")
    await store.mark_done("webchat:m1", ttl_seconds=1)
    assert await store.is_done("webchat:m1")
    await asyncio.sleep(1.2)
    assert not await store.is_done("webchat:m1")


async def test_the_lock_lets_one_holder_in_at_a_time_in_arrival_order(store: StateStore) -> None:
    inside = 0
    most_inside = 0
    order: list[int] = []

    async def worker(number: int) -> None:
        nonlocal inside, most_inside
        async with store.lock("k1"):
            inside += 1
            most_inside = max(most_inside, inside)
            order.append(number)
            await asyncio.sleep(0.005)
            inside -= 1

    tasks = []
    for number in range(20):
        tasks.append(asyncio.create_task(worker(number)))
        await asyncio.sleep(0)  # each task reaches the lock before the next starts
    await asyncio.gather(*tasks)
    assert most_inside == 1
    assert order == list(range(20))


async def test_locks_of_different_people_do_not_wait_for_each_other(store: StateStore) -> None:
    entered = asyncio.Event()

    async def holder() -> None:
        async with store.lock("a"):
            entered.set()
            await asyncio.sleep(1)

    task = asyncio.create_task(holder())
    await entered.wait()
    async with asyncio.timeout(0.5), store.lock("b"):
        pass
    await task


async def test_redis_state_expires_when_idle(redis_url: str) -> None:
    store = RedisStateStore.from_url(redis_url, state_ttl_seconds=1)
    await store.set("k1", {"language": "ru"})
    await asyncio.sleep(1.3)
    assert await store.get("k1") is None
    await store.close()


async def test_a_redis_lock_left_by_a_dead_process_expires(redis_url: str) -> None:
    from redis.asyncio import Redis

    raw = Redis.from_url(redis_url)
    await raw.set("musofir:lock:k1", "a-dead-holder", px=300)  # as a crashed process leaves it
    store = RedisStateStore.from_url(redis_url)
    async with asyncio.timeout(3), store.lock("k1"):
        pass
    await store.close()
    await raw.aclose()
