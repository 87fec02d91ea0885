"""Booking a visit from the chat, the front desk's day list, and the reminder the day before."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from musofir.bots.server import Runtime, build_runtime
from musofir.dialogs import Catalogs
from musofir.dialogs.flows.clock import when
from musofir.handoff.upkeep import send_visit_reminders
from utils.chat import Chat

from musofir.settings import Settings


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    built = build_runtime(Settings(data_dir=tmp_path / "data"), memory_state=True)
    yield built
    await built.store.close()
    built.storage.close()


async def person(runtime: Runtime, language: str, user: str) -> Chat:
    chat = Chat(runtime.engine, user=user)
    await chat.send("/start")
    await chat.tap(f"lang:{language}")
    return chat


def publish(runtime: Runtime, day: date, *, count: int = 3, capacity: int = 1) -> list[int]:
    tz = runtime.hub.hours.timezone
    first = datetime.combine(day, time(10, 0), tz)
    return runtime.hub.visits.publish("lawyer", first, count=count, minutes=30, capacity=capacity)


async def bot_texts(runtime: Runtime, user: str) -> list[str]:
    events = await runtime.chat_log.since(runtime.webchat.log_key(user), None)
    return [e.message.get("text", "") for e in events if e.role == "bot"]


async def test_a_person_books_a_visit_in_their_language_and_gets_the_address_card(
    runtime: Runtime, catalogs: Catalogs
) -> None:
    day = datetime.now(runtime.hub.hours.timezone).date() + timedelta(days=3)
    slot_ids = publish(runtime, day)
    chat = await person(runtime, "uz", "v1")
    await chat.tap("visits")
    assert catalogs.text("uz", "visits.choose_role", pseudonym="X").split("X")[0] in chat.text
    await chat.tap("vrole:lawyer")
    shown = [p for p in chat.payloads if p.startswith("book:")]
    assert shown == [f"book:{i}" for i in slot_ids]
    first_title = chat.replies[-1].buttons[0].title
    assert first_title == when(
        datetime.combine(day, time(10, 0), runtime.hub.hours.timezone), "uz"
    )
    await chat.tap(f"book:{slot_ids[0]}")
    card = chat.replies[-1]
    assert card.venue is not None and card.venue.address == runtime.settings.centre_address
    assert catalogs.text("uz", "visits.sample_address") in card.text  # a sample, and says so
    assert chat.payloads[0].startswith("vcancel:")

    # The slot is now taken for everyone else.
    other = await person(runtime, "ru", "v2")
    await other.tap("visits")
    await other.tap("vrole:lawyer")
    assert f"book:{slot_ids[0]}" not in other.payloads
    # And the front desk's list shows the pseudonym, never a phone or an id.
    start = datetime.combine(day, time(0), runtime.hub.hours.timezone)
    lines = runtime.hub.visits.day(start, start + timedelta(days=1))
    assert [(line.role, line.pseudonym.startswith("Guest-")) for line in lines] == [
        ("lawyer", True)
    ]


async def test_the_last_seat_goes_to_one_person_only(runtime: Runtime) -> None:
    day = datetime.now(runtime.hub.hours.timezone).date() + timedelta(days=2)
    (slot_id,) = publish(runtime, day, count=1)
    first = await runtime.engine.services.desk.book(slot_id, "key-a", "ru")
    second = await runtime.engine.services.desk.book(slot_id, "key-b", "ru")
    assert first is not None and second is None


async def test_a_person_sees_and_cancels_their_visit(runtime: Runtime, catalogs: Catalogs) -> None:
    day = datetime.now(runtime.hub.hours.timezone).date() + timedelta(days=4)
    slot_ids = publish(runtime, day)
    chat = await person(runtime, "ru", "v3")
    await chat.tap("visits")
    await chat.tap("vrole:lawyer")
    await chat.tap(f"book:{slot_ids[1]}")
    await chat.send("меню")
    await chat.tap("visits")
    assert catalogs.text("ru", "visits.yours") in chat.text
    cancel = next(p for p in chat.payloads if p.startswith("vcancel:"))
    await chat.tap(cancel)
    assert chat.text == catalogs.text("ru", "visits.cancelled")
    start = datetime.combine(day, time(0), runtime.hub.hours.timezone)
    assert runtime.hub.visits.day(start, start + timedelta(days=1)) == []


async def test_the_reminder_comes_the_day_before_once_in_the_persons_language(
    runtime: Runtime, catalogs: Catalogs
) -> None:
    tz = runtime.hub.hours.timezone
    day = datetime.now(tz).date() + timedelta(days=5)
    slot_ids = publish(runtime, day)
    chat = await person(runtime, "tg", "v4")
    await chat.tap("visits")
    await chat.tap("vrole:lawyer")
    await chat.tap(f"book:{slot_ids[2]}")
    hub, push = runtime.hub, runtime.push
    catalogs_, people = runtime.engine.services.catalogs, runtime.storage.people

    async def remind_at(moment: datetime) -> int:
        return await send_visit_reminders(hub, push, catalogs_, people, moment.astimezone(UTC))

    day_before = day - timedelta(days=1)
    assert await remind_at(datetime.combine(day_before - timedelta(days=1), time(12), tz)) == 0
    assert await remind_at(datetime.combine(day_before, time(9, 30), tz)) == 0  # too early
    assert await remind_at(datetime.combine(day_before, time(10, 5), tz)) == 1
    assert await remind_at(datetime.combine(day_before, time(10, 6), tz)) == 0  # once
    said = (await bot_texts(runtime, "v4"))[-1]
    starts = datetime.combine(day, time(11, 0), tz)
    assert when(starts, "tg") in said
    assert catalogs.text("tg", "role.lawyer") in said
    assert runtime.settings.centre_address in said
