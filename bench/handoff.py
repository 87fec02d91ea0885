"""Handoff latency with many open cases: a message to the console, a reply to the platform.

    .venv/bin/python bench/handoff.py --redis redis://127.0.0.1:63790/6 [--cases 200]
        [--rounds 200] [--database postgresql+psycopg://...]

``musofir serve`` runs in its own process (Redis state, the database given or SQLite) with the
Telegram channel pointed at the loopback stand-in. ``--cases`` people each open a case through
signed Telegram webhooks (language, "юрист", a line). A lawyer signs in to the console and keeps
its live event stream open, as the page does. Then, ``--rounds`` times, with 8 at once:

- webhook → console: a person's message is posted to ``/webhooks/telegram``; the time runs until
  the console's event stream has announced it *and* the case view the page then fetches shows
  the message (what a specialist sees);
- reply → platform: a reply is posted to the console's API; the time runs until the Telegram
  stand-in has received ``sendMessage`` with its text.

Machines here are shared and noisy: read the figures as a range, compare ratios within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import redis
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from utils.platforms import TELEGRAM_SECRET, channel_settings, tg_button, tg_message  # noqa: E402
from utils.processes import serve_process  # noqa: E402
from utils.standins import StandIns  # noqa: E402

PASSWORD = "bench password 123"
AT_ONCE = int(os.environ.get("BENCH_AT_ONCE", "8"))


async def post_update(http: httpx.AsyncClient, update: dict[str, Any]) -> None:
    response = await http.post(
        "/webhooks/telegram",
        content=json.dumps(update),
        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
    )
    response.raise_for_status()


async def open_cases(http: httpx.AsyncClient, people: list[int]) -> None:
    gate = asyncio.Semaphore(AT_ONCE * 2)

    async def one(person: int) -> None:
        async with gate:
            await post_update(http, tg_message(person, "/start"))
            await post_update(http, tg_button(person, "lang:ru"))
            await post_update(http, tg_message(person, "юрист"))
            await post_update(http, tg_message(person, f"Вопрос номер {person}: не платят"))

    await asyncio.gather(*(one(p) for p in people))


async def sign_in(http: httpx.AsyncClient) -> str:
    page = await http.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "no login form"
    form = {"username": "bench", "password": PASSWORD, "csrf_token": token.group(1)}
    response = await http.post("/console/login", data=form)
    assert response.status_code == 303, response.text
    home = await http.get("/console")
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', home.text)
    assert csrf
    return csrf.group(1)


class Stream:
    """The console's event stream, read as the page reads it: one event per change."""

    def __init__(self) -> None:
        self.waiters: dict[int, list[asyncio.Future[None]]] = {}

    async def run(self, http: httpx.AsyncClient, ready: asyncio.Event) -> None:
        async with http.stream("GET", "/console/api/events", timeout=None) as response:
            async for line in response.aiter_lines():
                if line.startswith("event: ready"):
                    ready.set()
                if not line.startswith("data: {"):
                    continue
                event = json.loads(line[6:])
                if event.get("type") == "message":
                    for waiter in self.waiters.pop(int(event["case"]), []):
                        if not waiter.done():
                            waiter.set_result(None)

    def expect(self, case_id: int) -> asyncio.Future[None]:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiters.setdefault(case_id, []).append(waiter)
        return waiter


async def webhook_to_console(
    http: httpx.AsyncClient, console: httpx.AsyncClient, stream: Stream, person: int, case: int
) -> float:
    text = f"сообщение {time.monotonic_ns()}"
    seen = stream.expect(case)
    started = time.perf_counter()
    await post_update(http, tg_message(person, text))
    while True:
        await asyncio.wait_for(seen, 30)
        detail = (await console.get(f"/console/api/cases/{case}")).json()
        if any(m["text"] == text for m in detail["messages"]):
            return time.perf_counter() - started
        seen = stream.expect(case)  # an earlier event of this case: wait for the next one


