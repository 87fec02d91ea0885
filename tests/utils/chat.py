"""A test driver that talks to the engine the way a person on a channel would."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime

from musofir.dialogs import DialogEngine, Inbound, Location, Media, MediaKind, Outbound

_ids = itertools.count(1)


@dataclass
class Chat:
    engine: DialogEngine
    user: str = "user-1"
    channel: str = "webchat"
    replies: list[Outbound] = field(default_factory=list)

    async def send(
        self,
        text: str = "",
        *,
        payload: str | None = None,
        location: Location | None = None,
        media: MediaKind | None = None,
        message_id: str | None = None,
        at: datetime | None = None,
    ) -> list[Outbound]:
        inbound = Inbound(
            channel=self.channel,
            chat_id=self.user,
            user_id=self.user,
            message_id=message_id or f"m{next(_ids)}",
            text=text,
            button_payload=payload,
            location=location,
            media=Media(media, "file-1") if media else None,
            received_at=at or datetime.now(UTC),
        )
        self.replies = await self.engine.handle(inbound)
        return self.replies

    async def tap(self, title_or_payload: str) -> list[Outbound]:
        """Tap a button of the last replies by its payload or its exact title."""
        for reply in reversed(self.replies):
            for button in reply.buttons:
                if title_or_payload in (button.payload, button.title):
                    return await self.send(payload=button.payload)
        shown = [b.payload for r in self.replies for b in r.buttons]
        raise AssertionError(f"no button {title_or_payload!r}; shown: {shown}")

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)

    @property
    def payloads(self) -> list[str]:
        return [b.payload for r in self.replies for b in r.buttons]


__all__ = ["Chat"]
