"""What the engine needs from alerts and reminders: a person's topics, region and deadlines.

The alerts package implements it on the database; the engine sees plain values only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

ALERT_TOPICS: tuple[str, ...] = ("law", "health", "centre", "emergency")
REMINDER_KINDS: tuple[str, ...] = ("patent", "registration", "appointment")


@dataclass(frozen=True, slots=True)
class ReminderView:
    reminder_id: int
    kind: str
    due_on: date
    fire_at: datetime  # in the person's time zone
    monthly: bool


class AlertDesk(Protocol):
    async def topics_of(self, user_key: str) -> tuple[tuple[str, ...], str | None]:
        """The person's topics and region (empty: not subscribed)."""
        ...

    async def subscribe(
        self, user_key: str, topics: tuple[str, ...], region: str | None
    ) -> None: ...

    async def stop(self, user_key: str) -> None:
        """Stop words and opt-outs: no alerts and no reminders any more."""
        ...

    async def reminders_of(self, user_key: str, timezone: str) -> list[ReminderView]: ...

    async def add_reminder(
        self, user_key: str, kind: str, due_on: date, *, language: str, timezone: str
    ) -> ReminderView:
        """Raises ValueError with a reason when the date cannot be used (it has passed)."""
        ...

    async def cancel_reminder(self, user_key: str, reminder_id: int) -> bool: ...


__all__ = ["ALERT_TOPICS", "REMINDER_KINDS", "AlertDesk", "ReminderView"]
