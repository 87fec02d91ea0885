"""Personal deadline reminders: the patent payment (monthly), the end of registration, a visit.

Only the kind, the date and when to remind are kept: no text the person wrote. A reminder
fires at ``REMIND_HOUR`` in the person's own time zone, ``days_before`` days ahead; claiming it
is a conditional UPDATE (or DELETE), so with several workers each one fires once.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from musofir.storage.models import Reminder
from sqlalchemy import Engine, delete, update
from sqlmodel import Session, col, select

KINDS: tuple[str, ...] = ("patent", "registration", "appointment")
REMIND_HOUR = time(10, 0)  # a sensible hour: after the morning, before work ends
DEFAULT_DAYS_BEFORE = {"patent": 3, "registration": 7, "appointment": 1}


class ReminderError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class DueReminder:
    id: int
    person_key: str
    kind: str
    due_on: date
    language: str
    days_before: int


def add_month(day: date) -> date:
    """The same day next month, or the month's last day (31 January → 28 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def fire_time(due_on: date, days_before: int, timezone: str) -> datetime:
    local = datetime.combine(due_on - timedelta(days=days_before), REMIND_HOUR, ZoneInfo(timezone))
    return local.astimezone(UTC)


class ReminderBook:
    def __init__(self, engine: Engine, days_before: dict[str, int] | None = None) -> None:
        self.engine = engine
        unknown = set(days_before or {}) - set(KINDS)
        if unknown:
            raise ReminderError(f"unknown reminder kind {', '.join(sorted(unknown))}: use {KINDS}")
        self.days_before = {**DEFAULT_DAYS_BEFORE, **(days_before or {})}

    def add(
        self,
        person_key: str,
        kind: str,
        due_on: date,
        *,
        language: str,
        timezone: str,
        now: datetime | None = None,
    ) -> Reminder:
        if kind not in KINDS:
            raise ReminderError(f"unknown kind {kind!r}")
        now = now or datetime.now(UTC)
        today = now.astimezone(ZoneInfo(timezone)).date()
        if due_on < today:
            raise ReminderError("the date has passed")
        days = self.days_before[kind]
        monthly = kind == "patent"
        fire_at = fire_time(due_on, days, timezone)
        while fire_at < now and monthly and due_on <= today:
            due_on = add_month(due_on)
            fire_at = fire_time(due_on, days, timezone)
        if fire_at < now:  # too late for "days before": remind at the next sensible hour
            local_now = now.astimezone(ZoneInfo(timezone))
            next_day = local_now.date() + timedelta(days=local_now.time() >= REMIND_HOUR)
            fire_at = datetime.combine(next_day, REMIND_HOUR, ZoneInfo(timezone)).astimezone(UTC)
            if next_day > due_on:
                fire_at = now
        reminder = Reminder(
            person_key=person_key,
            kind=kind,
            due_on=due_on,
            monthly=monthly,
            days_before=days,
            timezone=timezone,
            language=language,
            fire_at=fire_at,
        )
        with Session(self.engine, expire_on_commit=False) as session:
            session.add(reminder)
            session.commit()
            session.refresh(reminder)
            return reminder

    def of_person(self, person_key: str) -> list[Reminder]:
        with Session(self.engine, expire_on_commit=False) as session:
            return list(
                session.exec(
                    select(Reminder)
                    .where(Reminder.person_key == person_key)
                    .order_by(col(Reminder.due_on))
                )
            )

    def cancel(self, reminder_id: int, person_key: str) -> bool:
        with Session(self.engine) as session:
            result = session.exec(
                delete(Reminder).where(
                    col(Reminder.id) == reminder_id, col(Reminder.person_key) == person_key
                )
            )
            session.commit()
            return bool(result.rowcount)

    def claim_due(self, now: datetime) -> list[DueReminder]:
        """Reminders whose time has come; a monthly one moves to next month, others go."""
        claimed: list[DueReminder] = []
        with Session(self.engine, expire_on_commit=False) as session:
            rows = list(session.exec(select(Reminder).where(col(Reminder.fire_at) <= now)))
            for row in rows:
                # Taken before the UPDATE, which refreshes ``row`` to next month's values.
                due = DueReminder(
                    row.id or 0, row.person_key, row.kind, row.due_on, row.language,
                    row.days_before,
                )  # fmt: skip
                if row.monthly:
                    next_due = add_month(row.due_on)
                    result = session.execute(
                        update(Reminder)
                        .where(col(Reminder.id) == row.id, col(Reminder.fire_at) == row.fire_at)
                        .values(
                            due_on=next_due,
                            fire_at=fire_time(next_due, row.days_before, row.timezone),
                            fired_at=now,
                        )
                    )
                else:
                    result = session.execute(
                        delete(Reminder).where(
                            col(Reminder.id) == row.id, col(Reminder.fire_at) == row.fire_at
                        )
                    )
                session.commit()
                if result.rowcount:  # type: ignore[attr-defined]
                    claimed.append(due)
        return claimed


__all__ = [
    "DEFAULT_DAYS_BEFORE",
    "KINDS",
    "REMIND_HOUR",
    "DueReminder",
    "ReminderBook",
    "ReminderError",
    "add_month",
    "fire_time",
]
