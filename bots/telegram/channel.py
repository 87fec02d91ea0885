"""Replies drawn the Telegram way, sent with aiogram's ``Bot``: keyboards, venues, locations.

Buttons become an inline keyboard, except a "share location" button, which only a reply
keyboard can offer (``request_location``); its companions then become text buttons whose titles
the engine recognises. A venue card is a native ``sendVenue`` followed by the card's text.
Text longer than Telegram's 4096 characters is split at sentence ends; buttons go on the last part.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

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
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
)
from musofir.dialogs import Button, Inbound, Outbound
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


class TelegramChannel:
    name = CHANNEL

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    def render(
        self, chat_id: str, user_key: str, replies: Sequence[Outbound]
    ) -> list[PlatformRequest]:
        calls: list[TelegramMethod[Any]] = []
        for reply in merge_replies(replies, MAX_TEXT):
            if reply.venue is not None:
                venue = reply.venue
                calls.append(
                    SendVenue(
                        chat_id=chat_id,
                        latitude=venue.latitude,
                        longitude=venue.longitude,
                        title=venue.title[:256],
                        address=venue.address[:256] or venue.title[:256],
                    )
                )
            elif reply.location is not None:
                calls.append(
                    SendLocation(
                        chat_id=chat_id,
                        latitude=reply.location.latitude,
                        longitude=reply.location.longitude,
                    )
                )
            parts = split_text(reply.text, MAX_TEXT)
            if not parts and reply.buttons:
                parts = ["⬇️"]
            for number, part in enumerate(parts, start=1):
                markup = keyboard(reply.buttons) if number == len(parts) else None
                calls.append(
                    SendMessage(
                        chat_id=chat_id,
                        text=part,
                        reply_markup=markup,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                    )
                )
        return [PlatformRequest(call.__api_method__, call) for call in calls]

    async def send(self, request: PlatformRequest) -> None:
        try:
            await self.bot(request.payload)
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
        """The call as a webhook response body, as aiogram's own webhook handler builds it."""
        method: TelegramMethod[Any] = request.payload
        files: dict[str, Any] = {}
        body: dict[str, Any] = {"method": method.__api_method__}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.bot.session.prepare_value(
                value, bot=self.bot, files=files, _dumps_json=False
            )
            if prepared is not None:
                body[key] = prepared
        return None if files else body

    def from_inline(self, body: dict[str, Any]) -> PlatformRequest:
        params = dict(body)
        name = str(params.pop("method"))
        return PlatformRequest(name, _METHODS[name].model_validate(params))

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


def keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    if not buttons:
        return None
    if any(b.payload == SHARE_LOCATION for b in buttons):
        rows = [
            [KeyboardButton(text=b.title, request_location=b.payload == SHARE_LOCATION)]
            for b in buttons
        ]
        return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True, one_time_keyboard=True)
    usable = [b for b in buttons if len(b.payload.encode()) <= MAX_CALLBACK_BYTES]
    if len(usable) < len(buttons):
        log.error("a button payload is over Telegram's 64 bytes and was left out")
    rows_inline = [[InlineKeyboardButton(text=b.title, callback_data=b.payload)] for b in usable]
    return InlineKeyboardMarkup(inline_keyboard=rows_inline)


__all__ = ["TelegramChannel", "keyboard", "make_bot"]
