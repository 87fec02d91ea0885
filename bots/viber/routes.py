"""``POST /webhooks/viber``: HMAC-SHA256 signature of the raw body, then one handler per event."""

from __future__ import annotations

import hashlib
import hmac
import logging

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from musofir.dialogs import DialogEngine

from ..delivery.receiver import Receiver
from ..delivery.webhook import guarded, parse_json_object, read_body, validated
from .channel import CHANNEL, ViberChannel
from .parse import Callback, message_inbound, start_inbound, subscription

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Viber-Content-Signature"
STATUS_EVENTS = {"delivered", "seen", "failed", "webhook", "client_status", "action"}


def signature(auth_token: str, body: bytes) -> str:
    return hmac.new(auth_token.encode(), body, hashlib.sha256).hexdigest()


def build_router(
    channel: ViberChannel, receiver: Receiver, engine: DialogEngine, auth_token: str
) -> APIRouter:
    router = APIRouter(tags=["webhooks"])

    @router.post("/webhooks/viber")
    async def viber_webhook(request: Request) -> Response:
        body = await read_body(request)
        given = request.headers.get(SIGNATURE_HEADER, "")
        if not given or not hmac.compare_digest(given.lower(), signature(auth_token, body)):
            raise HTTPException(403, "wrong or missing signature")
        data = parse_json_object(body)
        callback = validated(Callback, data, "a Viber callback")

        async def work() -> Response:
            try:
                return await handle(callback)
            except ValueError as error:
                raise HTTPException(400, str(error)) from None

        return await guarded(work)

    async def handle(callback: Callback) -> Response:
        event = callback.event
        if event == "message":
            await receiver.receive(message_inbound(callback))
        elif event == "conversation_started":
            replies = await engine.handle(start_inbound(callback))
            welcome = channel.welcome(replies)
            if welcome is not None:
                return JSONResponse(welcome)
        elif event in ("subscribed", "unsubscribed"):
            change = subscription(callback)
            await engine.set_reachable(
                CHANNEL, change.user_id, change.subscribed, "viber_unsubscribed"
            )
        elif event == "failed":
            log.warning("viber could not deliver a message: %s", callback.desc or "no reason")
        elif event not in STATUS_EVENTS:
            log.info("viber event %r ignored", event[:40])
        return Response(status_code=200)

    return router


__all__ = ["SIGNATURE_HEADER", "build_router", "signature"]
