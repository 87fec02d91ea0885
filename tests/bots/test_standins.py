"""The platform stand-ins answer the real client libraries the way the platforms do."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from twilio.base.exceptions import TwilioRestException  # type: ignore[import-untyped, unused-ignore]
from twilio.http.async_http_client import AsyncTwilioHttpClient  # type: ignore[import-untyped, unused-ignore]
from twilio.rest import Client  # type: ignore[import-untyped, unused-ignore]
from utils.standins import (
    TELEGRAM_TOKEN,
    TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN,
    VIBER_TOKEN,
    StandIns,
    run_standins,
)

MARKUP = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Toshkent", callback_data="city:tas")]]
)


@pytest.fixture(scope="module")
def server() -> Iterator[StandIns]:
    yield from run_standins()


@pytest.fixture
def standins(server: StandIns) -> StandIns:
    server.clear()
    return server


def twilio_client(standins: StandIns, **options: object) -> Client:
    """twilio-python has no base-URL option, but its Api domain keeps the base in `base_url`."""
    client = Client(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, **options)
    client.api.base_url = standins.twilio_base
    return client


async def test_aiogram_send_message_records_parsed_markup_and_retry_after(
    standins: StandIns,
) -> None:
    bot = Bot(
        TELEGRAM_TOKEN,
        session=AiohttpSession(api=TelegramAPIServer.from_base(standins.telegram_base)),
    )
    try:
        me = await bot.get_me()
        first = await bot.send_message(chat_id=42, text="Salom", reply_markup=MARKUP)
        second = await bot.send_message(chat_id=42, text="Yana")
        standins.fail_next("telegram", status=429, retry_after=3, method="sendMessage")
        with pytest.raises(TelegramRetryAfter) as retry:
            await bot.send_message(chat_id=42, text="Too fast")
        standins.fail_next("telegram", status=403)
        with pytest.raises(TelegramForbiddenError, match="blocked"):
            await bot.send_location(chat_id=42, latitude=41.3, longitude=69.24)
        venue = await bot.send_venue(
            chat_id=42, latitude=41.3, longitude=69.24, title="Chorsu", address="Tashkent"
        )
        photo = await bot.send_photo(42, BufferedInputFile(b"jpeg", "a.jpg"), caption="Rasm")
        edited = await bot.edit_message_text(
            text="Tahrir", chat_id=42, message_id=first.message_id, reply_markup=MARKUP
        )
    finally:
        await bot.session.close()

    assert me.username == "musofir_test_bot"
    assert first.text == "Salom" and first.chat.id == 42
    assert first.reply_markup is not None
    assert first.reply_markup.model_dump(exclude_none=True) == MARKUP.model_dump(exclude_none=True)
    assert second.message_id > first.message_id
    assert retry.value.retry_after == 3
    assert venue.venue is not None and venue.venue.title == "Chorsu"
    assert edited.message_id == first.message_id and edited.text == "Tahrir"  # type: ignore[union-attr]

    assert photo.caption == "Rasm" and photo.photo
    sent = await standins.wait_sent_async("telegram", 4)
    assert [c.method for c in sent] == ["sendMessage", "sendMessage", "sendVenue", "sendPhoto"]
    # a file upload is multipart; the file lands where aiogram's "attach://<key>" pointed
    assert sent[3].params == {
        "chat_id": "42",
        "caption": "Rasm",
        "photo": {"filename": "a.jpg", "content_type": "application/octet-stream", "size": 4},
    }
    assert sent[0].params["chat_id"] == "42"  # aiogram sends every scalar as form text
    assert sent[0].params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Toshkent", "callback_data": "city:tas"}]]
    }
    failed = [c for c in standins.calls("telegram") if not c.ok]
    assert [(c.method, c.status) for c in failed] == [("sendMessage", 429), ("sendLocation", 403)]


async def test_aiogram_unknown_token_is_unauthorized(standins: StandIns) -> None:
    bot = Bot(
        "999:WRONG",
        session=AiohttpSession(api=TelegramAPIServer.from_base(standins.telegram_base)),
    )
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await bot.get_me()
    finally:
        await bot.session.close()
    assert [c.status for c in standins.calls("telegram")] == [401]


def test_get_updates_long_polls_for_queued_updates(standins: StandIns) -> None:
    url = f"{standins.telegram_base}/bot{TELEGRAM_TOKEN}/getUpdates"
    message = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 7, "type": "private"},
        "text": "/start",
    }
    threading.Timer(0.3, lambda: standins.queue_telegram_update({"message": message})).start()
    started = time.monotonic()
    first = httpx.post(url, data={"timeout": "10"}).json()
    assert 0.2 < time.monotonic() - started < 2
    assert [u["update_id"] for u in first["result"]] == [1]

    standins.queue_telegram_update({"update_id": 5, "message": message})
    again = httpx.post(url, json={"offset": 2, "timeout": 0}).json()
    assert [u["update_id"] for u in again["result"]] == [5]
    started = time.monotonic()
    empty = httpx.get(url, params={"offset": 6, "timeout": 30}).json()
    assert empty == {"ok": True, "result": []}
    assert 1.9 < time.monotonic() - started < 3  # the wait is capped at 2 s


def test_twilio_client_create_and_errors(standins: StandIns) -> None:
    client = twilio_client(standins)
    message = client.messages.create(
        to="whatsapp:+998901234567",
        from_="whatsapp:+14155238886",
        body="Salom",
        persistent_action=["geo:41.3,69.24|Chorsu"],
        media_url=["https://example.com/a.jpg", "https://example.com/b.jpg"],
    )
    assert message.sid is not None and message.sid.startswith("SM") and len(message.sid) == 34
    assert message.status == "queued" and message.num_media == "2"
    assert message.date_created is not None

    standins.fail_next("twilio", status=429, retry_after=2)
    with pytest.raises(TwilioRestException) as limited:
        client.messages.create(to="+998901234567", from_="+15005550006", body="x")
    assert (limited.value.status, limited.value.code) == (429, 20429)

    standins.fail_next("twilio", status=400, code=63016)
    with pytest.raises(TwilioRestException) as window:
        client.messages.create(to="+998901234567", from_="+15005550006", body="x")
    assert window.value.code == 63016 and "allowed window" in window.value.msg

    bad = Client(TWILIO_ACCOUNT_SID, "wrong-token")
    bad.api.base_url = standins.twilio_base
    with pytest.raises(TwilioRestException) as denied:
        bad.messages.create(to="+998901234567", from_="+15005550006", body="x")
    assert (denied.value.status, denied.value.code) == (401, 20003)

    [sent] = standins.wait_sent("twilio", 1)
    assert sent.params["PersistentAction"] == ["geo:41.3,69.24|Chorsu"]
    assert sent.params["MediaUrl"] == ["https://example.com/a.jpg", "https://example.com/b.jpg"]
    assert [c.status for c in standins.calls("twilio")] == [201, 429, 400, 401]


async def test_twilio_async_client(standins: StandIns) -> None:
    http_client = AsyncTwilioHttpClient()
    client = twilio_client(standins, http_client=http_client)
    try:
        message = await client.messages.create_async(
            to="whatsapp:+998901234567",
            from_="whatsapp:+14155238886",
            content_sid="HX" + "1" * 32,
            content_variables='{"1": "Toshkent"}',
            persistent_action=["geo:41.3,69.24|Chorsu", "geo:41.0,69.0|B"],
        )
        standins.fail_next("twilio", status=500)
        with pytest.raises(TwilioRestException) as failed:
            await client.messages.create_async(to="+998901234567", body="x")
    finally:
        await http_client.close()
    assert message.status == "queued"
    assert failed.value.code == 20500
    [sent] = standins.sent("twilio")
    assert sent.params["ContentVariables"] == '{"1": "Toshkent"}'  # Twilio params stay wire text
    assert sent.params["PersistentAction"] == ["geo:41.3,69.24|Chorsu", "geo:41.0,69.0|B"]


def test_twilio_retry_after_header(standins: StandIns) -> None:
    standins.fail_next("twilio", status=429, retry_after=7)
    response = httpx.post(
        f"{standins.twilio_base}/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/Messages.json",
        data={"To": "+998901234567", "Body": "x"},
        auth=(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN),
    )
    assert response.status_code == 429 and response.headers["Retry-After"] == "7"
    assert response.json() == {
        "code": 20429,
        "message": "Too Many Requests",
        "more_info": "https://www.twilio.com/docs/errors/20429",
        "status": 429,
    }


def test_viber(standins: StandIns) -> None:
    headers = {"X-Viber-Auth-Token": VIBER_TOKEN}
    message = {
        "receiver": "01234567890A=",
        "type": "text",
        "text": "Salom",
        "sender": {"name": "Musofir"},
    }
    send = f"{standins.viber_base}/send_message"
    ok = httpx.post(send, json=message, headers=headers).json()
    assert ok["status"] == 0 and ok["status_message"] == "ok"
    assert isinstance(ok["message_token"], int) and ok["chat_hostname"] == "SN-CHAT-01_"

    wrong = httpx.post(send, json=message, headers={"X-Viber-Auth-Token": "nope"})
    assert wrong.status_code == 200
    assert wrong.json() == {"status": 2, "status_message": "invalidAuthToken"}

    standins.fail_next("viber", status=200, code=6, method="send_message")
    assert httpx.post(send, json=message, headers=headers).json() == {
        "status": 6,
        "status_message": "notSubscribed",
    }
    standins.fail_next("viber", status=502)
    assert httpx.post(send, json=message, headers=headers).status_code == 502

    hook = httpx.post(
        f"{standins.viber_base}/set_webhook",
        json={"url": "https://example.com/viber", "event_types": ["delivered"]},
        headers=headers,
    ).json()
    assert hook == {"status": 0, "status_message": "ok", "event_types": ["delivered"]}
    info = httpx.post(f"{standins.viber_base}/get_account_info", json={}, headers=headers).json()
    assert info["status"] == 0 and info["webhook"] == "https://example.com/viber"

    [sent] = standins.sent("viber")
    assert sent.params["text"] == "Salom"
    statuses = [(c.method, c.status, c.ok) for c in standins.calls("viber", "send_message")]
    assert statuses == [
        ("send_message", 200, True),
        ("send_message", 200, False),
        ("send_message", 200, False),
        ("send_message", 502, False),
    ]


def test_slow_next_and_wait_for(standins: StandIns) -> None:
    standins.slow_next("viber", 0.5, method="send_message")
    headers = {"X-Viber-Auth-Token": VIBER_TOKEN}
    body = {"receiver": "r", "type": "text", "text": "t", "sender": {"name": "M"}}
    started = time.monotonic()
    with httpx.Client() as http:
        http.post(f"{standins.viber_base}/get_account_info", json={}, headers=headers)
        assert time.monotonic() - started < 0.4  # another method is not slowed
        http.post(f"{standins.viber_base}/send_message", json=body, headers=headers)
    assert time.monotonic() - started >= 0.5
    assert standins.calls("viber")[-1].at >= started + 0.5

    with pytest.raises(AssertionError, match="send_message 200"):
        standins.wait_sent("viber", 2, timeout=0.2)
