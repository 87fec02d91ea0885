"""The help centre's clock: working hours per role in the centre's time zone.

Hours are written the way service cards write them (``Mo-Fr 09:00-18:00``) and parsed by the
same parser, so staff learn one notation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from musofir.dialogs.desk import SPECIALIST_ROLES, CentrePlace
from musofir.knowledge.hours import HoursError, OpeningHours, parse_hours, status, zone

from musofir.settings import Settings


@dataclass(frozen=True, slots=True)
class CentreHours:
    timezone: ZoneInfo
    hours: dict[str, OpeningHours]

    @classmethod
    def from_settings(cls, settings: Settings) -> CentreHours:
        texts = {
            "lawyer": ("MUSOFIR_HOURS_LAWYER", settings.hours_lawyer),
            "doctor": ("MUSOFIR_HOURS_DOCTOR", settings.hours_doctor),
            "social_worker": ("MUSOFIR_HOURS_SOCIAL_WORKER", settings.hours_social_worker),
        }
        hours = {}
        for role, (name, text) in texts.items():
            try:
                hours[role] = parse_hours(text)
            except HoursError as error:
                raise HoursError(f"{name}={text!r}: {error}") from error
        try:
            timezone = zone(settings.centre_timezone)
        except HoursError as error:
            raise HoursError(f"MUSOFIR_CENTRE_TIMEZONE: {error}") from error
        return cls(timezone, hours)

    def is_open(self, role: str, now: datetime) -> bool:
        return status(self.hours[role], now, self.timezone).open_now

    def next_opening(self, role: str, now: datetime, *, after_today: bool = False) -> datetime:
        """When the role's hours next begin (local time); the day after today if asked.

        With no hours at all, "tomorrow" is the honest answer we can give.
        """
        local = now.astimezone(self.timezone)
        moment = local
        if after_today:
            moment = local.replace(hour=23, minute=59, second=59)
        found = status(self.hours[role], moment, self.timezone)
        if found.next_open is not None and (after_today or not found.open_now):
            return found.next_open
        if found.open_now:
            return local
        return local.replace(hour=9, minute=0, second=0, microsecond=0)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.timezone)


def centre_place(settings: Settings) -> CentrePlace:
    return CentrePlace(
        name=settings.centre_name,
        address=settings.centre_address,
        latitude=settings.centre_latitude,
        longitude=settings.centre_longitude,
        sample=settings.centre_is_sample,
    )


__all__ = ["SPECIALIST_ROLES", "CentreHours", "centre_place"]
