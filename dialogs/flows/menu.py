"""The main menu and the topic menus of each category."""

from __future__ import annotations

from .. import payloads
from ..messages import Button
from ..turn import Turn

CATEGORIES = ("legal", "work", "health", "social")


def show(turn: Turn) -> None:
    turn.conversation.enter(None)
    buttons = [turn.button(f"menu.{c}", payloads.CATEGORY, c) for c in CATEGORIES] + [
        turn.button("menu.services", payloads.SERVICES),
        turn.button("menu.specialist", payloads.SPECIALIST),
        turn.button("menu.visits", payloads.VISITS),
        turn.button("menu.alerts", payloads.ALERTS),
        turn.button("menu.language", payloads.CHOOSE_LANGUAGE),
    ]
    turn.say(turn.t("menu.title"), buttons)


def show_category(turn: Turn, category: str) -> None:
    if category not in CATEGORIES:
        show(turn)
        return
    knowledge = turn.services.knowledge
    name = turn.t(f"menu.{category}")
    topics = knowledge.in_category(category)
    if not topics:
        turn.say(
            turn.t("category.empty", category=name), [turn.specialist_button(), turn.menu_button()]
        )
        return
    buttons = [
        Button(knowledge.title(t.id, turn.language), payloads.make(payloads.TOPIC, t.id))
        for t in topics
    ]
    turn.say(turn.t("category.title", category=name), [*buttons, turn.menu_button()])
