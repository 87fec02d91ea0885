"""A whole Telegram conversation through the webhook, against the Bot API stand-in."""

from __future__ import annotations

from typing import Any

import httpx
from utils.platforms import post_telegram, tg_button, tg_message
from utils.standins import StandIns

MOSCOW = (55.7558, 37.6173)


def seen(
    response: httpx.Response, stand: StandIns, expect_api_calls: int = 0
) -> list[dict[str, Any]]:
    """What the person sees: calls through the API, then the call riding in the response."""
    assert response.status_code == 200, response.text
    if expect_api_calls:
        stand.wait_sent("telegram", expect_api_calls)
    calls = [{"method": c.method, **c.params} for c in stand.sent("telegram")]
    if response.content:
        calls.append(response.json())
    stand.clear()
    return calls


def buttons(call: dict[str, Any]) -> list[str]:
    markup = call.get("reply_markup") or {}
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [b.get("callback_data") or b["text"] for row in rows for b in row]


def test_a_whole_conversation(client: httpx.Client, stand: StandIns) -> None:
    person = 7001
    first = seen(post_telegram(client, tg_message(person, "/start", language="uz")), stand)
    assert first[-1]["method"] == "sendMessage"
    assert "lang:uz" in buttons(first[-1]) and "Tilni tanlang" in first[-1]["text"]

    pressed = post_telegram(client, tg_button(person, "lang:ru"))
    stand.wait_for(lambda calls: any(c.method == "answerCallbackQuery" for c in calls))
    chosen = seen(pressed, stand)
    assert any("Главное меню" in c.get("text", "") for c in chosen)
    assert "specialist" in buttons(chosen[-1])

    asked = seen(post_telegram(client, tg_message(person, "как получить патент на работу")), stand)
    text = "\n".join(c["text"] for c in asked if c["method"] == "sendMessage")
    assert "патент" in text.lower()
    assert any(b.startswith("helpful:") or b == "menu" for b in buttons(asked[-1]))
    assert all(len(c["text"]) <= 4096 for c in asked if c["method"] == "sendMessage")

    kinds = seen(post_telegram(client, tg_button(person, "services")), stand)
    assert "svc:legal_aid" in buttons(kinds[-1])

    ask_place = seen(post_telegram(client, tg_button(person, "svc:legal_aid")), stand)
    keyboard = ask_place[-1]["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_location"] is True

    cards = seen(post_telegram(client, tg_message(person, location=MOSCOW)), stand, 2)
    venues = [c for c in cards if c["method"] == "sendVenue"]
    assert venues and all(v["title"] and v["address"] for v in venues)
    assert abs(float(venues[0]["latitude"]) - MOSCOW[0]) < 1

    specialist = seen(post_telegram(client, tg_button(person, "specialist")), stand)
    assert specialist[-1]["method"] == "sendMessage" and specialist[-1]["text"]


def test_the_same_update_twice_is_answered_once(client: httpx.Client, stand: StandIns) -> None:
    update = tg_message(7002, "/start")
    first = seen(post_telegram(client, update), stand)
    again = seen(post_telegram(client, update), stand)
    assert len(first) == 1 and first[0]["method"] == "sendMessage"
    # The redelivery means the first response may never have arrived: its reply goes once more
    # through the API, and nothing else is decided again.
    assert [c["method"] for c in again] == ["sendMessage"]
    assert again[0]["text"] == first[0]["text"]
    third = seen(post_telegram(client, update), stand)
    assert third == []


def test_a_wrong_or_missing_secret_is_refused_without_side_effects(
    client: httpx.Client, stand: StandIns
) -> None:
    update = tg_message(7003, "/start")
    assert post_telegram(client, update, secret="wrong").status_code == 403
    missing = client.post("/webhooks/telegram", json=update)
    assert missing.status_code == 403
    assert stand.calls("telegram") == []
    accepted = post_telegram(client, update)
    assert accepted.status_code == 200 and accepted.json()["method"] == "sendMessage"


def test_blocked_by_the_user_is_recorded_and_not_retried(
    client: httpx.Client, stand: StandIns, channel_server: Any
) -> None:
    person = 7004
    for update in (
        tg_message(person, "/start"),
        tg_button(person, "lang:en"),
        tg_button(person, "services"),
        tg_button(person, "svc:legal_aid"),
    ):
        seen(post_telegram(client, update), stand)
    stand.fail_next("telegram", status=403, times=5, method="sendMessage")
    # Cards are several messages: the first goes through the API and meets the 403.
    response = post_telegram(client, tg_message(person, location=MOSCOW))
    assert response.status_code == 200 and not response.content
    forbidden = stand.calls("telegram", "sendMessage")
    assert len(forbidden) == 1 and forbidden[0].status == 403  # tried once, never again
    assert stand.calls("telegram", "sendVenue") == []  # the rest of the turn is not sent
    engine = channel_server.runtime.engine
    key = engine.user_key_for("telegram", str(person))
    person_row = channel_server.runtime.storage.people.public(key)
    assert person_row is not None
    assert channel_server.runtime.storage.people.unreachable_reason(key) == "telegram_blocked"
    stand.clear()
    # Writing again means they unblocked us: the mark goes, and replies flow.
    back = seen(post_telegram(client, tg_message(person, "menu")), stand)
    assert back and channel_server.runtime.storage.people.unreachable_reason(key) is None


def test_long_answers_are_split_at_sentences(client: httpx.Client, stand: StandIns) -> None:
    from musofir.bots.telegram.channel import MAX_TEXT, TelegramChannel
    from musofir.dialogs import Outbound

    sentence = "Это одно предложение ответа, чтобы проверить разбиение. "
    long_text = sentence * 200
    channel = TelegramChannel.__new__(TelegramChannel)
    calls = channel.render("1", "k", [Outbound(text=long_text)])
    texts = [call.payload["text"] for call in calls]
    assert len(texts) == 3 and all(len(t) <= MAX_TEXT for t in texts)
    assert all(t.endswith("разбиение.") for t in texts)
    assert "".join(t + " " for t in texts).split() == long_text.split()
