"""``/webhooks/whatsapp``, ``/webhooks/sms`` and ``/webhooks/twilio/status``, all signed.

Signatures are checked with twilio's ``RequestValidator`` against ``PUBLIC_URL`` + path (and
query), the address Twilio was told to call: behind a proxy, the URL the app sees may differ.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from fastapi import APIRouter, HTTPException, Request, Response
from musofir.dialogs import DialogEngine
from twilio.request_validator import RequestValidator

from ..delivery.receiver import Receiver
from ..delivery.webhook import guarded, read_body
from .client import PERMANENT_CODES
from .parse import FormError, parse_message

log = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
STATUS_PATH = "/webhooks/twilio/status"


class TwilioWebhooks:
    def __init__(self, auth_token: str, public_url: str | None) -> None:
        self.validator = RequestValidator(auth_token)
        self.public_url = public_url

    async def verified_form(self, request: Request) -> dict[str, str]:
        body = await read_body(request)
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or not self.public_url:
            raise HTTPException(403, "missing signature (or PUBLIC_URL is not set)")
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise HTTPException(400, "the form is not UTF-8") from None
        form = dict(pairs)
        url = self.public_url + request.url.path
        if request.url.query:
            url += "?" + request.url.query
        if not self.validator.validate(url, form, signature):
            raise HTTPException(403, "wrong signature")
        return form


def twiml() -> Response:
    return Response(EMPTY_TWIML, media_type="text/xml")


def build_router(
    webhooks: TwilioWebhooks, receiver: Receiver, engine: DialogEngine, channels: set[str]
) -> APIRouter:
    router = APIRouter(tags=["webhooks"])

    async def incoming(channel: str, request: Request) -> Response:
        form = await webhooks.verified_form(request)
        try:
            inbound = parse_message(channel, form)
        except FormError as error:
            raise HTTPException(400, str(error)) from None

        async def work() -> Response:
            await receiver.receive(inbound)
            return twiml()

        return await guarded(work)

    if "whatsapp" in channels:

        @router.post("/webhooks/whatsapp")
        async def whatsapp_webhook(request: Request) -> Response:
            return await incoming("whatsapp", request)

    if "sms" in channels:

        @router.post("/webhooks/sms")
        async def sms_webhook(request: Request) -> Response:
            return await incoming("sms", request)

    @router.post(STATUS_PATH)
    async def twilio_status(request: Request) -> Response:
        """Delivery reports: a permanent failure is recorded against the person, once."""
        form = await webhooks.verified_form(request)
        code = form.get("ErrorCode", "")
        reason = {str(c): r for c, r in PERMANENT_CODES.items()}.get(code)
        recipient = form.get("To", "")
        if reason is None or not recipient:
            return Response(status_code=204)
        channel = "whatsapp" if recipient.startswith("whatsapp:") else "sms"

        async def work() -> Response:
            await engine.set_reachable(channel, recipient, False, reason)
            return Response(status_code=204)

        return await guarded(work)

    return router


__all__ = ["STATUS_PATH", "TwilioWebhooks", "build_router", "twiml"]
