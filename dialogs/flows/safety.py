"""Words of danger: the emergency numbers at once, and a specialist on offer, in every flow."""

from __future__ import annotations

from ..i18n import LANGUAGES
from ..turn import Turn


def warn(turn: Turn, phrase_language: str) -> None:
    """The numbers first, in the person's language or else in the language they wrote in."""
    language = turn.conversation.language or (
        phrase_language if phrase_language in LANGUAGES else None
    )
    catalogs = turn.services.catalogs
    text = (
        catalogs.text(language, "emergency.text")
        + "\n\n"
        + catalogs.text(language, "emergency.offer")
    )
    turn.say(text, [turn.specialist_button()])
