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

from babel.dates import format_date

from musofir.alerts.book import AlertBook, Claimed, pick_text
from musofir.alerts.reminders import DueReminder, ReminderBook
from musofir.alerts.subscriptions import SubscriptionBook
from musofir.alerts.worker import AlertWorker, WorkerTimings
from musofir.bots.delivery.push import PushResult, WindowRule
from musofir.bots.server import Runtime, build_runtime
from musofir.dialogs import Outbound
from musofir.dialogs.i18n import Translator
from musofir.dialogs.redis_state import RedisStateStore
from musofir.settings import Settings

log = logging.getLogger(__name__)

WORKER_THREADS = 16

# How a push ended → the recipient's final status and what the report says.
OUTCOME = {
    PushResult.SENT: ("sent", ""),
    PushResult.TEMPLATE: ("sent", "as the WhatsApp template"),
    PushResult.OUTSIDE_WINDOW: ("skipped", "outside the 24-hour window"),
    PushResult.UNREACHABLE: ("blocked", "blocked the bot or unsubscribed"),
    PushResult.UNKNOWN: ("skipped", "no longer known (erased their data)"),
    PushResult.FAILED: ("failed", "the platform kept failing"),
}


def build_worker(
    runtime: Runtime, *, timings: WorkerTimings | None = None, name: str | None = None
) -> AlertWorker:
    store = runtime.store
    if not isinstance(store, RedisStateStore):
        raise ValueError("musofir worker needs REDIS_URL: the queue and the lease live there")
    engine = runtime.storage.engine
    people = runtime.storage.people
    subscriptions = SubscriptionBook(engine)
    catalogs = runtime.engine.services.catalogs

    async def send_alert(claimed: Claimed) -> tuple[str, str]:
        if claimed.reply_to_sealed is None:
            return "skipped", "no longer known (erased their data)"
        address = (claimed.channel, people.sealer.open(claimed.reply_to_sealed))
        text = pick_text(claimed.texts, claimed.language)
        result = await runtime.push(
            claimed.person_key,
            [Outbound(text=text, language=claimed.language)],
            WindowRule(claimed.content_sid),
            address,
        )
        status, detail = OUTCOME[PushResult(result)]
        if status == "blocked":
            await asyncio.to_thread(subscriptions.stop_everything, claimed.person_key)
        return status, detail

    whatsapp = runtime.channels.whatsapp
    reminder_template = whatsapp.templates.reminder if whatsapp is not None else None

    async def remind(due: DueReminder) -> str:
        t = Translator(catalogs, due.language)
        day = format_date(due.due_on, "d MMMM yyyy", locale=t.language)
        text = t(f"reminders.due.{due.kind}", date=day)
        rule = (
            WindowRule(reminder_template, {"1": text}) if reminder_template else WindowRule(None)
        )
        return await runtime.push(
            due.person_key, [Outbound(text=text, language=due.language)], rule
        )

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


__all__ = ["OUTCOME", "build_worker", "run_worker"]
