"""Services near me, a live specialist and alerts: routed now, built in their own issues.

Services near me already asks for a location or a town, so the web chat's location button and
the messengers' location messages have somewhere to go; what it finds comes with the directory.
"""

from __future__ import annotations

from .. import payloads
from ..messages import Location
from ..turn import Turn

AWAIT_PLACE = "await_place"
SERVICES = "services"


def services(turn: Turn) -> None:
    turn.conversation.enter(SERVICES, AWAIT_PLACE)
    share = turn.button("button.share_location", payloads.SERVICES)
    turn.say(turn.t("services.ask_location"), [share, turn.menu_button()])


def place_given(turn: Turn, *, location: Location | None = None, town: str | None = None) -> None:
    """A location or a town arrived: acknowledge it, keep nothing, and say what is coming."""
    turn.conversation.enter(None)
    if location is not None:
        turn.say(turn.t("services.got_location"))
    elif town:
        turn.say(turn.t("services.got_town", town=town[:60]))
    turn.say(turn.t("soon.services"), [turn.specialist_button(), turn.menu_button()])


def specialist(turn: Turn) -> None:
    turn.say(turn.t("soon.specialist"), [turn.menu_button()])


def alerts(turn: Turn) -> None:
    turn.say(turn.t("soon.alerts"), [turn.menu_button()])
