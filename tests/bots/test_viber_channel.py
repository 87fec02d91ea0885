"""A Viber conversation through the signed webhook, against the REST bot API stand-in."""

from __future__ import annotations

from typing import Any

import httpx
from utils.live import LiveServer
from utils.platforms import post_viber, viber_message, viber_started
from utils.standins import StandIns


def say(
    client: httpx.Client, stand: StandIns, user: str, message: dict[str, Any], count: int = 1
) -> list[dict[str, Any]]:
    response = post_viber(client, viber_message(user, message))
    assert response.status_code == 200, response.text
    sent = [c.params for c in stand.wait_sent("viber", count)]
    stand.clear()
    return sent


def actions(message: dict[str, Any]) -> list[str]:
    return [b["ActionBody"] for b in message.get("keyboard", {}).get("Buttons", [])]


def test_a_whole_conversation(client: httpx.Client, stand: StandIns) -> None:
    me = "viber-user-1=="
    welcome = post_viber(client, viber_started(me))
    assert welcome.status_code == 200
    body = welcome.json()
    assert body["type"] == "text" and "receiver" not in body and body["sender"]["name"]
    assert "#musofir:lang:ky" in actions(body)
    assert stand.calls("viber") == []  # the welcome rides in the response, nothing else

    chosen = say(client, stand, me, {"type": "text", "text": "#musofir:lang:ky"})
    assert all(m["receiver"] == me and m["sender"]["name"] == "Musofir" for m in chosen)
    assert "#musofir:specialist" in actions(chosen[-1])

    answer = say(client, stand, me, {"type": "text", "text": "патент кантип алам"}, 1)
    assert answer[-1]["text"] and all(len(m["text"]) <= 7000 for m in answer)

    say(client, stand, me, {"type": "text", "text": "#musofir:services"})
    ask = say(client, stand, me, {"type": "text", "text": "#musofir:svc:legal_aid"})
    picker = [b for b in ask[-1]["keyboard"]["Buttons"] if b["ActionType"] == "location-picker"]
    assert picker and ask[-1]["min_api_version"] >= 3

    cards = say(
        client, stand, me, {"type": "location", "location": {"lat": 55.7558, "lon": 37.6173}}, 3
    )
    places = [m for m in cards if m["type"] == "location"]
    assert places and abs(places[0]["location"]["lat"] - 55.7) < 1

    specialist = say(client, stand, me, {"type": "text", "text": "#musofir:specialist"})
    assert specialist[-1]["text"]


def test_unsubscribed_stops_messages_and_a_new_message_resumes(
    client: httpx.Client, stand: StandIns, channel_server: LiveServer
) -> None:
    me = "viber-user-2=="
    post_viber(client, viber_started(me))
    say(client, stand, me, {"type": "text", "text": "#musofir:lang:en"})
    gone = {"event": "unsubscribed", "timestamp": 1, "user_id": me, "message_token": 99}
    assert post_viber(client, gone).status_code == 200
    key = channel_server.runtime.engine.user_key_for("viber", me)
    people = channel_server.runtime.storage.people
    assert people.unreachable_reason(key) == "viber_unsubscribed"
    say(client, stand, me, {"type": "text", "text": "menu"})
    assert people.unreachable_reason(key) is None


def test_not_subscribed_from_the_api_is_recorded_once(
    client: httpx.Client, stand: StandIns, channel_server: LiveServer
) -> None:
    me = "viber-user-3=="
    post_viber(client, viber_started(me))
    say(client, stand, me, {"type": "text", "text": "#musofir:lang:en"})
    stand.fail_next("viber", status=200, code=6, description="notSubscribed", times=3)
    response = post_viber(client, viber_message(me, {"type": "text", "text": "menu"}))
    assert response.status_code == 200
    assert len(stand.calls("viber")) == 1
    key = channel_server.runtime.engine.user_key_for("viber", me)
    assert channel_server.runtime.storage.people.unreachable_reason(key) == "viber_unsubscribed"


def test_signatures_and_status_events(client: httpx.Client, stand: StandIns) -> None:
    event = {"event": "delivered", "timestamp": 1, "message_token": 5, "user_id": "x"}
    assert post_viber(client, event).status_code == 200
    assert post_viber(client, event, token="wrong").status_code == 403
    assert client.post("/webhooks/viber", json=event).status_code == 403
    odd = {"event": "something_new", "timestamp": 1}
    assert post_viber(client, odd).status_code == 200
    broken = {"event": "message", "timestamp": 1, "message_token": 6}
    assert post_viber(client, broken).status_code == 400
    assert stand.calls("viber") == []
