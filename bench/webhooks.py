"""Webhook-to-reply messages per second and latency per platform, against loopback stand-ins.

    .venv/bin/python bench/webhooks.py --redis redis://127.0.0.1:63790/0 [--duration 10]
        [--workers 2] [--only aiogram telegram]

For each target, wrk (1 thread, 32 connections) replays prepared, correctly signed webhook
requests, each a different message from one of ``--people`` people who already chose a language:
typed questions (matched against the knowledge base, answered in several messages), menu words
and numbered choices. Musofir runs as ``musofir serve`` with ``REDIS_URL`` set, so every request
does the real work: signature, inbox lease, dedupe, per-person lock, state in Redis, matching,
the person in SQLite, rate-limit reservations, and the replies through the stand-in API (the last
Telegram reply rides in the webhook response). Platform rate limits are scaled up
(``MUSOFIR_RATE_LIMIT_SCALE``), or Telegram's 30 messages a second would be all we measured.

The yardstick is a minimal aiogram echo bot behind aiogram's ``SimpleRequestHandler`` in its two
forms (reply through the API; reply in the webhook response), fed the same Telegram updates.
``--workers`` is ``musofir serve --workers`` (one per core in production: compose's default is
2); the echo bot always runs in one process, as aiogram's minimal example does.
Machines here are shared and noisy: compare the ratios within one run. Each line also gives the
server's CPU time per message (its processes' user + system time over the wrk run, from /proc),
which the machine's other load disturbs less.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import httpx
import redis
from aiogram.types import CallbackQuery, Chat, Message, Update, User
from cryptography.fernet import Fernet
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from utils.live import free_port  # noqa: E402
from utils.platforms import PUBLIC_URL, TELEGRAM_SECRET, channel_settings  # noqa: E402
from utils.standins import TWILIO_AUTH_TOKEN, VIBER_TOKEN, StandIns  # noqa: E402

LUA = ROOT / "bench" / "wrk" / "replay.lua"
ECHO = ROOT / "bench" / "aiogram_echo.py"
ECHO_SECRET = "bench-secret"
TEXTS = [
    "как получить патент",
    "menu",
    "потерял паспорт что делать",
    "2",
    "patent qanday olinadi",
    "where can I see a doctor for free",
    "работодатель не платит зарплату",
    "1",
]


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    header: str
    content_type: str
    platform: str  # stand-in platform whose sent calls are the replies


@dataclass(frozen=True)
class Result:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    api_calls: int
    requests: int = 0
    cpu_ms_per_message: float = float("nan")  # the server's processes, user + system


# Prepared requests ---------------------------------------------------------------------------


def tg_update(update_id: int, person: int, text: str | None, data: str | None = None) -> str:
    chat = Chat(id=person, type="private")
    user = User(id=person, is_bot=False, first_name="B", language_code="ru")
    now = datetime.now(UTC)
    if data is not None:
        shown = Message(message_id=update_id, date=now, chat=chat, text="…")
        query = CallbackQuery(
            id=str(update_id), from_user=user, chat_instance="b", message=shown, data=data
        )
        update = Update(update_id=update_id, callback_query=query)
    else:
        message = Message(message_id=update_id, date=now, chat=chat, from_user=user, text=text)
        update = Update(update_id=update_id, message=message)
    return json.dumps(update.model_dump(mode="json", by_alias=True, exclude_none=True))


def twilio_line(path: str, sid: int, sender: str, body: str) -> str:
    form = {
        "MessageSid": f"SM{sid:032d}",
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": "+15005550006",
        "Body": body,
        "NumMedia": "0",
    }
    signature = RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(PUBLIC_URL + path, form)
    return f"{signature}\t{urlencode(form)}"


def viber_line(token: int, person: str, text: str) -> str:
    import hashlib
    import hmac

    body = json.dumps(
        {
            "event": "message",
            "timestamp": 1,
            "message_token": token,
            "sender": {"id": person, "name": "B", "language": "ru", "api_version": 10},
            "message": {"type": "text", "text": text},
        }
    )
    return f"{hmac.new(VIBER_TOKEN.encode(), body.encode(), hashlib.sha256).hexdigest()}\t{body}"


def prepare(target: Target, people: int, count: int, folder: Path) -> tuple[Path, list[str]]:
    """The wrk replay file, and the warm-up lines (each person chooses Russian)."""
    lines: list[str] = []
    warm: list[str] = []
    for n in range(count):
        person, text = n % people, TEXTS[n % len(TEXTS)]
        uid = 10_000_000 + n
        if target.name in ("telegram", "aiogram echo (API)", "aiogram echo (in response)"):
            secret = TELEGRAM_SECRET if target.name == "telegram" else ECHO_SECRET
            lines.append(f"{secret}\t{tg_update(uid, 100_000 + person, text)}")
        elif target.name in ("whatsapp", "sms"):
            sender = (
                f"whatsapp:+7999{person:07d}"
                if target.name == "whatsapp"
                else f"+7998{person:07d}"
            )
            lines.append(twilio_line(target.path, uid, sender, text))
        else:
            lines.append(viber_line(uid, f"bench-{person}==", text))
    for person in range(people):
        if target.name == "telegram":
            warm.append(
                f"{TELEGRAM_SECRET}\t{tg_update(person + 1, 100_000 + person, None, 'lang:ru')}"
            )
        elif target.name in ("whatsapp", "sms"):
            sender = (
                f"whatsapp:+7999{person:07d}"
                if target.name == "whatsapp"
                else f"+7998{person:07d}"
            )
            warm.append(twilio_line(target.path, person * 2 + 1, sender, "hello"))
            warm.append(twilio_line(target.path, person * 2 + 2, sender, "1"))
        elif target.name == "viber":
            warm.append(viber_line(person + 1, f"bench-{person}==", "#musofir:lang:ru"))
    path = folder / f"{target.name.split()[0]}-{len(target.name)}.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, warm


# Processes ----------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its descendants (uvicorn's workers), from /proc.

    A figure the machine's other load disturbs less than messages per second: what one message
    costs the server, whoever else wants the cores.
    """
    parents: dict[int, int] = {}
    times: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        child = int(stat.parent.name)
        parents[child], times[child] = int(fields[1]), int(fields[11]) + int(fields[12])
    family, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    return sum(times.get(member, 0) for member in family) / os.sysconf("SC_CLK_TCK")


