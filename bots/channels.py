"""Which messenger channels run, from the settings: a channel without credentials is off."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from musofir.dialogs import Catalogs, StateStore

from musofir.settings import Settings

from .delivery.channel import Channel
from .telegram.channel import TelegramChannel, make_bot
from .twilio.channel import SMS, WHATSAPP, TwilioChannel
from .twilio.client import TwilioMessages
from .twilio.content import ContentTemplates
from .twilio.routes import STATUS_PATH
from .viber.channel import ViberChannel
from .viber.client import ViberClient

log = logging.getLogger(__name__)


@dataclass
class Channels:
    telegram: TelegramChannel | None = None
    whatsapp: TwilioChannel | None = None
    sms: TwilioChannel | None = None
    viber: ViberChannel | None = None
    notes: list[str] = field(default_factory=list)  # one line per channel, for the start-up log

    def all(self) -> list[Channel]:
        found = (self.telegram, self.whatsapp, self.sms, self.viber)
        return [channel for channel in found if channel is not None]

    async def close(self) -> None:
        for channel in self.all():
            await channel.close()


def build_channels(settings: Settings, catalogs: Catalogs, store: StateStore) -> Channels:
    channels = Channels()
    if settings.telegram_bot_token:
        channels.telegram = TelegramChannel(
            make_bot(settings.telegram_bot_token, settings.telegram_api_base)
        )
        how = "webhook" if settings.telegram_webhook_secret else "polling only"
        channels.notes.append(f"telegram: on ({how})")
        if not settings.telegram_webhook_secret:
            channels.notes.append(
                "telegram: the webhook refuses updates until TELEGRAM_WEBHOOK_SECRET is set"
            )
    else:
        channels.notes.append("telegram: off (TELEGRAM_BOT_TOKEN is not set)")

    if settings.twilio_account_sid and settings.twilio_auth_token:
        messages = TwilioMessages(
            settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_api_base
        )
        callback = settings.public_url + STATUS_PATH if settings.public_url else None
        templates = ContentTemplates.load(settings.data_dir)
        for name, sender in (
            (WHATSAPP, settings.twilio_whatsapp_from),
            (SMS, settings.twilio_sms_from),
        ):
            if not sender:
                variable = "TWILIO_WHATSAPP_FROM" if name == WHATSAPP else "TWILIO_SMS_FROM"
                channels.notes.append(f"{name}: off ({variable} is not set)")
                continue
            channel = TwilioChannel(
                name,
                messages,
                sender,
                catalogs=catalogs,
                store=store,
                status_callback=callback,
                templates=templates if name == WHATSAPP else None,
            )
            setattr(channels, name, channel)
            channels.notes.append(f"{name}: on")
        if not settings.public_url:
            channels.notes.append("twilio: webhooks refuse updates until PUBLIC_URL is set")
    else:
        channels.notes.append(
            "whatsapp, sms: off (TWILIO_ACCOUNT_SID or TWILIO_AUTH_TOKEN is not set)"
        )

    if settings.viber_auth_token:
        client = ViberClient(settings.viber_auth_token, settings.viber_api_base)
        channels.viber = ViberChannel(client, settings.viber_bot_name)
        channels.notes.append("viber: on")
    else:
        channels.notes.append("viber: off (VIBER_AUTH_TOKEN is not set)")
    return channels


__all__ = ["Channels", "build_channels"]
