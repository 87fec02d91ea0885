"""Database tables, in model families: what is stored, and the public shape staff may see.

A ``Person`` row holds a keyed hash of the messenger id (never the id itself), a pseudonym, and
the reply address sealed with the encryption key. ``PersonPublic`` is all a console may serialise.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


def _now() -> datetime:
    return datetime.now(UTC)


class PersonPublic(SQLModel):
    """What a specialist may see about a person: a pseudonym and their language, nothing else."""

    pseudonym: str = Field(max_length=16, unique=True, index=True)
    language: str | None = Field(default=None, max_length=8)


class Person(PersonPublic, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(max_length=64, unique=True, index=True)
    channel: str = Field(max_length=16)
    reply_to_sealed: str = Field(max_length=512)
    created_at: datetime = Field(default_factory=_now)
    last_seen_at: datetime = Field(default_factory=_now)
    # A permanent delivery failure (blocked the bot, unsubscribed, outside WhatsApp's window),
    # cleared when they write again. Blocking or unsubscribing also ends their subscription.
    unreachable_reason: str | None = Field(default=None, max_length=32)
    unreachable_at: datetime | None = None


class StaffRole(StrEnum):
    LAWYER = "lawyer"
    DOCTOR = "doctor"
    SOCIAL_WORKER = "social_worker"
    STAFF = "staff"  # the centre's front desk: visit lists and alerts, never case contents
    ADMIN = "admin"


class StaffPublic(SQLModel):
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(max_length=120)
    role: StaffRole = Field(max_length=16)


class StaffMember(StaffPublic, table=True):
    __tablename__ = "staff_member"

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=_now)


class ServiceReport(SQLModel, table=True):
    """A person saying a service card is wrong. Who reported is not kept: only what and when."""

    __tablename__ = "service_report"

    id: int | None = Field(default=None, primary_key=True)
    service_id: str = Field(max_length=64, index=True)
    reason: str = Field(max_length=32)
    language: str | None = Field(default=None, max_length=8)
    created_at: datetime = Field(default_factory=_now)


class Case(SQLModel, table=True):
    """A person's request for a specialist. ``person_key`` is the keyed hash, never an id.

    The region and channel kind are copied in when the case opens: they are what a specialist
    may see, and the case keeps them even if the person later writes from elsewhere.
    """

    id: int | None = Field(default=None, primary_key=True)
    person_key: str = Field(max_length=64, index=True)
    role: str = Field(max_length=16, index=True)  # lawyer, doctor, social_worker
    language: str = Field(max_length=8)
    channel: str = Field(max_length=16)
    region: str | None = Field(default=None, max_length=80)
    summary: str = Field(default="", max_length=300)
    status: str = Field(default="queued", max_length=16, index=True)  # queued, claimed, closed
    assignee_id: int | None = Field(default=None, foreign_key="staff_member.id", index=True)
    created_at: datetime = Field(default_factory=_now)
    claimed_at: datetime | None = None
    closed_at: datetime | None = Field(default=None, index=True)
    last_person_at: datetime | None = None
    unread: int = 0  # the person's messages since a specialist last opened the case
    waiting_window: bool = False  # a reply waits for the person to come back (WhatsApp)
    urgent: bool = False  # the person used words of danger
    expected_by: datetime | None = None  # outside working hours: when an answer is due
    outcome: str | None = Field(default=None, max_length=32)
    rating: int | None = None


class CaseMessage(SQLModel, table=True):
    """One message of a case: the person's, a specialist's reply, an internal note, or an event.

    ``source_key`` is the platform's message key for the person's messages, unique, so a
    message replayed after a crash is recorded once.
    """

    __tablename__ = "case_message"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    author: str = Field(max_length=8)  # person, staff, note, system
    staff_id: int | None = Field(default=None, foreign_key="staff_member.id")
    text: str = Field(default="", max_length=8000)
    media_kind: str | None = Field(default=None, max_length=16)
    media_ref: str | None = Field(default=None, max_length=1000)
    latitude: float | None = None
    longitude: float | None = None
    delivery: str | None = Field(default=None, max_length=16)  # sent, waiting, failed...
    delivered_with: str | None = Field(default=None, max_length=200)  # the turn that took it
    source_key: str | None = Field(default=None, max_length=200, unique=True)
    created_at: datetime = Field(default_factory=_now)


class AuditEntry(SQLModel, table=True):
    """Who did what, when, to which case: never the content, so it outlives the case."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=_now, index=True)
    staff_username: str = Field(max_length=64, index=True)
    action: str = Field(max_length=24)
    case_id: int | None = None  # no foreign key: the entry stays when the case is deleted
    detail: str = Field(default="", max_length=120)


class ConsoleSession(SQLModel, table=True):
    """A signed-in console session; only a hash of the cookie's token is stored."""

    __tablename__ = "console_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    staff_id: int = Field(foreign_key="staff_member.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=_now)
    expires_at: datetime


