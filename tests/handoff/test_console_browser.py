"""The specialists' console in a real Chromium, with the person on Telegram (the stand-in).

Every person here talks through signed Telegram webhook posts, exactly as the platform sends
them; the specialist's side is the browser only. The last two tests run `musofir serve` in
separate OS processes on one Redis and PostgreSQL: in one, a process takes the webhook and
another serves the console page; in the other, the server is killed with SIGKILL while the person
is writing, and restarted.

Screenshots for a human (not asserted) go to /tmp/console-shots/.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from musofir.bots.delivery.receiver import ReceiverTimings
from musofir.storage.models import Case, CaseMessage, StaffRole
from musofir.storage.staff import add_staff
from playwright.sync_api import Browser, Dialog, Page, ViewportSize, expect
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import NullPool
from sqlmodel import Session, select
from utils.live import LiveServer, run_server
from utils.platforms import channel_settings, post_telegram, tg_button, tg_message
from utils.processes import serve_process
from utils.standins import StandIns

from musofir.settings import Settings

PASSWORD = "correct horse battery"
LIVE = 15_000  # ms: how long a live update may take to show (SSE, then a re-fetch)
SHOTS = Path("/tmp/console-shots")
LAPTOP: ViewportSize = {"width": 1280, "height": 800}
TABLET: ViewportSize = {"width": 820, "height": 1180}
FAST = ReceiverTimings(budget_seconds=4.0, sweep_seconds=0.2, retry_pause_seconds=0.5)


# Fixtures --------------------------------------------------------------------------------------


@pytest.fixture
def server(stand: StandIns, tmp_path: Path) -> Iterator[LiveServer]:
    """The app with Telegram on (against the stand-in), lawyers answering around the clock."""
    env = channel_settings(stand.telegram_base, stand.twilio_base, stand.viber_base)
    settings = Settings.model_validate(
        {"data_dir": tmp_path / "data", "hours_lawyer": "24/7", **env}
    )
    for live in run_server(settings, memory_state=True, timings=FAST):
        engine = live.runtime.storage.engine
        add_members(engine)
        yield live


@pytest.fixture
def console_env(shared_env: dict[str, str]) -> dict[str, str]:
    """The shared deployment, with lawyers at work now."""
    return {**shared_env, "MUSOFIR_HOURS_LAWYER": "24/7"}


@contextmanager
def database(url: str) -> Iterator[Engine]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        yield engine
    finally:
        engine.dispose()


def add_members(engine: Engine) -> None:
    for name, role in (("lawyer", StaffRole.LAWYER), ("doctor", StaffRole.DOCTOR)):
        add_staff(
            engine, username=name, display_name=f"{name.title()} One", role=role,
            password=PASSWORD,
        )  # fmt: skip


# The person, on Telegram -----------------------------------------------------------------------


def post(http: httpx.Client, update: dict[str, Any]) -> None:
    response = post_telegram(http, update)
    assert response.status_code == 200, response.text


def open_legal_case(http: httpx.Client, person: int, line: str) -> None:
    """Choose Russian, ask for a lawyer by typing, then say the problem in a line."""
    for update in (
        tg_message(person, "/start"),
        tg_button(person, "lang:ru"),
        tg_message(person, "юрист"),
        tg_message(person, line),
    ):
        post(http, update)


def case_of(engine: Engine, person_line: str) -> Case:
    with Session(engine) as session:
        case = session.exec(select(Case).where(Case.summary == person_line)).one()
        session.expunge(case)
        return case


def sent_to(stand: StandIns, person: int) -> list[str]:
    return [
        str(c.params.get("text", ""))
        for c in stand.sent("telegram")
        if str(c.params.get("chat_id")) == str(person)
    ]


# The specialist, in the browser ----------------------------------------------------------------


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/console/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_be_hidden()
    expect(page).to_have_url(f"{url}/console")


def wait_until_live(page: Page, url: str) -> None:
    """The queue is loaded and the page's event stream is subscribed (it reports presence)."""
    expect(page.locator("#queue-loading")).to_be_hidden(timeout=LIVE)
    deadline = time.monotonic() + LIVE / 1000
    while page.request.get(f"{url}/console/api/queue").json()["online"] < 1:
        assert time.monotonic() < deadline, "the console's event stream never connected"
        time.sleep(0.1)


