"""Talking to a specialist: choose who, say the problem in a line, then talk through the bot.

While a case is live the bot stays quiet: everything the person sends goes to the specialist,
except the menu, "end", stop words (the router handles those) and words of danger (answered
with the emergency numbers, and passed on marked urgent). The specialist's answers arrive as
messages the server starts; a WhatsApp answer held back by the 24-hour window is handed over
here, with the person's next message.
"""

from __future__ import annotations

from ..desk import SPECIALIST_ROLES, CaseOpening, PersonMessage
from ..i18n import Translator
from ..messages import Button
from ..payloads import END, MENU, RATE, RESUME, SKIP, SPECIALIST, make
from ..state import Conversation
from ..turn import Turn
from . import answers, menu
from .clock import when

FLOW = "handoff"
STEP_ROLE = "role"
STEP_DESCRIBE = "describe"
STEP_LIVE = "live"
CASE_SLOT = "case"  # the open case's id, kept while the case is open (even in the menu)
RATE_SLOT = "rate_case"  # the closed case waiting for a rating
WAITING_SLOT = "waiting_replies"  # answers held back by WhatsApp's window wait for this person


def role_title(turn: Turn, role: str) -> str:
    return turn.t(f"role.{role}")


def start(turn: Turn, role: str | None = None) -> None:
    """From the menu, an answer's button, a low-confidence answer, or typed words."""
    conversation = turn.conversation
    if CASE_SLOT in conversation.slots:
        resume(turn)
        return
    if role in SPECIALIST_ROLES:
        choose_role(turn, role)
        return
    conversation.enter(FLOW, STEP_ROLE)
    buttons = [Button(role_title(turn, r), make(SPECIALIST, r)) for r in SPECIALIST_ROLES]
    turn.say(
        turn.t("handoff.choose_role", pseudonym=conversation.pseudonym or "—"),
        [*buttons, turn.menu_button()],
    )


def choose_role(turn: Turn, role: str) -> None:
    if CASE_SLOT in turn.conversation.slots:
        resume(turn)
        return
    turn.conversation.enter(FLOW, STEP_DESCRIBE)
    turn.conversation.flow_data["role"] = role
    turn.say(
        turn.t("handoff.describe", role=role_title(turn, role)),
        [turn.button("button.skip", SKIP), turn.menu_button()],
    )


async def describe(turn: Turn, summary: str) -> None:
    """The line describing the problem (or nothing, after Skip) opens the case."""
    role = str(turn.conversation.flow_data.get("role", "lawyer"))
    await open_case(turn, role, summary)
    if turn.inbound.media is not None or turn.inbound.location is not None:
        await forward(turn)  # a photo or a location sent instead of a line reaches them too


async def open_case(turn: Turn, role: str, summary: str) -> None:
    conversation = turn.conversation
    opening = await turn.services.desk.open_case(
        user_key=turn.user_key,
        role=role,
        language=turn.language,
        channel=turn.inbound.channel,
        region=conversation.slots.get("region"),
        summary=summary,
    )
    conversation.enter(FLOW, STEP_LIVE)
    conversation.slots[CASE_SLOT] = opening.case_id
    conversation.slots.pop(RATE_SLOT, None)
    turn.say(_opening_text(turn, opening), _live_buttons(turn))


def _opening_text(turn: Turn, opening: CaseOpening) -> str:
    role = role_title(turn, opening.role)
    if opening.already_open:
        return turn.t("handoff.already_open", role=role)
    if opening.answer_from is not None:
        return turn.t("handoff.later", role=role, when=when(opening.answer_from, turn.language))
    return turn.t(
        "handoff.queued",
        role=role,
        position=opening.position,
        minutes=opening.wait_minutes or 1,
    )


def _live_buttons(turn: Turn) -> list[Button]:
    return [turn.button("button.end", END), turn.menu_button()]


