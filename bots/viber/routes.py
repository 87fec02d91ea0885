"""``POST /webhooks/viber``: HMAC-SHA256 signature of the raw body, then one handler per event."""

from __future__ import annotations

import hashlib
import hmac
import logging

from musofir.dialogs import DialogEngine

from ..delivery.dispatch import Handler, WebhookRequest
from ..delivery.receiver import Receiver
from ..delivery.webhook import OK, Reply, WebhookError, json_reply, parse_json_object, validated
from .channel import CHANNEL, ViberChannel
from .parse import Callback, message_inbound, start_inbound, subscription

log = logging.getLogger(__name__)

PATH = "/webhooks/viber"
SIGNATURE_HEADER = "X-Viber-Content-Signature"
STATUS_EVENTS = {"delivered", "seen", "failed", "webhook", "client_status", "action"}


def signature(auth_token: str, body: bytes) -> str:
    return hmac.new(auth_token.encode(), body, hashlib.sha256).hexdigest()


def build_webhooks(
    channel: ViberChannel, receiver: Receiver, engine: DialogEngine, auth_token: str
) -> dict[str, Handler]:
    async def viber_webhook(request: WebhookRequest) -> Reply:
        body = await request.body()
        # Compared as bytes: a header with non-ASCII characters is a wrong signature, not a crash.
        given = request.header(SIGNATURE_HEADER).lower().encode()
        if not given or not hmac.compare_digest(given, signature(auth_token, body).encode()):
            raise WebhookError(403, "wrong or missing signature")
        data = parse_json_object(body)
        callback = validated(Callback, data, "a Viber callback")
        try:
            return await handle(callback)
        except ValueError as error:
            raise WebhookError(400, str(error)) from None

    async def handle(callback: Callback) -> Reply:
        event = callback.event
        if event == "message":
            await receiver.receive(message_inbound(callback))
        elif event == "conversation_started":
            replies = await engine.handle(start_inbound(callback))
            welcome = channel.welcome(replies)
            if welcome is not None:
                return json_reply(welcome)
        elif event in ("subscribed", "unsubscribed"):
            change = subscription(callback)
            await engine.set_reachable(
                CHANNEL, change.user_id, change.subscribed, "viber_unsubscribed"
            )
        elif event == "failed":
            log.warning("viber could not deliver a message: %s", callback.desc or "no reason")
        elif event not in STATUS_EVENTS:
            log.info("viber event %r ignored", event[:40])
        return OK

    return {PATH: viber_webhook}


__all__ = ["PATH", "SIGNATURE_HEADER", "build_webhooks", "signature"]
