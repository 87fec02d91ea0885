"""Alerts: routed now, built in their own issue."""

from __future__ import annotations

from ..turn import Turn


def alerts(turn: Turn) -> None:
    turn.say(turn.t("soon.alerts"), [turn.menu_button()])