async def forward(turn: Turn, *, urgent: bool = False) -> bool:
    """Pass the message on; False (and the bot takes over) when the case closed meanwhile."""
    case_id = turn.conversation.slots.get(CASE_SLOT)
    inbound = turn.inbound
    if case_id is None:
        return False
    delivered = await turn.services.desk.forward(
        PersonMessage(
            case_id=int(case_id),
            message_key=f"{inbound.channel}:{inbound.message_id}",
            text=turn.text,
            media=inbound.media,
            location=inbound.location,
            urgent=urgent,
        )
    )
    if not delivered:
        closed(turn.conversation)
    return delivered


async def live_message(turn: Turn, *, urgent: bool) -> None:
    """A message during a live case: passed on quietly, or answered if the case is gone."""
    if await forward(turn, urgent=urgent):
        return
    if turn.text and not urgent:
        # Written for the specialist, not asked of the bot: nothing to learn from, not kept.
        await answers.answer_question(turn, turn.text, learn=False)


def resume(turn: Turn) -> None:
    role = turn.conversation.flow_data.get("role")
    turn.conversation.enter(FLOW, STEP_LIVE)
    if role:
        turn.conversation.flow_data["role"] = role
    turn.say(turn.t("handoff.resumed"), _live_buttons(turn))


def pause(turn: Turn) -> None:
    """The menu during a case: the case stays open and answers keep coming."""
    menu.show(turn)
    turn.say(
        turn.t("handoff.paused"),
        [turn.button("button.resume", RESUME), turn.button("button.end", END)],
    )


async def end(turn: Turn) -> None:
    case_id = turn.conversation.slots.get(CASE_SLOT)
    if case_id is None:
        turn.say(turn.t("handoff.none_open"), [turn.menu_button()])
        return
    await turn.services.desk.end_by_person(int(case_id), turn.user_key)
    closed(turn.conversation)
    ask_rating(turn, int(case_id), "handoff.ended")


def closed(conversation: Conversation) -> None:
    """Forget the open case in the conversation: the bot answers again."""
    conversation.slots.pop(CASE_SLOT, None)
    if conversation.flow == FLOW:
        conversation.enter(None)


def rating_buttons(t: Translator, case_id: int) -> list[Button]:
    """1 to 5, and the menu for anyone who would rather not rate."""
    stars = [Button(str(n), make(RATE, f"{case_id}:{n}")) for n in range(1, 6)]
    return [*stars, Button(t("button.menu"), MENU)]


def ask_rating(turn: Turn, case_id: int, key: str, **params: object) -> None:
    turn.conversation.slots[RATE_SLOT] = case_id
    turn.say(turn.t(key, **params), rating_buttons(turn.t, case_id))


async def rate(turn: Turn, argument: str) -> None:
    case, _, rating = argument.partition(":")
    if not (case.isdigit() and rating.isdigit()):
        menu.show(turn)
        return
    await turn.services.desk.rate(int(case), turn.user_key, int(rating))
    turn.conversation.slots.pop(RATE_SLOT, None)
    turn.say(turn.t("handoff.rated"), [turn.menu_button()])


async def deliver_waiting(turn: Turn) -> None:
    """Answers that waited for the person to come back inside WhatsApp's window."""
    inbound = turn.inbound
    held = await turn.services.desk.take_waiting_replies(
        turn.user_key, f"{inbound.channel}:{inbound.message_id}"
    )
    turn.conversation.slots.pop(WAITING_SLOT, None)
    for role, text in held:
        turn.say(specialist_says(turn.t, role, text))


def specialist_says(t: Translator, role: str, text: str) -> str:
    """A specialist's answer as the person sees it: who answers, then the answer."""
    return f"{t('handoff.reply_from', role=t(f'role.{role}'))}\n{text}"


__all__ = [
    "CASE_SLOT",
    "FLOW",
    "RATE_SLOT",
    "STEP_DESCRIBE",
    "STEP_LIVE",
    "STEP_ROLE",
    "WAITING_SLOT",
    "ask_rating",
    "choose_role",
    "closed",
    "deliver_waiting",
    "describe",
    "end",
    "forward",
    "live_message",
    "pause",
    "rate",
    "rating_buttons",
    "resume",
    "specialist_says",
    "start",
]