@contextmanager
def process(
    command: list[str], env: dict[str, str], port: int, log: Path
) -> Iterator[tuple[str, int]]:
    with log.open("wb") as out:
        child = subprocess.Popen(command, env={**os.environ, **env}, stdout=out, stderr=out)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(url + "/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    if child.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"{command[2:4]} did not start; see {log}") from None
                    time.sleep(0.1)
            yield url, child.pid
        finally:
            child.terminate()
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()


async def warm_up(url: str, target: Target, lines: list[str]) -> None:
    """Send the warm-up lines, one person's messages in order, 32 people at a time."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        semaphore = asyncio.Semaphore(32)

        async def send(line: str) -> None:
            value, body = line.split("\t", 1)
            async with semaphore:
                response = await client.post(
                    target.path,
                    content=body.encode(),
                    headers={target.header: value, "Content-Type": target.content_type},
                )
                response.raise_for_status()

        # Twilio warm-up lines come in pairs per person (hello, then 1): keep each pair in order.
        step = 2 if target.name in ("whatsapp", "sms") else 1
        for start in range(0, len(lines), 64 * step):
            chunk = lines[start : start + 64 * step]
            pairs = [chunk[i : i + step] for i in range(0, len(chunk), step)]

            async def in_order(pair: list[str]) -> None:
                for line in pair:
                    await send(line)

            await asyncio.gather(*(in_order(pair) for pair in pairs))


def run_wrk(url: str, target: Target, replay: Path, duration: int, connections: int) -> Result:
    command = [
        "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s",
        "-s", str(LUA), url, "--", target.path, target.header, target.content_type, str(replay),
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    requests = re.search(r"(\d+) requests in", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if socket_errors:
        print(f"  {target.name}: socket errors: {socket_errors.group(1)}", file=sys.stderr)
    return Result(
        target.name, rate, _percentile(output, "50"), _percentile(output, "99"),
        int(errors.group(1)) if errors else 0, 0, int(requests.group(1)) if requests else 0,
    )  # fmt: skip


def _percentile(output: str, which: str) -> float:
    found = re.search(rf"\s{which}%\s+([\d.]+)(us|ms|s)", output)
    if not found:
        return float("nan")
    value, unit = float(found.group(1)), found.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


# The run -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis", required=True, help="a Redis URL (its database is flushed)")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1, help="musofir serve --workers")
    parser.add_argument(
        "--memory", action="store_true", help="Musofir without REDIS_URL: what Redis costs"
    )
    parser.add_argument("--only", nargs="*", default=None, help="targets to run (default: all)")
    args = parser.parse_args()

    tg = ("/webhooks/telegram", "X-Telegram-Bot-Api-Secret-Token", "application/json")
    form = "application/x-www-form-urlencoded"
    targets = [
        Target("aiogram echo (API)", *tg, "telegram"),
        Target("aiogram echo (in response)", *tg, "telegram"),
        Target("telegram", *tg, "telegram"),
        Target("whatsapp", "/webhooks/whatsapp", "X-Twilio-Signature", form, "twilio"),
        Target("sms", "/webhooks/sms", "X-Twilio-Signature", form, "twilio"),
        Target(
            "viber", "/webhooks/viber", "X-Viber-Content-Signature", "application/json", "viber"
        ),
    ]
    if args.only:
        targets = [t for t in targets if t.name.split()[0] in args.only or t.name in args.only]
    count = max(60_000, args.duration * 6000)
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp, StandIns(max_calls=10) as stand:
        folder = Path(tmp)
        for target in targets:
            redis.Redis.from_url(args.redis).flushdb()
            stand.clear()
            replay, warm = prepare(target, args.people, count, folder)
            port = free_port()
            log = folder / f"{target.name.split()[0]}.log"
            if target.name.startswith("aiogram"):
                form = "api" if "API" in target.name else "inline"
                command = [
                    sys.executable,
                    str(ECHO),
                    "--port",
                    str(port),
                    "--api",
                    stand.telegram_base,
                    "--form",
                    form,
                ]
                env: dict[str, str] = {}
            else:
                command = [sys.executable, "-m", "musofir", "serve", "--port", str(port)]
                command += ["--workers", str(args.workers)]
                env = {
                    **channel_settings(stand.telegram_base, stand.twilio_base, stand.viber_base),
                    "REDIS_URL": "" if args.memory else args.redis,
                    "MUSOFIR_DATA_DIR": str(folder / f"data-{target.name}"),
                    "MUSOFIR_HASH_KEY": "bench",
                    "MUSOFIR_ENCRYPTION_KEY": Fernet.generate_key().decode(),
                    "MUSOFIR_RATE_LIMIT_SCALE": "1000",
                }
            with process(command, env, port, log) as (url, pid):
                asyncio.run(warm_up(url, target, warm))
                time.sleep(0.5)
                before = stand.sent_count(target.platform)
                cpu_before = cpu_seconds(pid)
                result = run_wrk(url, target, replay, args.duration, args.connections)
                cpu = cpu_seconds(pid) - cpu_before
                time.sleep(1.0)
                calls = stand.sent_count(target.platform) - before
            per_message = cpu * 1000 / result.requests if result.requests else float("nan")
            result = replace(result, api_calls=calls, cpu_ms_per_message=per_message)
            results.append(result)
            print(
                f"{result.name:28} {result.requests_per_second:8.0f} msg/s  "
                f"p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms  "
                f"non-2xx {result.errors:5d}  API calls {result.api_calls:7d}  "
                f"server CPU {result.cpu_ms_per_message:5.2f} ms/msg",
                flush=True,
            )
    by_name = {r.name: r for r in results}
    base = by_name.get("aiogram echo (API)")
    if base:
        for result in results:
            ratio = result.requests_per_second / base.requests_per_second
            print(f"{result.name:28} {ratio:5.2f} × the echo bot replying through the API")


if __name__ == "__main__":
    main()
