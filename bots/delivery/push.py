"""Messages the server starts (a specialist's reply, an alert, a reminder), by the person's key.

The person's channel and reply address come from storage (decrypted only here). WhatsApp allows a
free-form message only within 24 hours of the person's last message; after that only an approved
template may go (``reengage`` in ``twilio-content.yaml``), and without one nothing is sent and
the reason is recorded, so a sender can tell. A person already unreachable is not tried.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from musofir.dialogs import DialogEngine, Outbound

from .channel import Channel, PlatformRequest
from .errors import PermanentFailure, SendError
from .outbox import Outbox

log = logging.getLogger(__name__)

WHATSAPP_WINDOW_SECONDS = 24 * 3600
WHATSAPP_WINDOW_REASON = "whatsapp_window"  # not an opt-out: they can write again any time


class PushResult(StrEnum):
    SENT = "sent"
    TEMPLATE = "template"  # outside WhatsApp's window: the re-engagement template went instead
    UNREACHABLE = "unreachable"  # recorded before, or now (blocked, unsubscribed, no window)
    UNKNOWN = "unknown"  # nobody with that key, or their channel is off
    FAILED = "failed"  # the platform kept failing; the caller may try later
    OUTSIDE_WINDOW = "outside_window"  # WhatsApp, no template given for this message: skipped


@dataclass(frozen=True, slots=True)
class WindowRule:
    """What to send to WhatsApp after 24 hours instead of the message itself.

    ``template`` None: nothing goes (the caller reports it skipped; the person is not marked).
    ``variables`` fill the template's placeholders ({"1": "the reminder's text"}).
    """

    template: str | None
    variables: dict[str, str] | None = None


class Pusher:
    def __init__(
        self, engine: DialogEngine, outbox: Outbox, channels: Mapping[str, Channel]
    ) -> None:
        self.engine = engine
        self.outbox = outbox
        self.channels = channels

    async def push(
        self,
        user_key: str,
        replies: Sequence[Outbound],
        *,
        outside_window: WindowRule | None = None,
        address: tuple[str, str] | None = None,
    ) -> PushResult:
        """``outside_window`` None: the ``reengage`` template, as for a specialist's reply.

        ``address`` (channel, chat id): given by a caller that read it already (alerts).
        """
        if address is None:
            people = self.engine.services.people
            address = await asyncio.to_thread(people.reply_address, user_key)
        if address is None or address[0] not in self.channels:
            return PushResult.UNKNOWN
        channel_name, chat_id = address
        channel = self.channels[channel_name]
        conversation = await self.engine.store.load(user_key)
        if conversation.unreachable:
            return PushResult.UNREACHABLE
        last = conversation.last_inbound_at or 0.0
        if channel_name == "whatsapp" and time.time() - last > WHATSAPP_WINDOW_SECONDS:
            if outside_window is not None:
                return await self._template(channel, chat_id, user_key, outside_window)
            return await self._outside_window(channel, chat_id, user_key)
        message_key = f"push:{uuid.uuid4().hex}"
        try:
            outcome = await self.outbox.deliver(
                channel, chat_id=chat_id, user_key=user_key, message_key=message_key,
                replies=replies,
            )  # fmt: skip
        except SendError as failure:
            log.warning("a push to %s failed: %s", channel_name, failure.reason)
            return PushResult.FAILED
        if outcome.unreachable:
            reason = outcome.unreachable
            await self.engine.set_reachable(channel_name, "", False, reason, key=user_key)
            return PushResult.UNREACHABLE
        return PushResult.SENT

    async def _outside_window(self, channel: Channel, chat_id: str, user_key: str) -> PushResult:
        template = getattr(getattr(channel, "templates", None), "reengage", None)
        if template is None:
            await self.engine.set_reachable(
                "whatsapp", "", False, WHATSAPP_WINDOW_REASON, key=user_key
            )
            return PushResult.UNREACHABLE
        return await self._template(channel, chat_id, user_key, WindowRule(template))

    async def _template(
        self, channel: Channel, chat_id: str, user_key: str, rule: WindowRule
    ) -> PushResult:
        if rule.template is None:
            return PushResult.OUTSIDE_WINDOW
        params: dict[str, object] = {
            "to": chat_id,
            "from_": getattr(channel, "sender", ""),
            "content_sid": rule.template,
        }
        if rule.variables:
            params["content_variables"] = json.dumps(rule.variables, ensure_ascii=False)
        request = PlatformRequest("Messages", params)
        try:
            await self.outbox.send(channel, request)
        except PermanentFailure as failure:
            await self.engine.set_reachable("whatsapp", "", False, failure.reason, key=user_key)
            return PushResult.UNREACHABLE
        except SendError:
            return PushResult.FAILED
        return PushResult.TEMPLATE


__all__ = ["PushResult", "Pusher", "WindowRule"]
