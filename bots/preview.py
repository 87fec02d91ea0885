"""How an alert's text will look on each platform, for staff before they send it.

Each platform's own limits, from the adapters: Telegram splits at 4096 characters, WhatsApp at
1600, Viber at 7000; SMS counts segments as carriers do (and a long alert goes as one
concatenated message of that many segments: an alert has no "reply MORE").
"""

from __future__ import annotations

from typing import Any

from .delivery.split import split_text
from .telegram.channel import MAX_TEXT as TELEGRAM_MAX
from .twilio.channel import WHATSAPP_MAX_TEXT
from .twilio.segments import is_gsm7, segment_count
from .viber.channel import MAX_TEXT as VIBER_MAX


def preview(text: str) -> dict[str, Any]:
    return {
        "telegram": {"messages": split_text(text, TELEGRAM_MAX)},
        "whatsapp": {"messages": split_text(text, WHATSAPP_MAX_TEXT)},
        "viber": {"messages": split_text(text, VIBER_MAX)},
        "sms": {
            "messages": [text],
            "segments": segment_count(text),
            "encoding": "GSM-7" if is_gsm7(text) else "UCS-2",
        },
    }


__all__ = ["preview"]
