"""Replies drawn the Telegram way, sent with aiogram's ``Bot``: keyboards, venues, locations.

Buttons become an inline keyboard, except a "share location" button, which only a reply
keyboard can offer (``request_location``); its companions then become text buttons whose titles
the engine recognises. A venue card is a native ``sendVenue`` followed by the card's text.
Text longer than Telegram's 4096 characters is split at sentence ends; buttons go on the last part.
A request's payload is the Bot API call's parameters as a plain JSON-ready dict: most replies ride
in the webhook response as they are, and only ``send`` turns one into an aiogram method.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, NotRequired, TypedDict

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery, SendLocation, SendMessage, SendVenue
from aiogram.methods.base import TelegramMethod
from musofir.dialogs import Button, Inbound, Location, Outbound, Venue
from musofir.dialogs.engine import AnswerFirst
from musofir.dialogs.payloads import SHARE_LOCATION

from ..delivery.channel import PlatformRequest
from ..delivery.errors import PermanentFailure, Rejected, RetryAfter, TemporaryFailure
from ..delivery.ratelimit import Limit, Rate
from ..delivery.split import merge_replies, split_text
from .parse import CHANNEL

log = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64
BOT_RATE = Rate(per_second=30, burst=30)  # "30 messages per second or so" (Bot API FAQ)
CHAT_RATE = Rate(per_second=1, burst=10)  # "one message per second in a chat; short bursts"
REQUEST_TIMEOUT_SECONDS = 15.0

_METHODS: dict[str, type[TelegramMethod[Any]]] = {
    cls.__api_method__: cls for cls in (SendMessage, SendVenue, SendLocation, AnswerCallbackQuery)
}


def make_bot(token: str, api_base: str) -> Bot:
    session = AiohttpSession(
        api=TelegramAPIServer.from_base(api_base), timeout=REQUEST_TIMEOUT_SECONDS
    )
    # Plain text: answers are not Markdown, and unescaped "_" or "*" would break HTML/Markdown.
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=None))


class LinkPreview(TypedDict):
    is_disabled: bool


class InlineButton(TypedDict):
    text: str
    callback_data: str


class InlineKeyboard(TypedDict):
    inline_keyboard: list[list[InlineButton]]


class ReplyButton(TypedDict):
    text: str
    request_location: bool


class ReplyKeyboard(TypedDict):
    keyboard: list[list[ReplyButton]]
    resize_keyboard: bool
    one_time_keyboard: bool


class MessageParams(TypedDict):
    """``sendMessage``; keys in aiogram's field order, so bodies stay byte-for-byte the same."""

    chat_id: str
    text: str
    link_preview_options: LinkPreview
    reply_markup: NotRequired[InlineKeyboard | ReplyKeyboard]


class VenueParams(TypedDict):
    chat_id: str
    latitude: float
    longitude: float
    title: str
    address: str


class LocationParams(TypedDict):
    chat_id: str
    latitude: float
    longitude: float


