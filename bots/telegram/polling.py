"""``musofir serve --telegram-polling``: long polling for development, no public URL needed.

The offset moves past an update only once the receiver has recorded it, so stopping or
crashing mid-way means Telegram hands the same update over again.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram.exceptions import TelegramAPIError
from aiogram.methods import DeleteWebhook, GetUpdates

from ..delivery.outage import is_outage
from .routes import ALLOWED_UPDATES, InvalidUpdate, TelegramUpdates

log = logging.getLogger(__name__)

POLL_SECONDS = 10


async def poll_forever(updates: TelegramUpdates) -> None:
    bot = updates.channel.bot
    await bot(DeleteWebhook(drop_pending_updates=False))  # Telegram refuses polling otherwise
    log.info("telegram: polling for updates")
    offset: int | None = None
    pause = 1.0
    while True:
        try:
            batch = await bot(
                GetUpdates(offset=offset, timeout=POLL_SECONDS, allowed_updates=ALLOWED_UPDATES),
                request_timeout=POLL_SECONDS + 10,
            )
        except TelegramAPIError as error:
            log.warning("telegram polling failed (%s); again in %.0f s", error.message, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 60.0)
            continue
        pause = 1.0
        for update in batch:
            try:
                await updates.handle(update, inline=False)
            except InvalidUpdate as error:
                log.warning("telegram update %s skipped: %s", update.update_id, error)
            except Exception as error:
                if not is_outage(error):
                    raise
                log.warning("telegram polling waits for the database or Redis: %s", error)
                await asyncio.sleep(5)
                break
            offset = update.update_id + 1


__all__ = ["poll_forever"]
