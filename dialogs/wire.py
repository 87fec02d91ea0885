"""JSON forms of the message types, for what must survive a crash: the inbox and the reply journal.

Kept apart from ``messages`` so the contract stays plain dataclasses; the round trip is tested.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .messages import Button, Contact, Inbound, Location, Media, MediaKind, Outbound, Venue


def inbound_to_json(inbound: Inbound) -> dict[str, Any]:
    # By hand rather than ``asdict`` (which deep-copies): every update is written to the inbox.
    location, contact, media = inbound.location, inbound.contact, inbound.media
    return {
        "channel": inbound.channel,
        "chat_id": inbound.chat_id,
        "user_id": inbound.user_id,
        "message_id": inbound.message_id,
        "text": inbound.text,
        "location": (
            {"latitude": location.latitude, "longitude": location.longitude} if location else None
        ),
        "contact": (
            {"phone_number": contact.phone_number, "name": contact.name} if contact else None
        ),
        "button_payload": inbound.button_payload,
        "media": _media_json(media) if media else None,
        "language_hint": inbound.language_hint,
        "received_at": inbound.received_at.isoformat(),
    }


def inbound_from_json(data: dict[str, Any]) -> Inbound:
    location, contact, media = data.get("location"), data.get("contact"), data.get("media")
    return Inbound(
        channel=data["channel"],
        chat_id=data["chat_id"],
        user_id=data["user_id"],
        message_id=data["message_id"],
        text=data.get("text", ""),
        location=Location(**location) if location else None,
        contact=Contact(**contact) if contact else None,
        button_payload=data.get("button_payload"),
        media=_media(media) if media else None,
        language_hint=data.get("language_hint"),
        received_at=datetime.fromisoformat(data["received_at"]),
    )


def outbound_to_json(reply: Outbound) -> dict[str, Any]:
    # By hand rather than ``asdict`` (which deep-copies): every turn journals its replies.
    venue, location, media = reply.venue, reply.location, reply.media
    return {
        "text": reply.text,
        "buttons": [{"title": b.title, "payload": b.payload} for b in reply.buttons],
        "location": (
            {"latitude": location.latitude, "longitude": location.longitude} if location else None
        ),
        "venue": (
            {
                "latitude": venue.latitude,
                "longitude": venue.longitude,
                "title": venue.title,
                "address": venue.address,
                "map_url": venue.map_url,
                "phone": venue.phone,
            }
            if venue
            else None
        ),
        "media": _media_json(media) if media else None,
        "language": reply.language,
    }


def outbound_from_json(data: dict[str, Any]) -> Outbound:
    location, venue, media = data.get("location"), data.get("venue"), data.get("media")
    return Outbound(
        text=data.get("text", ""),
        buttons=tuple(Button(**b) for b in data.get("buttons", ())),
        location=Location(**location) if location else None,
        venue=Venue(**venue) if venue else None,
        media=_media(media) if media else None,
        language=data.get("language"),
    )


def _media_json(media: Media) -> dict[str, str]:
    return {"kind": str(media.kind), "reference": media.reference, "caption": media.caption}


def _media(data: dict[str, Any]) -> Media:
    return Media(MediaKind(data["kind"]), data.get("reference", ""), data.get("caption", ""))


__all__ = ["inbound_from_json", "inbound_to_json", "outbound_from_json", "outbound_to_json"]
