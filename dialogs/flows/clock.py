"""Dates and times as a person reads them in their language (Babel's CLDR data)."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime, get_timezone_location


def when(moment: datetime, language: str) -> str:
    """ "Tue 24 Nov, 09:00 (Moscow)": the day, the time, and whose clock it is."""
    text = format_datetime(moment, "EEE d MMM, HH:mm", tzinfo=moment.tzinfo, locale=language)
    city = get_timezone_location(moment.tzinfo, locale=language, return_city=True)
    return f"{text} ({city})"


__all__ = ["when"]
