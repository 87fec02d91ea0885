"""What the inbox and the reply journal keep comes back whole after a crash."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from musofir.dialogs import Button, Contact, Inbound, Location, Media, MediaKind, Outbound, Venue
from musofir.dialogs.wire import (
    inbound_from_json,
    inbound_to_json,
    outbound_from_json,
    outbound_to_json,
)

EVERYTHING = Inbound(
    channel="telegram",
    chat_id="42",
    user_id="42",
    message_id="9001",
    text="где получить патент? «срочно»",
    location=Location(55.79, 49.12),
    contact=Contact("+70000000000", "Sample"),
    button_payload="topic:documents.patent",
    media=Media(MediaKind.PHOTO, "file-1", "паспорт"),
    language_hint="uz",
    received_at=datetime(2026, 11, 23, 8, 30, 5, 123456, tzinfo=UTC),
)


@pytest.mark.parametrize(
    "inbound",
    [EVERYTHING, Inbound(channel="sms", chat_id="+7", user_id="+7", message_id="SM1")],
    ids=["every field", "text only"],
)
def test_an_inbound_message_survives_the_inbox(inbound: Inbound) -> None:
    kept = json.dumps(inbound_to_json(inbound))

    assert inbound_from_json(json.loads(kept)) == inbound


def test_a_reply_survives_the_journal() -> None:
    reply = Outbound(
        text="Образец: адрес",
        buttons=(Button("Меню", "menu"), Button("2", "topic:x")),
        location=Location(1.5, 2.5),
        venue=Venue(55.0, 49.0, "Sample centre", "Sample street 1", "https://e.org", "+7 000"),
        media=Media(MediaKind.DOCUMENT, "ref", "caption"),
        language="ru",
    )

    kept = json.dumps([outbound_to_json(reply)])

    assert [outbound_from_json(item) for item in json.loads(kept)] == [reply]
