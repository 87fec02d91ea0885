"""CPU per Redis call: redis-py's asyncio client against Musofir's shared pipelined connection.

    .venv/bin/python bench/redis_calls.py --redis redis://127.0.0.1:63790/5

32 tasks at once (as 32 webhook requests would) each run a Lua script and a GET, through
redis-py (the blocking pool ``connect`` builds) and through ``RedisPipe``. Machines here are
shared and noisy: compare the two within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

import uvloop
from musofir.dialogs.redis_pipe import RedisPipe
from musofir.dialogs.redis_state import connect

SCRIPT = "return redis.call('GET', KEYS[1])"


async def per_call_us(call: Callable[[], Awaitable[object]], tasks: int, calls: int) -> float:
    async def one() -> None:
        for _ in range(calls):
            await call()

    await asyncio.gather(*(one() for _ in range(tasks)))  # warm up
    start = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(tasks)))
    return (time.perf_counter() - start) / (tasks * calls) * 1e6


async def main(url: str, tasks: int, calls: int, rounds: int) -> None:
    redis = connect(url)
    pipe = RedisPipe.like(redis)
    await redis.set("bench:key", "value")
    by_redis_py = redis.register_script(SCRIPT)
    by_pipe = pipe.script(SCRIPT)
    targets: dict[str, Callable[[], Awaitable[object]]] = {
        "redis-py script": lambda: by_redis_py(keys=["bench:key"]),
        "pipe script": lambda: by_pipe(keys=["bench:key"]),
        "redis-py GET": lambda: redis.get("bench:key"),
        "pipe GET": lambda: pipe.call("GET", "bench:key"),
    }
    for round_number in range(1, rounds + 1):
        figures = {name: await per_call_us(call, tasks, calls) for name, call in targets.items()}
        line = "  ".join(f"{name} {us:6.1f} µs" for name, us in figures.items())
        ratio = figures["redis-py script"] / figures["pipe script"]
        print(f"round {round_number}: {line}  (script: redis-py / pipe = {ratio:.1f}×)")
    await pipe.aclose()
    await redis.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis", required=True)
    parser.add_argument("--tasks", type=int, default=32)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    uvloop.run(main(args.redis, args.tasks, args.calls, args.rounds))
