"""A service as a card: a venue adapters draw natively, and text that works on every channel.

The text carries what a venue cannot: distance, open now or when it opens (in the service's own
time zone), the flags people filter by, languages spoken, a tap-to-call number, an OpenStreetMap
and a Yandex Maps link, and a plain warning when the entry is a sample.
"""

from __future__ import annotations

from datetime import datetime

from babel.core import Locale, UnknownLocaleError
from babel.dates import get_day_names
from musofir.knowledge.directory import Found
from musofir.knowledge.hours import status

from .. import payloads
from ..i18n import Translator
from ..messages import Button, Outbound, Venue


def osm_link(latitude: float, longitude: float) -> str:
    return (
        f"https://www.openstreetmap.org/?mlat={latitude:.5f}&mlon={longitude:.5f}"
        f"#map=17/{latitude:.5f}/{longitude:.5f}"
    )


def yandex_link(latitude: float, longitude: float) -> str:
    return f"https://yandex.ru/maps/?pt={longitude:.5f},{latitude:.5f}&z=17&l=map"


def day_name(weekday: int, language: str) -> str:
    try:
        return str(get_day_names("wide", locale=Locale.parse(language))[weekday])
    except (UnknownLocaleError, ValueError):
        return str(get_day_names("wide", locale="en")[weekday])


def opening_line(found: Found, t: Translator, now: datetime) -> str:
    service = found.service
    state = status(service.hours, now, service.timezone)
    if state.open_now:
        return t("services.open_now")
    if state.next_open is None:
        return t("services.closed")
    at = state.next_open.strftime("%H:%M")
    local_today = now.astimezone(service.timezone).date()
    if state.next_open.date() == local_today:
        return t("services.opens_at", time=at)
    return t("services.opens_on", day=day_name(state.next_open.weekday(), t.language), time=at)


def card(found: Found, t: Translator, now: datetime) -> Outbound:
    service = found.service
    name = service.name(t.language)
    flags = [
        t(key)
        for key, on in (
            ("services.flag_free", service.free),
            ("services.flag_anonymous", service.anonymous),
            ("services.flag_no_documents", service.no_documents),
        )
        if on
    ]
    lines = [
        name,
        f"📍 {service.address}",
        f"📏 {t('services.distance', distance=_km(found.distance_km))}"
        f" · {opening_line(found, t, now)}",
    ]
    if flags:
        lines.append("✅ " + " · ".join(flags))
    if service.languages:
        lines.append("🗣 " + ", ".join(service.languages))
    if service.phone:
        lines.append(f"📞 {service.phone}")
    lines.append(
        f"🗺 {osm_link(service.latitude, service.longitude)}\n"
        f"🗺 {yandex_link(service.latitude, service.longitude)}"
    )
    if service.sample:
        lines.append(t("services.sample"))
    elif service.verified_on:
        lines.append(t("services.verified", date=service.verified_on.isoformat()))
    venue = Venue(
        latitude=service.latitude,
        longitude=service.longitude,
        title=name,
        address=service.address,
        map_url=osm_link(service.latitude, service.longitude),
        phone=service.phone,
    )
    report = Button(t("services.report"), payloads.make(payloads.REPORT, service.id))
    return Outbound(text="\n".join(lines), buttons=(report,), venue=venue, language=t.language)


def _km(distance: float) -> str:
    return f"{distance:.1f}" if distance < 10 else f"{distance:.0f}"


__all__ = ["card", "day_name", "opening_line", "osm_link", "yandex_link"]
