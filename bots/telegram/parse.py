"""A Telegram update, validated by aiogram's own types, as the engine's inbound message.

Only private chats are served: the bot is a one-to-one help desk. The update id is the dedupe
key (a redelivered update keeps it). Blocking and unblocking arrive as ``my_chat_member``.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import CallbackQuery, Message, Update
from musofir.dialogs import Contact, Inbound, Location, Media, MediaKind

CHANNEL = "telegram"

_MEDIA_FIELDS: tuple[tuple[str, MediaKind], ...] = (
    ("photo", MediaKind.PHOTO),
    ("voice", MediaKind.VOICE),
    ("audio", MediaKind.AUDIO),
    ("video", MediaKind.VIDEO),
    ("video_note", MediaKind.VIDEO),
    ("sticker", MediaKind.STICKER),
    ("animation", MediaKind.VIDEO),
    ("document", MediaKind.DOCUMENT),
)


@dataclass(frozen=True, slots=True)
class Reachability:
    """The person blocked the bot (``reachable`` False) or started it again."""

    user_id: str
    reachable: bool


@dataclass(frozen=True, slots=True)
class Parsed:
    inbound: Inbound | None = None
    callback_query_id: str | None = None  # answered at once, so the button stops spinning
    reachability: Reachability | None = None
    ignored: str | None = None  # why nothing is done (logged)
    invalid: str | None = None  # why the update cannot be right (the webhook answers 400)


def parse_update(update: Update) -> Parsed:
    try:
        return _parse(update)
    except ValueError as error:  # e.g. coordinates out of range
        return Parsed(invalid=str(error))


def _parse(update: Update) -> Parsed:
    if update.message is not None:
        return _message(update.update_id, update.message)
    if update.callback_query is not None:
        return _callback(update.update_id, update.callback_query)
    member = update.my_chat_member
    if member is not None and member.chat.type == "private":
        status = member.new_chat_member.status
        if status in ("kicked", "member"):
            return Parsed(reachability=Reachability(str(member.from_user.id), status == "member"))
    kinds = [name for name, value in update if value is not None and name != "update_id"]
    return Parsed(ignored=f"update kind {', '.join(kinds) or 'unknown'}")


def _message(update_id: int, message: Message) -> Parsed:
    if message.chat.type != "private" or message.from_user is None:
        return Parsed(ignored=f"a message in a {message.chat.type} chat")
    user = message.from_user
    location = message.location
    contact = message.contact
    media = _media(message)
    inbound = Inbound(
        channel=CHANNEL,
        chat_id=str(message.chat.id),
        user_id=str(user.id),
        message_id=str(update_id),
        text=message.text or message.caption or "",
        location=Location(location.latitude, location.longitude) if location else None,
        contact=Contact(contact.phone_number, contact.first_name) if contact else None,
        media=media,
        language_hint=user.language_code,
    )
    return Parsed(inbound=inbound)


def _media(message: Message) -> Media | None:
    for field, kind in _MEDIA_FIELDS:
        value = getattr(message, field, None)
        if value:
            file = value[-1] if isinstance(value, list) else value
            return Media(kind, str(getattr(file, "file_id", "")), message.caption or "")
    return None


def _callback(update_id: int, query: CallbackQuery) -> Parsed:
    chat = query.message.chat if query.message is not None else None
    if chat is not None and chat.type != "private":
        return Parsed(callback_query_id=query.id, ignored="a button in a group chat")
    inbound = Inbound(
        channel=CHANNEL,
        chat_id=str(chat.id if chat is not None else query.from_user.id),
        user_id=str(query.from_user.id),
        message_id=str(update_id),
        button_payload=query.data or None,
        language_hint=query.from_user.language_code,
    )
    return Parsed(inbound=inbound, callback_query_id=query.id)


__all__ = ["CHANNEL", "Parsed", "Reachability", "parse_update"]
