"""Webhook payloads shaped like each platform's, built and signed with the platforms' own tools.

Telegram updates come from aiogram's types, Twilio forms are signed with twilio's
``RequestValidator``, Viber bodies with HMAC-SHA256 of the raw bytes, as each platform does.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from aiogram.types import CallbackQuery, Chat, Location, Message, Update, User
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped, unused-ignore]

from utils.standins import TELEGRAM_TOKEN, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, VIBER_TOKEN

TELEGRAM_SECRET = "tg-secret_123"
PUBLIC_URL = "https://musofir.example.org"

_ids = itertools.count(1000)


def channel_settings(telegram_base: str, twilio_base: str, viber_base: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_BASE": telegram_base,
        "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN,
        "TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886",
        "TWILIO_SMS_FROM": "+15005550006",
        "TWILIO_API_BASE": twilio_base,
        "VIBER_AUTH_TOKEN": VIBER_TOKEN,
        "VIBER_BOT_NAME": "Musofir",
        "VIBER_API_BASE": viber_base,
        "PUBLIC_URL": PUBLIC_URL,
    }


# Telegram ------------------------------------------------------------------------------------


def _user(user_id: int, language: str | None) -> User:
    return User(id=user_id, is_bot=False, first_name="Test", language_code=language)


def tg_message(
    user_id: int,
    text: str | None = None,
    *,
    location: tuple[float, float] | None = None,
    language: str | None = "ru",
    update_id: int | None = None,
) -> dict[str, Any]:
    message = Message(
        message_id=next(_ids),
        date=datetime.now(UTC),
        chat=Chat(id=user_id, type="private"),
        from_user=_user(user_id, language),
        text=text,
        location=Location(latitude=location[0], longitude=location[1]) if location else None,
    )
    update = Update(update_id=update_id or next(_ids), message=message)
    return update.model_dump(mode="json", by_alias=True, exclude_none=True)


def tg_button(user_id: int, data: str, *, update_id: int | None = None) -> dict[str, Any]:
    shown = Message(
        message_id=next(_ids),
        date=datetime.now(UTC),
        chat=Chat(id=user_id, type="private"),
        text="…",
    )
    query = CallbackQuery(
        id=str(next(_ids)),
        from_user=_user(user_id, "ru"),
        chat_instance="ci",
        message=shown,
        data=data,
    )
    update = Update(update_id=update_id or next(_ids), callback_query=query)
    return update.model_dump(mode="json", by_alias=True, exclude_none=True)


def post_telegram(
    client: httpx.Client, update: dict[str, Any], secret: str = TELEGRAM_SECRET
) -> httpx.Response:
    return client.post(
        "/webhooks/telegram",
        content=json.dumps(update),
        headers={"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"},
    )


# Twilio --------------------------------------------------------------------------------------


def twilio_form(sender: str, body: str = "", **extra: str) -> dict[str, str]:
    form = {
        "MessageSid": f"SM{next(_ids):032d}",
        "AccountSid": TWILIO_ACCOUNT_SID,
        "From": sender,
        "To": "whatsapp:+14155238886" if sender.startswith("whatsapp:") else "+15005550006",
        "Body": body,
        "NumMedia": "0",
        "ApiVersion": "2010-04-01",
    }
    if sender.startswith("whatsapp:"):
        form["WaId"] = sender.removeprefix("whatsapp:+")
        form["ProfileName"] = "Test Person"
    form.update(extra)
    return form


def post_twilio(
    client: httpx.Client, path: str, form: dict[str, str], token: str = TWILIO_AUTH_TOKEN
) -> httpx.Response:
    signature = RequestValidator(token).compute_signature(PUBLIC_URL + path, form)
    return client.post(
        path,
        content=urlencode(form),
        headers={
            "X-Twilio-Signature": signature,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )


# Viber ---------------------------------------------------------------------------------------


def viber_sender(user_id: str, language: str = "ru") -> dict[str, Any]:
    return {
        "id": user_id,
        "name": "Test",
        "language": language,
        "country": "RU",
        "api_version": 10,
    }


def viber_message(
    user_id: str, message: dict[str, Any], token: int | None = None
) -> dict[str, Any]:
    return {
        "event": "message",
        "timestamp": 1_700_000_000_000,
        "message_token": token or next(_ids),
        "sender": viber_sender(user_id),
        "message": message,
    }


def viber_started(user_id: str) -> dict[str, Any]:
    return {
        "event": "conversation_started",
        "timestamp": 1_700_000_000_000,
        "message_token": next(_ids),
        "type": "open",
        "user": viber_sender(user_id),
        "subscribed": False,
    }


def post_viber(
    client: httpx.Client, data: dict[str, Any] | bytes, token: str = VIBER_TOKEN
) -> httpx.Response:
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    signature = hmac.new(token.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        "/webhooks/viber",
        content=body,
        headers={"X-Viber-Content-Signature": signature, "Content-Type": "application/json"},
    )
