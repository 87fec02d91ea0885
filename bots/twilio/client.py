"""The twilio SDK's asyncio client, pointed at ``TWILIO_API_BASE``, with our failure kinds.

The SDK's ``api.base_url`` becomes ``TWILIO_API_BASE``, keeping every path as Twilio has it. The
SDK's own retries stay off (they would repeat a POST after a 5xx and could send twice); the
outbox retries instead, knowing what was sent.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from ..delivery.errors import PermanentFailure, Rejected, RetryAfter, TemporaryFailure

REQUEST_TIMEOUT_SECONDS = 15.0

# Error codes that mean this person cannot be reached this way, whatever we retry.
PERMANENT_CODES = {
    63016: "whatsapp_window",  # outside the 24-hour window and not an approved template
    21610: "sms_stopped",  # the person replied STOP
    21211: "invalid_number",
    21614: "not_mobile",
    63003: "whatsapp_invalid",
}

# The SDK logs every request at INFO (the sync client phone numbers too); the asyncio client,
# which we use, has its own logger. Silenced: noise in our logs, and a tenth of a reply's CPU.
for _name in ("twilio.http_client", "twilio.async_http_client"):
    logging.getLogger(_name).setLevel(logging.WARNING)


class TwilioMessages:
    """Creates messages; one aiohttp session, opened on first use inside the event loop."""

    def __init__(self, account_sid: str, auth_token: str, api_base: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.api_base = api_base
        self._client: Client | None = None
        self._http: AsyncTwilioHttpClient | None = None

    def _ensure(self) -> Client:
        if self._client is None:
            self._http = AsyncTwilioHttpClient()
            self._client = Client(self.account_sid, self.auth_token, http_client=self._http)
            self._client.api.base_url = self.api_base
        return self._client

    async def create(self, params: dict[str, Any]) -> str:
        client = self._ensure()
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT_SECONDS):
                message = await client.messages.create_async(**params)
        except TwilioRestException as error:
            raise classify(error) from None
        except (aiohttp.ClientError, TimeoutError) as error:
            raise TemporaryFailure(f"twilio: {type(error).__name__}") from None
        return str(message.sid)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()


def classify(error: TwilioRestException) -> Exception:
    code = int(error.code) if error.code else 0
    if code in PERMANENT_CODES:
        return PermanentFailure(PERMANENT_CODES[code])
    if error.status == 429 or code == 20429:
        return RetryAfter(1.0, f"twilio {code}")
    if error.status >= 500:
        return TemporaryFailure(f"twilio {error.status} {code}")
    if error.status == 401:
        return TemporaryFailure("twilio: unauthorised (check TWILIO_AUTH_TOKEN)")
    return Rejected(f"twilio {error.status} {code}: {error.msg}")


__all__ = ["PERMANENT_CODES", "TwilioMessages", "classify"]
