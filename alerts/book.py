"""Alerts in the database: creation, approval, the audience, and each recipient's delivery.

Exactly-once rests on two conditional UPDATEs: firing moves an alert from ``scheduled`` to
``sending`` and writes every recipient's row in the same transaction (so it runs once, whoever
fires it); a worker moves a recipient from ``queued`` to ``sending`` before it calls the
platform (so no two workers send it). A recipient found ``sending`` after its worker died is
marked ``uncertain`` and never sent again.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from musofir.storage.models import Alert, AlertDelivery, Person, Subscription
from sqlalchemy import Engine, func, insert, literal, or_, update
from sqlmodel import Session, col, select

from .topics import ALERT_TOPICS, CHANNELS, join, parse_list

LANGUAGES = ("ru", "uz", "tg", "ky", "az", "hy", "en")
STATUSES = ("queued", "sending", "sent", "failed", "skipped", "blocked", "uncertain")
FINAL = ("sent", "failed", "skipped", "blocked", "uncertain")
PAST_TOLERANCE = timedelta(minutes=1)  # a time typed a moment ago still counts as now


class AlertError(ValueError):
    """An alert that cannot be created or changed as asked; the message says why."""


@dataclass(frozen=True, slots=True)
class Audience:
    languages: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()

    @classmethod
    def parse(
        cls, languages: str = "", regions: str = "", topics: str = "", channels: str = ""
    ) -> Audience:
        return cls(
            parse_list(languages, LANGUAGES),
            tuple(r for r in (x.strip() for x in regions.split(",")) if r),
            parse_list(topics, ALERT_TOPICS),
            parse_list(channels, CHANNELS),
        )

    @classmethod
    def of(cls, alert: Alert) -> Audience:
        return cls.parse(alert.languages, alert.regions, alert.topics, alert.channels)

    def query(self) -> Any:
        """(person key, channel) of everyone subscribed who matches."""
        query = select(Person.key_hash, Person.channel).join(
            Subscription, col(Subscription.person_key) == col(Person.key_hash)
        )
        if self.languages:
            query = query.where(col(Person.language).in_(self.languages))
        if self.regions:
            query = query.where(col(Subscription.region).in_(self.regions))
        if self.channels:
            query = query.where(col(Person.channel).in_(self.channels))
        if self.topics:
            # Topic names are whole words that are no part of each other, so LIKE is exact here.
            query = query.where(
                or_(*[col(Subscription.topics).like(f"%{t}%") for t in self.topics])
            )
        return query


@dataclass(frozen=True, slots=True)
class Claimed:
    """A recipient taken for sending, with what the send needs, read in one query."""

    delivery_id: int
    alert_id: int
    person_key: str
    channel: str
    language: str | None
    reply_to_sealed: str | None  # None: the person erased their data meanwhile
    texts: dict[str, str]
    content_sid: str | None


def pick_text(texts: dict[str, str], language: str | None) -> str:
    """The person's language, else Russian (the language most can read), else any there is."""
    for choice in (language, "ru", "en"):
        if choice and texts.get(choice):
            return texts[choice]
    return next(iter(texts.values()))


