"""Alerts through real workers: Redis Streams, the scheduler lease, the platform stand-ins.

The worker runs in this process (its loop in a thread); the big crash test with worker
processes killed by SIGKILL is in test_alert_fanout.py.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from musofir.alerts.book import AlertBook, Audience
from musofir.alerts.worker import AlertWorker, WorkerTimings
from musofir.bots.server import Runtime, build_runtime
from sqlalchemy import inspect
from utils.platforms import channel_settings
from utils.recipients import Recipient, add_subscribers
from utils.standins import StandIns

from musofir.settings import Settings
from musofir.worker import build_worker

FAST = WorkerTimings(lease_ms=1500, heartbeat_ms=1000, tick_seconds=0.3, reclaim_seconds=0.3)


def settings_for(stand: StandIns, tmp_path: Path, redis_url: str) -> Settings:
    env = channel_settings(stand.telegram_base, stand.twilio_base, stand.viber_base)
    return Settings.model_validate(
        {
            **env,
            "data_dir": tmp_path / "data",
            "redis_url": redis_url,
            "rate_limit_scale": 50,
            "encryption_key": Fernet.generate_key().decode(),
            "hash_key": "alerts-test-key",
        }
    )


class Running:
    """A worker with its own runtime (connections) on its own event loop in a thread, stopped
    on request as SIGTERM would; a second one after it is a restart."""

    def __init__(self, runtime: Runtime, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.stop = asyncio.Event()
        self.runtime = build_runtime(runtime.settings, steady_rates=True)
        self.worker: AlertWorker = build_worker(self.runtime, timings=FAST, name=name)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        self.loop.run_until_complete(self.worker.run(self.stop))

    def call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=30)

    def halt(self) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(timeout=15)
        self.runtime.storage.close()


def wait_done(book: AlertBook, alert_id: int, timeout: float = 30) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while True:
        alert = book.get(alert_id)
        assert alert is not None
        if alert.status == "done":
            return book.counts(alert_id)
        assert time.monotonic() < deadline, (alert.status, book.counts(alert_id))
        time.sleep(0.1)


def people(n: int, *, offset: int = 0) -> list[Recipient]:
    found = []
    for i in range(offset, offset + n):
        channel = ("telegram", "viber", "whatsapp")[i % 3]
        user = {
            "telegram": str(5_000_000 + i),
            "viber": f"viber-user-{i:06d}==",
            "whatsapp": f"whatsapp:+7999{i:07d}",
        }[channel]
        language = ("ru", "uz", "tg")[(i // 3) % 3]
        found.append(Recipient(channel, user, language, topics="law,health"))
    return found


def mark_recent(runtime: Runtime, loop_call: Any, keys: list[str]) -> None:
    """These people wrote a moment ago: WhatsApp's window is open for them."""

    async def touch() -> None:
        for key in keys:
            conversation = await runtime.store.load(key)
            conversation.last_inbound_at = time.time()
            await runtime.store.save(key, conversation)

    loop_call(touch())


def test_each_subscriber_gets_the_alert_once_in_their_language(
    stand: StandIns, tmp_path: Path, redis_url: str
) -> None:
    runtime = build_runtime(settings_for(stand, tmp_path, redis_url))
    recipients = people(30)
    keys = add_subscribers(runtime.storage, recipients)
    add_subscribers(runtime.storage, [Recipient("telegram", "777", topics="centre")])
    running = Running(runtime, "w1")
    try:
        whatsapp = [k for k, r in zip(keys, recipients, strict=True) if r.channel == "whatsapp"]
        mark_recent(running.runtime, running.call, whatsapp[:5])  # the other 5 are outside 24 h
        book = AlertBook(runtime.storage.engine)
        texts = {"ru": "Новый закон", "uz": "Yangi qonun"}
        audience = Audience(topics=("law",))
        assert book.count(audience) == 30
        alert = book.create(texts, audience, created_by="test")
        counts = wait_done(book, alert.id or 0)
    finally:
        running.halt()
    assert counts["sent"] == 25 and counts["skipped"] == 5, counts
    assert counts["queued"] == counts["sending"] == counts["uncertain"] == 0
    telegram = [str(c.params["chat_id"]) for c in stand.sent("telegram")]
    assert sorted(telegram) == sorted(r.user_id for r in recipients if r.channel == "telegram")
    assert "777" not in telegram  # subscribed to another topic
    by_text = Counter(str(c.params.get("text")) for c in stand.sent("telegram"))
    # ru gets ru, uz gets uz, tg (no Tajik text) gets the Russian one.
    assert by_text == {"Новый закон": 7, "Yangi qonun": 3}
    viber = [c.params["receiver"] for c in stand.sent("viber")]
    assert len(viber) == len(set(viber)) == 10
    twilio = stand.sent("twilio")
    assert len(twilio) == 5 and all("Body" in c.params for c in twilio)


def test_outside_the_window_an_alert_with_a_template_goes_as_the_template(
    stand: StandIns, tmp_path: Path, redis_url: str
) -> None:
    runtime = build_runtime(settings_for(stand, tmp_path, redis_url))
    recipients = [r for r in people(9) if r.channel == "whatsapp"]
    add_subscribers(runtime.storage, recipients)
    running = Running(runtime, "w1")
    try:
        book = AlertBook(runtime.storage.engine)
        template = "HX" + "d" * 32
        alert = book.create(
            {"ru": "Прививки бесплатно"}, Audience(), created_by="t", content_sid=template
        )
        counts = wait_done(book, alert.id or 0)
    finally:
        running.halt()
    assert counts["sent"] == 3
    assert [c.params.get("ContentSid") for c in stand.sent("twilio")] == [template] * 3


