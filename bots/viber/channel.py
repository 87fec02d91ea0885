"""Replies drawn for Viber: a keyboard of reply buttons, location messages for venues.

A reply button sends its ``ActionBody`` as the person's text; ours is the payload behind a
prefix nobody types, and ``Silent`` keeps it out of the chat. "Share location" is Viber's own
``location-picker`` button. Viber documents no per-second cap for replies (only 100 unanswered
messages per person per hour, and 500 broadcast requests per 10 s); we keep to the latter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from musofir.dialogs import Button, Inbound, Outbound
from musofir.dialogs.engine import AnswerFirst
from musofir.dialogs.payloads import SHARE_LOCATION

from ..delivery.channel import PlatformRequest
from ..delivery.ratelimit import Limit, Rate
from ..delivery.split import merge_replies, split_text
from .client import ViberClient

CHANNEL = "viber"
PAYLOAD_PREFIX = "#musofir:"
MAX_TEXT = 7000
MAX_BUTTONS = 24
MIN_API_VERSION = 3  # location-picker buttons
BOT_RATE = Rate(per_second=50, burst=50)


def viber_keyboard(buttons: Sequence[Button]) -> dict[str, Any]:
    rows = []
    for button in buttons[:MAX_BUTTONS]:
        if button.payload == SHARE_LOCATION:
            rows.append(
                {
                    "ActionType": "location-picker",
                    "ActionBody": PAYLOAD_PREFIX + SHARE_LOCATION,
                    "Text": button.title,
                    "Columns": 6,
                    "Rows": 1,
                }
            )
        else:
            rows.append(
                {
                    "ActionType": "reply",
                    "ActionBody": PAYLOAD_PREFIX + button.payload,
                    "Text": button.title,
                    "Silent": True,
                    "Columns": 6,
                    "Rows": 1,
                }
            )
    return {"Type": "keyboard", "DefaultHeight": False, "Buttons": rows}


class ViberChannel:
    name = CHANNEL

    def __init__(self, client: ViberClient, bot_name: str) -> None:
        self.client = client
        self.sender = {"name": bot_name[:28]}

    def message(self, chat_id: str | None, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"min_api_version": MIN_API_VERSION, "sender": self.sender}
        if chat_id is not None:
            body["receiver"] = chat_id
        return {**body, **fields}

    def render(
        self, chat_id: str, user_key: str, replies: Sequence[Outbound]
    ) -> list[PlatformRequest]:
        calls: list[dict[str, Any]] = []
        for reply in merge_replies(replies, MAX_TEXT):
            place = reply.venue or reply.location
            if place is not None:
                location = {"lat": place.latitude, "lon": place.longitude}
                calls.append(self.message(chat_id, type="location", location=location))
            parts = split_text(reply.text, MAX_TEXT) or (["⬇️"] if reply.buttons else [])
            for number, part in enumerate(parts, start=1):
                fields: dict[str, Any] = {"type": "text", "text": part}
                if reply.buttons and number == len(parts):
                    fields["keyboard"] = viber_keyboard(reply.buttons)
                calls.append(self.message(chat_id, **fields))
        return [PlatformRequest("send_message", call) for call in calls]

    async def send(self, request: PlatformRequest) -> None:
        await self.client.call("send_message", request.payload)

    def limits(self, user_key: str) -> Sequence[Limit]:
        return (("viber:bot", BOT_RATE),)

    def to_inline(self, request: PlatformRequest) -> dict[str, Any] | None:
        return None  # only the welcome rides in a response; see ``welcome``

    def welcome(self, replies: Sequence[Outbound]) -> dict[str, Any] | None:
        """The answer to ``conversation_started``: Viber allows one message, in the response."""
        text = "\n\n".join(reply.text for reply in replies if reply.text)[:MAX_TEXT]
        buttons = next((reply.buttons for reply in reversed(replies) if reply.buttons), ())
        if not text:
            return None
        fields: dict[str, Any] = {"type": "text", "text": text}
        if buttons:
            fields["keyboard"] = viber_keyboard(buttons)
        return self.message(None, **fields)

    def from_inline(self, body: dict[str, Any]) -> PlatformRequest | None:
        return None

    def answer_first(self, inbound: Inbound) -> AnswerFirst | None:
        return None

    async def close(self) -> None:
        await self.client.close()


__all__ = ["CHANNEL", "PAYLOAD_PREFIX", "ViberChannel", "viber_keyboard"]
