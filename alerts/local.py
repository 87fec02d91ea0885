"""Alerts and reminders inside the server, for ``musofir demo`` and a one-process ``serve``.

Without Redis there is no shared queue and no lease, and none is needed: there is one
process. The same database steps as the workers (fire once, claim, finish) send due alerts
in batches and due reminders, so the console's alerts page works in the demo too. With Redis,
``musofir worker`` processes do this instead and the server leaves it to them.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from .book import AlertBook
from .reminders import ReminderBook
from .worker import SendAlert, SendReminder

log = logging.getLogger(__name__)

CHECK_SECONDS = 2.0
BATCH = 50


async def send_due(
    book: AlertBook, reminders: ReminderBook, send: SendAlert, remind: SendReminder
) -> int:
    """One pass: start due alerts, send every queued recipient, send due reminders."""
    sent = 0
    now = datetime.now(UTC)
    for alert in await asyncio.to_thread(book.due, now):
        await asyncio.to_thread(book.start, alert.id or 0)
    for alert in await asyncio.to_thread(book.sending):
        alert_id = alert.id or 0
        after = 0
        while ids := await asyncio.to_thread(book.next_batch, alert_id, after, BATCH):
            after = ids[-1]
            claimed = await asyncio.to_thread(book.claim_many, ids)
            results = []
            for one in claimed:
                try:
                    status, detail = await send(one)
                except Exception as error:
                    log.exception("alert %d: a send failed", alert_id)
                    status, detail = "failed", type(error).__name__
                results.append((one.delivery_id, status, detail))
            await asyncio.to_thread(book.finish_many, results)
            sent += len(results)
        await asyncio.to_thread(book.finish_if_done, alert_id)
    for due in await asyncio.to_thread(reminders.claim_due, now):
        try:
            await remind(due)
        except Exception:
            log.exception("reminder %d could not be sent", due.id)
    return sent


async def run_locally(
    book: AlertBook, reminders: ReminderBook, send: SendAlert, remind: SendReminder
) -> None:
    while True:
        try:
            await send_due(book, reminders, send, remind)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("alerts: a pass failed; trying again")
        await asyncio.sleep(CHECK_SECONDS)


__all__ = ["run_locally", "send_due"]
