"""Viber callbacks, checked with pydantic, as an inbound message or a subscription change.

Viber's ids are opaque strings; the ``message_token`` is the dedupe key. A reply button sends
its ``ActionBody`` as text: ours starts with ``PAYLOAD_PREFIX`` and becomes a button payload.
"""

from __future__ import annotations

from dataclasses import dataclass

from musofir.dialogs import Contact, Inbound, Location, Media, MediaKind
from pydantic import BaseModel, ConfigDict, Field

from .channel import CHANNEL, PAYLOAD_PREFIX

_MEDIA = {
    "picture": MediaKind.PHOTO,
    "video": MediaKind.VIDEO,
    "file": MediaKind.DOCUMENT,
    "sticker": MediaKind.STICKER,
}


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ViberUser(_Loose):
    id: str = Field(min_length=1, max_length=128)
    language: str | None = None


class ViberLocation(_Loose):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class ViberContact(_Loose):
    name: str = ""
    phone_number: str = ""


class ViberMessage(_Loose):
    type: str
    text: str | None = None
    media: str | None = None
    location: ViberLocation | None = None
    contact: ViberContact | None = None


class Callback(_Loose):
    event: str
    message_token: int | None = None
    sender: ViberUser | None = None
    user: ViberUser | None = None
    user_id: str | None = None
    message: ViberMessage | None = None
    desc: str | None = None


@dataclass(frozen=True, slots=True)
class Subscription:
    user_id: str
    subscribed: bool


def message_inbound(callback: Callback) -> Inbound:
    """A ``message`` callback; raises ValueError when a required part is missing."""
    if callback.sender is None or callback.message is None or callback.message_token is None:
        raise ValueError("a message callback needs sender, message and message_token")
    message = callback.message
    text = message.text or ""
    payload = text[len(PAYLOAD_PREFIX) :] if text.startswith(PAYLOAD_PREFIX) else None
    location = message.location
    media_kind = _MEDIA.get(message.type)
    return Inbound(
        channel=CHANNEL,
        chat_id=callback.sender.id,
        user_id=callback.sender.id,
        message_id=str(callback.message_token),
        text="" if payload is not None else text,
        button_payload=payload or None,
        location=Location(location.lat, location.lon) if location else None,
        contact=Contact(message.contact.phone_number, message.contact.name)
        if message.contact
        else None,
        media=Media(media_kind, message.media or "", text) if media_kind else None,
        language_hint=callback.sender.language,
    )


def start_inbound(callback: Callback) -> Inbound:
    """``conversation_started`` as a "/start" from that person."""
    if callback.user is None or callback.message_token is None:
        raise ValueError("conversation_started needs user and message_token")
    return Inbound(
        channel=CHANNEL,
        chat_id=callback.user.id,
        user_id=callback.user.id,
        message_id=f"start-{callback.message_token}",
        text="/start",
        language_hint=callback.user.language,
    )


def subscription(callback: Callback) -> Subscription:
    if callback.event == "subscribed":
        if callback.user is None:
            raise ValueError("subscribed needs user")
        return Subscription(callback.user.id, True)
    if not callback.user_id:
        raise ValueError("unsubscribed needs user_id")
    return Subscription(callback.user_id, False)


__all__ = ["Callback", "Subscription", "message_inbound", "start_inbound", "subscription"]
