"""``POST /webhooks/telegram``: secret header checked, update validated, reply maybe inline."""

from __future__ import annotations

import asyncio
import logging
from hmac import compare_digest
from typing import Any

from aiogram.types import Update

from ..delivery.dispatch import Handler, WebhookRequest
from ..delivery.receiver import Receiver
from ..delivery.webhook import OK, Reply, WebhookError, json_reply, parse_json_object, validated
from .channel import TelegramChannel
from .parse import CHANNEL, parse_update

log = logging.getLogger(__name__)

PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]


class TelegramUpdates:
    """Hands updates, from the webhook or from polling, to the receiver."""

    def __init__(self, channel: TelegramChannel, receiver: Receiver) -> None:
        self.channel = channel
        self.receiver = receiver
        self._callbacks: set[asyncio.Task[None]] = set()

    async def handle(self, update: Update, *, inline: bool) -> dict[str, Any] | None:
        """Raises ``InvalidUpdate`` for an update no Telegram would send (the webhook's 400)."""
        parsed = parse_update(update)
        if parsed.invalid is not None:
            raise InvalidUpdate(parsed.invalid)
        if parsed.callback_query_id is not None:
            task = asyncio.create_task(self.channel.answer_callback(parsed.callback_query_id))
            self._callbacks.add(task)
            task.add_done_callback(self._callbacks.discard)
        if parsed.reachability is not None:
            change = parsed.reachability
            await self.receiver.engine.set_reachable(
                CHANNEL, change.user_id, change.reachable, "telegram_blocked"
            )
            return None
        if parsed.inbound is None:
            log.info("telegram update %s ignored: %s", update.update_id, parsed.ignored)
            return None
        return await self.receiver.receive(parsed.inbound, inline=inline)


class InvalidUpdate(ValueError):
    """An update that validates as a type but cannot be right, such as latitude 91."""


def build_webhooks(updates: TelegramUpdates, secret: str | None) -> dict[str, Handler]:
    async def telegram_webhook(request: WebhookRequest) -> Reply:
        # The secret first: a stranger's body is not even read.
        given = request.header(SECRET_HEADER)
        if not secret or not compare_digest(given.encode(), secret.encode()):
            raise WebhookError(403, "wrong or missing secret token")
        data = parse_json_object(await request.body())
        update = validated(Update, data, "a Telegram update", context={"bot": updates.channel.bot})
        try:
            body = await updates.handle(update, inline=True)
        except InvalidUpdate as error:
            raise WebhookError(400, f"not a valid Telegram update: {error}") from None
        return json_reply(body) if body is not None else OK

    return {PATH: telegram_webhook}


__all__ = [
    "ALLOWED_UPDATES",
    "PATH",
    "SECRET_HEADER",
    "InvalidUpdate",
    "TelegramUpdates",
    "build_webhooks",
]
