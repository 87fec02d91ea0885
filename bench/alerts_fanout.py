"""Alert fan-out: messages per second with one and two ``musofir worker`` processes.

    .venv/bin/python bench/alerts_fanout.py --redis redis://127.0.0.1:63790/8 \\
        --database postgresql+psycopg://... [--people 100000] [--limited 3000]

``--people`` subscribers are written straight into the database (a third each on Telegram,
WhatsApp and Viber; WhatsApp people get the alert's approved template, as they would after 24
hours). Each run creates one alert for everyone and starts the workers; the time runs from the
alert's creation (firing, the queue, every send, every result written) until it is done.
Platform rate limits are lifted (``MUSOFIR_RATE_LIMIT_SCALE``) so the figure is Musofir's own.

Then, with Telegram's real limits on (30 messages a second per bot), ``--limited`` Telegram
subscribers get an alert from two workers: the achieved rate, and the busiest one-second window,
against the limit. Machines here are shared and noisy: compare ratios within one run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import redis
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from musofir.alerts.book import AlertBook, Audience  # noqa: E402
from musofir.storage import open_storage  # noqa: E402
from musofir.storage.models import AlertDelivery, Person, Subscription  # noqa: E402
from sqlmodel import Session, delete  # noqa: E402
from utils.platforms import channel_settings  # noqa: E402
from utils.recipients import Recipient, add_subscribers  # noqa: E402
from utils.standins import StandIns  # noqa: E402

from musofir.settings import Settings  # noqa: E402

TEMPLATE = "HX" + "f" * 32


def people(count: int, only_telegram: bool = False) -> list[Recipient]:
    found = []
    for i in range(count):
        channel = "telegram" if only_telegram else ("telegram", "whatsapp", "viber")[i % 3]
        user = {
            "telegram": str(20_000_000 + i),
            "whatsapp": f"whatsapp:+7901{i:07d}",
            "viber": f"bench-{i:07d}==",
        }[channel]
        found.append(Recipient(channel, user, ("ru", "uz", "tg")[i % 3]))
    return found


def peak_per_second(times: list[float]) -> int:
    times, peak, start = sorted(times), 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        peak = max(peak, end - start + 1)
    return peak


def run_alert(book: AlertBook, env: dict[str, str], workers: int, log: Path) -> float:
    """Start ``workers`` processes, send one alert to everyone, return the seconds it took."""
    with ExitStack() as stack:
        out = stack.enter_context(log.open("ab"))
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "musofir", "worker"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            for _ in range(workers)
        ]
        client = redis.Redis.from_url(env["REDIS_URL"])
        deadline = time.monotonic() + 60
        while len(client.keys("alerts:worker:*")) < workers or not client.get("alerts:scheduler"):
            if time.monotonic() > deadline:
                raise SystemExit(f"workers did not start; see {log}")
            time.sleep(0.2)
        started = time.monotonic()
        texts = {"ru": "Тест", "uz": "Sinov"}
        alert = book.create(texts, Audience(), created_by="bench", content_sid=TEMPLATE)
        while (book.get(alert.id or 0) or alert).status != "done":
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        counts = book.counts(alert.id or 0)
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        client.close()
    print(f"  counts: {counts}", flush=True)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--redis", required=True, help="a Redis URL; its database is flushed")
    parser.add_argument("--database", required=True, help="PostgreSQL URL; its tables are used")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--limited", type=int, default=3000)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    keys = {"MUSOFIR_ENCRYPTION_KEY": Fernet.generate_key().decode(), "MUSOFIR_HASH_KEY": "b"}
    settings = Settings(
        data_dir=folder, database_url=args.database,
        encryption_key=keys["MUSOFIR_ENCRYPTION_KEY"], hash_key=keys["MUSOFIR_HASH_KEY"],
    )  # fmt: skip
    storage = open_storage(settings)
    with Session(storage.engine) as session:  # start from no subscribers at all
        for table in (AlertDelivery, Subscription, Person):
            session.exec(delete(table))  # type: ignore[call-overload]
        session.commit()
    book = AlertBook(storage.engine)
    with StandIns() as stand:
        base = {
            **os.environ,
            **channel_settings(stand.telegram_base, stand.twilio_base, stand.viber_base),
            **keys,
            "REDIS_URL": args.redis,
            "DATABASE_URL": args.database,
            "MUSOFIR_DATA_DIR": str(folder),
        }
        started = time.monotonic()
        add_subscribers(storage, people(args.people))
        print(f"{args.people} subscribers written in {time.monotonic() - started:.0f} s")
        lifted = {**base, "MUSOFIR_RATE_LIMIT_SCALE": "1000"}
        for workers in (int(w) for w in args.workers.split(",")):
            redis.Redis.from_url(args.redis).flushdb()
            stand.clear()
            elapsed = run_alert(book, lifted, workers, folder / "workers.log")
            rate = args.people / elapsed
            print(
                f"{workers} worker(s), limits lifted: {args.people} messages in "
                f"{elapsed:.1f} s = {rate:.0f} messages/s",
                flush=True,
            )

        with Session(storage.engine) as session:
            for table in (AlertDelivery, Subscription, Person):
                session.exec(delete(table))  # type: ignore[call-overload]
            session.commit()
        add_subscribers(storage, people(args.limited, only_telegram=True))
        redis.Redis.from_url(args.redis).flushdb()
        stand.clear()
        elapsed = run_alert(book, {**base, "MUSOFIR_RATE_LIMIT_SCALE": "1"}, 2, folder / "w.log")
        times = [c.at for c in stand.sent("telegram")]
        span = max(times) - min(times)
        print(f"2 workers, Telegram's limit on (30/s): {len(times)} messages in {span:.1f} s "
              f"= {len(times) / span:.1f} messages/s; busiest second {peak_per_second(times)}; "
              f"whole alert {elapsed:.1f} s")  # fmt: skip
    storage.close()


if __name__ == "__main__":
    main()
