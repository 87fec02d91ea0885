"""Dates and times as a person reads them in their language (Babel's CLDR data)."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_datetime, get_timezone_location


def when(moment: datetime, language: str) -> str:
    """ "Tue 24 Nov, 09:00 (Moscow)": the day, the time, and whose clock it is."""
    text = format_datetime(moment, "EEE d MMM, HH:mm", tzinfo=moment.tzinfo, locale=language)
    city = get_timezone_location(moment.tzinfo, locale=language, return_city=True)
    return f"{text} ({city})"


def parse_day(text: str, today: date) -> date | None:
    """``DD.MM`` (the next such day) or ``DD.MM.YYYY``; also with / or - between the parts."""
    parts = text.strip().replace("/", ".").replace("-", ".").split(".")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        return None
    day, month = int(parts[0]), int(parts[1])
    year = int(parts[2]) if len(parts) == 3 else today.year
    if len(parts) == 3 and year < 100:
        year += 2000
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    if len(parts) == 2 and found < today:
        found = found.replace(year=year + 1)
    return found


__all__ = ["parse_day", "when"]
