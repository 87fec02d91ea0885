"""Visiting hours: slots staff publish per role, seats people book, the day's list, reminders.

A seat is a row with a unique (slot, seat number), so two people booking the last seat at once
cannot both get it; cancelling deletes the row. A reminder is claimed by setting
``reminded_at`` in a conditional UPDATE, so with several processes each visit is reminded once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from musofir.storage.models import Person, Visit, VisitSlot
from sqlalchemy import Engine, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select


@dataclass(frozen=True, slots=True)
class SlotView:
    id: int
    role: str
    starts_at: datetime
    minutes: int
    capacity: int
    booked: int


@dataclass(frozen=True, slots=True)
class VisitLine:
    """A line of the day's list: a pseudonym is all the front desk needs."""

    visit_id: int
    slot_id: int
    role: str
    starts_at: datetime
    pseudonym: str
    language: str
    status: str


@dataclass(frozen=True, slots=True)
class DueReminder:
    visit_id: int
    person_key: str
    language: str
    role: str
    starts_at: datetime


REMINDER_NOT_NEEDED = timedelta(hours=24)


def _now() -> datetime:
    return datetime.now(UTC)


class VisitBook:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def publish(
        self, role: str, first: datetime, *, count: int, minutes: int, capacity: int = 1
    ) -> list[int]:
        """``count`` back-to-back slots of ``minutes`` from ``first``; existing ones are kept."""
        ids = []
        with Session(self.engine, expire_on_commit=False) as session:
            for index in range(count):
                starts = (first + timedelta(minutes=minutes * index)).astimezone(UTC)
                clash = session.exec(
                    select(VisitSlot).where(VisitSlot.role == role, VisitSlot.starts_at == starts)
                ).first()
                if clash is not None:
                    continue
                slot = VisitSlot(role=role, starts_at=starts, minutes=minutes, capacity=capacity)
                session.add(slot)
                session.flush()
                ids.append(slot.id or 0)
            session.commit()
        return ids

    def remove_slot(self, slot_id: int) -> bool:
        """Only a slot nobody booked can go: people were promised the others."""
        with Session(self.engine, expire_on_commit=False) as session:
            if session.exec(select(Visit).where(Visit.slot_id == slot_id)).first() is not None:
                return False
            result = session.exec(delete(VisitSlot).where(col(VisitSlot.id) == slot_id))
            session.commit()
            return bool(result.rowcount)

    def slots(self, start: datetime, end: datetime, role: str | None = None) -> list[SlotView]:
        with Session(self.engine, expire_on_commit=False) as session:
            booked = (
                select(Visit.slot_id, func.count().label("n")).group_by(col(Visit.slot_id))
            ).subquery()
            query = (
                select(VisitSlot, booked.c.n)
                .join(booked, booked.c.slot_id == col(VisitSlot.id), isouter=True)
                .where(col(VisitSlot.starts_at) >= start, col(VisitSlot.starts_at) < end)
                .order_by(col(VisitSlot.starts_at), col(VisitSlot.role))
            )
            if role is not None:
                query = query.where(VisitSlot.role == role)
            return [
                SlotView(s.id or 0, s.role, s.starts_at, s.minutes, s.capacity, n or 0)
                for s, n in session.exec(query).all()
            ]

    def free(self, role: str, limit: int, *, after: datetime | None = None) -> list[SlotView]:
        start = after or _now()
        found = [
            s for s in self.slots(start, start + timedelta(days=60), role) if s.booked < s.capacity
        ]
        return found[:limit]

    def book(self, slot_id: int, person_key: str, language: str) -> tuple[int, VisitSlot] | None:
        with Session(self.engine, expire_on_commit=False) as session:
            slot = session.get(VisitSlot, slot_id)
            if slot is None or slot.starts_at <= _now():
                return None
            mine = session.exec(
                select(Visit).where(Visit.slot_id == slot_id, Visit.person_key == person_key)
            ).first()
            if mine is not None:
                session.expunge(slot)
                return mine.id or 0, slot
            taken = set(session.exec(select(Visit.seat).where(Visit.slot_id == slot_id)).all())
            session.expunge(slot)
        for seat in range(1, slot.capacity + 1):
            if seat in taken:
                continue
            with Session(self.engine, expire_on_commit=False) as session:
                visit = Visit(slot_id=slot_id, seat=seat, person_key=person_key, language=language)
                if slot.starts_at - _now() < REMINDER_NOT_NEEDED:
                    visit.reminded_at = _now()  # they booked it just now: no reminder needed
                session.add(visit)
                try:
                    session.commit()
                except IntegrityError:
                    continue  # someone took this seat a moment ago: try the next
                return visit.id or 0, slot
        return None

    def of_person(self, person_key: str) -> list[tuple[Visit, VisitSlot]]:
        with Session(self.engine, expire_on_commit=False) as session:
            rows = session.exec(
                select(Visit, VisitSlot)
                .join(VisitSlot, col(VisitSlot.id) == col(Visit.slot_id))
                .where(Visit.person_key == person_key, col(VisitSlot.starts_at) >= _now())
                .order_by(col(VisitSlot.starts_at))
            ).all()
            return [(v, s) for v, s in rows]

    def cancel(self, visit_id: int, person_key: str) -> bool:
        with Session(self.engine, expire_on_commit=False) as session:
            result = session.exec(
                delete(Visit).where(col(Visit.id) == visit_id, col(Visit.person_key) == person_key)
            )
            session.commit()
            return bool(result.rowcount)

    def day(self, start: datetime, end: datetime) -> list[VisitLine]:
        with Session(self.engine, expire_on_commit=False) as session:
            rows = session.exec(
                select(Visit, VisitSlot, Person.pseudonym)
                .join(VisitSlot, col(VisitSlot.id) == col(Visit.slot_id))
                .join(Person, col(Person.key_hash) == col(Visit.person_key), isouter=True)
                .where(col(VisitSlot.starts_at) >= start, col(VisitSlot.starts_at) < end)
                .order_by(col(VisitSlot.starts_at))
            ).all()
            return [
                VisitLine(
                    v.id or 0, s.id or 0, s.role, s.starts_at, p or "Guest-?", v.language, v.status
                )
                for v, s, p in rows
            ]

    def mark(self, visit_id: int, status: str) -> bool:
        if status not in ("booked", "came", "missed"):
            raise ValueError(f"unknown visit status {status!r}")
        with Session(self.engine, expire_on_commit=False) as session:
            result = session.execute(
                update(Visit).where(col(Visit.id) == visit_id).values(status=status)
            )
            session.commit()
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def claim_due_reminders(self, start: datetime, end: datetime) -> list[DueReminder]:
        """Visits starting in [start, end) not yet reminded; each is claimed by one caller."""
        due = []
        with Session(self.engine, expire_on_commit=False) as session:
            rows = session.exec(
                select(Visit, VisitSlot)
                .join(VisitSlot, col(VisitSlot.id) == col(Visit.slot_id))
                .where(
                    col(Visit.reminded_at).is_(None),
                    col(VisitSlot.starts_at) >= start,
                    col(VisitSlot.starts_at) < end,
                )
            ).all()
            for visit, slot in rows:
                claimed = session.execute(
                    update(Visit)
                    .where(col(Visit.id) == visit.id, col(Visit.reminded_at).is_(None))
                    .values(reminded_at=_now())
                )
                session.commit()
                if claimed.rowcount:  # type: ignore[attr-defined]
                    due.append(
                        DueReminder(
                            visit.id or 0, visit.person_key, visit.language, slot.role,
                            slot.starts_at,
                        )
                    )  # fmt: skip
        return due


__all__ = ["DueReminder", "SlotView", "VisitBook", "VisitLine"]
