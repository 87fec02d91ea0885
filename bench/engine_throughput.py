"""Messages per second and latency through the dialog engine, in-process.

    .venv/bin/python bench/engine_throughput.py [--people 200] [--messages 20] [--redis URL]

Each simulated person chooses a language, opens menus, taps topics and types questions; people
run concurrently. Prints one line per state store so their ratio can be compared in one run
(machines here are shared and noisy: compare ratios, not absolute numbers across runs).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from musofir.bots.server import build_runtime
from musofir.dialogs import Inbound

from musofir.settings import Settings

SCRIPT = [
    ("payload", "menu"),
    ("payload", "cat:legal"),
    ("payload", "topic:patent.payment"),
    ("text", "как оплатить патент"),
    ("text", "patent pulini qachon to'lash kerak"),
    ("text", "потерял паспорт что делать"),
    ("text", "какая погода завтра"),
    ("text", "меню"),
    ("text", "2"),
    ("payload", "helpful:patent.payment"),
]


async def person(
    engine_handle, name: str, messages: int, latencies: list[float], first: list[float]
) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(name)
    steps = [("text", "/start"), ("payload", f"lang:{rng.choice(['ru', 'uz', 'tg', 'ky', 'en'])}")]
    steps += [rng.choice(SCRIPT) for _ in range(messages - len(steps))]
    for number, (kind, value) in enumerate(steps):
        inbound = Inbound(
            "telegram", name, name, f"{name}-{number}",
            text=value if kind == "text" else "",
            button_payload=value if kind == "payload" else None,
        )  # fmt: skip
        started = time.perf_counter()
        await engine_handle(inbound)
        (first if number < 2 else latencies).append(time.perf_counter() - started)


async def measure(label: str, settings: Settings, people: int, messages: int) -> None:
    runtime = build_runtime(settings)
    latencies: list[float] = []
    first: list[float] = []
    started = time.perf_counter()
    await asyncio.gather(
        *(
            person(runtime.engine.handle, f"p{i}", messages, latencies, first)
            for i in range(people)
        )
    )
    elapsed = time.perf_counter() - started
    await runtime.store.close()
    await runtime.chat_log.close()
    runtime.storage.close()
    total = len(latencies) + len(first)
    print(
        f"{label:8} messages={total} people={people} throughput={total / elapsed:,.0f} msg/s "
        f"later turns {percentiles(latencies)}; first contact (2 turns) {percentiles(first)}"
    )


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000
    return f"p50={p50:.2f} ms p99={p99:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--redis", help="also measure with the Redis state store at this URL")
    parser.add_argument("--database", help="also measure with this database URL (PostgreSQL)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        asyncio.run(measure("memory", Settings(data_dir=data / "m"), args.people, args.messages))
        if args.redis:
            settings = Settings(data_dir=data / "r", redis_url=args.redis)
            asyncio.run(measure("redis", settings, args.people, args.messages))
        if args.redis and args.database:
            settings = Settings(
                data_dir=data / "p", redis_url=args.redis, database_url=args.database
            )
            asyncio.run(measure("redis+pg", settings, args.people, args.messages))


if __name__ == "__main__":
    main()
