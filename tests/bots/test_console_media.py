"""A photo sent during a handoff opens in the console through the server, never by a raw link."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx
from aiogram.types import Chat, Message, PhotoSize, Update, User
from musofir.storage.models import StaffRole
from musofir.storage.staff import add_staff
from utils.live import LiveServer
from utils.platforms import post_telegram, tg_button, tg_message
from utils.standins import TELEGRAM_TOKEN, StandIns

PERSON = 424242
PASSWORD = "a long enough password"


def photo_update(user_id: int, file_id: str) -> dict[str, Any]:
    message = Message(
        message_id=99_001,
        date=datetime.now(UTC),
        chat=Chat(id=user_id, type="private"),
        from_user=User(id=user_id, is_bot=False, first_name="X", language_code="ru"),
        photo=[PhotoSize(file_id=file_id, file_unique_id="u1", width=90, height=90)],
    )
    update = Update(update_id=99_002, message=message)
    return update.model_dump(mode="json", by_alias=True, exclude_none=True)


def sign_in(http: httpx.Client, username: str) -> None:
    page = http.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    form = {"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    assert http.post("/console/login", data=form).status_code == 303


def test_a_photo_opens_through_the_server_and_only_for_the_cases_role(
    client: httpx.Client, stand: StandIns, channel_server: LiveServer
) -> None:
    runtime = channel_server.runtime
    for name, role in (("media-lawyer", StaffRole.LAWYER), ("media-doctor", StaffRole.DOCTOR)):
        add_staff(
            runtime.storage.engine, username=name, display_name=name, role=role,
            password=PASSWORD,
        )  # fmt: skip
    for update in (
        tg_message(PERSON, "/start"),
        tg_button(PERSON, "lang:ru"),
        tg_message(PERSON, "юрист"),
        tg_message(PERSON, "вот мой договор"),
        photo_update(PERSON, "photos/file_7.jpg"),
    ):
        assert post_telegram(client, update).status_code == 200
    case = next(c for c in runtime.hub.cases.queue(("lawyer",)) if c.summary == "вот мой договор")
    with httpx.Client(base_url=channel_server.url, timeout=30) as console:
        sign_in(console, "media-lawyer")
        messages = console.get(f"/console/api/cases/{case.id}").json()["messages"]
        photo = next(m for m in messages if m["media_kind"] == "photo")
        assert photo["media_link"] == f"/console/cases/{case.id}/media/{photo['id']}"
        assert TELEGRAM_TOKEN not in str(messages)
        opened = console.get(photo["media_link"])
        assert opened.status_code == 200
        assert opened.content == b"file photos/file_7.jpg"
        assert opened.headers["content-type"] == "image/jpeg"
        assert "sandbox" in opened.headers["content-security-policy"]
    with httpx.Client(base_url=channel_server.url, timeout=30) as console:
        sign_in(console, "media-doctor")
        assert console.get(photo["media_link"]).status_code == 403
    actions = [(e.staff, e.action) for e in runtime.hub.audit.recent()]
    assert ("media-lawyer", "media") in actions