def watch_dialogs(page: Page) -> list[str]:
    fired: list[str] = []

    def seen(dialog: Dialog) -> None:
        fired.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", seen)
    return fired


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size in (LAPTOP, TABLET):
        page.set_viewport_size(size)
        page.wait_for_timeout(200)  # let the layout settle after the resize
        page.screenshot(path=SHOTS / f"{name}-{size['width']}x{size['height']}.png")
    page.set_viewport_size(LAPTOP)


# 1 ---------------------------------------------------------------------------------------------


def test_a_lawyer_answers_a_telegram_case_live_and_sees_the_rating(
    server: LiveServer, stand: StandIns, page: Page
) -> None:
    url, person = server.url, 9101
    line = "Работодатель не платит зарплату два месяца"
    reply = "Пришлите, пожалуйста, ваш трудовой договор"
    page.set_viewport_size(LAPTOP)
    sign_in(page, url, "lawyer")
    wait_until_live(page, url)
    expect(page.locator("#queue-empty")).to_have_text("The queue is empty.")
    page.evaluate("window.__sameDocument = true")  # gone if the page were reloaded

    with httpx.Client(base_url=url, timeout=30) as http:
        open_legal_case(http, person, line)
        row = page.locator("ul#queue-list li.case-row")
        expect(row).to_have_count(1, timeout=LIVE)
        expect(row.locator(".summary")).to_have_text(line)
        expect(row.locator(".pseudonym")).to_have_text(re.compile(r"\S"))
        assert page.evaluate("window.__sameDocument === true"), "the queue page was reloaded"
        case_id = int(row.get_attribute("data-case-id") or 0)
        assert case_id == case_of(server.runtime.storage.engine, line).id
        shoot(page, "queue")

        row.locator("a.open-case").click()
        expect(page).to_have_url(f"{url}/console/cases/{case_id}")
        page.evaluate("window.__sameDocument = true")
        expect(page.locator("#conversation .msg-person .msg-text")).to_have_text([line])
        expect(page.locator("#case-status")).to_have_text("queued")
        page.fill("#reply-text", reply)
        page.press("#reply-text", "Control+Enter")
        staff = page.locator("#conversation .msg-staff")
        expect(staff.locator(".msg-text")).to_have_text([reply], timeout=LIVE)
        expect(staff.locator(".delivery")).to_have_attribute("data-delivery", "sent")
        expect(page.locator("#case-status")).to_have_text("claimed")
        stand.wait_for(lambda _: any(reply in t for t in sent_to(stand, person)))
        shoot(page, "case")

        expect(page.locator("#close-outcome")).to_have_value("answered")
        page.click("#close-case")
        expect(page.locator("#case-status")).to_have_text("closed", timeout=LIVE)
        expect(page.locator("#case-rating")).to_be_hidden()
        stand.wait_for(
            lambda calls: any(
                f"rate:{case_id}:5" in str(c.params.get("reply_markup"))
                for c in calls
                if c.sent and str(c.params.get("chat_id")) == str(person)
            )
        )
        post(http, tg_button(person, f"rate:{case_id}:5"))
    expect(page.locator("#case-rating")).to_have_text("Rated 5/5", timeout=LIVE)
    assert page.evaluate("window.__sameDocument === true"), "the case page was reloaded"
    shoot(page, "case-rated")
    closed = case_of(server.runtime.storage.engine, line)
    assert (closed.status, closed.outcome, closed.rating) == ("closed", "answered", 5)


# 2 ---------------------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"


def test_markup_from_the_person_shows_as_literal_text(
    server: LiveServer, stand: StandIns, page: Page
) -> None:
    url, person = server.url, 9102
    fired = watch_dialogs(page)
    sign_in(page, url, "lawyer")
    wait_until_live(page, url)
    with httpx.Client(base_url=url, timeout=30) as http:
        open_legal_case(http, person, SCRIPT)
        row = page.locator("ul#queue-list li.case-row")
        expect(row.locator(".summary")).to_have_text(SCRIPT, timeout=LIVE)
        assert row.locator(".summary").evaluate("e => e.textContent") == SCRIPT
        case_id = int(row.get_attribute("data-case-id") or 0)
        page.goto(f"{url}/console/cases/{case_id}")
        texts = page.locator("#conversation .msg-person .msg-text")
        expect(texts).to_have_count(1)
        post(http, tg_message(person, IMAGE))  # arrives live, while the case is open
        expect(texts).to_have_count(2, timeout=LIVE)
    assert texts.evaluate_all("all => all.map(e => e.textContent)") == [SCRIPT, IMAGE]
    assert page.locator("#conversation img").count() == 0
    assert page.locator("#conversation script").count() == 0
    page.goto(f"{url}/console")  # and the queue once more, after the case was read
    expect(page.locator("li.case-row .summary")).to_have_text(SCRIPT)
    page.wait_for_timeout(300)  # an onerror handler would have fired by now
    assert fired == []


