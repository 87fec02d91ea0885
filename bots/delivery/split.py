"""Cut long text at sentence boundaries, so each platform's length cap never cuts a word."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?…;:])\s+|\n+")


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


__all__ = ["cut_point", "split_text"]
