"""The inbox leases only unfinished updates: the sweeper never handles (and resends) one twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from musofir.bots.delivery.inbox import Inbox, MemoryInbox, RedisInbox
from redis.asyncio import Redis


@pytest.fixture(params=["memory", "redis"])
async def inbox(request: pytest.FixtureRequest) -> AsyncIterator[Inbox]:
    if request.param == "memory":
        yield MemoryInbox()
        return
    client = Redis.from_url(request.getfixturevalue("redis_url"), decode_responses=True)
    try:
        yield RedisInbox(client)
    finally:
        await client.aclose()


async def test_an_update_finished_after_the_sweeper_listed_it_is_not_leased_again(
    inbox: Inbox,
) -> None:
    assert await inbox.hold("telegram:1", '{"text": "hi"}', lease_seconds=15)
    listed = await inbox.pending()  # the sweeper's list, taken while the update is handled

    await inbox.remove("telegram:1")  # the handler finished and answered

    assert [key for key, _ in listed] == ["telegram:1"]
    assert not await inbox.lease("telegram:1", lease_seconds=15)
    assert await inbox.pending() == []


async def test_an_update_whose_holder_died_is_leased_once_its_lease_runs_out(inbox: Inbox) -> None:
    assert await inbox.hold("viber:7", '{"text": "hi"}', lease_seconds=0.05)
    assert not await inbox.hold("viber:7", '{"text": "hi"}', lease_seconds=15)  # a redelivery
    assert not await inbox.lease("viber:7", lease_seconds=15)  # the holder may still answer

    await asyncio.sleep(0.15)

    assert await inbox.lease("viber:7", lease_seconds=15)
    assert not await inbox.lease("viber:7", lease_seconds=15)  # one sweeper takes it


async def test_a_failed_attempt_is_leased_again_after_its_pause(inbox: Inbox) -> None:
    assert await inbox.hold("sms:3", '{"text": "hi"}', lease_seconds=15)
    assert await inbox.retry_later("sms:3", pause_seconds=0.05) == 1
    assert not await inbox.lease("sms:3", lease_seconds=15)

    await asyncio.sleep(0.15)

    assert await inbox.lease("sms:3", lease_seconds=15)
