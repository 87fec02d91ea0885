"""How an alert or a reminder reaches one person: their text, their channel, WhatsApp's window.

Used by ``musofir worker`` and, without Redis, by the server itself (``alerts.local``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from babel.dates import format_date
from musofir.alerts.book import Claimed, pick_text
from musofir.alerts.reminders import DueReminder
from musofir.alerts.subscriptions import SubscriptionBook
from musofir.alerts.worker import SendAlert, SendReminder
from musofir.dialogs import Outbound
from musofir.dialogs.i18n import Catalogs, Translator
from musofir.storage.people import PersonDirectory

from .delivery.push import PushResult, WindowRule

Push = Callable[
    [str, Sequence[Outbound], WindowRule | None, tuple[str, str] | None], Awaitable[str]
]

# How a push ended → the recipient's final status and what the report says.
OUTCOME = {
    PushResult.SENT: ("sent", ""),
    PushResult.TEMPLATE: ("sent", "as the WhatsApp template"),
    PushResult.OUTSIDE_WINDOW: ("skipped", "outside the 24-hour window"),
    PushResult.UNREACHABLE: ("blocked", "blocked the bot or unsubscribed"),
    PushResult.UNKNOWN: ("skipped", "no longer known (erased their data)"),
    PushResult.FAILED: ("failed", "the platform kept failing"),
}


def alert_senders(
    push: Push,
    people: PersonDirectory,
    subscriptions: SubscriptionBook,
    catalogs: Catalogs,
    reminder_template: str | None,
) -> tuple[SendAlert, SendReminder]:
    async def send_alert(claimed: Claimed) -> tuple[str, str]:
        if claimed.reply_to_sealed is None:
            return "skipped", "no longer known (erased their data)"
        address = (claimed.channel, people.sealer.open(claimed.reply_to_sealed))
        text = pick_text(claimed.texts, claimed.language)
        result = await push(
            claimed.person_key,
            [Outbound(text=text, language=claimed.language)],
            WindowRule(claimed.content_sid),
            address,
        )
        status, detail = OUTCOME[PushResult(result)]
        if status == "blocked":
            await asyncio.to_thread(subscriptions.stop_everything, claimed.person_key)
        return status, detail

    async def remind(due: DueReminder) -> str:
        t = Translator(catalogs, due.language)
        day = format_date(due.due_on, "d MMMM yyyy", locale=t.language)
        text = t(f"reminders.due.{due.kind}", date=day)
        # Outside WhatsApp's window only an approved template may go; {{1}} is the reminder.
        rule = WindowRule(reminder_template, {"1": text} if reminder_template else None)
        return await push(due.person_key, [Outbound(text=text, language=due.language)], rule, None)

    return send_alert, remind


__all__ = ["OUTCOME", "alert_senders"]
