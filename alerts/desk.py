"""The engine's side of alerts: subscriptions and reminders as the chat flows need them."""

from __future__ import annotations

import asyncio
from datetime import date
from zoneinfo import ZoneInfo

from musofir.dialogs.subscriptions import ReminderView
from musofir.storage.models import Reminder

from .reminders import ReminderBook
from .subscriptions import SubscriptionBook
from .topics import parse_list


def _view(reminder: Reminder, timezone: str) -> ReminderView:
    return ReminderView(
        reminder.id or 0,
        reminder.kind,
        reminder.due_on,
        reminder.fire_at.astimezone(ZoneInfo(timezone)),
        reminder.monthly,
    )


class AlertsDesk:
    def __init__(self, subscriptions: SubscriptionBook, reminders: ReminderBook) -> None:
        self.subscriptions = subscriptions
        self.reminders = reminders

    async def topics_of(self, user_key: str) -> tuple[tuple[str, ...], str | None]:
        row = await asyncio.to_thread(self.subscriptions.get, user_key)
        return (parse_list(row.topics), row.region) if row else ((), None)

    async def subscribe(self, user_key: str, topics: tuple[str, ...], region: str | None) -> None:
        await asyncio.to_thread(self.subscriptions.set, user_key, topics=topics, region=region)

    async def stop(self, user_key: str) -> None:
        await asyncio.to_thread(self.subscriptions.stop_everything, user_key)

    async def reminders_of(self, user_key: str, timezone: str) -> list[ReminderView]:
        rows = await asyncio.to_thread(self.reminders.of_person, user_key)
        return [_view(r, timezone) for r in rows]

    async def add_reminder(
        self, user_key: str, kind: str, due_on: date, *, language: str, timezone: str
    ) -> ReminderView:
        row = await asyncio.to_thread(
            self.reminders.add, user_key, kind, due_on, language=language, timezone=timezone
        )
        return _view(row, timezone)

    async def cancel_reminder(self, user_key: str, reminder_id: int) -> bool:
        return await asyncio.to_thread(self.reminders.cancel, reminder_id, user_key)


__all__ = ["AlertsDesk"]
