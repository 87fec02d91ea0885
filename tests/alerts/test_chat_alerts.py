"""Subscriptions, stop words and personal reminders, as a person uses them in the chat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from musofir.alerts.reminders import ReminderBook, add_month
from musofir.alerts.subscriptions import SubscriptionBook
from musofir.bots.server import Runtime, build_runtime
from musofir.dialogs import Catalogs
from musofir.dialogs.i18n import LANGUAGES
from musofir.storage.models import Case, Reminder, Subscription
from sqlmodel import Session, select
from utils.chat import Chat

from musofir.settings import Settings

STOP_WORDS = {
    "ru": "стоп",
    "uz": "to'xtat",
    "tg": "бас",
    "ky": "токто",
    "az": "dayan",
    "hy": "կանգ",
    "en": "STOP",
}


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    built = build_runtime(Settings(data_dir=tmp_path / "data"), memory_state=True)
    yield built
    await built.store.close()
    built.storage.close()


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    return Catalogs.load()


async def person(runtime: Runtime, language: str, user: str = "a1") -> Chat:
    chat = Chat(runtime.engine, user=user)
    await chat.send("/start")
    await chat.tap(f"lang:{language}")
    return chat


def subscription(runtime: Runtime, chat: Chat) -> Subscription | None:
    key = runtime.engine.user_key_for("webchat", chat.user)
    return SubscriptionBook(runtime.storage.engine).get(key)


def reminders(runtime: Runtime) -> list[Reminder]:
    with Session(runtime.storage.engine) as session:
        return list(session.exec(select(Reminder)).all())


async def test_nothing_is_sent_until_a_person_opts_in_to_a_topic(
    runtime: Runtime, catalogs: Catalogs
) -> None:
    chat = await person(runtime, "uz")
    await chat.tap("alerts")
    assert chat.text.startswith(catalogs.text("uz", "alerts.off"))
    assert subscription(runtime, chat) is None
    await chat.tap("sub:law")
    await chat.tap("sub:health")
    assert chat.text.startswith(catalogs.text("uz", "alerts.on"))
    titles = [b.title for b in chat.replies[-1].buttons]
    assert "✅ " + catalogs.text("uz", "alerts.topic.law") in titles
    assert "⬜ " + catalogs.text("uz", "alerts.topic.centre") in titles
    found = subscription(runtime, chat)
    assert found is not None and found.topics == "law,health"
    await chat.tap("sub:law")  # tapping again switches it off
    found = subscription(runtime, chat)
    assert found is not None and found.topics == "health"


async def test_the_region_is_a_typed_town_in_any_script(runtime: Runtime) -> None:
    chat = await person(runtime, "ru")
    await chat.tap("alerts")
    await chat.tap("sub:centre")
    await chat.tap("subregion")
    await chat.send("kazan")
    found = subscription(runtime, chat)
    assert found is not None and found.region == "Казань"


@pytest.mark.parametrize("language", LANGUAGES)
async def test_stop_words_stop_everything_in_every_language(
    runtime: Runtime, catalogs: Catalogs, language: str
) -> None:
    chat = await person(runtime, language, f"stop-{language}")
    await chat.tap("alerts")
    await chat.tap("sub:emergency")
    await chat.tap("reminders")
    await chat.tap("remadd:registration")
    await chat.send((date.today() + timedelta(days=40)).strftime("%d.%m.%Y"))
    await chat.send("юрист" if language in ("ru", "ky") else "lawyer")
    await chat.send("a question for the lawyer")
    assert subscription(runtime, chat) is not None and reminders(runtime)
    await chat.send(STOP_WORDS[language])
    assert chat.text == catalogs.text(language, "stop.done")
    assert subscription(runtime, chat) is None
    assert reminders(runtime) == []
    with Session(runtime.storage.engine) as session:
        assert [c.status for c in session.exec(select(Case)).all()] == ["closed"]


async def test_a_platform_opt_out_unsubscribes_but_the_whatsapp_window_does_not(
    runtime: Runtime,
) -> None:
    chat = await person(runtime, "ru")
    await chat.tap("alerts")
    await chat.tap("sub:law")
    key = runtime.engine.user_key_for("webchat", chat.user)
    await runtime.engine.set_reachable("webchat", "", False, "whatsapp_window", key=key)
    assert subscription(runtime, chat) is not None
    await runtime.engine.set_reachable("webchat", "", False, "telegram_blocked", key=key)
    assert subscription(runtime, chat) is None


async def test_a_reminder_typed_as_dd_mm_is_kept_as_its_date_and_kind_only(
    runtime: Runtime, catalogs: Catalogs
) -> None:
    chat = await person(runtime, "tg")
    await chat.tap("alerts")
    await chat.tap("reminders")
    assert catalogs.text("tg", "reminders.none") in chat.text
    await chat.tap("remadd:patent")
    due = date.today() + timedelta(days=20)
    await chat.send(due.strftime("%d.%m"))
    (kept,) = reminders(runtime)
    assert (kept.kind, kept.due_on, kept.monthly, kept.days_before) == ("patent", due, True, 3)
    local = kept.fire_at.astimezone(ZoneInfo("Europe/Moscow"))
    assert (local.date(), local.time()) == (due - timedelta(days=3), time(10, 0))
    assert "Москва" in chat.text  # the reminder time is said with whose clock it is
    await chat.tap("reminders")
    cancel = next(p for p in chat.payloads if p.startswith("remcancel:"))
    await chat.tap(cancel)
    assert reminders(runtime) == []


async def test_a_reminder_date_picked_with_buttons(runtime: Runtime) -> None:
    chat = await person(runtime, "en")
    await chat.tap("alerts")
    await chat.tap("reminders")
    await chat.tap("remadd:appointment")
    month = next(p for p in chat.payloads if p.startswith("remmonth:"))
    await chat.tap(month)
    days = [p for p in chat.payloads if p.startswith("remday:")]
    await chat.tap(days[-1])
    (kept,) = reminders(runtime)
    assert kept.kind == "appointment" and kept.due_on.isoformat() == days[-1].split(":")[1]


async def test_a_bad_or_past_date_is_explained(runtime: Runtime, catalogs: Catalogs) -> None:
    chat = await person(runtime, "ru")
    await chat.tap("alerts")
    await chat.tap("reminders")
    await chat.tap("remadd:registration")
    await chat.send("31.02")
    assert chat.text == catalogs.text("ru", "reminders.bad_date")
    await chat.send((date.today() - timedelta(days=400)).strftime("%d.%m.%Y"))
    assert chat.text == catalogs.text("ru", "reminders.past")
    assert reminders(runtime) == []


def test_a_reminder_fires_on_the_right_day_in_the_persons_time_zone(tmp_path: Path) -> None:
    from musofir.storage import open_storage

    storage = open_storage(Settings(data_dir=tmp_path / "data"))
    book = ReminderBook(storage.engine)
    now = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    due = date(2026, 12, 10)
    vladivostok = book.add(
        "k1", "registration", due, language="ru", timezone="Asia/Vladivostok", now=now
    )
    moscow = book.add("k2", "registration", due, language="ru", timezone="Europe/Moscow", now=now)
    # 7 days before, at 10:00 local: 3 December 10:00 in Vladivostok is 00:00 UTC.
    assert vladivostok.fire_at == datetime(2026, 12, 3, 0, 0, tzinfo=UTC)
    assert moscow.fire_at == datetime(2026, 12, 3, 7, 0, tzinfo=UTC)
    assert book.claim_due(datetime(2026, 12, 2, 23, 59, tzinfo=UTC)) == []
    (first,) = book.claim_due(datetime(2026, 12, 3, 0, 1, tzinfo=UTC))
    assert first.person_key == "k1"
    (second,) = book.claim_due(datetime(2026, 12, 3, 7, 0, tzinfo=UTC))
    assert second.person_key == "k2"
    assert book.claim_due(datetime(2026, 12, 4, tzinfo=UTC)) == []  # each fires once
    storage.close()


def test_the_patent_payment_repeats_every_month(tmp_path: Path) -> None:
    from musofir.storage import open_storage

    storage = open_storage(Settings(data_dir=tmp_path / "data"))
    book = ReminderBook(storage.engine)
    now = datetime(2026, 1, 20, tzinfo=UTC)
    book.add("k", "patent", date(2026, 1, 31), language="uz", timezone="Europe/Moscow", now=now)
    (january,) = book.claim_due(datetime(2026, 1, 28, 8, tzinfo=UTC))
    assert january.due_on == date(2026, 1, 31)
    (kept,) = book.of_person("k")
    assert kept.due_on == date(2026, 2, 28) == add_month(date(2026, 1, 31))
    assert book.claim_due(datetime(2026, 2, 24, 8, tzinfo=UTC)) == []
    (february,) = book.claim_due(datetime(2026, 2, 25, 8, tzinfo=UTC))
    assert february.due_on == date(2026, 2, 28)
    storage.close()
