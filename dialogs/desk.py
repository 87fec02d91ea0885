"""What the engine needs from the help desk behind it: cases for specialists, and visits.

The handoff package implements it on the database; the engine sees only these calls and the
plain values they return, never a table, a staff account or a console.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from .messages import Location, Media

SPECIALIST_ROLES: tuple[str, ...] = ("lawyer", "doctor", "social_worker")


@dataclass(frozen=True, slots=True)
class CaseOpening:
    """What a person is told when their case opens."""

    case_id: int
    role: str
    position: int  # 1 = next in line
    wait_minutes: int | None  # None when nobody answers before ``answer_from``
    answer_from: datetime | None  # in the centre's time zone: outside hours or nobody online
    already_open: bool = False


@dataclass(frozen=True, slots=True)
class FreeSlot:
    slot_id: int
    role: str
    starts_at: datetime  # in the centre's time zone


@dataclass(frozen=True, slots=True)
class BookedVisit:
    visit_id: int
    role: str
    starts_at: datetime  # in the centre's time zone


@dataclass(frozen=True, slots=True)
class CentrePlace:
    name: str
    address: str
    latitude: float
    longitude: float
    sample: bool  # the card says so until a real address is configured


@dataclass(frozen=True, slots=True)
class PersonMessage:
    """Something a person sent during a handoff, as the specialist will see it."""

    case_id: int
    message_key: str  # the platform's message key: a replayed message is recorded once
    text: str = ""
    media: Media | None = None
    location: Location | None = None
    urgent: bool = False


class HelpDesk(Protocol):
    centre: CentrePlace

    async def open_case(
        self,
        *,
        user_key: str,
        role: str,
        language: str,
        channel: str,
        region: str | None,
        summary: str,
    ) -> CaseOpening:
        """Open a case, or return the person's case that is still open."""
        ...

    async def forward(self, message: PersonMessage) -> bool:
        """Pass a message to the specialist; False when the case has been closed meanwhile."""
        ...

    async def end_by_person(self, case_id: int, user_key: str) -> None: ...

    async def rate(self, case_id: int, user_key: str, rating: int) -> bool: ...

    async def take_waiting_replies(self, user_key: str, message_key: str) -> list[tuple[str, str]]:
        """(role, text) of replies held back by WhatsApp's window, now the person wrote again.

        Taking them with the same ``message_key`` again returns them again (a replayed turn).
        """
        ...

    async def forget(self, user_key: str) -> None:
        """Erase the person's cases and visits."""
        ...

    async def free_slots(self, role: str, limit: int) -> list[FreeSlot]: ...

    async def book(self, slot_id: int, user_key: str, language: str) -> BookedVisit | None:
        """Book a seat; None when the slot is full or gone."""
        ...

    async def visits_of(self, user_key: str) -> list[BookedVisit]: ...

    async def cancel(self, visit_id: int, user_key: str) -> bool: ...


__all__ = [
    "SPECIALIST_ROLES",
    "BookedVisit",
    "CaseOpening",
    "CentrePlace",
    "FreeSlot",
    "HelpDesk",
    "PersonMessage",
]
