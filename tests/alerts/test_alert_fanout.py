"""10,000 recipients, two `musofir worker` processes, one killed with SIGKILL mid-run.

Against the Telegram, Twilio (WhatsApp) and Viber stand-ins, on real Redis and PostgreSQL,
with the platforms' rate limits raised twenty times for the test. Nobody gets two messages;
everyone gets one or is reported `uncertain`, and the uncertain ones are no more than the
sends the killed worker had in flight; no one-second window exceeds a platform's rate.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from cryptography.fernet import Fernet
from musofir.alerts.book import AlertBook, Audience
from musofir.alerts.worker import HEARTBEAT_PREFIX, WorkerTimings
from musofir.storage import open_storage
from musofir.storage.models import AlertDelivery
from sqlmodel import Session, select
from utils.platforms import channel_settings
from utils.recipients import Recipient, add_subscribers
from utils.standins import StandIns

from musofir.settings import Settings

PEOPLE = 10_000
SCALE = 20
RATES = {"telegram": 30 * SCALE, "twilio": 50 * SCALE, "viber": 50 * SCALE}
TEMPLATE = "HX" + "e" * 32


def recipients() -> list[Recipient]:
    found = []
    for i in range(PEOPLE):
        channel = ("telegram", "whatsapp", "viber")[i % 3]
        user = {
            "telegram": str(10_000_000 + i),
            "whatsapp": f"whatsapp:+7900{i:07d}",
            "viber": f"fanout-{i:06d}==",
        }[channel]
        found.append(Recipient(channel, user, ("ru", "uz", "tg", "ky")[i % 4]))
    return found


@contextmanager
def worker_process(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "musofir", "worker"],
            env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)


def wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def peak_per_second(times: list[float]) -> int:
    """The most calls inside any one-second window (half-open), by the stand-in's clock."""
    times = sorted(times)
    peak, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        peak = max(peak, end - start + 1)
    return peak


def test_ten_thousand_recipients_with_a_worker_killed_mid_run(
    standins: StandIns, redis_url: str, postgres_url: str, tmp_path: Path
) -> None:
    stand = standins
    stand.clear()
    keys_env = {
        "MUSOFIR_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "MUSOFIR_HASH_KEY": "fanout-test-key",
    }
    env = {
        **channel_settings(stand.telegram_base, stand.twilio_base, stand.viber_base),
        **keys_env,
        "REDIS_URL": redis_url,
        "DATABASE_URL": postgres_url,
        "MUSOFIR_DATA_DIR": str(tmp_path / "data"),
        "MUSOFIR_RATE_LIMIT_SCALE": str(SCALE),
    }
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=postgres_url,
        encryption_key=keys_env["MUSOFIR_ENCRYPTION_KEY"],
        hash_key=keys_env["MUSOFIR_HASH_KEY"],
    )
    storage = open_storage(settings)
    people = recipients()
    started = time.monotonic()
    keys = add_subscribers(storage, people)
    print(f"subscribers written in {time.monotonic() - started:.1f} s")
    user_of = dict(zip(keys, people, strict=True))
    book = AlertBook(storage.engine)
    client = redis.Redis.from_url(redis_url)
    log = tmp_path / "workers.log"
    try:
        with worker_process(env, log) as first, worker_process(env, log):
            wait_for(lambda: len(client.keys(HEARTBEAT_PREFIX + "*")) == 2, 60, "two workers")
            alert = book.create(
                {"ru": "Важная новость", "uz": "Muhim yangilik"},
                Audience(),
                created_by="test",
                content_sid=TEMPLATE,  # WhatsApp: everyone here is outside the 24-hour window
            )
            alert_id = alert.id or 0
            started = time.monotonic()
            wait_for(lambda: book.counts(alert_id)["sent"] >= PEOPLE // 3, 120, "a third sent")
            print(f"a third sent after {time.monotonic() - started:.1f} s")
            first.send_signal(signal.SIGKILL)  # mid-run, sends in flight
            first.wait(timeout=10)
            with worker_process(env, log):  # and restarted
                wait_for(lambda: (book.get(alert_id) or alert).status == "done", 240, "done")
                print(f"done after {time.monotonic() - started:.1f} s")
    finally:
        client.close()
    counts = book.counts(alert_id)
    with Session(storage.engine) as session:
        rows = session.exec(select(AlertDelivery).where(AlertDelivery.alert_id == alert_id)).all()
        uncertain = {r.person_key for r in rows if r.status == "uncertain"}
    storage.close()

    assert counts["queued"] == counts["sending"] == 0, counts
    assert counts["sent"] + counts["uncertain"] == PEOPLE, counts
    assert counts["uncertain"] <= WorkerTimings().batch, counts  # what the killed one held

    got: Counter[str] = Counter()
    for call in stand.sent("telegram"):
        got[str(call.params["chat_id"])] += 1
    for call in stand.sent("twilio"):
        got[str(call.params["To"])] += 1
        assert call.params.get("ContentSid") == TEMPLATE
    for call in stand.sent("viber"):
        got[str(call.params["receiver"])] += 1
    assert [user for user, n in got.items() if n > 1] == [], "somebody got two messages"
    missing = {key for key, person in user_of.items() if got[person.user_id] == 0}
    assert missing <= uncertain, "somebody got nothing and is not reported uncertain"

    for platform, rate in RATES.items():
        times = [c.at for c in stand.sent(platform)]
        assert peak_per_second(times) <= rate, (platform, peak_per_second(times), rate)