def test_a_blocked_person_is_reported_and_unsubscribed(
    stand: StandIns, tmp_path: Path, redis_url: str
) -> None:
    from musofir.alerts.subscriptions import SubscriptionBook

    runtime = build_runtime(settings_for(stand, tmp_path, redis_url))
    keys = add_subscribers(
        runtime.storage, [Recipient("telegram", "9001"), Recipient("telegram", "9002")]
    )
    stand.fail_next("telegram", status=403, description="Forbidden: bot was blocked by the user")
    running = Running(runtime, "w1")
    try:
        book = AlertBook(runtime.storage.engine)
        alert = book.create({"ru": "Текст"}, Audience(), created_by="t")
        counts = wait_done(book, alert.id or 0)
    finally:
        running.halt()
    assert counts["sent"] == 1 and counts["blocked"] == 1
    subscribed = [SubscriptionBook(runtime.storage.engine).get(k) is not None for k in keys]
    assert sorted(subscribed) == [False, True]


def test_a_scheduled_alert_survives_a_restart_and_is_sent_once(
    stand: StandIns, tmp_path: Path, redis_url: str
) -> None:
    runtime = build_runtime(settings_for(stand, tmp_path, redis_url))
    add_subscribers(runtime.storage, [Recipient("telegram", str(8000 + i)) for i in range(6)])
    book = AlertBook(runtime.storage.engine)
    send_at = datetime.now(UTC) + timedelta(seconds=4)
    alert = book.create(
        {"ru": "Завтра день открытых дверей"}, Audience(), created_by="t", send_at=send_at
    )
    first = Running(runtime, "before-restart")
    deadline = time.monotonic() + 10
    while not first.worker.leading or not _job_kept(runtime, alert.id or 0):
        assert time.monotonic() < deadline, "the scheduler did not take the alert"
        time.sleep(0.1)
    first.halt()  # the restart: the only worker stops before the alert's time
    assert stand.sent("telegram") == []
    assert _job_kept(runtime, alert.id or 0), "the job store keeps the job across the restart"
    time.sleep(max(0.0, (send_at - datetime.now(UTC)).total_seconds()) + 0.5)
    second = Running(runtime, "after-restart")
    try:
        counts = wait_done(book, alert.id or 0)
        time.sleep(1.0)  # a second firing, if there were one, would show by now
    finally:
        second.halt()
    assert counts["sent"] == 6
    chats = [c.params["chat_id"] for c in stand.sent("telegram")]
    assert len(chats) == len(set(chats)) == 6


def _job_kept(runtime: Runtime, alert_id: int) -> bool:
    engine = runtime.storage.engine
    if not inspect(engine).has_table("apscheduler_jobs"):
        return False
    with engine.connect() as connection:
        from sqlalchemy import text

        rows = connection.execute(text("SELECT id FROM apscheduler_jobs")).all()
    return f"alert:{alert_id}" in {r[0] for r in rows}


def test_one_scheduler_at_a_time_and_another_takes_over(
    stand: StandIns, tmp_path: Path, redis_url: str
) -> None:
    runtime = build_runtime(settings_for(stand, tmp_path, redis_url))
    first, second = Running(runtime, "a"), Running(runtime, "b")
    try:
        deadline = time.monotonic() + 10
        while not (first.worker.leading or second.worker.leading):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(1.0)
        assert first.worker.leading != second.worker.leading
        leader, other = (first, second) if first.worker.leading else (second, first)
        leader.halt()
        deadline = time.monotonic() + 10
        while not other.worker.leading:
            assert time.monotonic() < deadline, "nobody took the scheduler over"
            time.sleep(0.05)
    finally:
        for running in (first, second):
            if running.thread.is_alive():
                running.halt()


def test_a_whatsapp_reminder_outside_the_window_goes_as_the_reminder_template(
    stand: StandIns, tmp_path: Path, redis_url: str
) -> None:
    import json

    from musofir.alerts.reminders import ReminderBook
    from sqlmodel import Session, update

    settings = settings_for(stand, tmp_path, redis_url)
    settings.data_dir.mkdir(parents=True)
    template = "HX" + "7" * 32
    (settings.data_dir / "twilio-content.yaml").write_text(f"reminder: {template}\n")
    runtime = build_runtime(settings)
    (key,) = add_subscribers(runtime.storage, [Recipient("whatsapp", "whatsapp:+79990001234")])
    book = ReminderBook(runtime.storage.engine)
    due = (datetime.now(UTC) + timedelta(days=20)).date()
    book.add(key, "patent", due, language="ru", timezone="Asia/Yekaterinburg")
    with Session(runtime.storage.engine) as session:  # its day has come
        from musofir.storage.models import Reminder

        session.exec(update(Reminder).values(fire_at=datetime.now(UTC) - timedelta(seconds=1)))
        session.commit()
    running = Running(runtime, "w1")
    try:
        (call,) = stand.wait_sent("twilio", 1, timeout=15)
    finally:
        running.halt()
    assert call.params["ContentSid"] == template and "Body" not in call.params
    variables = json.loads(call.params["ContentVariables"])
    assert variables["1"].startswith("⏰") and str(due.day) in variables["1"]
    (kept,) = book.of_person(key)
    assert kept.due_on > due  # the patent payment moved on to next month
