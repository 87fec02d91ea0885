"""Alerts and reminders from the menu: topics to opt in to, a region, and personal deadlines.

Nothing is sent to anyone who has not tapped a topic. A deadline is chosen with buttons (a
month, then a day) or typed as ``DD.MM`` or ``DD.MM.YYYY``.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from ..messages import Button
from ..payloads import (
    ALERTS,
    REMINDER_ADD,
    REMINDER_CANCEL,
    REMINDER_DAY,
    REMINDER_MONTH,
    REMINDERS,
    SUB_REGION,
    SUB_TOPIC,
    make,
)
from ..subscriptions import ALERT_TOPICS, REMINDER_KINDS
from ..turn import Turn
from .clock import parse_day, when

FLOW = "alerts"
AWAIT_REGION = "region"
AWAIT_DATE = "date"
DEFAULT_TIMEZONE = "Europe/Moscow"
MONTHS_SHOWN = 3


def _timezone(turn: Turn) -> str:
    return str(turn.conversation.slots.get("timezone") or DEFAULT_TIMEZONE)


async def show(turn: Turn) -> None:
    topics, region = await turn.services.alerts.topics_of(turn.user_key)
    turn.conversation.enter(FLOW)
    lines = [
        ("✅ " if topic in topics else "⬜ ") + turn.t(f"alerts.topic.{topic}")
        for topic in ALERT_TOPICS
    ]
    intro = turn.t("alerts.on" if topics else "alerts.off")
    where = turn.t("alerts.region", region=region) if region else turn.t("alerts.no_region")
    buttons = [
        Button(line, make(SUB_TOPIC, topic))
        for line, topic in zip(lines, ALERT_TOPICS, strict=True)
    ]
    turn.say(
        "\n\n".join((intro, where)),
        [
            *buttons,
            turn.button("alerts.set_region", SUB_REGION),
            turn.button("reminders.button", REMINDERS),
            turn.menu_button(),
        ],
    )


async def toggle(turn: Turn, topic: str) -> None:
    if topic in ALERT_TOPICS:
        topics, region = await turn.services.alerts.topics_of(turn.user_key)
        chosen = tuple(t for t in ALERT_TOPICS if (t in topics) != (t == topic))
        if not region:
            region = turn.conversation.slots.get("region")
        await turn.services.alerts.subscribe(turn.user_key, chosen, region)
    await show(turn)


def ask_region(turn: Turn) -> None:
    turn.conversation.enter(FLOW, AWAIT_REGION)
    turn.say(turn.t("alerts.ask_region"), [turn.button("button.back", ALERTS)])


async def region_given(turn: Turn, text: str) -> None:
    place = turn.services.gazetteer().find(text)
    if place is None:
        turn.say(
            turn.t("alerts.unknown_region", town=text[:60]), [turn.button("button.back", ALERTS)]
        )
        return
    turn.conversation.slots.update(region=place.russian, timezone=place.timezone)
    topics, _ = await turn.services.alerts.topics_of(turn.user_key)
    if topics:
        await turn.services.alerts.subscribe(turn.user_key, topics, place.russian)
    await show(turn)


async def reminders(turn: Turn) -> None:
    turn.conversation.enter(FLOW)
    timezone = _timezone(turn)
    found = await turn.services.alerts.reminders_of(turn.user_key, timezone)
    lines = [
        turn.t(
            "reminders.line",
            kind=turn.t(f"reminders.kind.{r.kind}"),
            date=_day(r.due_on, turn.language),
            at=when(r.fire_at, turn.language),
        )
        for r in found
    ]
    text = (
        turn.t("reminders.none")
        if not found
        else turn.t("reminders.yours") + "\n" + "\n".join(lines)
    )
    cancel = [
        Button(
            turn.t(
                "reminders.cancel",
                kind=turn.t(f"reminders.kind.{r.kind}"),
                date=_day(r.due_on, turn.language),
            ),
            make(REMINDER_CANCEL, str(r.reminder_id)),
        )
        for r in found
    ]
    add = [
        Button(turn.t(f"reminders.add.{kind}"), make(REMINDER_ADD, kind))
        for kind in REMINDER_KINDS
    ]
    turn.say(text, [*add, *cancel, turn.menu_button()])


def ask_date(turn: Turn, kind: str) -> None:
    if kind not in REMINDER_KINDS:
        turn.say(turn.t("reminders.none"), [turn.menu_button()])
        return
    turn.conversation.enter(FLOW, AWAIT_DATE)
    turn.conversation.flow_data["kind"] = kind
    today = _today(turn)
    months = []
    year, month = today.year, today.month
    for _ in range(MONTHS_SHOWN):
        first = date(year, month, 1)
        label = format_date(first, "LLLL yyyy", locale=turn.language)
        months.append(Button(label, make(REMINDER_MONTH, f"{year:04d}-{month:02d}")))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    turn.say(
        turn.t("reminders.ask_date", kind=turn.t(f"reminders.kind.{kind}")),
        [*months, turn.button("button.back", REMINDERS)],
    )


def show_days(turn: Turn, argument: str) -> None:
    try:
        year, month = (int(x) for x in argument.split("-"))
        days = calendar.monthrange(year, month)[1]
    except ValueError:
        turn.say(turn.t("reminders.bad_date"), [turn.button("button.back", REMINDERS)])
        return
    today = _today(turn)
    turn.conversation.enter(FLOW, AWAIT_DATE)
    buttons = [
        Button(str(day), make(REMINDER_DAY, f"{year:04d}-{month:02d}-{day:02d}"))
        for day in range(1, days + 1)
        if date(year, month, day) >= today
    ]
    label = format_date(date(year, month, 1), "LLLL yyyy", locale=turn.language)
    turn.say(
        turn.t("reminders.ask_day", month=label), [*buttons, turn.button("button.back", REMINDERS)]
    )


async def date_chosen(turn: Turn, argument: str) -> None:
    try:
        chosen = date.fromisoformat(argument)
    except ValueError:
        turn.say(turn.t("reminders.bad_date"), [turn.button("button.back", REMINDERS)])
        return
    await _add(turn, chosen)


async def date_typed(turn: Turn, text: str) -> None:
    chosen = parse_day(text, _today(turn))
    if chosen is None:
        turn.say(turn.t("reminders.bad_date"), [turn.button("button.back", REMINDERS)])
        return
    await _add(turn, chosen)


async def _add(turn: Turn, chosen: date) -> None:
    kind = str(turn.conversation.flow_data.get("kind", ""))
    if kind not in REMINDER_KINDS:
        await reminders(turn)
        return
    try:
        added = await turn.services.alerts.add_reminder(
            turn.user_key, kind, chosen, language=turn.language, timezone=_timezone(turn)
        )
    except ValueError:
        turn.say(turn.t("reminders.past"), [turn.button("button.back", REMINDERS)])
        return
    turn.conversation.enter(FLOW)
    key = "reminders.added_monthly" if added.monthly else "reminders.added"
    turn.say(
        turn.t(
            key,
            kind=turn.t(f"reminders.kind.{kind}"),
            date=_day(added.due_on, turn.language),
            at=when(added.fire_at, turn.language),
        ),
        [turn.button("reminders.button", REMINDERS), turn.menu_button()],
    )


async def cancel(turn: Turn, argument: str) -> None:
    if argument.isdigit():
        await turn.services.alerts.cancel_reminder(turn.user_key, int(argument))
    turn.say(turn.t("reminders.cancelled"))
    await reminders(turn)


def _today(turn: Turn) -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(_timezone(turn))).date()


def _day(day: date, language: str) -> str:
    return format_date(day, "d MMMM yyyy", locale=language)


__all__ = [
    "AWAIT_DATE",
    "AWAIT_REGION",
    "FLOW",
    "ask_date",
    "ask_region",
    "cancel",
    "date_chosen",
    "date_typed",
    "region_given",
    "reminders",
    "show",
    "show_days",
    "toggle",
]
