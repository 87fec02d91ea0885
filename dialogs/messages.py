"""The message contract: one inbound and one outbound type every channel translates to and from.

The engine depends on these types only. Location, contact, button payload and media are real
fields, never JSON packed into ``text`` (Rasa's Telegram channel did that; we leave it behind).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


class MediaKind(StrEnum):
    """Kinds of media a person can send or receive; the engine cannot read any of them yet."""

    PHOTO = "photo"
    VOICE = "voice"
    AUDIO = "audio"
    VIDEO = "video"
    STICKER = "sticker"
    DOCUMENT = "document"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        if not (-90.0 <= self.latitude <= 90.0 and -180.0 <= self.longitude <= 180.0):
            raise ValueError(f"coordinates out of range: {self.latitude}, {self.longitude}")


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact card a person shared. We never store the phone number it carries."""

    phone_number: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Media:
    kind: MediaKind
    reference: str = ""  # the platform's file id or URL; the engine never downloads it
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Inbound:
    """What a person sent, as every adapter hands it to the engine."""

    channel: str  # "webchat", "telegram", "whatsapp", "sms", "viber"
    chat_id: str  # where to reply on that channel
    user_id: str  # who wrote, as the platform identifies them
    message_id: str  # the platform's id for this message: the deduplication key
    text: str = ""
    location: Location | None = None
    contact: Contact | None = None
    button_payload: str | None = None
    media: Media | None = None
    language_hint: str | None = None  # e.g. Telegram's from.language_code
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True, slots=True)
class Venue:
    """A place card: adapters draw it natively (Telegram venue) or as name, address and a link."""

    latitude: float
    longitude: float
    title: str
    address: str
    map_url: str = ""
    phone: str = ""


@dataclass(frozen=True, slots=True)
class Outbound:
    """One message the engine wants a person to see; adapters render what their platform can."""

    text: str = ""
    buttons: tuple[Button, ...] = ()
    location: Location | None = None
    venue: Venue | None = None
    media: Media | None = None
    language: str | None = None


__all__ = [
    "Button",
    "Contact",
    "Inbound",
    "Location",
    "Media",
    "MediaKind",
    "Outbound",
    "Venue",
]
