"""The alert topics people can subscribe to, in one place for the chat, the console and the CLI."""

from __future__ import annotations

ALERT_TOPICS: tuple[str, ...] = ("law", "health", "centre", "emergency")
CHANNELS: tuple[str, ...] = ("telegram", "whatsapp", "sms", "viber", "webchat")


def parse_list(text: str | None, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """ "a, b" → ("a", "b"); unknown values are refused with the allowed ones named."""
    values = tuple(dict.fromkeys(v.strip() for v in (text or "").split(",") if v.strip()))
    if allowed is not None:
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise ValueError(f"unknown {', '.join(unknown)}: choose from {', '.join(allowed)}")
    return values


def join(values: tuple[str, ...] | list[str]) -> str:
    return ",".join(values)


__all__ = ["ALERT_TOPICS", "CHANNELS", "join", "parse_list"]
