"""Answering in the script a person writes in: Uzbek in Cyrillic for those who write Cyrillic.

Uzbek is written in both scripts; our texts are in Latin, the official one. A person who types
Uzbek in Cyrillic gets everything in Cyrillic, transliterated as it goes out (UzTransliterator,
links left alone), and back in Latin as soon as they type Latin again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from musofir.nlu import detect_language
from musofir.nlu.scripts import script_of, uzbek_to_cyrillic

from .messages import Button, Outbound
from .state import Conversation

_MIN_LETTERS = 3  # "ok" and "ha" say nothing about a script


def note_script(conversation: Conversation, text: str) -> None:
    """Remember which script an Uzbek speaker writes in, from what they typed."""
    if (
        conversation.language not in (None, "uz")
        or sum(ch.isalpha() for ch in text) < _MIN_LETTERS
    ):
        return
    written = script_of(text)
    if written not in ("Latn", "Cyrl"):
        return
    if detect_language(text, prior=conversation.language) == "uz":
        conversation.script = written


def in_persons_script(replies: Sequence[Outbound], conversation: Conversation) -> list[Outbound]:
    if conversation.script != "Cyrl":
        return list(replies)
    return [_to_cyrillic(reply) if reply.language == "uz" else reply for reply in replies]


def _to_cyrillic(reply: Outbound) -> Outbound:
    buttons = tuple(Button(uzbek_to_cyrillic(b.title), b.payload) for b in reply.buttons)
    return replace(reply, text=uzbek_to_cyrillic(reply.text), buttons=buttons)


__all__ = ["in_persons_script", "note_script"]