async def reply_to_platform(
    console: httpx.AsyncClient, csrf: str, stand: StandIns, person: int, case: int
) -> float:
    text = f"ответ {time.monotonic_ns()}"
    started = time.perf_counter()
    response = await console.post(
        f"/console/api/cases/{case}/reply", json={"text": text}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 200, response.text
    while True:
        for call in stand.calls("telegram", "sendMessage"):
            if text in str(call.params.get("text", "")):
                return time.perf_counter() - started
        await asyncio.sleep(0.001)


def summary(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    return (
        f"{name:24} n={len(ms):4}  p50 {statistics.median(ms):7.1f} ms  p99 {p99:7.1f} ms  "
        f"max {ms[-1]:7.1f} ms"
    )


async def measure(url: str, stand: StandIns, cases: int, rounds: int) -> None:
    limits = httpx.Limits(max_connections=64)
    async with (
        httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http,
        httpx.AsyncClient(base_url=url, timeout=60) as console,
        httpx.AsyncClient(base_url=url, timeout=None) as events,
    ):
        people = list(range(700_001, 700_001 + cases))
        started = time.perf_counter()
        await open_cases(http, people)
        print(f"opened {cases} cases in {time.perf_counter() - started:.1f} s", flush=True)
        csrf = await sign_in(console)
        events.cookies = console.cookies
        queue = (await console.get("/console/api/queue")).json()["cases"]
        by_summary = {c["summary"]: c["id"] for c in queue}
        case_of = {p: by_summary[f"Вопрос номер {p}: не платят"] for p in people}
        print(f"open cases in the queue: {len(queue)}", flush=True)
        stream = Stream()
        ready = asyncio.Event()
        reader = asyncio.create_task(stream.run(events, ready))
        await asyncio.wait_for(ready.wait(), 10)

        gate = asyncio.Semaphore(AT_ONCE)
        inbound: list[float] = []
        outbound: list[float] = []

        async def round_(n: int) -> None:
            person = people[n % len(people)]
            async with gate:
                inbound.append(
                    await webhook_to_console(http, console, stream, person, case_of[person])
                )
                outbound.append(
                    await reply_to_platform(console, csrf, stand, person, case_of[person])
                )

        await asyncio.gather(*(round_(n) for n in range(rounds)))
        reader.cancel()
        print(summary("webhook -> console", inbound))
        print(summary("reply -> platform send", outbound))


def empty_cases(url: str) -> None:
    """Start from no cases and no people, so the queue holds exactly ``--cases``."""
    from musofir.storage import make_engine
    from musofir.storage.models import AuditEntry, Case, CaseMessage, Person
    from sqlmodel import Session, delete

    engine = make_engine(url)
    with Session(engine) as session:
        for table in (CaseMessage, Case, AuditEntry, Person):
            session.exec(delete(table))  # type: ignore[call-overload]
        session.commit()
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--redis", required=True, help="a Redis URL; its database is flushed")
    parser.add_argument("--database", help="SQLAlchemy URL (default: SQLite in a temp folder)")
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    redis.Redis.from_url(args.redis).flushdb()
    with tempfile.TemporaryDirectory() as folder, StandIns() as stand:
        env = {
            **os.environ,
            **channel_settings(stand.telegram_base, stand.twilio_base, stand.viber_base),
            "MUSOFIR_DATA_DIR": str(Path(folder) / "data"),
            "REDIS_URL": args.redis,
            "MUSOFIR_HOURS_LAWYER": "24/7",
            "MUSOFIR_RATE_LIMIT_SCALE": "100",
            "MUSOFIR_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "MUSOFIR_HASH_KEY": "bench-hash-key",
        }
        if args.database:
            env["DATABASE_URL"] = args.database
        added = subprocess.run(
            [sys.executable, "-m", "musofir", "users", "add", "bench", "--role", "lawyer",
             "--password-stdin"],
            input=PASSWORD + "\n", text=True, env=env, capture_output=True,
        )  # fmt: skip
        if added.returncode != 0 and "already exists" not in added.stderr:
            raise SystemExit(added.stderr)
        if args.database:
            empty_cases(args.database)
        with serve_process(env, Path(folder)) as server:
            asyncio.run(measure(server.url, stand, args.cases, args.rounds))


if __name__ == "__main__":
    main()
