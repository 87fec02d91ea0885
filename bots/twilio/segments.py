"""How many SMS segments a text costs, counted the way carriers split it (3GPP TS 23.038).

Hand-written: no maintained Python package does this, and the rules are short. A text that fits
the GSM 03.38 alphabet goes as 7-bit septets (160 in one segment, 153 per segment when
concatenated; the extension characters take two septets and are never split across segments).
Anything else goes as UCS-2 (70, then 67 UTF-16 code units per segment; a surrogate pair is
never split). Cyrillic, Armenian and most Uzbek, Tajik or Kyrgyz text is UCS-2.
"""

from __future__ import annotations

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")


def is_gsm7(text: str) -> bool:
    return all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text)


def _units(text: str) -> tuple[list[int], int, int]:
    """Cost of each character in the chosen encoding, and the single / multi segment sizes."""
    if is_gsm7(text):
        return [2 if ch in GSM_EXTENSION else 1 for ch in text], 160, 153
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text], 70, 67


def segment_count(text: str) -> int:
    if not text:
        return 1
    costs, single, multi = _units(text)
    if sum(costs) <= single:
        return 1
    segments, used = 1, 0
    for cost in costs:
        if used + cost > multi:  # an escape pair or surrogate pair starts the next segment
            segments += 1
            used = 0
        used += cost
    return segments


def longest_prefix_within(text: str, suffix: str, segments: int) -> int:
    """How many characters of ``text`` can go, followed by ``suffix``, in ``segments`` segments.

    Binary search: the count only grows with the prefix (one more character never saves a
    segment), and the encoding is decided by what is actually sent, prefix and suffix together.
    """
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if segment_count(text[:middle] + suffix) <= segments:
            low = middle
        else:
            high = middle - 1
    return low


__all__ = ["is_gsm7", "longest_prefix_within", "segment_count"]
