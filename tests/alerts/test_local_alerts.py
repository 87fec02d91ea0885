"""Without Redis (the demo, a one-process serve) the server sends alerts and reminders itself."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from musofir.alerts.book import AlertBook, Audience
from musofir.dialogs import Inbound
from musofir.storage.models import Reminder
from sqlmodel import Session, update
from utils.live import LiveServer, run_server

from musofir.settings import Settings


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    yield from run_server(Settings(data_dir=tmp_path / "data"), memory_state=True)


def talk(server: LiveServer, user: str, *steps: tuple[str, str | None]) -> None:
    engine = server.runtime.engine

    async def run() -> None:
        for n, (text, payload) in enumerate(steps):
            inbound = Inbound("webchat", user, user, f"{user}-{n}", text, button_payload=payload)
            await engine.handle(inbound)

    asyncio.run_coroutine_threadsafe(run(), server.loop).result(timeout=30)


def bot_texts(server: LiveServer, user: str) -> list[str]:
    runtime = server.runtime
    key = runtime.webchat.log_key(user)
    future = asyncio.run_coroutine_threadsafe(runtime.chat_log.since(key, None), server.loop)
    return [e.message.get("text", "") for e in future.result(timeout=10) if e.role == "bot"]


def wait_for_text(server: LiveServer, user: str, text: str, timeout: float = 15) -> str:
    deadline = time.monotonic() + timeout
    while True:
        found = [t for t in bot_texts(server, user) if text in t]
        if found:
            return found[-1]
        assert time.monotonic() < deadline, bot_texts(server, user)[-3:]
        time.sleep(0.2)


def test_an_alert_reaches_web_chat_subscribers_in_their_language(server: LiveServer) -> None:
    talk(server, "w1", ("/start", None), ("", "lang:uz"), ("", "alerts"), ("", "sub:health"))
    talk(server, "w2", ("/start", None), ("", "lang:ru"), ("", "alerts"), ("", "sub:law"))
    book = AlertBook(server.runtime.storage.engine)
    alert = book.create(
        {"ru": "Бесплатная вакцинация", "uz": "Bepul emlash"},
        Audience(topics=("health",)),
        created_by="test",
    )
    wait_for_text(server, "w1", "Bepul emlash")
    deadline = time.monotonic() + 10
    while (book.get(alert.id or 0) or alert).status != "done":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert book.counts(alert.id or 0)["sent"] == 1
    assert not any("вакцинация" in t for t in bot_texts(server, "w2"))


def test_a_due_reminder_is_sent_in_the_persons_language(server: LiveServer) -> None:
    talk(
        server, "r1", ("/start", None), ("", "lang:ky"), ("", "reminders"),
        ("", "remadd:registration"),
        ((datetime.now(UTC) + timedelta(days=30)).strftime("%d.%m.%Y"), None),
    )  # fmt: skip
    with Session(server.runtime.storage.engine) as session:  # its day has come
        session.exec(update(Reminder).values(fire_at=datetime.now(UTC) - timedelta(minutes=1)))
        session.commit()
    catalogs = server.runtime.engine.services.catalogs
    start = catalogs.text("ky", "reminders.due.registration", date="|").split("|")[0]
    wait_for_text(server, "r1", start[:20])
