"""Services near me: a kind of service, then a shared location or a typed town, then cards.

The place is kept in the flow's data only while the person pages through results ("more"), and
rounded to about 100 m; leaving the flow drops it.
"""

from __future__ import annotations

from musofir.knowledge.directory import CATEGORIES, Found
from musofir.knowledge.geo import distance_km
from musofir.knowledge.places import Place

from .. import payloads
from ..messages import Button, Location
from ..turn import Turn
from .cards import card

FLOW = "services"
CHOOSE_KIND = "choose_kind"
AWAIT_PLACE = "await_place"
PAGE = 3
RADIUS_KM = 100.0
REASONS = {"c": "closed", "m": "moved", "t": "turned_away", "d": "asked_documents"}


def start(turn: Turn, *, location: Location | None = None) -> None:
    """Ask which kind of service; a location shared first is remembered for the answer."""
    turn.conversation.enter(FLOW, CHOOSE_KIND)
    if location is not None:
        _remember_place(turn, location.latitude, location.longitude, None)
    buttons = [turn.button(f"service.{c}", payloads.SERVICE_KIND, c) for c in CATEGORIES]
    turn.say(turn.t("services.choose_kind"), [*buttons, turn.menu_button()])


def choose_kind(turn: Turn, category: str) -> None:
    if category not in CATEGORIES:
        start(turn)
        return
    if turn.conversation.flow != FLOW:
        turn.conversation.enter(FLOW)
    data = turn.conversation.flow_data
    data["category"], data["offset"] = category, 0
    if "latitude" in data:
        show(turn)
        return
    turn.conversation.step = AWAIT_PLACE
    share = turn.button("button.share_location", payloads.SHARE_LOCATION)
    turn.say(turn.t("services.ask_location"), [share, turn.menu_button()])


def ask_again(turn: Turn) -> None:
    """The share button reached us as a plain payload: the channel has no location picker."""
    turn.conversation.step = AWAIT_PLACE
    turn.say(turn.t("services.ask_location"), [turn.menu_button()])


def location_given(turn: Turn, location: Location) -> None:
    if location.latitude == 0 and location.longitude == 0:  # a phone that has no fix sends 0, 0
        turn.say(turn.t("services.bad_location"), [turn.menu_button()])
        return
    _remember_place(turn, location.latitude, location.longitude, None)
    turn.say(turn.t("services.got_location"))
    _after_place(turn)


def town_given(turn: Turn, text: str) -> None:
    gazetteer = turn.services.gazetteer()
    place = gazetteer.find(text)
    if place is None:
        suggestions = gazetteer.suggest(text)
        town = text[:60]
        if not suggestions:
            turn.say(turn.t("services.unknown_town_none", town=town), [turn.menu_button()])
            return
        buttons = [
            Button(p.display(turn.language), payloads.make(payloads.PLACE, str(p.index)))
            for p in suggestions
        ]
        turn.say(turn.t("services.unknown_town", town=town), [*buttons, turn.menu_button()])
        return
    place_chosen(turn, place)


def place_chosen(turn: Turn, place: Place) -> None:
    _remember_place(turn, place.latitude, place.longitude, place.index)
    turn.say(turn.t("services.got_town", town=place.display(turn.language)))
    _after_place(turn)


def place_payload(turn: Turn, argument: str) -> None:
    places = turn.services.gazetteer().places
    if argument.isdigit() and int(argument) < len(places):
        place_chosen(turn, places[int(argument)])
    else:
        start(turn)


def _remember_place(turn: Turn, latitude: float, longitude: float, place: int | None) -> None:
    if turn.conversation.flow != FLOW:
        turn.conversation.enter(FLOW)
    data = turn.conversation.flow_data
    data.update(latitude=round(latitude, 3), longitude=round(longitude, 3), offset=0)
    if place is not None:
        data["place"] = place
    # The town, kept as the person's region: a specialist sees it, and reminders use its clock.
    town = turn.services.gazetteer().nearest(latitude, longitude)
    if town is not None:
        turn.conversation.slots.update(region=town.russian, timezone=town.timezone)