class TelegramChannel:
    """Requests carry the Bot API call's parameters as a plain dict (``MessageParams`` etc.).

    Most replies ride in the webhook response and never need an aiogram object; only ``send``
    builds one, so API calls still get aiogram's form encoding and error types.
    """

    name = CHANNEL

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    def render(
        self, chat_id: str, user_key: str, replies: Sequence[Outbound]
    ) -> list[PlatformRequest]:
        requests: list[PlatformRequest] = []
        for reply in merge_replies(replies, MAX_TEXT):
            if reply.venue is not None:
                requests.append(PlatformRequest("sendVenue", venue_params(chat_id, reply.venue)))
            elif reply.location is not None:
                located = location_params(chat_id, reply.location)
                requests.append(PlatformRequest("sendLocation", located))
            parts = split_text(reply.text, MAX_TEXT)
            if not parts and reply.buttons:
                parts = ["⬇️"]
            for number, part in enumerate(parts, start=1):
                markup = keyboard(reply.buttons) if number == len(parts) else None
                message = message_params(chat_id, part, markup)
                requests.append(PlatformRequest("sendMessage", message))
        return requests

    async def send(self, request: PlatformRequest) -> None:
        """Through aiogram, for its form encoding and error types; only the API path pays that."""
        method = _METHODS[request.method].model_validate(request.payload)
        try:
            await self.bot(method)
        except TelegramRetryAfter as error:
            raise RetryAfter(float(error.retry_after)) from None
        except TelegramForbiddenError:
            raise PermanentFailure("telegram_blocked") from None
        except (TelegramServerError, TelegramNetworkError) as error:
            raise TemporaryFailure(f"telegram: {error.message}") from None
        except (TelegramBadRequest, TelegramNotFound) as error:
            raise Rejected(f"telegram: {error.message}") from None
        except TelegramAPIError as error:  # 401 (a wrong token) and the like: keep the update
            raise TemporaryFailure(f"telegram: {error.message}") from None

    def limits(self, user_key: str) -> Sequence[Limit]:
        return (("telegram:bot", BOT_RATE), (f"telegram:chat:{user_key}", CHAT_RATE))

    def to_inline(self, request: PlatformRequest) -> dict[str, Any] | None:
        """The call as a webhook response body. Every call ``render`` makes can ride there:
        none uploads a file (the one kind of call a webhook response cannot carry)."""
        return {"method": request.method, **request.payload}

    def from_inline(self, body: dict[str, Any]) -> PlatformRequest:
        params = dict(body)
        name = str(params.pop("method"))
        if name not in _METHODS:
            raise ValueError(f"not a Telegram call this channel makes: {name}")
        return PlatformRequest(name, params)

    def answer_first(self, inbound: Inbound) -> AnswerFirst | None:
        return None

    async def answer_callback(self, query_id: str) -> None:
        """Stop the button's spinner. Best effort: a late answer is useless, so no retries."""
        try:
            await self.bot(AnswerCallbackQuery(callback_query_id=query_id))
        except TelegramAPIError as error:
            log.info("could not answer a callback query: %s", error.message)

    async def close(self) -> None:
        await self.bot.session.close()


def message_params(
    chat_id: str, text: str, markup: InlineKeyboard | ReplyKeyboard | None
) -> MessageParams:
    """One text message; link previews are always off, and the markup only when there is one."""
    params: MessageParams = {
        "chat_id": chat_id,
        "text": text,
        "link_preview_options": {"is_disabled": True},
    }
    if markup is not None:
        params["reply_markup"] = markup
    return params


def venue_params(chat_id: str, venue: Venue) -> VenueParams:
    """Telegram caps title and address at 256 characters and wants an address: the title then."""
    title = venue.title[:256]
    return {
        "chat_id": chat_id,
        "latitude": float(venue.latitude),  # float() as pydantic did: 55 is sent as 55.0
        "longitude": float(venue.longitude),
        "title": title,
        "address": venue.address[:256] or title,
    }


def location_params(chat_id: str, location: Location) -> LocationParams:
    return {
        "chat_id": chat_id,
        "latitude": float(location.latitude),
        "longitude": float(location.longitude),
    }


def keyboard(buttons: Sequence[Button]) -> InlineKeyboard | ReplyKeyboard | None:
    """Inline buttons, or a reply keyboard when one asks for the location (only those can)."""
    if not buttons:
        return None
    if any(b.payload == SHARE_LOCATION for b in buttons):
        rows: list[list[ReplyButton]] = [
            [{"text": b.title, "request_location": b.payload == SHARE_LOCATION}] for b in buttons
        ]
        return {"keyboard": rows, "resize_keyboard": True, "one_time_keyboard": True}
    usable = [b for b in buttons if len(b.payload.encode()) <= MAX_CALLBACK_BYTES]
    if len(usable) < len(buttons):
        log.error("a button payload is over Telegram's 64 bytes and was left out")
    inline_rows: list[list[InlineButton]] = [
        [{"text": b.title, "callback_data": b.payload}] for b in usable
    ]
    return {"inline_keyboard": inline_rows}


__all__ = [
    "InlineKeyboard",
    "LocationParams",
    "MessageParams",
    "ReplyKeyboard",
    "TelegramChannel",
    "VenueParams",
    "keyboard",
    "make_bot",
]
