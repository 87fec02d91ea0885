"""One person's messages are handled in order even when they arrive at once; people in parallel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from musofir.bots.server import Runtime, build_runtime
from musofir.dialogs import Inbound

from musofir.settings import Settings


@pytest.fixture(params=["memory", "redis"])
async def shared_runtime(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Runtime]:
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    built = build_runtime(Settings(data_dir=tmp_path, redis_url=redis_url))
    yield built
    await built.store.close()
    await built.chat_log.close()
    built.storage.close()


def message(user: str, number: int, text: str) -> Inbound:
    return Inbound("telegram", user, user, f"{user}-{number}", text=text)


async def test_messages_of_one_person_arriving_together_are_handled_in_order(
    shared_runtime: Runtime,
) -> None:
    engine = shared_runtime.engine
    await engine.handle(message("anna", 0, "/start"))
    await engine.handle(Inbound("telegram", "anna", "anna", "anna-lang", button_payload="lang:en"))
    delivered: list[str] = []

    async def send(number: int, text: str) -> None:
        async def deliver(replies: object) -> None:
            await asyncio.sleep(0.002)  # the platform call: a real await point
            delivered.append(text)

        await engine.handle(message("anna", number, text), deliver)

    # Alternate between two flows: a lost update or a reordering shows in state and order.
    texts = ["menu" if n % 2 else "help" for n in range(1, 41)]
    tasks = []
    for number, text in enumerate(texts, start=1):
        tasks.append(asyncio.create_task(send(number, text)))
        await asyncio.sleep(0)  # arrival order is creation order
    await asyncio.gather(*tasks)

    assert delivered == texts
    state = await shared_runtime.store.get(engine.user_key(message("anna", 0, "")))
    assert state is not None and state["turns"] == 2 + len(texts)


async def test_different_people_are_served_concurrently(shared_runtime: Runtime) -> None:
    engine = shared_runtime.engine
    slow_started = asyncio.Event()
    release = asyncio.Event()

    async def slow_deliver(replies: object) -> None:
        slow_started.set()
        await release.wait()

    slow = asyncio.create_task(engine.handle(message("slow", 1, "/start"), slow_deliver))
    await slow_started.wait()
    async with asyncio.timeout(5):
        replies = await engine.handle(message("quick", 1, "/start"))
    assert replies, "another person's pending turn must not block this one"
    release.set()
    await slow


async def test_a_burst_of_many_new_people_is_served_without_errors(
    shared_runtime: Runtime,
) -> None:
    engine = shared_runtime.engine
    catalogs = engine.services.catalogs
    people = [f"p{n}" for n in range(300)]
    replies = await asyncio.gather(*(engine.handle(message(p, 1, "/start")) for p in people))
    prompts = [r[-1].text for r in replies]
    assert prompts == [prompts[0]] * len(people)
    assert catalogs.text("en", "language.choose") in prompts[0]
    assert catalogs.text("en", "error.generic") not in prompts