class VisitSlot(SQLModel, table=True):
    """A time the centre's specialist of a role receives visitors, published by staff."""

    __tablename__ = "visit_slot"

    id: int | None = Field(default=None, primary_key=True)
    role: str = Field(max_length=16, index=True)
    starts_at: datetime = Field(index=True)
    minutes: int = 30
    capacity: int = 1


class Visit(SQLModel, table=True):
    """A booked seat of a slot. Cancelling deletes the row: nothing is kept that is not needed."""

    __table_args__ = (UniqueConstraint("slot_id", "seat"),)

    id: int | None = Field(default=None, primary_key=True)
    slot_id: int = Field(foreign_key="visit_slot.id", index=True)
    seat: int = 1
    person_key: str = Field(max_length=64, index=True)
    language: str = Field(max_length=8)
    status: str = Field(default="booked", max_length=16)  # booked, came, missed
    reminded_at: datetime | None = None
    created_at: datetime = Field(default_factory=_now)


class CentreSetting(SQLModel, table=True):
    """Settings an admin changes in the console (the retention period), one row per name."""

    __tablename__ = "centre_setting"

    name: str = Field(max_length=64, primary_key=True)
    value: str = Field(max_length=200)


class UnansweredQuestion(SQLModel, table=True):
    """A question the bot could not answer with confidence, kept so staff can teach it.

    Never who asked: no person key, chat, pseudonym or channel. Numbers and e-mail addresses are
    scrubbed before the text is stored. ``key`` is a hash of the normalised text, so the same
    question asked again is the same row with ``times`` counted up; the text, language, band and
    guess are those of its latest asking.
    """

    __tablename__ = "unanswered_question"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True, index=True)
    text: str = Field(max_length=500)
    language: str = Field(max_length=8, index=True)
    band: str = Field(max_length=8)  # suggest, none
    best_topic: str | None = Field(default=None, max_length=64)
    score: float = 0.0
    times: int = 1
    asked_at: datetime = Field(default_factory=_now)
    last_asked_at: datetime = Field(default_factory=_now, index=True)


class Subscription(SQLModel, table=True):
    """What a person asked to hear about: topics (comma-separated) and a region. Opt-in only."""

    id: int | None = Field(default=None, primary_key=True)
    person_key: str = Field(max_length=64, unique=True, index=True)
    topics: str = Field(default="", max_length=200)  # law,health,centre,emergency
    region: str | None = Field(default=None, max_length=80)
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)


class Alert(SQLModel, table=True):
    """A broadcast: a text per language, an audience, a time; then its fan-out's progress.

    Status: draft → (awaiting_approval →) scheduled → sending → done, or cancelled.
    """

    id: int | None = Field(default=None, primary_key=True)
    texts: str = Field(max_length=40_000)  # JSON {language: text}
    languages: str = Field(default="", max_length=100)  # empty: everyone
    regions: str = Field(default="", max_length=2000)
    topics: str = Field(default="", max_length=200)
    channels: str = Field(default="", max_length=100)
    content_sid: str | None = Field(default=None, max_length=64)  # WhatsApp, outside the window
    status: str = Field(default="scheduled", max_length=20, index=True)
    send_at: datetime | None = None
    created_by: str = Field(max_length=64)
    approved_by: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=_now)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    audience: int = 0  # recipients fixed when it starts sending
    enqueued_upto: int = 0  # the last delivery id put on the queue (a crash resumes after it)


class AlertDelivery(SQLModel, table=True):
    """One recipient of one alert. Status moves queued → sending → a final state, once.

    A send found ``sending`` after its worker died is ``uncertain``: the platform may or may
    not have taken it, and it is never sent again.
    """

    __tablename__ = "alert_delivery"
    __table_args__ = (UniqueConstraint("alert_id", "person_key"),)

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    person_key: str = Field(max_length=64)
    channel: str = Field(max_length=16)
    status: str = Field(default="queued", max_length=16, index=True)
    detail: str = Field(default="", max_length=80)
    updated_at: datetime = Field(default_factory=_now)


class Reminder(SQLModel, table=True):
    """A person's own deadline: only its kind and date (and when to remind) are kept."""

    id: int | None = Field(default=None, primary_key=True)
    person_key: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=16)  # patent, registration, appointment
    due_on: date
    monthly: bool = False  # the patent payment repeats until cancelled
    days_before: int = 3
    timezone: str = Field(default="Europe/Moscow", max_length=40)
    language: str = Field(max_length=8)
    fire_at: datetime = Field(index=True)  # UTC
    fired_at: datetime | None = None
    created_at: datetime = Field(default_factory=_now)


__all__ = [
    "Alert",
    "AlertDelivery",
    "AuditEntry",
    "Case",
    "CaseMessage",
    "CentreSetting",
    "ConsoleSession",
    "Person",
    "PersonPublic",
    "Reminder",
    "ServiceReport",
    "StaffMember",
    "StaffPublic",
    "StaffRole",
    "Subscription",
    "UnansweredQuestion",
    "Visit",
    "VisitSlot",
]
