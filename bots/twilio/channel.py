"""WhatsApp and SMS replies drawn for Twilio's Messages API.

WhatsApp: buttons become Content API quick replies when a template is configured (up to three
short titles), otherwise numbered options; a venue is a native location message
(``PersistentAction geo:``) followed by the card's text; text is split at 1600 characters.

SMS, for people without a smartphone: a turn's replies become one text with numbered options.
An answer longer than three segments (as carriers count them) is cut at a sentence, the
rest kept for "reply MORE". Twilio's own queue enforces each sender's messages per second (it
holds the excess for hours, as documented); what we must not exceed is the account's API request
rate, shared by every process, and a 429 (20429) is waited out like any other.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from musofir.dialogs import Button, Catalogs, Inbound, Outbound, StateStore, Translator
from musofir.dialogs.engine import AnswerFirst
from musofir.nlu import fold

from ..delivery.channel import PlatformRequest
from ..delivery.ratelimit import Limit, Rate
from ..delivery.split import cut_point, merge_replies, split_text
from .client import TwilioMessages
from .content import ContentTemplates
from .segments import longest_prefix_within, segment_count

WHATSAPP = "whatsapp"
SMS = "sms"
WHATSAPP_MAX_TEXT = 1600
QUICK_REPLY_MAX_BODY = 1024
QUICK_REPLY_MAX_TITLE = 20
SMS_MAX_SEGMENTS = 3
API_RATE = Rate(per_second=50, burst=50)  # per account, shared by every process
MORE_TTL_SECONDS = 7 * 24 * 3600

# "MORE" as people type it in each of our languages and scripts (folded).
MORE_WORDS = frozenset(
    fold(word)
    for word in (
        "more", "ещё", "еще", "eshe", "esche", "yana", "яна", "боз", "boz",
        "дагы", "dagy", "dagi", "daha", "ավելին", "avelin",
    )
)  # fmt: skip


def numbered(buttons: Sequence[Button]) -> str:
    return "\n".join(f"{n}. {button.title}" for n, button in enumerate(buttons, start=1))


class TwilioChannel:
    """One class, two channels: the sender address and the drawing differ, the API is one."""

    def __init__(
        self,
        name: str,
        messages: TwilioMessages,
        sender: str,
        *,
        catalogs: Catalogs,
        store: StateStore,
        status_callback: str | None,
        templates: ContentTemplates | None = None,
    ) -> None:
        self.name = name
        self.messages = messages
        self.sender = sender
        self.catalogs = catalogs
        self.store = store
        self.status_callback = status_callback
        self.templates = templates or ContentTemplates()

    def _message(self, chat_id: str, **params: Any) -> PlatformRequest:
        params = {"to": chat_id, "from_": self.sender, **params}
        if self.status_callback:
            params["status_callback"] = self.status_callback
        return PlatformRequest("Messages", params)

    def render(
        self, chat_id: str, user_key: str, replies: Sequence[Outbound]
    ) -> list[PlatformRequest]:
        if self.name == SMS:
            return self._render_sms(chat_id, user_key, replies)
        return self._render_whatsapp(chat_id, replies)

    def _render_whatsapp(self, chat_id: str, replies: Sequence[Outbound]) -> list[PlatformRequest]:
        calls: list[PlatformRequest] = []
        for reply in merge_replies(replies, WHATSAPP_MAX_TEXT):
            place = reply.venue or reply.location
            if place is not None:
                label = reply.venue.title if reply.venue else ""
                body = f"{reply.venue.title}\n{reply.venue.address}" if reply.venue else "📍"
                geo = f"geo:{place.latitude:.6f},{place.longitude:.6f}"
                action = f"{geo}|{label[:100]}" if label else geo
                calls.append(self._message(chat_id, body=body, persistent_action=[action]))
            quick = self._quick_reply(chat_id, reply)
            if quick is not None:
                calls.append(quick)
                continue
            text = reply.text
            if reply.buttons:
                text = f"{text}\n\n{numbered(reply.buttons)}" if text else numbered(reply.buttons)
            calls += [
                self._message(chat_id, body=part) for part in split_text(text, WHATSAPP_MAX_TEXT)
            ]
        return calls

    def _quick_reply(self, chat_id: str, reply: Outbound) -> PlatformRequest | None:
        sid = self.templates.quick_reply.get(len(reply.buttons))
        fits = len(reply.text) <= QUICK_REPLY_MAX_BODY and all(
            len(b.title) <= QUICK_REPLY_MAX_TITLE for b in reply.buttons
        )
        if sid is None or not reply.text or not fits:
            return None
        variables = {"1": reply.text}
        for n, button in enumerate(reply.buttons, start=1):
            variables[str(2 * n)] = button.title
            variables[str(2 * n + 1)] = button.payload
        return self._message(
            chat_id, content_sid=sid, content_variables=json.dumps(variables, ensure_ascii=False)
        )

    def _render_sms(
        self, chat_id: str, user_key: str, replies: Sequence[Outbound]
    ) -> list[PlatformRequest]:
        texts = [reply.text for reply in replies if reply.text]
        with_buttons = [reply for reply in replies if reply.buttons]
        if with_buttons:
            texts.append(numbered(with_buttons[-1].buttons))
        full = "\n\n".join(texts).strip()
        if not full:
            return []
        if segment_count(full) <= SMS_MAX_SEGMENTS:
            return [self._message(chat_id, body=full)]
        language = next((r.language for r in replies if r.language), None)
        suffix = "\n" + Translator(self.catalogs, language)("sms.more")
        room = longest_prefix_within(full, suffix, SMS_MAX_SEGMENTS)
        cut = cut_point(full, room)
        first, rest = full[:cut].rstrip() + suffix, full[cut:].strip()
        keep = (
            self.more_name(user_key),
            json.dumps({"text": rest, "language": language}, ensure_ascii=False),
        )
        return [replace(self._message(chat_id, body=first), keep=keep)]

    @staticmethod
    def more_name(user_key: str) -> str:
        return f"sms-more:{user_key}"

    def answer_first(self, inbound: Inbound) -> AnswerFirst | None:
        if self.name != SMS or fold(inbound.text.strip()) not in MORE_WORDS:
            return None

        async def rest_of_answer(user_key: str) -> list[Outbound] | None:
            kept = await self.store.take_value(self.more_name(user_key))
            if kept is None:
                return None
            data = json.loads(kept)
            return [Outbound(text=str(data["text"]), language=data.get("language"))]

        return rest_of_answer

    async def send(self, request: PlatformRequest) -> None:
        await self.messages.create(request.payload)

    def limits(self, user_key: str) -> Sequence[Limit]:
        return (("twilio:api", API_RATE),)

    def to_inline(self, request: PlatformRequest) -> dict[str, Any] | None:
        return None  # TwiML could carry a reply, but without a message sid or status callback

    def from_inline(self, body: dict[str, Any]) -> PlatformRequest | None:
        return None

    async def close(self) -> None:
        await self.messages.close()


__all__ = ["MORE_WORDS", "SMS", "WHATSAPP", "TwilioChannel", "numbered"]
