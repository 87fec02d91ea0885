"""Cutting text for platform limits: SMS segments as carriers count them, and sentence ends."""

from __future__ import annotations

import pytest
from musofir.bots.delivery.split import cut_point, merge_replies, split_text
from musofir.bots.twilio.segments import longest_prefix_within, segment_count
from musofir.dialogs import Button, Outbound, Venue


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("a" * 160, 1),  # GSM-7: 160 in one segment
        ("a" * 161, 2),  # then 153 per segment
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("{" * 80, 1),  # extension characters cost two septets
        ("{" * 81, 2),
        ("я" * 70, 1),  # Cyrillic is UCS-2: 70, then 67 per segment
        ("я" * 71, 2),
        ("я" * 201, 3),
        ("я" * 202, 4),
        ("😀" * 35, 1),  # an emoji is two UTF-16 units
        ("😀" * 36, 2),
    ],
)
def test_segments_are_counted_as_carriers_count_them(text: str, segments: int) -> None:
    assert segment_count(text) == segments


def test_the_longest_prefix_leaves_room_for_the_suffix() -> None:
    text, suffix = "я" * 500, "\nОтветьте ЕЩЁ"
    room = longest_prefix_within(text, suffix, 3)
    assert segment_count(text[:room] + suffix) == 3
    assert segment_count(text[: room + 1] + suffix) == 4


@pytest.mark.parametrize("stop", [".", "!", "?", "։"])
def test_cuts_fall_at_sentence_ends_in_every_script(stop: str) -> None:
    text = f"Առաջին նախադասություն{stop} Երկրորդ նախադասությունը երկար է և չի տեղավորվում"
    cut = cut_point(text, 40)
    assert text[:cut].rstrip().endswith(stop)


def test_a_long_word_is_cut_only_when_nothing_else_fits() -> None:
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_replies_merge_into_one_message_without_losing_buttons_or_places() -> None:
    menu = Button("Menu", "menu")
    place = Venue(55.7, 37.6, "Clinic", "Street 1")
    replies = [
        Outbound(text="Warning."),
        Outbound(text="Answer.", buttons=(menu,)),
        Outbound(text="Card.", venue=place),
        Outbound(text="More."),
    ]
    merged = merge_replies(replies, 4096)
    assert [m.text for m in merged] == ["Warning.\n\nAnswer.", "Card.\n\nMore."]
    assert merged[0].buttons == (menu,) and merged[1].venue == place
    assert len(merge_replies(replies, 11)) == 4  # nothing joins past the limit
