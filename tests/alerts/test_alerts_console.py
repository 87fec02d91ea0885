"""The console's alerts page in a real Chromium, and its API's doors over plain HTTP.

The server is the one-process kind (SQLite, in-memory state), which sends due alerts itself
every couple of seconds. So every alert made here is scheduled for tomorrow, centre time: it
stays ``scheduled`` for as long as a test looks at it, whatever the machine's speed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from musofir.alerts.book import AlertBook
from musofir.bots.twilio.segments import segment_count
from musofir.storage.models import Alert, StaffRole
from musofir.storage.staff import add_staff
from playwright.sync_api import Browser, Dialog, Locator, Page, expect
from sqlmodel import Session, select
from utils.live import LiveServer, run_server
from utils.recipients import Recipient, add_subscribers

from musofir.settings import Settings

PASSWORD = "correct horse battery"
WAIT = 10_000  # ms: the page's debounced counts and list polls take well under a second or two
RU = (
    "С 1 января меняются правила оформления патента: приходите в центр, "
    "юрист объяснит, что делать."
)  # Cyrillic goes as UCS-2: 94 characters are 2 SMS segments (67 each)
UZ = "1-yanvardan patent olish qoidalari o'zgaradi: markazga keling, yurist tushuntiradi."
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


# The server --------------------------------------------------------------------------------------


def serve(tmp_path: Path, *, approval: bool) -> Iterator[LiveServer]:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=None,
        redis_url=None,
        hours_lawyer="24/7",
        alerts_approval=approval,
    )
    for live in run_server(settings, memory_state=True):
        engine = live.runtime.storage.engine
        for name, role in (
            ("aziza", StaffRole.STAFF),
            ("bekzod", StaffRole.STAFF),
            ("lawyer", StaffRole.LAWYER),
        ):
            add_staff(
                engine, username=name, display_name=name.title(), role=role, password=PASSWORD
            )
        # 7 people want news about the law, 3 about health only.
        people = [Recipient("telegram", str(7_000_000 + n), "ru", "law") for n in range(5)]
        people += [Recipient("viber", f"law-{n}==", "uz", "law,health") for n in range(2)]
        people += [Recipient("telegram", str(8_000_000 + n), "tg", "health") for n in range(3)]
        add_subscribers(live.runtime.storage, people)
        yield live


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    yield from serve(tmp_path, approval=False)


@pytest.fixture
def approval_server(tmp_path: Path) -> Iterator[LiveServer]:
    yield from serve(tmp_path, approval=True)


def tomorrow(live: LiveServer) -> tuple[str, datetime]:
    """Tomorrow 10:00 on the centre's clock: as a datetime-local input takes it, and as a time."""
    zone = ZoneInfo(live.runtime.settings.centre_timezone)
    moment = (datetime.now(zone) + timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    return moment.strftime("%Y-%m-%dT%H:%M"), moment


def stored(live: LiveServer, alert_id: int) -> Alert:
    alert = AlertBook(live.runtime.storage.engine).get(alert_id)
    assert alert is not None
    return alert


def all_alerts(live: LiveServer) -> list[Alert]:
    with Session(live.runtime.storage.engine) as session:
        return list(session.exec(select(Alert)).all())


# The browser -------------------------------------------------------------------------------------


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/console/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(page).to_have_url(f"{url}/console/visits")  # where staff land


def open_alerts(page: Page, url: str) -> None:
    page.goto(f"{url}/console/alerts")
    expect(page.locator("#alerts-page")).to_have_attribute("data-loaded", "true", timeout=WAIT)


def compose(page: Page, when: str, *, ru: str, uz: str = "", topic: str | None = None) -> None:
    page.fill("#text-ru", ru)
    if uz:
        page.fill("#text-uz", uz)
    if topic:
        page.check(f'input[name="topics"][value="{topic}"]')
    page.check('input[name="when"][value="at"]')
    page.fill("#send-at", when)


def submit(page: Page) -> Locator:
    """Send the form; the new alert's row in the list."""
    with page.expect_response(
        lambda r: r.url.endswith("/console/api/alerts") and r.request.method == "POST"
    ) as created:
        page.click("#alert-submit")
    assert created.value.status == 200, created.value.text()
    alert_id = created.value.json()["id"]
    row = page.locator(f'.alert-row[data-alert-id="{alert_id}"]')
    expect(row).to_be_visible(timeout=WAIT)
    return row


def alert_id_of(row: Locator) -> int:
    return int(row.get_attribute("data-alert-id") or 0)


# Tests -------------------------------------------------------------------------------------------


def test_staff_compose_count_preview_schedule_and_cancel_an_alert(
    server: LiveServer, page: Page
) -> None:
    when, moment = tomorrow(server)
    sign_in(page, server.url, "aziza")
    open_alerts(page, server.url)
    count = page.locator("#audience-count")
    expect(count).to_have_text("10 people", timeout=WAIT)  # nothing ticked: every subscriber
    expect(page.locator("#alerts-empty")).to_be_visible()

    compose(page, when, ru=RU, uz=UZ, topic="law")
    expect(count).to_have_text("7 people", timeout=WAIT)
    expect(count).to_have_attribute("data-count", "7")

    # The preview follows the text being edited: back to the Russian one.
    page.focus("#text-ru")
    expect(page.locator("#preview-language")).to_have_text("Russian (ru)")
    segments = segment_count(RU)
    assert segments == 2
    sms = page.locator("#preview-sms-meta")
    expect(sms).to_have_text(f"{segments} segments, UCS-2", timeout=WAIT)
    expect(sms).to_have_attribute("data-segments", str(segments))
    expect(page.locator("#preview-telegram .preview-text")).to_have_text(RU)

    row = submit(page)
    status = row.locator(".alert-status")
    expect(status).to_have_text("scheduled")
    expect(row.locator(".alert-text")).to_have_text(RU)
    expect(row.locator(".count-sent .count-value")).to_have_text("0")
    expect(row.locator(".alert-by")).to_have_text("aziza")
    expect(row.locator(".alert-audience")).to_contain_text("about 7 people")
    expect(page.locator("#status")).to_contain_text("scheduled at")
    expect(page.locator("#text-ru")).to_have_value("")  # the form is ready for the next one

    alert_id = alert_id_of(row)
    alert = stored(server, alert_id)
    assert json.loads(alert.texts) == {"ru": RU, "uz": UZ}
    assert alert.topics == "law"
    assert (alert.languages, alert.regions, alert.channels) == ("", "", "")
    assert alert.status == "scheduled" and alert.created_by == "aziza"
    assert alert.send_at is not None and alert.send_at == moment

    row.locator(".cancel-alert").click()
    expect(status).to_have_text("cancelled", timeout=WAIT)
    expect(page.locator("#status")).to_contain_text(f"Alert #{alert_id} cancelled")
    expect(row.locator(".cancel-alert")).to_have_count(0)
    assert stored(server, alert_id).status == "cancelled"
    assert len(all_alerts(server)) == 1


def test_with_approval_on_a_second_staff_member_approves_not_the_author(
    approval_server: LiveServer, page: Page, browser: Browser
) -> None:
    live = approval_server
    when, _ = tomorrow(live)
    sign_in(page, live.url, "aziza")
    open_alerts(page, live.url)
    expect(page.locator("#approval-note")).to_be_visible()
    expect(page.locator("#alert-submit")).to_have_text("Submit for approval")

    compose(page, when, ru=RU, topic="law")
    row = submit(page)
    alert_id = alert_id_of(row)
    expect(row.locator(".alert-status")).to_have_text("awaiting_approval")
    expect(page.locator("#status")).to_contain_text("A second staff member must approve it")
    assert stored(live, alert_id).status == "awaiting_approval"

    # The author's button only looks inapplicable; a click asks the server, which says no.
    approve = row.locator(".approve-alert")
    expect(approve).to_have_attribute("data-applicable", "false")
    with page.expect_response(lambda r: r.url.endswith(f"/{alert_id}/approve")) as refused:
        approve.click()
    assert refused.value.status == 409
    expect(page.locator("#status")).to_have_text(
        "A second staff member must approve an alert, not its author", timeout=WAIT
    )
    expect(page.locator("#status")).to_have_class(re.compile(r"\bstatus-error\b"))
    expect(row.locator(".alert-status")).to_have_text("awaiting_approval")
    assert stored(live, alert_id).status == "awaiting_approval"

    colleague = browser.new_context()
    try:
        other = colleague.new_page()
        sign_in(other, live.url, "bekzod")
        open_alerts(other, live.url)
        theirs = other.locator(f'.alert-row[data-alert-id="{alert_id}"]')
        expect(theirs.locator(".alert-status")).to_have_text("awaiting_approval")
        expect(theirs.locator(".approve-alert")).not_to_have_attribute("data-applicable", "false")
        theirs.locator(".approve-alert").click()
        expect(theirs.locator(".alert-status")).to_have_text("scheduled", timeout=WAIT)
        expect(theirs.locator(".alert-approved-by")).to_have_text("bekzod")
        expect(other.locator("#status")).to_contain_text(f"Alert #{alert_id} approved")
    finally:
        colleague.close()

    alert = stored(live, alert_id)
    assert (alert.status, alert.created_by, alert.approved_by) == ("scheduled", "aziza", "bekzod")
    # The author's page catches up on its own (it polls while an alert is pending).
    expect(row.locator(".alert-status")).to_have_text("scheduled", timeout=WAIT)
    expect(row.locator(".approve-alert")).to_have_count(0)


def login(http: httpx.Client, username: str) -> None:
    form = http.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, "the login form carries a CSRF token"
    response = http.post(
        "/console/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def csrf_of(http: httpx.Client) -> str:
    home = http.get("/console", follow_redirects=True)  # staff land on the visits list
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', home.text)
    assert found
    return found.group(1)


def test_lawyers_cannot_reach_alerts_and_posts_need_the_csrf_token(server: LiveServer) -> None:
    when, moment = tomorrow(server)
    body = {"texts": {"ru": "Проверка"}, "topics": ["law"], "send_at": when}
    with httpx.Client(base_url=server.url, follow_redirects=True) as http:
        login(http, "lawyer")
        page = http.get("/console/alerts")
        assert page.status_code == 403 and "staff and admins" in page.text
        assert 'id="alert-form"' not in page.text
        assert http.get("/console/api/alerts").status_code == 403
        assert http.get("/console/api/alerts/audience?topics=law").status_code == 403
        token = csrf_of(http)
        refused = http.post("/console/api/alerts", json=body, headers={"X-CSRF-Token": token})
        assert refused.status_code == 403

    with httpx.Client(base_url=server.url) as http:
        login(http, "aziza")
        assert http.get("/console/alerts").status_code == 200
        missing = http.post("/console/api/alerts", json=body)
        assert missing.status_code == 403 and "security token" in missing.json()["detail"]
        wrong = http.post("/console/api/alerts", json=body, headers={"X-CSRF-Token": "x" * 32})
        assert wrong.status_code == 403
        assert all_alerts(server) == []

        made = http.post("/console/api/alerts", json=body, headers={"X-CSRF-Token": csrf_of(http)})
        assert made.status_code == 200, made.text
        result = made.json()
        assert result == {"id": result["id"], "audience": 7, "status": "scheduled"}
        alert = stored(server, result["id"])
        assert alert.send_at == moment and alert.created_by == "aziza"
        listed = http.get("/console/api/alerts").json()
        assert [a["id"] for a in listed["alerts"]] == [result["id"]]
        assert listed["approval"] is False


def test_a_hostile_alert_text_shows_literally(server: LiveServer, page: Page) -> None:
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    when, _ = tomorrow(server)
    sign_in(page, server.url, "aziza")
    open_alerts(page, server.url)
    compose(page, when, ru=HOSTILE)
    expect(page.locator("#preview-telegram .preview-text")).to_have_text(HOSTILE, timeout=WAIT)

    row = submit(page)
    expect(row.locator(".alert-text")).to_have_text(HOSTILE)
    alerts = page.locator("#alerts-list")
    expect(alerts.locator("script")).to_have_count(0)
    expect(alerts.locator("img")).to_have_count(0)
    expect(page.locator("#preview script, #preview img")).to_have_count(0)
    assert json.loads(stored(server, alert_id_of(row)).texts) == {"ru": HOSTILE}
    # A reload renders the list from the API afresh: still text, still no dialog.
    open_alerts(page, server.url)
    expect(page.locator(".alert-row .alert-text")).to_have_text(HOSTILE)
    expect(page.locator("#alerts-list script, #alerts-list img")).to_have_count(0)
    assert dialogs == []
