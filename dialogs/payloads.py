"""Button payloads: short, stable strings that survive every platform's payload limits.

Viber and Telegram cap payloads at 64 bytes or more; a topic id is the longest part we send.
"""

from __future__ import annotations

LANGUAGE = "lang"  # lang:<code>
MENU = "menu"  # menu
CATEGORY = "cat"  # cat:<legal|work|health|social>
TOPIC = "topic"  # topic:<id>
HELPFUL = "helpful"  # helpful:<id>
SPECIALIST = "specialist"  # specialist[:<lawyer|doctor|social_worker>]
SKIP = "skip"  # no description: open the case as it is
END = "end"  # end the talk with a specialist
RESUME = "resume"  # back to the specialist after looking at the menu
RATE = "rate"  # rate:<case id>:<1..5>
VISITS = "visits"  # book a visit, or see booked ones
VISIT_ROLE = "vrole"  # vrole:<role>
BOOK = "book"  # book:<slot id>
CANCEL_VISIT = "vcancel"  # vcancel:<visit id>
SERVICES = "services"
ALERTS = "alerts"
CHOOSE_LANGUAGE = "language"
FORGET_YES = "forget:yes"
FORGET_NO = "forget:no"
HELP = "help"
SUB_TOPIC = "sub"  # sub:<topic>: subscribe to an alert topic, or stop it
SUB_REGION = "subregion"
REMINDERS = "reminders"
REMINDER_ADD = "remadd"  # remadd:<kind>
REMINDER_MONTH = "remmonth"  # remmonth:<YYYY-MM>
REMINDER_DAY = "remday"  # remday:<YYYY-MM-DD>
REMINDER_CANCEL = "remcancel"  # remcancel:<id>
SHARE_LOCATION = "share_location"  # channels with location pickers handle it themselves
SERVICE_KIND = "svc"  # svc:<category>
MORE_SERVICES = "more"
PLACE = "place"  # place:<gazetteer index>
REPORT = "report"  # report:<service id>
REPORTED = "reported"  # reported:<service id>:<reason code>


def make(kind: str, argument: str | None = None) -> str:
    return f"{kind}:{argument}" if argument else kind


def split(payload: str) -> tuple[str, str]:
    kind, _, argument = payload.partition(":")
    return kind, argument


__all__ = ["make", "split"]
