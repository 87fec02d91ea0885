"""A small typed client for Viber's ``send_message`` and ``set_webhook``.

Viber answers HTTP 200 with a status code in the body; the code decides the failure kind.
On aiohttp (which aiogram and twilio bring already) rather than httpx: under the webhook
benchmark httpx's connection pool and anyio streams were half of a Viber reply's CPU.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from ..delivery.errors import PermanentFailure, Rejected, RetryAfter, TemporaryFailure

REQUEST_TIMEOUT_SECONDS = 15.0
AUTH_HEADER = "X-Viber-Auth-Token"

NOT_REACHABLE = {5: "viber_not_registered", 6: "viber_unsubscribed", 11: "viber_no_device"}
TOO_MANY_REQUESTS = 12
BAD_REQUEST = {1, 3, 4, 13, 14}


class ViberClient:
    """One aiohttp session, opened on first use inside the running event loop."""

    def __init__(self, auth_token: str, api_base: str) -> None:
        self.api_base = api_base.rstrip("/")
        self.auth_token = auth_token
        self._session: aiohttp.ClientSession | None = None

    def _ensure(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                headers={AUTH_HEADER: self.auth_token},
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS),
                connector=aiohttp.TCPConnector(limit=50),
            )
        return self._session

    async def call(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            async with self._ensure().post(f"{self.api_base}/{endpoint}", json=body) as response:
                status_code = response.status
                retry_after = response.headers.get("Retry-After", "1") or "1"
                raw = await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise TemporaryFailure(f"viber: {type(error).__name__}") from None
        if status_code == 429:
            raise RetryAfter(_seconds(retry_after))
        if status_code >= 500:
            raise TemporaryFailure(f"viber: HTTP {status_code}")
        try:
            answer = json.loads(raw)
            status = int(answer.get("status", -1))
        except (ValueError, AttributeError, TypeError):
            unreadable = f"viber: unreadable answer (HTTP {status_code})"
            raise TemporaryFailure(unreadable) from None
        if status == 0:
            return dict(answer)
        message = str(answer.get("status_message", ""))
        if status in NOT_REACHABLE:
            raise PermanentFailure(NOT_REACHABLE[status])
        if status == TOO_MANY_REQUESTS:
            raise RetryAfter(1.0, "viber: too many requests")
        if status in BAD_REQUEST:
            raise Rejected(f"viber status {status}: {message}")
        raise TemporaryFailure(f"viber status {status}: {message}")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def _seconds(retry_after: str) -> float:
    """Retry-After in seconds; an HTTP date or garbage means the default second."""
    try:
        return max(0.0, float(retry_after))
    except ValueError:
        return 1.0


__all__ = ["AUTH_HEADER", "ViberClient"]
