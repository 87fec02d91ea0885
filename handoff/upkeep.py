"""Background duties of the handoff side: retention, and the visit reminders the day before.

Both are safe to run in every server process at once: deleting what is past its time is
idempotent, and each reminder is claimed by one process before it is sent.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, time, timedelta

from musofir.dialogs import Outbound
from musofir.dialogs.flows.clock import when
from musofir.dialogs.i18n import Catalogs, Translator
from musofir.storage.people import PersonDirectory
from musofir.storage.unanswered import UnansweredQuestions

from .actions import Push
from .hub import HandoffHub

log = logging.getLogger(__name__)

REMIND_FROM = time(10, 0)  # the day before, from 10:00 in the centre's time zone
REMINDER_CHECK_SECONDS = 60.0
PURGE_CHECK_SECONDS = 3600.0


async def purge_expired(hub: HandoffHub) -> int:
    """Delete closed cases, and unanswered questions nobody asked, older than the retention.

    Returns the number of cases deleted.
    """
    days = await asyncio.to_thread(hub.settings.retention_days)
    deleted = await asyncio.to_thread(hub.cases.purge_closed, timedelta(days=days))
    if deleted:
        await hub.audit.arecord(
            "system", "retention", None, f"{deleted} cases older than {days} d"
        )
        log.info("retention: deleted %d closed cases older than %d days", deleted, days)
    questions = await UnansweredQuestions(hub.engine).prune(timedelta(days=days))
    if questions:
        log.info("retention: deleted %d unanswered questions older than %d days", questions, days)
    return deleted


async def send_visit_reminders(
    hub: HandoffHub, push: Push, catalogs: Catalogs, people: PersonDirectory, now: datetime
) -> int:
    """Remind everyone whose visit is tomorrow (centre time), once it is past ``REMIND_FROM``."""
    local = now.astimezone(hub.hours.timezone)
    if local.time() < REMIND_FROM:
        return 0
    tomorrow = datetime.combine(local.date() + timedelta(days=1), time(0), hub.hours.timezone)
    due = await asyncio.to_thread(
        hub.visits.claim_due_reminders, tomorrow, tomorrow + timedelta(days=1)
    )
    for visit in due:
        t = Translator(catalogs, visit.language)
        public = await asyncio.to_thread(people.public, visit.person_key)
        text = t(
            "visits.reminder",
            when=when(hub.hours.local(visit.starts_at), t.language),
            role=t(f"role.{visit.role}"),
            place=hub.centre.name,
            address=hub.centre.address,
            pseudonym=public.pseudonym if public else "—",
        )
        result = await push(visit.person_key, [Outbound(text=text, language=visit.language)])
        log.info("visit reminder %d: %s", visit.visit_id, result)
    return len(due)


async def keep_up(
    hub: HandoffHub, push: Push, catalogs: Catalogs, people: PersonDirectory
) -> None:
    """Run both duties for the life of the server; a failure is logged and retried later."""
    last_purge = 0.0
    loop = asyncio.get_running_loop()
    while True:
        try:
            if loop.time() - last_purge >= PURGE_CHECK_SECONDS:
                await purge_expired(hub)
                last_purge = loop.time()
            await send_visit_reminders(hub, push, catalogs, people, datetime.now(UTC))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("handoff upkeep failed; trying again in a minute")
        await asyncio.sleep(REMINDER_CHECK_SECONDS)


__all__ = ["keep_up", "purge_expired", "send_visit_reminders"]
