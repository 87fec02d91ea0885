"""The web chat's HTTP side as the page uses it: session, messages, history, live stream."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import httpx
import pytest
from musofir.dialogs import Outbound
from utils.live import LiveServer


def new_id() -> str:
    return uuid.uuid4().hex


def post(client: httpx.Client, **body: Any) -> httpx.Response:
    return client.post("/chat/api/messages", json={"id": new_id(), **body})


def bot_texts(client: httpx.Client) -> list[str]:
    events = client.get("/chat/api/history").json()["events"]
    return [e["message"]["text"] for e in events if e["role"] == "bot"]


def read_sse(
    client: httpx.Client, params: dict[str, str], headers: dict[str, str], count: int
) -> list[dict[str, Any]]:
    """Read ``count`` message events from the stream (then hang up)."""
    found: list[dict[str, Any]] = []
    with client.stream(
        "GET", "/chat/api/events", params=params, headers=headers, timeout=20
    ) as stream:
        event_id = None
        for line in stream.iter_lines():
            if line.startswith("id:"):
                event_id = line[3:].strip()
            elif line.startswith("data:"):
                data = json.loads(line[5:].strip())
                assert data["id"] == event_id
                found.append(data)
                if len(found) == count:
                    break
    return found


def test_a_new_visitor_gets_a_cookie_and_the_language_menu(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url) as client:
        session = client.get("/chat/api/session")
        assert session.status_code == 200
        cookie = session.headers["set-cookie"]
        assert (
            "musofir_chat=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
        )
        assert session.json()["language"] is None
        events = client.get("/chat/api/history").json()["events"]
        assert len(events) == 1 and events[0]["role"] == "bot"
        assert [b["payload"] for b in events[0]["message"]["buttons"]][:2] == [
            "lang:ru",
            "lang:uz",
        ]
        client.get("/chat/api/session")  # a reload does not greet again
        assert len(client.get("/chat/api/history").json()["events"]) == 1


def test_a_conversation_is_kept_for_a_reload_and_a_retry_is_not_duplicated(
    live_server: LiveServer,
) -> None:
    with httpx.Client(base_url=live_server.url) as client:
        client.get("/chat/api/session")
        assert post(client, payload="lang:ru", title="Русский").status_code == 202
        retry = {"id": new_id(), "text": "как оплатить патент"}
        assert client.post("/chat/api/messages", json=retry).status_code == 202
        assert client.post("/chat/api/messages", json=retry).status_code == 202  # network retry
        events = client.get("/chat/api/history").json()["events"]
        users = [e["message"] for e in events if e["role"] == "user"]
        assert users == [
            {"payload": "lang:ru", "title": "Русский"},
            {"text": "как оплатить патент"},
        ]
        answer = [e for e in events if e["role"] == "bot"][-1]["message"]
        assert answer["buttons"][0]["payload"] == "helpful:patent.payment"
        assert answer["language"] == "ru"
        assert client.get("/chat/api/session").json()["language"] == "ru"

    with httpx.Client(base_url=live_server.url) as stranger:
        stranger.get("/chat/api/session")
        assert len(stranger.get("/chat/api/history").json()["events"]) == 1  # their own only


def test_the_stream_resumes_after_the_last_event_and_brings_server_messages(
    live_server: LiveServer,
) -> None:
    with httpx.Client(base_url=live_server.url) as client:
        client.get("/chat/api/session")
        post(client, payload="lang:en", title="English")
        history = client.get("/chat/api/history").json()["events"]
        last = history[-1]["id"]
        session = client.cookies["musofir_chat"]

        pushed = threading.Timer(
            0.5,
            lambda: live_server.push(session, Outbound(text="A lawyer replied: hello")),
        )
        pushed.start()
        events = read_sse(client, {"after": last}, {}, 1)
        assert events[0]["message"]["text"] == "A lawyer replied: hello"

        post(client, text="menu")
        # EventSource reconnects with Last-Event-ID: only what came after it.
        resumed = read_sse(client, {}, {"Last-Event-ID": events[0]["id"]}, 2)
        assert [e["role"] for e in resumed] == ["user", "bot"]
        assert resumed[0]["message"] == {"text": "menu"}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"id": "short", "text": "hi"}, "id"),
        ({"id": "a" * 20}, "exactly one of text, payload or location"),
        ({"id": "a" * 20, "text": "hi", "payload": "menu"}, "exactly one"),
        ({"id": "a" * 20, "location": {"latitude": 95, "longitude": 10}}, "latitude"),
        ({"id": "a" * 20, "text": "x" * 20_001}, "text"),
        ({"id": "a" * 20, "text": "hi", "admin": True}, "admin"),
    ],
)
def test_malformed_messages_get_a_4xx_with_a_reason(
    demo_server: LiveServer, body: dict[str, Any], reason: str
) -> None:
    with httpx.Client(base_url=demo_server.url) as client:
        client.get("/chat/api/session")
        before = client.get("/chat/api/history").json()["events"]
        response = client.post("/chat/api/messages", json=body)
        assert response.status_code == 422
        assert reason in json.dumps(response.json()["detail"])
        assert client.get("/chat/api/history").json()["events"] == before


def test_not_json_is_refused(demo_server: LiveServer) -> None:
    with httpx.Client(base_url=demo_server.url) as client:
        response = client.post(
            "/chat/api/messages",
            content=b"{not json",
            headers={"content-type": "application/json"},
        )
        assert response.status_code == 422
        assert "JSON" in response.text or "json" in response.text


def test_a_10000_character_message_is_answered(demo_server: LiveServer) -> None:
    with httpx.Client(base_url=demo_server.url) as client:
        client.get("/chat/api/session")
        post(client, payload="lang:ru")
        assert post(client, text="патент " * 1430).status_code == 202
        assert bot_texts(client)[-1]


def test_forget_also_erases_the_web_conversation(demo_server: LiveServer) -> None:
    with httpx.Client(base_url=demo_server.url) as client:
        client.get("/chat/api/session")
        post(client, payload="lang:en")
        post(client, text="how do i pay for my patent")
        post(client, text="/forget")
        post(client, payload="forget:yes")
        events = client.get("/chat/api/history").json()["events"]
        assert len(events) == 1
        assert "patent" not in json.dumps(events)


@pytest.mark.parametrize(("lang", "placeholder"), [("uz", "savol"), ("ru", "вопрос"), ("hy", "")])
def test_page_strings_come_from_the_catalogs(
    demo_server: LiveServer, lang: str, placeholder: str
) -> None:
    with httpx.Client(base_url=demo_server.url) as client:
        strings = client.get("/chat/api/strings", params={"lang": lang}).json()
        catalogs = demo_server.runtime.engine.services.catalogs
        assert strings["web.placeholder"] == catalogs.text(lang, "web.placeholder")
        assert placeholder.casefold() in strings["web.placeholder"].casefold()
        assert set(strings) >= {
            "web.title",
            "web.send",
            "web.share_location",
            "web.location_denied",
        }
