"""Opening hours in the OpenStreetMap style staff know: ``Mo-Fr 09:00-18:00; Sa 10:00-14:00``.

We parse only the subset a service card needs (day ranges and lists, several time spans a day,
``off``, ``24/7``, spans past midnight). The maintained full parsers are JavaScript; the Python
ports we found are unmaintained, and this subset is forty lines we can test completely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_SPAN = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class HoursError(ValueError):
    """The hours text is not in the supported form; the message says what was expected."""


@dataclass(frozen=True, slots=True)
class Span:
    start: int  # minutes after midnight
    end: int  # may exceed 1440 for a span past midnight


@dataclass(frozen=True, slots=True)
class OpeningHours:
    text: str
    week: tuple[tuple[Span, ...], ...]  # Monday first

    @property
    def always(self) -> bool:
        return all(day == (Span(0, 1440),) for day in self.week)


@dataclass(frozen=True, slots=True)
class Status:
    open_now: bool
    next_open: datetime | None  # local time of the next opening when closed


def _days(part: str) -> list[int]:
    chosen: list[int] = []
    for piece in part.split(","):
        first, _, last = piece.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise HoursError(f"unknown day {piece!r}: use Mo Tu We Th Fr Sa Su, e.g. Mo-Fr")
        start, end = DAYS.index(first), DAYS.index(last or first)
        chosen.extend(
            range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)]
        )
    return chosen


def _spans(part: str) -> tuple[Span, ...]:
    if part == "off":
        return ()
    spans = []
    for piece in part.split(","):
        match = _SPAN.match(piece)
        if not match:
            raise HoursError(f"bad time span {piece!r}: write it as 09:00-18:00")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59:
            raise HoursError(f"bad time {piece!r}")
        start, end = h1 * 60 + m1, h2 * 60 + m2
        spans.append(Span(start, end if end > start else end + 1440))
    return tuple(spans)


def parse_hours(text: str) -> OpeningHours:
    text = " ".join(text.split())
    if not text:
        raise HoursError("opening hours are empty: write e.g. Mo-Fr 09:00-18:00, or 24/7")
    if text == "24/7":
        return OpeningHours(text, tuple((Span(0, 1440),) for _ in DAYS))
    week: list[tuple[Span, ...]] = [() for _ in DAYS]
    for rule in filter(None, (r.strip() for r in text.split(";"))):
        days, _, times = rule.partition(" ")
        if not times:
            raise HoursError(f"{rule!r} needs days and times, e.g. 'Sa 10:00-14:00' or 'Su off'")
        chosen = _days(days)
        spans = _spans(times.replace(" ", ""))
        for day in chosen:
            week[day] = spans
    return OpeningHours(text, tuple(week))


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise HoursError(f"unknown time zone {name!r}: use e.g. Europe/Moscow") from error


def status(hours: OpeningHours, now: datetime, tz: ZoneInfo) -> Status:
    """Open right now in the service's own time zone, or when it next opens (within a week)."""
    local = now.astimezone(tz)
    minute = local.hour * 60 + local.minute
    today = local.weekday()
    for span in hours.week[today]:
        if span.start <= minute < span.end:
            return Status(True, None)
    for span in hours.week[(today - 1) % 7]:  # a span from yesterday running past midnight
        if span.end > 1440 and minute < span.end - 1440:
            return Status(True, None)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    for offset in range(8):
        for span in hours.week[(today + offset) % 7]:
            opens = midnight + timedelta(days=offset, minutes=span.start)
            if opens > local:
                return Status(False, opens)
    return Status(False, None)


def clock(moment: datetime) -> time:
    return moment.time().replace(second=0, microsecond=0)


__all__ = ["DAYS", "HoursError", "OpeningHours", "Status", "parse_hours", "status", "zone"]