class AlertBook:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def count(self, audience: Audience) -> int:
        with self.session() as session:
            return int(
                session.exec(select(func.count()).select_from(audience.query().subquery())).one()
            )

    def create(
        self,
        texts: dict[str, str],
        audience: Audience,
        *,
        created_by: str,
        send_at: datetime | None = None,
        content_sid: str | None = None,
        needs_approval: bool = False,
    ) -> Alert:
        texts = {k: v.strip() for k, v in texts.items() if v and v.strip()}
        if not texts:
            raise AlertError("an alert needs a text in at least one language")
        unknown = [k for k in texts if k not in LANGUAGES]
        if unknown:
            raise AlertError(f"unknown language {', '.join(unknown)}: use {', '.join(LANGUAGES)}")
        if any(len(t) > 4000 for t in texts.values()):
            raise AlertError("an alert text is at most 4000 characters")
        if content_sid is not None and not content_sid.startswith("HX"):
            raise AlertError("the WhatsApp template must be a ContentSid (HX...)")
        if send_at is not None and send_at.tzinfo is None:
            raise AlertError("the time needs a time zone")
        if send_at is not None and send_at < datetime.now(UTC) - PAST_TOLERANCE:
            raise AlertError("that time has passed: choose a later one, or send now")
        alert = Alert(
            texts=json.dumps(texts, ensure_ascii=False),
            languages=join(audience.languages),
            regions=join(audience.regions),
            topics=join(audience.topics),
            channels=join(audience.channels),
            content_sid=content_sid,
            status="awaiting_approval" if needs_approval else "scheduled",
            send_at=send_at.astimezone(UTC) if send_at else None,
            created_by=created_by,
        )
        with self.session() as session:
            session.add(alert)
            session.commit()
            session.refresh(alert)
            return alert

    def get(self, alert_id: int) -> Alert | None:
        with self.session() as session:
            return session.get(Alert, alert_id)

    def recent(self, limit: int = 50) -> list[Alert]:
        with self.session() as session:
            return list(session.exec(select(Alert).order_by(col(Alert.id).desc()).limit(limit)))

    def approve(self, alert_id: int, by: str) -> None:
        with self.session() as session:
            alert = session.get(Alert, alert_id)
            if alert is None:
                raise AlertError(f"no alert {alert_id}")
            if alert.status != "awaiting_approval":
                raise AlertError(f"alert {alert_id} is {alert.status}, not awaiting approval")
            if alert.created_by == by:
                raise AlertError("a second staff member must approve an alert, not its author")
            result = session.execute(
                update(Alert)
                .where(col(Alert.id) == alert_id, col(Alert.status) == "awaiting_approval")
                .values(status="scheduled", approved_by=by)
            )
            session.commit()
            if not result.rowcount:  # type: ignore[attr-defined]
                raise AlertError(f"alert {alert_id} was changed meanwhile")

    def cancel(self, alert_id: int) -> bool:
        with self.session() as session:
            result = session.execute(
                update(Alert)
                .where(
                    col(Alert.id) == alert_id,
                    col(Alert.status).in_(("awaiting_approval", "scheduled")),
                )
                .values(status="cancelled")
            )
            session.commit()
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def due(self, now: datetime) -> list[Alert]:
        """Scheduled alerts whose time has come (or that have no time: send now)."""
        with self.session() as session:
            return list(
                session.exec(
                    select(Alert).where(
                        Alert.status == "scheduled",
                        or_(col(Alert.send_at).is_(None), col(Alert.send_at) <= now),
                    )
                )
            )

    def scheduled(self) -> list[Alert]:
        with self.session() as session:
            return list(session.exec(select(Alert).where(Alert.status == "scheduled")))

    def start(self, alert_id: int) -> int | None:
        """Fire: scheduled → sending with every recipient's row, in one transaction.

        None when the alert is not (or no longer) scheduled: it fires once.
        """
        with self.session() as session:
            alert = session.get(Alert, alert_id)
            if alert is None:
                return None
            moved = session.execute(
                update(Alert)
                .where(col(Alert.id) == alert_id, col(Alert.status) == "scheduled")
                .values(status="sending", started_at=datetime.now(UTC))
            )
            if not moved.rowcount:  # type: ignore[attr-defined]
                session.rollback()
                return None
            recipients = Audience.of(alert).query().add_columns(literal(alert_id))
            session.execute(
                insert(AlertDelivery).from_select(
                    ["person_key", "channel", "alert_id"], recipients
                )
            )
            total = session.exec(
                select(func.count()).where(col(AlertDelivery.alert_id) == alert_id)
            ).one()
            session.execute(update(Alert).where(col(Alert.id) == alert_id).values(audience=total))
            session.commit()
            return int(total)

    def sending(self) -> list[Alert]:
        with self.session() as session:
            return list(session.exec(select(Alert).where(Alert.status == "sending")))

    def next_batch(self, alert_id: int, after_id: int, size: int) -> list[int]:
        with self.session() as session:
            found = session.exec(
                select(AlertDelivery.id)
                .where(col(AlertDelivery.alert_id) == alert_id, col(AlertDelivery.id) > after_id)
                .order_by(col(AlertDelivery.id))
                .limit(size)
            ).all()
            return [i for i in found if i is not None]

    def mark_enqueued(self, alert_id: int, upto: int) -> None:
        with self.session() as session:
            session.execute(
                update(Alert)
                .where(col(Alert.id) == alert_id, col(Alert.enqueued_upto) < upto)
                .values(enqueued_upto=upto)
            )
            session.commit()

    def claim_many(self, delivery_ids: list[int]) -> list[Claimed]:
        """queued → sending for those still queued, in one statement; the rest are skipped."""
        if not delivery_ids:
            return []
        with self.session() as session:
            moved = session.execute(
                update(AlertDelivery)
                .where(
                    col(AlertDelivery.id).in_(delivery_ids),
                    col(AlertDelivery.status) == "queued",
                )
                .values(status="sending", updated_at=datetime.now(UTC))
                .returning(col(AlertDelivery.id))
            )
            ids = [row[0] for row in moved]
            session.commit()
            if not ids:
                return []
            rows = session.exec(
                select(AlertDelivery, Alert, Person.language, Person.reply_to_sealed)
                .join(Alert, col(Alert.id) == col(AlertDelivery.alert_id))
                .join(Person, col(Person.key_hash) == col(AlertDelivery.person_key), isouter=True)
                .where(col(AlertDelivery.id).in_(ids))
            ).all()
            texts: dict[int, dict[str, str]] = {}
            claimed = []
            for delivery, alert, language, sealed in rows:
                alert_id = alert.id or 0
                if alert_id not in texts:
                    texts[alert_id] = json.loads(alert.texts)
                claimed.append(
                    Claimed(
                        delivery.id or 0, alert_id, delivery.person_key, delivery.channel,
                        language, sealed, texts[alert_id], alert.content_sid,
                    )
                )  # fmt: skip
            return claimed

    def finish_many(self, results: list[tuple[int, str, str]]) -> None:
        """(delivery id, final status, detail) for a batch, in as few statements as it takes."""
        groups: dict[tuple[str, str], list[int]] = {}
        for delivery_id, status, detail in results:
            if status not in FINAL:
                raise ValueError(f"not a final status: {status}")
            groups.setdefault((status, detail[:80]), []).append(delivery_id)
        with self.session() as session:
            for (status, detail), ids in groups.items():
                session.execute(
                    update(AlertDelivery)
                    .where(col(AlertDelivery.id).in_(ids), col(AlertDelivery.status) == "sending")
                    .values(status=status, detail=detail, updated_at=datetime.now(UTC))
                )
            session.commit()

    def abandoned(self, delivery_id: int) -> str | None:
        """A queue entry whose worker died: ``sending`` becomes ``uncertain`` (never resent).

        Returns the status found, so the caller knows whether to go on with a ``queued`` one.
        """
        with self.session() as session:
            delivery = session.get(AlertDelivery, delivery_id)
            if delivery is None:
                return None
            if delivery.status == "sending":
                session.execute(
                    update(AlertDelivery)
                    .where(
                        col(AlertDelivery.id) == delivery_id,
                        col(AlertDelivery.status) == "sending",
                    )
                    .values(
                        status="uncertain",
                        detail="in flight when its worker stopped",
                        updated_at=datetime.now(UTC),
                    )
                )
                session.commit()
                return "uncertain"
            return delivery.status

    def counts(self, alert_id: int) -> dict[str, int]:
        with self.session() as session:
            rows = session.exec(
                select(AlertDelivery.status, func.count())
                .where(col(AlertDelivery.alert_id) == alert_id)
                .group_by(col(AlertDelivery.status))
            ).all()
        found = Counter({status: int(n) for status, n in rows})
        return {status: found.get(status, 0) for status in STATUSES}

    def finish_if_done(self, alert_id: int) -> bool:
        counts = self.counts(alert_id)
        if counts["queued"] or counts["sending"]:
            return False
        with self.session() as session:
            moved = session.execute(
                update(Alert)
                .where(col(Alert.id) == alert_id, col(Alert.status) == "sending")
                .values(status="done", finished_at=datetime.now(UTC))
            )
            session.commit()
            return bool(moved.rowcount)  # type: ignore[attr-defined]


__all__ = [
    "FINAL",
    "LANGUAGES",
    "STATUSES",
    "AlertBook",
    "AlertError",
    "Audience",
    "Claimed",
    "pick_text",
]
