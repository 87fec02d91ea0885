"""Twilio's incoming-message form (WhatsApp or SMS) as the engine's inbound message.

The reply address (``From``) is also the person's id: status callbacks name the person by it
(``To``), so permanent failures can be recorded against them. ``ProfileName`` is never read:
we store the least, and a name is not needed to help.
"""

from __future__ import annotations

from collections.abc import Mapping

from musofir.dialogs import Inbound, Location, Media, MediaKind


class FormError(ValueError):
    """A form Twilio would never send; the webhook answers 400 with this reason."""


def _media_kind(content_type: str) -> MediaKind:
    major = content_type.split("/", 1)[0]
    return {
        "image": MediaKind.PHOTO,
        "audio": MediaKind.VOICE,
        "video": MediaKind.VIDEO,
    }.get(major, MediaKind.DOCUMENT)


def _coordinate(form: Mapping[str, str], name: str) -> float:
    try:
        return float(form[name])
    except ValueError:
        raise FormError(f"{name} is not a number") from None


def parse_message(channel: str, form: Mapping[str, str]) -> Inbound:
    sid, sender = form.get("MessageSid", ""), form.get("From", "")
    if not sid or not sender:
        raise FormError("MessageSid and From are required")
    if len(sid) > 64 or len(sender) > 64:
        raise FormError("MessageSid or From is too long")
    location = None
    if "Latitude" in form and "Longitude" in form:
        try:
            location = Location(_coordinate(form, "Latitude"), _coordinate(form, "Longitude"))
        except ValueError as error:
            raise FormError(str(error)) from None
    media = None
    try:
        media_count = int(form.get("NumMedia", "0") or 0)
    except ValueError:
        raise FormError("NumMedia is not a number") from None
    if media_count > 0:
        kind = _media_kind(form.get("MediaContentType0", ""))
        media = Media(kind, form.get("MediaUrl0", ""), form.get("Body", ""))
    return Inbound(
        channel=channel,
        chat_id=sender,
        user_id=sender,
        message_id=sid,
        text=form.get("Body", ""),
        location=location,
        button_payload=form.get("ButtonPayload") or None,
        media=media,
    )


__all__ = ["FormError", "parse_message"]
