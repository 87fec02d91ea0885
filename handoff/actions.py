"""What a specialist does from the console: open, claim, reply, note, transfer, close.

The firewall lives here, in one place: a specialist reads only cases of their own role (a
doctor medical ones, a lawyer legal ones); the front desk and admins read none. Every opening
of a case and every reply is written to the audit log, without its content.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from musofir.dialogs import DialogEngine, Outbound
from musofir.dialogs.desk import SPECIALIST_ROLES
from musofir.dialogs.flows import handoff as person_side
from musofir.dialogs.i18n import Translator
from musofir.dialogs.state import Conversation, Option
from musofir.storage.models import Case, StaffMember
from sqlmodel import Session, select

from .cases import CaseDetail
from .hub import HandoffHub

Push = Callable[[str, Sequence[Outbound]], Awaitable[str]]
"""Send messages to a person by their key; returns how it went (sent, template, failed...)."""

DELIVERY_OF_PUSH = {
    "sent": "sent",
    "template": "waiting",  # outside WhatsApp's window: the invitation went, the reply waits
    "unreachable": "unreachable",
    "unknown": "unknown",  # the person erased their data
    "failed": "failed",
}
OUTCOMES = ("answered", "referred", "no_reply", "out_of_scope", "duplicate")


class CaseNotFound(LookupError):
    pass


class NotAllowed(PermissionError):
    """The staff member may not do this to this case (another role, or taken by someone)."""


def can_read(member: StaffMember, case: Case) -> bool:
    return member.role.value in SPECIALIST_ROLES and member.role.value == case.role


class ConsoleActions:
    def __init__(self, hub: HandoffHub, engine: DialogEngine, push: Push) -> None:
        self.hub = hub
        self.engine = engine
        self.push = push

    def _t(self, language: str | None) -> Translator:
        return Translator(self.engine.services.catalogs, language)

    async def _case(self, member: StaffMember, case_id: int) -> Case:
        case = await asyncio.to_thread(self.hub.cases.get, case_id)
        if case is None:
            raise CaseNotFound(f"no case {case_id}")
        if not can_read(member, case):
            await self.hub.audit.arecord(member.username, "denied", case_id)
            raise NotAllowed("this case belongs to another role")
        return case

    async def _event(self, kind: str, case: Case) -> None:
        await self.hub.events.publish({"type": kind, "case": case.id, "role": case.role})

    async def open(self, member: StaffMember, case_id: int) -> CaseDetail:
        await self._case(member, case_id)
        await asyncio.to_thread(self.hub.cases.mark_read, case_id)
        detail = await asyncio.to_thread(self.hub.cases.detail, case_id)
        if detail is None:
            raise CaseNotFound(f"no case {case_id}")
        await self.hub.audit.arecord(member.username, "open", case_id)
        return detail

    async def claim(self, member: StaffMember, case_id: int) -> None:
        case = await self._case(member, case_id)
        if not await asyncio.to_thread(self.hub.cases.claim, case_id, member.id or 0):
            raise NotAllowed("another specialist has taken this case")
        await self.hub.audit.arecord(member.username, "claim", case_id)
        await self._event("claimed", case)

    async def release(self, member: StaffMember, case_id: int) -> None:
        case = await self._case(member, case_id)
        if not await asyncio.to_thread(self.hub.cases.release, case_id, member.id or 0):
            raise NotAllowed("only the specialist who took the case can release it")
        await self.hub.audit.arecord(member.username, "release", case_id)
        await self._event("released", case)

    async def transfer(
        self, member: StaffMember, case_id: int, *, role: str, to_username: str | None
    ) -> None:
        case = await self._case(member, case_id)
        if role not in SPECIALIST_ROLES:
            raise ValueError(f"unknown role {role!r}")
        target_id = None
        if to_username:
            target = await asyncio.to_thread(self._staff_named, to_username)
            if target is None or target.role.value != role:
                raise ValueError(f"{to_username!r} is not a {role}")
            target_id = target.id
        moved = await asyncio.to_thread(
            self.hub.cases.transfer, case_id, role=role, staff_id=target_id
        )
        if not moved:
            raise NotAllowed("a closed case cannot be transferred")
        detail = f"to {to_username or role}"
        await self.hub.audit.arecord(member.username, "transfer", case_id, detail)
        await self.hub.events.publish({"type": "transferred", "case": case_id, "role": role})
        await self._event("transferred", case)  # the old queue loses it

    def _staff_named(self, username: str) -> StaffMember | None:
        with Session(self.hub.engine) as session:
            member = session.exec(
                select(StaffMember).where(StaffMember.username == username)
            ).first()
            if member is not None:
                session.expunge(member)
            return member

    async def note(self, member: StaffMember, case_id: int, text: str) -> None:
        case = await self._case(member, case_id)
        await asyncio.to_thread(
            self.hub.cases.add_staff_message, case_id, member.id or 0, text, note=True
        )
        await self.hub.audit.arecord(member.username, "note", case_id)
        await self._event("message", case)

    async def reply(self, member: StaffMember, case_id: int, text: str) -> str:
        """Send the answer to the person's messenger; returns its delivery state."""
        case = await self._case(member, case_id)
        if case.status == "closed":
            raise NotAllowed("the case is closed")
        if case.assignee_id not in (None, member.id):
            raise NotAllowed("another specialist has taken this case")
        if case.assignee_id is None:
            await asyncio.to_thread(self.hub.cases.claim, case_id, member.id or 0)
        cases = self.hub.cases
        message_id = await asyncio.to_thread(
            cases.add_staff_message, case_id, member.id or 0, text
        )
        await self.hub.audit.arecord(member.username, "reply", case_id)
        if case.waiting_window:
            delivery = "waiting"  # the invitation went already; this joins the waiting replies
        else:
            shown = person_side.specialist_says(self._t(case.language), case.role, text)
            result = await self.push(
                case.person_key, [Outbound(text=shown, language=case.language)]
            )
            delivery = DELIVERY_OF_PUSH.get(str(result), "failed")
            if delivery == "waiting":
                await self.engine.amend(case.person_key, _expect_waiting_replies)
        await asyncio.to_thread(cases.set_delivery, message_id, delivery)
        await self._event("message", case)
        return delivery

    async def close(self, member: StaffMember, case_id: int, outcome: str) -> None:
        case = await self._case(member, case_id)
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        if not await asyncio.to_thread(self.hub.cases.close, case_id, outcome):
            raise NotAllowed("the case is already closed")
        await self.hub.audit.arecord(member.username, "close", case_id, outcome)
        t = self._t(case.language)
        buttons = person_side.rating_buttons(t, case_id)

        def back_to_the_bot(conversation: Conversation) -> None:
            person_side.closed(conversation)
            conversation.slots[person_side.RATE_SLOT] = case_id
            conversation.options = [Option(b.title, b.payload) for b in buttons]

        await self.engine.amend(case.person_key, back_to_the_bot)
        text = t("handoff.closed", role=t(f"role.{case.role}"))
        await self.push(
            case.person_key, [Outbound(text=text, buttons=tuple(buttons), language=case.language)]
        )
        await self._event("closed", case)


def _expect_waiting_replies(conversation: Conversation) -> None:
    conversation.slots[person_side.WAITING_SLOT] = True


def readable_roles(member: StaffMember) -> tuple[str, ...]:
    """The queues a staff member sees: their own role's, or none."""
    return (member.role.value,) if member.role.value in SPECIALIST_ROLES else ()


__all__ = [
    "OUTCOMES",
    "CaseNotFound",
    "ConsoleActions",
    "NotAllowed",
    "Push",
    "can_read",
    "readable_roles",
]
