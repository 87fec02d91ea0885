"""``musofir webhooks set``: point Telegram and Viber here; say what to paste into Twilio.

Telegram and Viber have an API for it; Twilio's webhook addresses are set in its console (or its
phone-number API, which an NGO's Twilio account may not let a bot call), so we print them.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from musofir.settings import Settings


async def set_webhooks(settings: Settings) -> list[str]:
    """Register what is configured; return lines to print. Raises RuntimeError on refusal."""
    from aiogram.methods import SetWebhook

    from musofir.bots.telegram.channel import make_bot
    from musofir.bots.telegram.routes import ALLOWED_UPDATES
    from musofir.bots.twilio.routes import STATUS_PATH
    from musofir.bots.viber.client import ViberClient

    base = settings.public_url
    if not base:
        raise RuntimeError("PUBLIC_URL is not set: the platforms need the server's https address")
    lines: list[str] = []
    if settings.telegram_bot_token:
        if not settings.telegram_webhook_secret:
            raise RuntimeError("TELEGRAM_WEBHOOK_SECRET is not set (the webhook refuses updates)")
        bot = make_bot(settings.telegram_bot_token, settings.telegram_api_base)
        try:
            await bot(
                SetWebhook(
                    url=f"{base}/webhooks/telegram",
                    secret_token=settings.telegram_webhook_secret,
                    allowed_updates=ALLOWED_UPDATES,
                    max_connections=40,
                )
            )
        finally:
            await bot.session.close()
        lines.append(f"telegram: webhook set to {base}/webhooks/telegram")
    else:
        lines.append("telegram: off (TELEGRAM_BOT_TOKEN is not set)")
    if settings.viber_auth_token:
        client = ViberClient(settings.viber_auth_token, settings.viber_api_base)
        body: dict[str, Any] = {
            "url": f"{base}/webhooks/viber",
            "event_types": [
                "delivered",
                "failed",
                "subscribed",
                "unsubscribed",
                "conversation_started",
            ],
            "send_name": False,
            "send_photo": False,
        }
        try:
            await client.call("set_webhook", body)
        except Exception as error:
            raise RuntimeError(f"viber refused the webhook: {error}") from None
        finally:
            await client.close()
        lines.append(f"viber: webhook set to {base}/webhooks/viber")
    else:
        lines.append("viber: off (VIBER_AUTH_TOKEN is not set)")
    if settings.twilio_account_sid:
        lines += [
            "twilio: set these in the Twilio console (HTTP POST):",
            f"  WhatsApp sender, 'When a message comes in': {base}/webhooks/whatsapp",
            f"  SMS number, 'A message comes in':           {base}/webhooks/sms",
            f"  (status callbacks go to {base}{STATUS_PATH}; Musofir asks for them itself)",
        ]
    else:
        lines.append("whatsapp, sms: off (TWILIO_ACCOUNT_SID is not set)")
    return lines


def cmd_webhooks_set(_args: argparse.Namespace) -> int:
    try:
        lines = asyncio.run(set_webhooks(Settings()))
    except Exception as error:
        sys.stderr.write(f"musofir: webhooks not set: {error}\n")
        return 1
    for line in lines:
        print(line)
    return 0


def register(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    webhooks = commands.add_parser("webhooks", help="messenger webhooks").add_subparsers(
        dest="webhooks_command", required=True, parser_class=parser_class
    )
    setting = webhooks.add_parser(
        "set", help="register the Telegram and Viber webhooks at PUBLIC_URL; print Twilio's"
    )
    setting.set_defaults(handler=cmd_webhooks_set)


__all__ = ["cmd_webhooks_set", "register", "set_webhooks"]
