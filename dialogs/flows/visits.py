"""Booking a visit to the help centre: who, then a free time, then the address card.

Free and anonymous: the nickname is all the front desk asks for. The day before, the server
sends a reminder (``handoff.reminders``).
"""

from __future__ import annotations

from ..desk import SPECIALIST_ROLES, BookedVisit
from ..messages import Button, Venue
from ..payloads import BOOK, CANCEL_VISIT, SPECIALIST, VISIT_ROLE, VISITS, make
from ..turn import Turn
from .clock import when
from .handoff import role_title

SLOTS_SHOWN = 6
ROLE_SLOT = "visit_role"


async def start(turn: Turn) -> None:
    """Booked visits first (to see or cancel), else the choice of whom to visit."""
    turn.conversation.enter(None)
    booked = await turn.services.desk.visits_of(turn.user_key)
    if booked:
        lines = [_line(turn, visit) for visit in booked]
        buttons = [
            Button(
                turn.t("button.cancel_visit", when=when(v.starts_at, turn.language)),
                make(CANCEL_VISIT, str(v.visit_id)),
            )
            for v in booked
        ]
        turn.say(
            turn.t("visits.yours") + "\n" + "\n".join(lines),
            [*buttons, turn.button("button.book_another", VISIT_ROLE), turn.menu_button()],
        )
        return
    choose_role(turn)


def choose_role(turn: Turn) -> None:
    buttons = [Button(role_title(turn, r), make(VISIT_ROLE, r)) for r in SPECIALIST_ROLES]
    turn.say(
        turn.t("visits.choose_role", pseudonym=turn.conversation.pseudonym or "—"),
        [*buttons, turn.menu_button()],
    )


async def show_times(turn: Turn, role: str, *, after_full: bool = False) -> None:
    if role not in SPECIALIST_ROLES:
        choose_role(turn)
        return
    turn.conversation.slots[ROLE_SLOT] = role
    slots = await turn.services.desk.free_slots(role, SLOTS_SHOWN)
    title = role_title(turn, role)
    if not slots:
        turn.say(
            turn.t("visits.none_free", role=title),
            [turn.button("button.specialist", SPECIALIST, role), turn.menu_button()],
        )
        return
    buttons = [Button(when(s.starts_at, turn.language), make(BOOK, str(s.slot_id))) for s in slots]
    key = "visits.full" if after_full else "visits.choose_time"
    turn.say(turn.t(key, role=title), [*buttons, turn.menu_button()])


async def book(turn: Turn, argument: str) -> None:
    desk = turn.services.desk
    if not argument.isdigit():
        await start(turn)
        return
    visit = await desk.book(int(argument), turn.user_key, turn.language)
    if visit is None:
        await show_times(turn, _role_of_slot(turn), after_full=True)
        return
    centre = desk.centre
    moment = when(visit.starts_at, turn.language)
    text = turn.t(
        "visits.booked",
        role=role_title(turn, visit.role),
        when=moment,
        pseudonym=turn.conversation.pseudonym or "—",
    )
    turn.say(text)
    details = f"{centre.name}\n{centre.address}"
    if centre.sample:
        details += "\n\n" + turn.t("visits.sample_address")
    turn.say(
        details,
        [
            Button(
                turn.t("button.cancel_visit", when=moment), make(CANCEL_VISIT, str(visit.visit_id))
            ),
            turn.menu_button(),
        ],
        venue=Venue(
            latitude=centre.latitude,
            longitude=centre.longitude,
            title=centre.name,
            address=centre.address,
        ),
    )


def _role_of_slot(turn: Turn) -> str:
    """The role whose times were shown last."""
    return str(turn.conversation.slots.get(ROLE_SLOT, ""))


async def cancel(turn: Turn, argument: str) -> None:
    cancelled = argument.isdigit() and await turn.services.desk.cancel(
        int(argument), turn.user_key
    )
    key = "visits.cancelled" if cancelled else "visits.not_found"
    turn.say(turn.t(key), [turn.button("menu.visits", VISITS), turn.menu_button()])


def _line(turn: Turn, visit: BookedVisit) -> str:
    return turn.t(
        "visits.line", when=when(visit.starts_at, turn.language), role=role_title(turn, visit.role)
    )


__all__ = ["book", "cancel", "choose_role", "show_times", "start"]
