"""A live specialist and alerts: routed now, built in their own issues."""

from __future__ import annotations

from ..turn import Turn


def specialist(turn: Turn) -> None:
    turn.say(turn.t("soon.specialist"), [turn.menu_button()])


def alerts(turn: Turn) -> None:
    turn.say(turn.t("soon.alerts"), [turn.menu_button()])
