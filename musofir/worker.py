"""``musofir worker``: the alert worker, composed from the server's runtime (channels, limits).

It builds the same runtime as ``musofir serve`` (so sends take the same rate limits, shared
through Redis, the same retries and the same WhatsApp window rules) and runs the queue
consumer and, when it holds the lease, the scheduler, until SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from concurrent.futures import ThreadPoolExecutor

from musofir.alerts.book import AlertBook
from musofir.alerts.reminders import ReminderBook
from musofir.alerts.worker import AlertWorker, WorkerTimings
from musofir.bots.server import Runtime, build_runtime, runtime_senders
from musofir.dialogs.redis_state import RedisStateStore
from musofir.settings import Settings

log = logging.getLogger(__name__)

WORKER_THREADS = 16


def build_worker(
    runtime: Runtime, *, timings: WorkerTimings | None = None, name: str | None = None
) -> AlertWorker:
    store = runtime.store
    if not isinstance(store, RedisStateStore):
        raise ValueError("musofir worker needs REDIS_URL: the queue and the lease live there")
    engine = runtime.storage.engine
    send_alert, remind = runtime_senders(runtime)
    return AlertWorker(
        store.redis,
        engine,
        AlertBook(engine),
        ReminderBook(engine),
        send_alert,
        remind,
        timings=timings,
        name=name,
    )


async def _run(settings: Settings) -> None:
    runtime = build_runtime(settings, steady_rates=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Database calls run in threads; a batch sends fifty at once.
    loop.set_default_executor(ThreadPoolExecutor(max_workers=WORKER_THREADS))
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        worker = build_worker(runtime)
        for note in runtime.notes:
            log.info("%s", note)
        await worker.run(stop)
    finally:
        await runtime.channels.close()
        await runtime.hub.events.close()
        await runtime.chat_log.close()
        await runtime.store.close()
        runtime.storage.close()


def run_worker(settings: Settings) -> int:
    if not settings.redis_url:
        sys.stderr.write("musofir: worker needs REDIS_URL (the queue and the lease live there)\n")
        return 2
    asyncio.run(_run(settings))
    return 0


__all__ = ["build_worker", "run_worker"]
