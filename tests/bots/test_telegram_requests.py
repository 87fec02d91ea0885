"""Telegram calls as plain Bot API dicts: the same call inline and through aiogram to the API."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from musofir.bots.telegram.channel import TelegramChannel, make_bot
from musofir.dialogs import Button, Location, Outbound, Venue
from musofir.dialogs.payloads import SHARE_LOCATION
from utils.standins import TELEGRAM_TOKEN, StandIns

SHARE = Button("📍 Where I am", SHARE_LOCATION)
NO_PREVIEW = {"is_disabled": True}
PLACE = Venue(55.7558, 37.6173, "Legal aid", "Tverskaya 1", map_url="https://example.org/m")


@pytest.fixture
async def channel(stand: StandIns) -> AsyncIterator[TelegramChannel]:
    telegram = TelegramChannel(make_bot(TELEGRAM_TOKEN, stand.telegram_base))
    yield telegram
    await telegram.close()


def as_posted(body: dict[str, Any]) -> dict[str, Any]:
    """An inline body as the stand-in sees the same call in a form: numbers arrive as text."""
    return {k: str(v) if isinstance(v, float) else v for k, v in body.items() if k != "method"}


def test_a_share_location_button_makes_a_reply_keyboard() -> None:
    channel = TelegramChannel.__new__(TelegramChannel)  # render needs no bot
    replies = [Outbound(text="Where are you?", buttons=(SHARE, Button("Menu", "menu")))]
    [request] = channel.render("42", "k", replies)
    assert request.method == "sendMessage"
    assert request.payload == {
        "chat_id": "42",
        "text": "Where are you?",
        "link_preview_options": NO_PREVIEW,
        "reply_markup": {
            "keyboard": [
                [{"text": "📍 Where I am", "request_location": True}],
                [{"text": "Menu", "request_location": False}],
            ],
            "resize_keyboard": True,
            "one_time_keyboard": True,
        },
    }
    assert channel.to_inline(request) == {"method": "sendMessage", **request.payload}


def test_callback_data_over_64_bytes_is_left_out(caplog: pytest.LogCaptureFixture) -> None:
    channel = TelegramChannel.__new__(TelegramChannel)
    fits, too_long = "ж" * 32, "ж" * 32 + "a"  # 64 and 65 bytes in UTF-8
    replies = [Outbound(text="Pick", buttons=(Button("A", fits), Button("B", too_long)))]
    with caplog.at_level(logging.ERROR):
        [request] = channel.render("42", "k", replies)
    assert request.payload["reply_markup"] == {
        "inline_keyboard": [[{"text": "A", "callback_data": fits}]]
    }
    assert "64 bytes" in caplog.text


def test_venues_and_locations_are_plain_parameters() -> None:
    channel = TelegramChannel.__new__(TelegramChannel)
    long_title = "T" * 300
    replies = [
        Outbound(text="Found:"),
        Outbound(venue=Venue(1, 2, long_title, "")),  # ints reach the wire as floats
        Outbound(text="Here", location=Location(41.3, 69.28)),
    ]
    calls = [(r.method, r.payload) for r in channel.render("42", "k", replies)]
    assert calls == [
        ("sendMessage", {"chat_id": "42", "text": "Found:", "link_preview_options": NO_PREVIEW}),
        (
            "sendVenue",
            {
                "chat_id": "42",
                "latitude": 1.0,
                "longitude": 2.0,
                "title": "T" * 256,
                "address": "T" * 256,
            },
        ),
        ("sendLocation", {"chat_id": "42", "latitude": 41.3, "longitude": 69.28}),
        ("sendMessage", {"chat_id": "42", "text": "Here", "link_preview_options": NO_PREVIEW}),
    ]
    assert all(isinstance(c[1]["latitude"], float) for c in calls if "latitude" in c[1])


CASES = {
    "share_location": [Outbound(text="Where?", buttons=(SHARE, Button("Moscow", "city:msk")))],
    "inline_buttons": [
        Outbound(text="Menu", buttons=(Button("Да", "helpful:1"), Button("M", "menu")))
    ],
    "only_buttons": [Outbound(buttons=(Button("Menu", "menu"),))],
    "venue": [Outbound(text="Card", venue=PLACE, buttons=(Button("Menu", "menu"),))],
    "location": [Outbound(text="Here", location=Location(-33.86, 151.2))],
}


@pytest.mark.parametrize("name", list(CASES))
async def test_the_api_gets_what_would_ride_inline(
    name: str, channel: TelegramChannel, stand: StandIns
) -> None:
    requests = channel.render("42", "k", CASES[name])
    bodies = [channel.to_inline(r) for r in requests]
    assert all(b is not None and json.loads(json.dumps(b)) == b for b in bodies)
    for request in requests:
        await channel.send(request)
    for body in bodies:  # a lost response: the stored body goes through the API after all
        assert body is not None
        await channel.send(channel.from_inline(json.loads(json.dumps(body))))
    posted = [{"method": c.method, **c.params} for c in stand.sent("telegram")]
    expected = [{"method": b["method"], **as_posted(b)} for b in bodies if b is not None]
    assert posted == expected * 2
