"""Cut long text at sentence boundaries, so each platform's length cap never cuts a word."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from musofir.dialogs import Outbound

_SENTENCE_END = re.compile(r"(?<=[.!?…;:։])\s+|\n+")  # ։ is the Armenian full stop


def cut_point(text: str, limit: int) -> int:
    """Where to cut ``text`` so the first part is at most ``limit`` characters.

    Prefer the last sentence end (or line break) before the limit, then the last space, and cut
    mid-word only when a single word is longer than the limit.
    """
    if len(text) <= limit:
        return len(text)
    window = text[: limit + 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(window) if m.start() <= limit]
    if ends and ends[-1] > limit // 3:
        return min(ends[-1], limit)
    space = window.rfind(" ")
    return space + 1 if space > 0 else limit


def split_text(text: str, limit: int) -> list[str]:
    parts: list[str] = []
    rest = text.strip()
    while rest:
        cut = cut_point(rest, limit)
        part = rest[:cut].strip()
        if part:
            parts.append(part)
        rest = rest[cut:].strip()
    return parts


def merge_replies(replies: Sequence[Outbound], limit: int) -> list[Outbound]:
    """Join consecutive replies into fewer messages where nothing is lost.

    A reply joins the one before when that one has no buttons (buttons belong at the end of a
    message), it brings no venue or location of its own, and the joined text fits ``limit``.
    Fewer messages: less noise on a cheap phone, fewer paid messages, fewer rate-limit slots.
    """
    merged: list[Outbound] = []
    for reply in replies:
        if merged:
            last = merged[-1]
            fits = len(last.text) + 2 + len(reply.text) <= limit
            joinable = not last.buttons and reply.venue is None and reply.location is None
            if joinable and fits and last.text and reply.text:
                text = f"{last.text}\n\n{reply.text}"
                merged[-1] = replace(last, text=text, buttons=reply.buttons)
                continue
        merged.append(reply)
    return merged


__all__ = ["cut_point", "merge_replies", "split_text"]