def _after_place(turn: Turn) -> None:
    if "category" in turn.conversation.flow_data:
        show(turn)
    else:
        start(turn)


def more(turn: Turn) -> None:
    data = turn.conversation.flow_data
    if "latitude" not in data or "category" not in data:
        start(turn)
        return
    data["offset"] = int(data.get("offset", 0)) + PAGE
    show(turn)


def show(turn: Turn) -> None:
    """The next page of services of the chosen kind around the chosen place."""
    directory = turn.services.directory
    data = turn.conversation.flow_data
    category, offset = str(data["category"]), int(data.get("offset", 0))
    latitude, longitude = float(data["latitude"]), float(data["longitude"])
    turn.conversation.step = None
    kind = turn.t(f"service.{category}")
    other_kind = turn.button("services.other_kind", payloads.SERVICES)
    if directory.count(category) == 0:
        turn.say(turn.t("services.empty_kind", kind=kind), [other_kind, turn.menu_button()])
        return
    found = directory.near(
        latitude, longitude, category=category, limit=PAGE + 1, offset=offset, max_km=RADIUS_KM
    )
    if not found and offset == 0:
        _nearest_far_away(turn, latitude, longitude, category, kind)
        return
    if not found:
        turn.say(turn.t("services.no_more", kind=kind), [other_kind, turn.menu_button()])
        return
    now = turn.inbound.received_at
    for item in found[:PAGE]:
        turn.replies.append(card(item, turn.t, now))
    buttons = [other_kind, turn.menu_button()]
    if len(found) > PAGE:
        buttons.insert(0, turn.button("services.more", payloads.MORE_SERVICES))
    turn.say(turn.t("services.shown", kind=kind), buttons)


def _nearest_far_away(
    turn: Turn, latitude: float, longitude: float, category: str, kind: str
) -> None:
    nearest = turn.services.directory.near(latitude, longitude, category=category, limit=1)
    other_kind = turn.button("services.other_kind", payloads.SERVICES)
    if not nearest:
        turn.say(turn.t("services.empty_kind", kind=kind), [other_kind, turn.menu_button()])
        return
    service = nearest[0].service
    town = turn.services.gazetteer().nearest(service.latitude, service.longitude)
    distance = distance_km(latitude, longitude, service.latitude, service.longitude)
    turn.say(
        turn.t(
            "services.none_near",
            km=f"{RADIUS_KM:.0f}",
            name=service.name(turn.language),
            place=town.display(turn.language) if town else "—",
            distance=f"{distance:.0f}",
        )
    )
    turn.replies.append(card(Found(service, distance), turn.t, turn.inbound.received_at))
    turn.say(turn.t("services.shown", kind=kind), [other_kind, turn.menu_button()])


def ask_report(turn: Turn, service_id: str) -> None:
    service = turn.services.directory.get(service_id)
    if service is None:
        start(turn)
        return
    buttons = [
        Button(
            turn.t(f"report.{reason}"), payloads.make(payloads.REPORTED, f"{service_id}:{code}")
        )
        for code, reason in REASONS.items()
    ]
    turn.say(
        turn.t("services.report_ask", name=service.name(turn.language)),
        [*buttons, turn.menu_button()],
    )


async def reported(turn: Turn, argument: str) -> None:
    service_id, _, code = argument.rpartition(":")
    reason = REASONS.get(code)
    if reason is None or turn.services.directory.get(service_id) is None:
        start(turn)
        return
    await turn.services.reports.report(
        service_id=service_id, reason=reason, language=turn.language
    )
    turn.say(turn.t("services.report_thanks"), [turn.menu_button()])


__all__ = [
    "AWAIT_PLACE",
    "FLOW",
    "ask_report",
    "choose_kind",
    "location_given",
    "more",
    "place_payload",
    "reported",
    "show",
    "start",
    "town_given",
]
