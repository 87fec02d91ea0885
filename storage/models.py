"""Database tables, in model families: what is stored, and the public shape staff may see.

A ``Person`` row holds a keyed hash of the messenger id (never the id itself), a pseudonym, and
the reply address sealed with the encryption key. ``PersonPublic`` is all a console may serialise.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

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
    # A permanent delivery failure (blocked the bot, unsubscribed, outside WhatsApp's window):
    # alerts skip such people until they write again.
    unreachable_reason: str | None = Field(default=None, max_length=32)
    unreachable_at: datetime | None = None


class StaffRole(StrEnum):
    LAWYER = "lawyer"
    DOCTOR = "doctor"
    SOCIAL_WORKER = "social_worker"
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


__all__ = ["Person", "PersonPublic", "ServiceReport", "StaffMember", "StaffPublic", "StaffRole"]
