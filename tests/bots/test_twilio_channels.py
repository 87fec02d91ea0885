"""WhatsApp and SMS conversations through Twilio's signed webhooks, against the API stand-in."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from musofir.bots.twilio.segments import segment_count
from utils.live import LiveServer, run_server
from utils.platforms import channel_settings, post_twilio, twilio_form
from utils.standins import StandIns

from musofir.settings import Settings

WA = "/webhooks/whatsapp"
SMS = "/webhooks/sms"


def exchange(
    client: httpx.Client, stand: StandIns, path: str, sender: str, count: int = 1, **form: str
) -> list[dict[str, Any]]:
    response = post_twilio(client, path, twilio_form(sender, **form))
    assert response.status_code == 200, response.text
    assert "<Response>" in response.text
    sent = stand.wait_sent("twilio", count)
    stand.clear()
    return [c.params for c in sent]


def test_a_whole_whatsapp_conversation(client: httpx.Client, stand: StandIns) -> None:
    me = "whatsapp:+79990000101"
    menu = exchange(client, stand, WA, me, body="Salom")
    assert "Tilni tanlang" in menu[0]["Body"] and "2. O‘zbekcha" in menu[0]["Body"]
    assert menu[0]["To"] == me and menu[0]["From"] == "whatsapp:+14155238886"
    assert menu[0]["StatusCallback"].endswith("/webhooks/twilio/status")

    chosen = exchange(client, stand, WA, me, body="1")  # the number of "Русский"
    assert "Главное меню" in chosen[-1]["Body"] and "\n1. " in chosen[-1]["Body"]

    answer = exchange(client, stand, WA, me, body="kak poluchit patent")
    assert any("патент" in p["Body"].lower() for p in answer)
    assert all(len(p["Body"]) <= 1600 for p in answer)

    pressed = exchange(client, stand, WA, me, body="", ButtonPayload="services")
    assert "1. ⚖" in pressed[-1]["Body"]
    exchange(client, stand, WA, me, body="", ButtonPayload="svc:legal_aid")
    shared = exchange(client, stand, WA, me, 2, body="", Latitude="55.7558", Longitude="37.6173")
    places = [p for p in shared if p.get("PersistentAction")]
    assert places and places[0]["PersistentAction"][0].startswith("geo:55.")

    specialist = exchange(client, stand, WA, me, body="", ButtonPayload="specialist")
    assert specialist[-1]["Body"]


def test_sms_answers_fit_three_segments_and_more_gives_the_rest(
    client: httpx.Client, stand: StandIns
) -> None:
    me = "+79990000202"
    exchange(client, stand, SMS, me, body="hello")
    exchange(client, stand, SMS, me, body="1")  # Русский: one text for the whole turn
    first = exchange(client, stand, SMS, me, body="как получить патент")[0]["Body"]
    assert segment_count(first) <= 3
    assert first.rstrip().endswith("ЕЩЁ, чтобы получить продолжение.")
    rest = exchange(client, stand, SMS, me, body="ещё")[0]["Body"]
    assert segment_count(rest) <= 3 and rest.split()[0] not in first.split()[-12:-8]
    assert "патент" in (first + rest).lower() or "Патент" in first + rest


def test_a_wrong_signature_is_refused_and_nothing_is_sent(
    client: httpx.Client, stand: StandIns
) -> None:
    form = twilio_form("whatsapp:+79990000303", "hello")
    assert post_twilio(client, WA, form, token="not-the-token").status_code == 403
    assert client.post(WA, data=form).status_code == 403
    assert stand.calls("twilio") == []


def test_outside_the_window_is_recorded_not_retried(
    client: httpx.Client, stand: StandIns, channel_server: LiveServer
) -> None:
    me = "whatsapp:+79990000404"
    exchange(client, stand, WA, me, body="hi")
    exchange(client, stand, WA, me, body="7")  # English
    stand.fail_next("twilio", status=400, code=63016, times=5)
    response = post_twilio(client, WA, twilio_form(me, "how do I get a patent"))
    assert response.status_code == 200
    stand.wait_for(lambda calls: len(calls) >= 1)
    key = channel_server.runtime.engine.user_key_for("whatsapp", me)
    people = channel_server.runtime.storage.people
    deadline_calls = stand.calls("twilio")
    assert len(deadline_calls) == 1 and deadline_calls[0].status == 400
    assert people.unreachable_reason(key) == "whatsapp_window"


def test_a_status_callback_with_63016_marks_the_person(
    client: httpx.Client, stand: StandIns, channel_server: LiveServer
) -> None:
    me = "whatsapp:+79990000505"
    exchange(client, stand, WA, me, body="hi")
    exchange(client, stand, WA, me, body="7")
    status = {
        "MessageSid": "SM" + "1" * 32,
        "MessageStatus": "failed",
        "ErrorCode": "63016",
        "To": me,
        "From": "whatsapp:+14155238886",
        "AccountSid": "AC" + "0" * 32,
        "ApiVersion": "2010-04-01",
    }
    assert post_twilio(client, "/webhooks/twilio/status", status).status_code == 204
    key = channel_server.runtime.engine.user_key_for("whatsapp", me)
    assert channel_server.runtime.storage.people.unreachable_reason(key) == "whatsapp_window"


def test_quick_replies_use_the_configured_content_template(
    stand: StandIns, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "twilio-content.yaml").write_text(
        "quick_reply:\n  2: HX" + "a" * 32 + "\n", encoding="utf-8"
    )
    env = channel_settings(stand.telegram_base, stand.twilio_base, stand.viber_base)
    for server in run_server(Settings.model_validate({"data_dir": data, **env})):
        with httpx.Client(base_url=server.url, timeout=30) as http:
            me = "whatsapp:+79990000606"
            exchange(http, stand, WA, me, body="hi")
            exchange(http, stand, WA, me, body="7")
            # "/forget" asks for a confirmation with two buttons: yes and no.
            asked = exchange(http, stand, WA, me, body="/forget")
            assert asked[-1]["ContentSid"] == "HX" + "a" * 32
            variables = json.loads(asked[-1]["ContentVariables"])
            assert variables["1"] and variables["3"] == "forget:yes" and "Body" not in asked[-1]


@pytest.mark.parametrize("form", [{"From": "whatsapp:+7999"}, {"MessageSid": "SM1"}])
def test_a_form_without_its_required_fields_is_a_400(
    client: httpx.Client, stand: StandIns, form: dict[str, str]
) -> None:
    response = post_twilio(client, WA, form)
    assert response.status_code == 400 and "required" in response.json()["detail"]


def test_a_push_outside_the_24_hour_window_sends_only_the_template(
    stand: StandIns, tmp_path: Path
) -> None:
    from musofir.bots.delivery.push import PushResult
    from musofir.dialogs import Outbound

    data = tmp_path / "data"
    data.mkdir()
    (data / "twilio-content.yaml").write_text("reengage: HX" + "b" * 32 + "\n", encoding="utf-8")
    env = channel_settings(stand.telegram_base, stand.twilio_base, stand.viber_base)
    for server in run_server(Settings.model_validate({"data_dir": data, **env})):
        with httpx.Client(base_url=server.url, timeout=30) as http:
            me, other = "whatsapp:+79990000711", "whatsapp:+79990000712"
            for person in (me, other):
                exchange(http, stand, WA, person, body="hi")
                exchange(http, stand, WA, person, body="7")
        reply = [Outbound(text="A lawyer answered your question.", language="en")]

        assert push_after(server, me, 2, reply) is PushResult.SENT
        assert stand.wait_sent("twilio", 1)[0].params["Body"] == reply[0].text
        stand.clear()
        assert push_after(server, other, 25, reply) is PushResult.TEMPLATE
        sent = stand.wait_sent("twilio", 1)[0].params
        assert sent["ContentSid"] == "HX" + "b" * 32 and "Body" not in sent


def push_after(server: LiveServer, person: str, hours_ago: float, replies: list[Any]) -> Any:
    """Push to a WhatsApp person as if they last wrote ``hours_ago`` hours ago."""
    runtime = server.runtime

    async def run() -> Any:
        key = runtime.engine.user_key_for("whatsapp", person)
        conversation = await runtime.store.load(key)
        conversation.last_inbound_at = time.time() - hours_ago * 3600
        await runtime.store.save(key, conversation)
        return await runtime.pusher.push(key, replies)

    return asyncio.run_coroutine_threadsafe(run(), server.loop).result(timeout=30)


def test_without_a_template_nothing_goes_and_the_reason_is_recorded(
    client: httpx.Client, stand: StandIns, channel_server: LiveServer
) -> None:
    from musofir.bots.delivery.push import PushResult
    from musofir.dialogs import Outbound

    me = "whatsapp:+79990000713"
    exchange(client, stand, WA, me, body="hi")
    exchange(client, stand, WA, me, body="7")
    runtime = channel_server.runtime
    key = runtime.engine.user_key_for("whatsapp", me)
    result = push_after(channel_server, me, 30, [Outbound(text="An alert.", language="en")])
    assert result is PushResult.UNREACHABLE
    assert stand.calls("twilio") == []
    assert runtime.storage.people.unreachable_reason(key) == "whatsapp_window"
