"""Erasing everything kept about a person, after a confirming button."""

from __future__ import annotations

from .. import payloads
from ..messages import Button
from ..state import Conversation
from ..turn import Turn

STEP = "confirm_forget"


def ask(turn: Turn) -> None:
    turn.conversation.enter(None, STEP)
    turn.say(
        turn.t("forget.confirm"),
        [
            Button(turn.t("forget.yes"), payloads.FORGET_YES),
            Button(turn.t("forget.no"), payloads.FORGET_NO),
        ],
    )


async def confirm(turn: Turn) -> None:
    language = turn.conversation.language
    await turn.services.desk.forget(turn.user_key)  # cases and visits first: they name the key
    await turn.services.people.forget(turn.user_key)
    turn.forgotten = True
    turn.conversation = Conversation()
    # The last words are in the language they used; nothing of it is kept afterwards.
    turn.conversation.language = language
    turn.say(turn.t("forget.done"))
    turn.conversation.language = None


def cancel(turn: Turn) -> None:
    turn.conversation.enter(None)
    turn.say(turn.t("forget.cancelled"), [turn.menu_button()])
