"""What a messenger adapter gives the shared delivery code: rendering, sending, limits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from musofir.dialogs import Inbound, Outbound
from musofir.dialogs.engine import AnswerFirst

from .ratelimit import Limit


@dataclass(frozen=True, slots=True)
class PlatformRequest:
    """One platform API call: ``payload`` is the adapter's own (an aiogram method, a dict).

    ``keep`` is a value to remember once this call succeeds (the rest of a long SMS answer).
    """

    method: str
    payload: Any
    keep: tuple[str, str] | None = None


class Channel(Protocol):
    name: str

    def render(
        self, chat_id: str, user_key: str, replies: Sequence[Outbound]
    ) -> list[PlatformRequest]:
        """The platform calls that show ``replies``, in order."""
        ...

    async def send(self, request: PlatformRequest) -> None:
        """Make one call; raise a ``SendError`` kind when it did not deliver."""
        ...

    def limits(self, chat_id: str) -> Sequence[Limit]:
        """The platform's rate limits this call counts against (shared by all processes)."""
        ...

    def to_inline(self, request: PlatformRequest) -> dict[str, Any] | None:
        """The call as a webhook response body, where the platform allows that (Telegram)."""
        ...

    def from_inline(self, body: dict[str, Any]) -> PlatformRequest | None:
        """Back from a webhook response body, to send it through the API after all."""
        ...

    def answer_first(self, inbound: Inbound) -> AnswerFirst | None:
        """A channel's own answer that skips routing (SMS "MORE"), or None."""
        ...

    async def close(self) -> None: ...


__all__ = ["Channel", "PlatformRequest"]
