"""Who asked for which alerts: one row per person, written only when they opt in."""

from __future__ import annotations

from datetime import UTC, datetime

from musofir.storage.models import Reminder, Subscription
from sqlalchemy import Engine
from sqlmodel import Session, col, delete, select

from .topics import join


class SubscriptionBook:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, person_key: str) -> Subscription | None:
        with Session(self.engine, expire_on_commit=False) as session:
            return session.exec(
                select(Subscription).where(Subscription.person_key == person_key)
            ).first()

    def set(
        self, person_key: str, *, topics: tuple[str, ...], region: str | None = None
    ) -> Subscription | None:
        """Keep the person's choice; no topic left means no subscription at all."""
        with Session(self.engine, expire_on_commit=False) as session:
            row = session.exec(
                select(Subscription).where(Subscription.person_key == person_key)
            ).first()
            if not topics:
                if row is not None:
                    session.delete(row)
                    session.commit()
                return None
            row = row or Subscription(person_key=person_key)
            row.topics = join(topics)
            if region is not None:
                row.region = region[:80]
            row.updated_at = datetime.now(UTC)
            session.add(row)
            session.commit()
            return row

    def stop_everything(self, person_key: str) -> None:
        """Stop words and platform opt-outs: no alerts, no reminders, from now on."""
        with Session(self.engine) as session:
            session.exec(delete(Subscription).where(col(Subscription.person_key) == person_key))
            session.exec(delete(Reminder).where(col(Reminder.person_key) == person_key))
            session.commit()


__all__ = ["SubscriptionBook"]
