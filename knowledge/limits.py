"""Message length limits per platform: one table for the validator and the adapters' splitters."""

from __future__ import annotations

PLATFORM_LIMITS: dict[str, int] = {
    "telegram": 4096,  # Bot API sendMessage text, after entity parsing
    "whatsapp": 1600,  # Twilio's limit on a WhatsApp message body
    "viber": 7000,  # Viber REST bot API text message
}

COMFORT_LIMIT = 900
"""Above this an answer is hard to read on a phone; `kb check` warns and suggests a split."""

NOTES_ALLOWANCE = 400
"""Room kept beside the sources for the review note and the review date line.

The bot sends sources and notes under the last answer message when both fit in ``COMFORT_LIMIT``,
and as a message of their own otherwise, so each part is checked against the limits alone."""


def format_sources(titles_and_urls: list[tuple[str, str]]) -> str:
    """The sources block the bot appends under an answer, one source a line."""
    return "\n".join(f"• {title} — {url}" for title, url in titles_and_urls)


__all__ = ["COMFORT_LIMIT", "NOTES_ALLOWANCE", "PLATFORM_LIMITS", "format_sources"]
