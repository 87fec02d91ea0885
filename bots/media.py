"""Media a person sent, fetched for a specialist through the server, never linked directly.

A Telegram file id needs the bot token to download (a direct link would show the token to
the specialist); Twilio media may need the account's credentials. So the console asks the
server, which fetches with the channel's own credentials. Only the platform's own addresses
are fetched (the references come from signed webhooks, and a Telegram path is built here).
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from musofir.settings import Settings

from .channels import Channels

MAX_MEDIA_BYTES = 20 * 1024 * 1024  # Telegram's own download limit for bots
TIMEOUT_SECONDS = 20.0


@dataclass(frozen=True, slots=True)
class Fetched:
    content: bytes
    content_type: str


class MediaTooLarge(ValueError):
    pass


async def _get(url: str, auth: tuple[str, str] | None = None) -> Fetched | None:
    async with (
        httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=True) as http,
        http.stream("GET", url, auth=auth) as response,
    ):
        if response.status_code != 200:
            return None
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_MEDIA_BYTES:
                raise MediaTooLarge("the file is larger than 20 MB")
            chunks.append(chunk)
        kind = response.headers.get("content-type", "application/octet-stream")
        return Fetched(b"".join(chunks), kind.split(";")[0].strip())


async def telegram_file(bot: Bot, file_id: str) -> Fetched | None:
    try:
        file = await bot.get_file(file_id)
    except TelegramAPIError:
        return None
    if not file.file_path:
        return None
    url = bot.session.api.file_url(bot.token, file.file_path)
    fetched = await _get(url)
    if fetched is None:
        return None
    guessed = mimetypes.guess_type(file.file_path)[0]
    return Fetched(fetched.content, guessed or fetched.content_type)


def same_site(url: str, allowed: str) -> bool:
    """The URL points at the platform's host (Twilio's API base, say), over http(s)."""
    got, want = urlsplit(url), urlsplit(allowed)
    return got.scheme in ("https", "http") and bool(got.hostname) and got.netloc == want.netloc


async def twilio_media(url: str, api_base: str, auth: tuple[str, str]) -> Fetched | None:
    if not same_site(url, api_base):
        return None
    return await _get(url, auth)


async def public_media(url: str) -> Fetched | None:
    """Viber hands a temporary public https URL for each media message."""
    if urlsplit(url).scheme != "https":
        return None
    return await _get(url)


async def fetch(
    settings: Settings, channels: Channels, channel: str, reference: str
) -> Fetched | None:
    """Fetch with the credentials of the channel the person wrote on."""
    if channel == "telegram" and channels.telegram is not None:
        return await telegram_file(channels.telegram.bot, reference)
    if (
        channel in ("whatsapp", "sms")
        and settings.twilio_account_sid
        and settings.twilio_auth_token
    ):
        auth = (settings.twilio_account_sid, settings.twilio_auth_token)
        return await twilio_media(reference, settings.twilio_api_base, auth)
    if channel == "viber":
        return await public_media(reference)
    return None


__all__ = [
    "MAX_MEDIA_BYTES",
    "Fetched",
    "MediaTooLarge",
    "fetch",
    "public_media",
    "same_site",
    "telegram_file",
    "twilio_media",
]
