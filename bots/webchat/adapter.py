"""The web chat adapter: browser JSON in, the engine's inbound type; outbound, browser JSON out.

It follows the same contract as the messenger adapters: ``parse`` gives one ``Inbound``,
``render`` draws one ``Outbound`` natively (buttons, venue cards, map links).
"""

from __future__ import annotations

from typing import Any, Self

from musofir.dialogs import Inbound, Location, Outbound
from musofir.dialogs.flows.cards import osm_link
from pydantic import BaseModel, ConfigDict, Field, model_validator

CHANNEL = "webchat"
MAX_TEXT_CHARS = 20_000


class LocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class MessageIn(BaseModel):
    """What the page posts. Exactly one of text, payload or location."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    text: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    payload: str | None = Field(default=None, min_length=1, max_length=200)
    title: str | None = Field(default=None, max_length=200)
    location: LocationIn | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [x for x in (self.text, self.payload, self.location) if x is not None]
        if len(given) != 1:
            raise ValueError("send exactly one of text, payload or location")
        return self


def parse(message: MessageIn, session: str, language_hint: str | None) -> Inbound:
    location = message.location
    return Inbound(
        channel=CHANNEL,
        chat_id=session,
        user_id=session,
        message_id=message.id,
        text=message.text or "",
        button_payload=message.payload,
        location=Location(location.latitude, location.longitude) if location else None,
        language_hint=language_hint,
    )


def echo(message: MessageIn) -> dict[str, Any]:
    """The person's own message as their conversation log shows it."""
    if message.location is not None:
        return {"location": message.location.model_dump()}
    if message.payload is not None:
        return {"payload": message.payload, "title": message.title or ""}
    return {"text": (message.text or "")[:2000]}


def render(reply: Outbound) -> dict[str, Any]:
    venue = reply.venue
    return {
        "text": reply.text,
        "buttons": [{"title": b.title, "payload": b.payload} for b in reply.buttons],
        "location": (
            {"latitude": reply.location.latitude, "longitude": reply.location.longitude}
            if reply.location
            else None
        ),
        "venue": (
            {
                "latitude": venue.latitude,
                "longitude": venue.longitude,
                "title": venue.title,
                "address": venue.address,
                "map_url": venue.map_url or osm_link(venue.latitude, venue.longitude),
            }
            if venue
            else None
        ),
        "media": (
            {
                "kind": str(reply.media.kind),
                "url": reply.media.reference,
                "caption": reply.media.caption,
            }
            if reply.media
            else None
        ),
        "language": reply.language,
    }


__all__ = ["CHANNEL", "MessageIn", "echo", "parse", "render"]
