"""``/webhooks/whatsapp``, ``/webhooks/sms`` and ``/webhooks/twilio/status``, all signed.

Signatures are checked with twilio's ``RequestValidator`` against ``PUBLIC_URL`` + path (and
query), the address Twilio was told to call: behind a proxy, the URL the app sees may differ.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from musofir.dialogs import DialogEngine
from twilio.request_validator import RequestValidator

from ..delivery.dispatch import Handler, WebhookRequest
from ..delivery.receiver import Receiver
from ..delivery.webhook import Reply, WebhookError
from .client import PERMANENT_CODES
from .parse import FormError, parse_message

log = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
TWIML = Reply(200, EMPTY_TWIML.encode(), "text/xml; charset=utf-8")
NO_CONTENT = Reply(204)
STATUS_PATH = "/webhooks/twilio/status"
PERMANENT_REASONS = {str(code): reason for code, reason in PERMANENT_CODES.items()}


class TwilioWebhooks:
    def __init__(self, auth_token: str, public_url: str | None) -> None:
        self.validator = RequestValidator(auth_token)
        self.public_url = public_url

    async def verified_form(self, request: WebhookRequest) -> dict[str, str]:
        body = await request.body()
        signature = request.header("X-Twilio-Signature")
        if not signature or not self.public_url:
            raise WebhookError(403, "missing signature (or PUBLIC_URL is not set)")
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise WebhookError(400, "the form is not UTF-8") from None
        form = dict(pairs)
        url = self.public_url + request.path
        if request.query:
            url += "?" + request.query
        if not self.validator.validate(url, form, signature):
            raise WebhookError(403, "wrong signature")
        return form


def build_webhooks(
    webhooks: TwilioWebhooks, receiver: Receiver, engine: DialogEngine, channels: set[str]
) -> dict[str, Handler]:
    def incoming(channel: str) -> Handler:
        async def webhook(request: WebhookRequest) -> Reply:
            form = await webhooks.verified_form(request)
            try:
                inbound = parse_message(channel, form)
            except FormError as error:
                raise WebhookError(400, str(error)) from None
            await receiver.receive(inbound)
            return TWIML

        return webhook

    async def twilio_status(request: WebhookRequest) -> Reply:
        """Delivery reports: a permanent failure is recorded against the person, once."""
        form = await webhooks.verified_form(request)
        reason = PERMANENT_REASONS.get(form.get("ErrorCode", ""))
        recipient = form.get("To", "")
        if reason is None or not recipient:
            return NO_CONTENT
        channel = "whatsapp" if recipient.startswith("whatsapp:") else "sms"
        await engine.set_reachable(channel, recipient, False, reason)
        return NO_CONTENT

    names = [name for name in ("whatsapp", "sms") if name in channels]
    served = {f"/webhooks/{name}": incoming(name) for name in names}
    return {**served, STATUS_PATH: twilio_status}


__all__ = ["EMPTY_TWIML", "STATUS_PATH", "TWIML", "TwilioWebhooks", "build_webhooks"]
