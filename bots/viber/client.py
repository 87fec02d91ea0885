"""A small typed client for Viber's ``send_message`` and ``set_webhook``.

Viber answers HTTP 200 with a status code in the body; the code decides the failure kind.
"""

from __future__ import annotations

from typing import Any

import httpx

from ..delivery.errors import PermanentFailure, Rejected, RetryAfter, TemporaryFailure

REQUEST_TIMEOUT_SECONDS = 15.0
AUTH_HEADER = "X-Viber-Auth-Token"

NOT_REACHABLE = {5: "viber_not_registered", 6: "viber_unsubscribed", 11: "viber_no_device"}
TOO_MANY_REQUESTS = 12
BAD_REQUEST = {1, 3, 4, 13, 14}


class ViberClient:
    def __init__(self, auth_token: str, api_base: str) -> None:
        self.api_base = api_base.rstrip("/")
        self.http = httpx.AsyncClient(
            headers={AUTH_HEADER: auth_token},
            timeout=REQUEST_TIMEOUT_SECONDS,
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
        )

    async def call(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self.http.post(f"{self.api_base}/{endpoint}", json=body)
        except httpx.HTTPError as error:
            raise TemporaryFailure(f"viber: {type(error).__name__}") from None
        if response.status_code == 429:
            raise RetryAfter(float(response.headers.get("Retry-After", "1") or 1))
        if response.status_code >= 500:
            raise TemporaryFailure(f"viber: HTTP {response.status_code}")
        try:
            answer = response.json()
            status = int(answer.get("status", -1))
        except (ValueError, AttributeError, TypeError):
            unreadable = f"viber: unreadable answer (HTTP {response.status_code})"
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
        await self.http.aclose()


__all__ = ["AUTH_HEADER", "ViberClient"]
