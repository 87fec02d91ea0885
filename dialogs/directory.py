"""What the engine needs from the place people are recorded: a keyed id, a pseudonym, erasure.

The storage package implements it; the engine never sees a database or a raw phone number.
"""

from __future__ import annotations

from typing import Protocol


class UserDirectory(Protocol):
    def key_for(self, channel: str, user_id: str) -> str:
        """A keyed hash of the person's messenger id: stable, and useless without the secret."""
        ...

    async def remember(
        self, *, key: str, channel: str, reply_to: str, language: str | None
    ) -> str:
        """Record (or refresh) the person and how to reach them; return their pseudonym."""
        ...

    async def forget(self, key: str) -> None:
        """Erase everything stored about the person."""
        ...

    def reply_address(self, key: str) -> tuple[str, str] | None:
        """The channel and the reply address, for messages the server starts (blocking call)."""
        ...

    async def set_unreachable(self, key: str, reason: str | None) -> None:
        """Record why messages to the person fail for good (None: they can be reached again)."""
        ...


class ReportSink(Protocol):
    async def report(self, *, service_id: str, reason: str, language: str | None) -> None:
        """Record that a person found a service card wrong; who reported is not recorded."""
        ...


__all__ = ["ReportSink", "UserDirectory"]
