"""The console's doors over real HTTP: sign-in, cookies, CSRF, throttling and the role firewall."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from musofir.dialogs import Inbound
from musofir.storage.models import ConsoleSession, StaffRole
from musofir.storage.staff import add_staff
from sqlmodel import Session, select
from utils.live import LiveServer, run_server

from musofir.settings import Settings

PASSWORD = "correct horse battery"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    settings = Settings(data_dir=tmp_path / "data", hours_lawyer="24/7")
    for live in run_server(settings, memory_state=True):
        for name, role in (("lawyer", StaffRole.LAWYER), ("doctor", StaffRole.DOCTOR)):
            add_staff(
                live.runtime.storage.engine, username=name, display_name=name.title(),
                role=role, password=PASSWORD,
            )  # fmt: skip
        yield live


def login(http: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    page = http.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "the login form carries a CSRF token"
    return http.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
    )


def csrf_of(http: httpx.Client) -> str:
    page = http.get("/console")
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert found
    return found.group(1)


def open_legal_case(server: LiveServer) -> int:
    engine = server.runtime.engine

    async def talk() -> None:
        for n, text in enumerate(["/start", "", "юрист", "Не платят зарплату"]):
            payload = "lang:ru" if n == 1 else None
            await engine.handle(
                Inbound("webchat", "s1", "s1", f"m{n}", text, button_payload=payload)
            )

    asyncio.run_coroutine_threadsafe(talk(), server.loop).result(timeout=30)
    cases = server.runtime.hub.cases.queue(("lawyer",))
    return cases[0].id


def test_an_unauthenticated_visit_goes_to_the_login_page(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as http:
        for path in ("/console", "/console/cases/1", "/console/visits", "/console/admin"):
            response = http.get(path)
            assert response.status_code == 303 and response.headers["location"] == "/console/login"
        assert http.get("/console/api/queue").status_code == 401


def test_sign_in_sets_a_strict_http_only_cookie_and_stores_only_its_hash(
    server: LiveServer,
) -> None:
    with httpx.Client(base_url=server.url) as http:
        response = login(http, "lawyer")
        assert response.status_code == 303 and response.headers["location"] == "/console"
        cookie = next(
            h for h in response.headers.get_list("set-cookie") if "musofir_console=" in h
        )
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
        token = cookie.split("musofir_console=")[1].split(";")[0]
        with Session(server.runtime.storage.engine) as session:
            stored = [s.token_hash for s in session.exec(select(ConsoleSession)).all()]
        assert token not in stored and len(stored) == 1
        assert http.get("/console").status_code == 200


def test_failed_logins_are_throttled_even_for_the_right_password(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as http:
        for _ in range(5):
            assert login(http, "lawyer", "wrong password!").status_code == 401
        blocked = login(http, "lawyer")
        assert blocked.status_code == 429 and "Try again in" in blocked.text
    failures = [e for e in server.runtime.hub.audit.recent() if e.action == "login_failed"]
    assert len(failures) == 5 and all("wrong" not in e.detail for e in failures)


def test_a_post_without_the_csrf_token_is_refused(server: LiveServer) -> None:
    case_id = open_legal_case(server)
    with httpx.Client(base_url=server.url) as http:
        login(http, "lawyer")
        token = csrf_of(http)
        url = f"/console/api/cases/{case_id}/reply"
        refused = http.post(url, json={"text": "hello"})
        assert refused.status_code == 403 and "security token" in refused.json()["detail"]
        wrong = http.post(url, json={"text": "hello"}, headers={"X-CSRF-Token": "x" * 32})
        assert wrong.status_code == 403
        form = http.post("/console/logout", data={"csrf_token": ""})
        assert form.status_code == 403
        assert http.get("/console").status_code == 200  # still signed in
        sent = http.post(url, json={"text": "hello"}, headers={"X-CSRF-Token": token})
        assert sent.status_code == 200 and sent.json() == {"delivery": "sent"}
    texts = [m.text for m in server.runtime.hub.cases.detail(case_id).messages]  # type: ignore[union-attr]
    assert texts.count("hello") == 1


def test_the_login_form_without_its_token_is_refused(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as http:
        response = http.post("/console/login", data={"username": "lawyer", "password": PASSWORD})
        assert response.status_code == 403


def test_a_doctor_cannot_open_a_legal_case_by_its_url(server: LiveServer) -> None:
    case_id = open_legal_case(server)
    with httpx.Client(base_url=server.url) as http:
        login(http, "doctor")
        page = http.get(f"/console/cases/{case_id}")
        assert page.status_code == 403 and "Не платят" not in page.text
        api = http.get(f"/console/api/cases/{case_id}")
        assert api.status_code == 403 and "Не платят" not in api.text
        assert http.get("/console/api/queue").json()["cases"] == []
        token = csrf_of(http)
        reply = http.post(
            f"/console/api/cases/{case_id}/reply", json={"text": "x"},
            headers={"X-CSRF-Token": token},
        )  # fmt: skip
        assert reply.status_code == 403
    denied = [(e.staff, e.action, e.case_id) for e in server.runtime.hub.audit.recent()]
    assert ("doctor", "denied", case_id) in denied


def test_the_queue_shows_a_pseudonym_and_never_the_messenger_id(server: LiveServer) -> None:
    case_id = open_legal_case(server)
    with httpx.Client(base_url=server.url) as http:
        login(http, "lawyer")
        queue = http.get("/console/api/queue").json()
        detail = http.get(f"/console/api/cases/{case_id}").text
    (row,) = queue["cases"]
    assert row["pseudonym"].startswith("Guest-") and row["channel"] == "webchat"
    key = server.runtime.engine.user_key_for("webchat", "s1")
    for shown in (str(queue), detail):
        assert "s1" not in re.findall(r'"(s1)"', shown) and key not in shown