# 3 ---------------------------------------------------------------------------------------------


def test_posts_without_the_csrf_token_are_refused(
    server: LiveServer, stand: StandIns, page: Page
) -> None:
    url, person = server.url, 9103
    with httpx.Client(base_url=url, timeout=30) as http:
        open_legal_case(http, person, "Не продлевают патент")
    case_id = case_of(server.runtime.storage.engine, "Не продлевают патент").id
    sign_in(page, url, "lawyer")
    page.goto(f"{url}/console/cases/{case_id}")
    expect(page.locator("#case-status")).to_have_text("queued")

    # The log-out form with its hidden token emptied, submitted by a click.
    page.locator('#logout-form input[name="csrf_token"]').evaluate("e => { e.value = '' }")
    with page.expect_response(f"{url}/console/logout") as refused:
        page.click("#logout-submit")
    assert refused.value.status == 403

    # The JSON API from the page's own script context, without and with a wrong header.
    statuses = page.evaluate(
        """async (caseId) => {
            const post = (path, headers, body) => fetch(path, {
                method: 'POST', credentials: 'same-origin',
                headers: {'Content-Type': 'application/json', ...headers},
                body: JSON.stringify(body),
            }).then(r => r.status);
            const base = `/console/api/cases/${caseId}`;
            return [
                await post(`${base}/reply`, {}, {text: 'without a token'}),
                await post(`${base}/reply`, {'X-CSRF-Token': 'x'.repeat(32)}, {text: 'wrong'}),
                await post(`${base}/claim`, {}, {}),
                await post(`${base}/close`, {}, {outcome: 'answered'}),
            ];
        }""",
        case_id,
    )
    assert statuses == [403, 403, 403, 403]
    detail = page.request.get(f"{url}/console/api/cases/{case_id}").json()
    assert detail["case"]["status"] == "queued"
    assert [m["author"] for m in detail["messages"]] == ["person"]
    assert not any("token" in t or "wrong" in t for t in sent_to(stand, person))
    page.goto(f"{url}/console")  # still signed in: the refused log-out did nothing
    expect(page.locator("body")).to_have_attribute("data-page", "queue")


# 4 ---------------------------------------------------------------------------------------------


def test_a_doctor_cannot_open_a_legal_case_by_its_url(
    server: LiveServer, stand: StandIns, page: Page
) -> None:
    url, person, line = server.url, 9104, "Секретная история про работодателя"
    with httpx.Client(base_url=url, timeout=30) as http:
        open_legal_case(http, person, line)
    case_id = case_of(server.runtime.storage.engine, line).id
    sign_in(page, url, "doctor")
    expect(page.locator("body")).to_have_attribute("data-role", "doctor")
    expect(page.locator("#queue-empty")).to_be_visible(timeout=LIVE)
    assert page.locator("li.case-row").count() == 0

    response = page.goto(f"{url}/console/cases/{case_id}")
    assert response is not None and response.status == 403
    expect(page.locator("#error-status")).to_have_text("Error 403")
    assert "Секретная" not in page.content()
    assert page.locator("#conversation").count() == 0
    api = page.request.get(f"{url}/console/api/cases/{case_id}")
    assert api.status == 403 and "Секретная" not in api.text()


# 5 ---------------------------------------------------------------------------------------------


