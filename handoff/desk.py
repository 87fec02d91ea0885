"""The engine's help desk: cases and visits as the person's side of the chat needs them."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime

from musofir.dialogs.desk import (
    BookedVisit,
    CaseOpening,
    CentrePlace,
    FreeSlot,
    PersonMessage,
)

from .hub import HandoffHub

DEFAULT_MINUTES_PER_CASE = 10.0


class Desk:
    def __init__(self, hub: HandoffHub) -> None:
        self.hub = hub
        self.centre: CentrePlace = hub.centre

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
        hub = self.hub
        now = datetime.now(UTC)
        online = await hub.presence.online(role)
        answer_from: datetime | None = None
        if not hub.hours.is_open(role, now):
            answer_from = hub.hours.next_opening(role, now)
        elif online == 0:
            answer_from = hub.hours.next_opening(role, now, after_today=True)
        case, new = await asyncio.to_thread(
            hub.cases.open_case,
            person_key=user_key,
            role=role,
            language=language,
            channel=channel,
            region=region,
            summary=summary,
            expected_by=answer_from,
        )
        case_id = case.id or 0
        if new:
            await hub.events.publish({"type": "case", "case": case_id, "role": case.role})
        else:
            answer_from = case.expected_by and hub.hours.local(case.expected_by)
        position = await asyncio.to_thread(hub.cases.position, case)
        wait = None
        if answer_from is None:
            typical = await asyncio.to_thread(hub.cases.typical_wait_minutes, case.role)
            per_case = typical or DEFAULT_MINUTES_PER_CASE
            wait = max(1, math.ceil(position * per_case / max(online, 1)))
        return CaseOpening(
            case_id=case_id,
            role=case.role,
            position=position,
            wait_minutes=wait,
            answer_from=answer_from,
            already_open=not new,
        )

    async def forward(self, message: PersonMessage) -> bool:
        media, location = message.media, message.location
        added = await asyncio.to_thread(
            self.hub.cases.add_person_message,
            message.case_id,
            source_key=message.message_key,
            text=message.text or (media.caption if media else ""),
            media_kind=media.kind.value if media else None,
            media_ref=media.reference if media else None,
            latitude=location.latitude if location else None,
            longitude=location.longitude if location else None,
            urgent=message.urgent,
        )
        if added is None:
            return False  # the case was closed meanwhile
        if added.message_id is not None:  # not a replay: the console has something new
            event = {"type": "message", "case": message.case_id, "role": added.role}
            await self.hub.events.publish(event)
        return True

    async def end_by_person(self, case_id: int, user_key: str) -> None:
        role = await asyncio.to_thread(self.hub.cases.end_by_person, case_id, user_key)
        if role is not None:
            await self.hub.events.publish({"type": "closed", "case": case_id, "role": role})

    async def rate(self, case_id: int, user_key: str, rating: int) -> bool:
        role = await asyncio.to_thread(self.hub.cases.rate, case_id, user_key, rating)
        if role is not None:
            await self.hub.events.publish({"type": "rated", "case": case_id, "role": role})
        return role is not None

    async def take_waiting_replies(self, user_key: str, message_key: str) -> list[tuple[str, str]]:
        taken = await asyncio.to_thread(self.hub.cases.take_waiting, user_key, message_key)
        for case_id, role in {(c, r) for c, r, _ in taken}:
            await self.hub.events.publish({"type": "delivered", "case": case_id, "role": role})
        return [(role, text) for _, role, text in taken]

    async def forget(self, user_key: str) -> None:
        await asyncio.to_thread(self.hub.cases.forget, user_key)

    async def free_slots(self, role: str, limit: int) -> list[FreeSlot]:
        slots = await asyncio.to_thread(self.hub.visits.free, role, limit)
        return [FreeSlot(s.id, s.role, self.hub.hours.local(s.starts_at)) for s in slots]

    async def book(self, slot_id: int, user_key: str, language: str) -> BookedVisit | None:
        booked = await asyncio.to_thread(self.hub.visits.book, slot_id, user_key, language)
        if booked is None:
            return None
        visit_id, slot = booked
        await self.hub.events.publish({"type": "visits", "role": slot.role})
        return BookedVisit(visit_id, slot.role, self.hub.hours.local(slot.starts_at))

    async def visits_of(self, user_key: str) -> list[BookedVisit]:
        rows = await asyncio.to_thread(self.hub.visits.of_person, user_key)
        return [BookedVisit(v.id or 0, s.role, self.hub.hours.local(s.starts_at)) for v, s in rows]

    async def cancel(self, visit_id: int, user_key: str) -> bool:
        cancelled = await asyncio.to_thread(self.hub.visits.cancel, visit_id, user_key)
        if cancelled:
            await self.hub.events.publish({"type": "visits", "role": ""})
        return cancelled


__all__ = ["Desk"]