def test_a_case_taken_by_one_process_appears_live_in_a_console_served_by_another(
    standins: StandIns, console_env: dict[str, str], postgres_url: str, tmp_path: Path, page: Page
) -> None:
    line = "Хозяин квартиры забрал паспорт"
    with (
        serve_process(console_env, tmp_path / "a") as one,
        serve_process(console_env, tmp_path / "b") as two,
        database(postgres_url) as engine,
    ):
        add_members(engine)
        sign_in(page, two.url, "lawyer")
        wait_until_live(page, two.url)
        page.evaluate("window.__sameDocument = true")
        with httpx.Client(base_url=one.url, timeout=30) as a:
            open_legal_case(a, 9105, line)
        row = page.locator("ul#queue-list li.case-row")
        expect(row.locator(".summary")).to_have_text(line, timeout=LIVE)
        assert page.evaluate("window.__sameDocument === true")
        case_id = case_of(engine, line).id
        assert row.get_attribute("data-case-id") == str(case_id)


# 6 ---------------------------------------------------------------------------------------------

# A SIGKILL in the middle of a turn leaves the person's Redis lock behind; it times out after 60 s
# (RedisStateStore.lock_timeout_seconds), and until then that person's messages wait. So what was
# sent around a crash may take a minute to land: wait for it, then check it landed once.
SETTLE_SECONDS = 90


def post_or_fail(url: str, update: dict[str, Any], log: list[str]) -> bool:
    """One delivery attempt, as the platform makes it: True when acknowledged with a 2xx."""
    started = time.monotonic()
    try:
        with httpx.Client(base_url=url, timeout=10) as http:
            status: int | str = post_telegram(http, update).status_code
    except httpx.TransportError as error:
        status = type(error).__name__
    took = time.monotonic() - started
    log.append(f"{update['message']['text']} -> {url[-5:]}: {status} in {took:.2f} s")
    return isinstance(status, int) and 200 <= status < 300


def person_texts(engine: Engine, case_id: int) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(
            select(CaseMessage)
            .where(CaseMessage.case_id == case_id, CaseMessage.author == "person")
            .order_by(CaseMessage.id)  # type: ignore[arg-type]
        ).all()
        return [m.text for m in rows]


def test_nothing_the_person_sent_during_a_restart_is_lost(
    browser: Browser, standins: StandIns, console_env: dict[str, str], postgres_url: str,
    tmp_path: Path,
) -> None:  # fmt: skip
    person, line = 9106, "Не отдают зарплату"
    said = [f"сообщение {n}" for n in range(1, 13)]
    everything = sorted([line, *said])
    updates = [tg_message(person, text) for text in said]
    log: list[str] = []
    unacknowledged: list[dict[str, Any]] = []
    with database(postgres_url) as engine:
        with serve_process(console_env, tmp_path / "first") as first:
            add_members(engine)
            with httpx.Client(base_url=first.url, timeout=30) as http:
                open_legal_case(http, person, line)
            case_id = case_of(engine, line).id or 0
            acknowledged = threading.Semaphore(0)

            def write() -> None:  # the person types on, whatever happens to the server
                for update in updates:
                    if post_or_fail(first.url, update, log):
                        acknowledged.release()
                    else:
                        unacknowledged.append(update)

            writer = threading.Thread(target=write, daemon=True)
            writer.start()
            for _ in range(4):
                assert acknowledged.acquire(timeout=30), log
            first.crash()  # SIGKILL while the person is still writing
            writer.join(timeout=60)
        assert unacknowledged, f"the crash came too late to test anything: {log}"

        with serve_process(console_env, tmp_path / "second") as second:
            for update in unacknowledged:  # the platform delivers again what was not acked
                deadline = time.monotonic() + 30
                while not post_or_fail(second.url, update, log):
                    assert time.monotonic() < deadline, log
                    time.sleep(0.3)
            deadline = time.monotonic() + SETTLE_SECONDS
            while sorted(set(person_texts(engine, case_id))) != everything:
                assert time.monotonic() < deadline, (person_texts(engine, case_id), log)
                time.sleep(0.2)
            time.sleep(1.0)  # anything late and twice would land now
            assert sorted(person_texts(engine, case_id)) == everything, log

            context = browser.new_context(viewport=LAPTOP)
            try:
                page = context.new_page()
                sign_in(page, second.url, "lawyer")
                page.goto(f"{second.url}/console/cases/{case_id}")
                shown = page.locator("#conversation .msg-person .msg-text")
                expect(shown).to_have_count(len(everything))
                assert sorted(shown.all_text_contents()) == everything
            finally:
                context.close()
