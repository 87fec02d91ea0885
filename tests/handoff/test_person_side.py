"""The person's side of a handoff, through the engine, with the specialist acting in the console.

Real database (SQLite file), in-memory state; the web chat is the person's channel, so the
specialist's replies land in the web chat's log exactly as the page would show them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from musofir.bots.server import Runtime, build_runtime
from musofir.dialogs import Catalogs, MediaKind
from musofir.dialogs.desk import PersonMessage
from musofir.dialogs.messages import Location
from musofir.handoff.actions import NotAllowed
from musofir.storage.models import Case, CaseMessage, StaffMember, StaffRole
from musofir.storage.staff import add_staff
from sqlmodel import Session, select
from utils.chat import Chat

from musofir.settings import Settings

ALWAYS = {"hours_lawyer": "24/7", "hours_doctor": "24/7", "hours_social_worker": "24/7"}


async def make_runtime(tmp_path: Path, **settings: object) -> Runtime:
    return build_runtime(
        Settings(data_dir=tmp_path / "data", **settings),  # type: ignore[arg-type]
        memory_state=True,
    )


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    built = await make_runtime(tmp_path, **ALWAYS)
    yield built
    await built.store.close()
    built.storage.close()


def staff(runtime: Runtime, username: str, role: StaffRole) -> StaffMember:
    add_staff(
        runtime.storage.engine, username=username, display_name=username.title(), role=role,
        password="a long enough password",
    )  # fmt: skip
    with Session(runtime.storage.engine) as session:
        member = session.exec(select(StaffMember).where(StaffMember.username == username)).one()
        session.expunge(member)
        return member


async def person(runtime: Runtime, language: str, user: str = "p1") -> Chat:
    chat = Chat(runtime.engine, user=user)
    await chat.send("/start")
    await chat.tap(f"lang:{language}")
    return chat


def cases(runtime: Runtime) -> list[Case]:
    with Session(runtime.storage.engine) as session:
        return list(session.exec(select(Case)).all())


def messages(runtime: Runtime, case_id: int) -> list[CaseMessage]:
    with Session(runtime.storage.engine) as session:
        return list(session.exec(select(CaseMessage).where(CaseMessage.case_id == case_id)).all())


async def log_texts(runtime: Runtime, user: str) -> list[str]:
    key = runtime.webchat.log_key(user)
    events = await runtime.chat_log.since(key, None)
    return [e.message.get("text", "") for e in events if e.role == "bot"]


@pytest.mark.parametrize(
    ("typed", "language", "role"),
    [
        ("юрист", "ru", "lawyer"),
        ("мне нужен врач", "ru", "doctor"),
        ("advokat kerak", "uz", "lawyer"),
        ("духтур лозим", "tg", "doctor"),
        ("I need a social worker", "en", "social_worker"),
    ],
)
async def test_typing_a_specialist_asks_for_a_line_then_opens_a_case_in_the_queue(
    runtime: Runtime, catalogs: Catalogs, typed: str, language: str, role: str
) -> None:
    await runtime.hub.presence.report(role, 1)  # someone of that role is at the console
    chat = await person(runtime, language)
    await chat.send(typed)
    title = catalogs.text(language, f"role.{role}")
    assert chat.text == catalogs.text(language, "handoff.describe", role=title)
    await chat.send("Работодатель не платит зарплату два месяца")
    opened = cases(runtime)
    assert [(c.role, c.language, c.status, c.channel) for c in opened] == [
        (role, language, "queued", "webchat")
    ]
    assert opened[0].summary == "Работодатель не платит зарплату два месяца"
    expected = catalogs.text(language, "handoff.queued", role=title, position=1, minutes=10)
    assert chat.text == expected
    assert chat.payloads == ["end", "menu"]


async def test_asking_for_a_person_offers_the_three_kinds_of_specialist(
    runtime: Runtime, catalogs: Catalogs
) -> None:
    chat = await person(runtime, "uz")
    await chat.send("odam bilan gaplashmoqchiman")
    assert chat.payloads == [
        "specialist:lawyer", "specialist:doctor", "specialist:social_worker", "menu",
    ]  # fmt: skip
    await chat.tap("specialist:doctor")
    await chat.tap("skip")
    assert [(c.role, c.summary) for c in cases(runtime)] == [("doctor", "")]


async def test_the_queue_position_counts_the_people_waiting_before(runtime: Runtime) -> None:
    await runtime.hub.presence.report("lawyer", 1)
    for n, user in enumerate(["a", "b", "c"], start=1):
        chat = await person(runtime, "ru", user)
        await chat.send("юрист")
        await chat.send(f"вопрос {n}")
        assert f" {n}" in chat.text


async def test_with_nobody_online_the_person_is_told_when_to_expect_an_answer(
    runtime: Runtime, catalogs: Catalogs
) -> None:
    chat = await person(runtime, "ru")
    await chat.tap("specialist")
    await chat.tap("specialist:lawyer")
    await chat.send("Не продлили регистрацию")
    case = cases(runtime)[0]
    assert case.expected_by is not None
    assert "Москва" in chat.text
    start = catalogs.text("ru", "handoff.later", role="X", when="Y").split("X")[1].split("Y")[0]
    assert start in chat.text


async def test_outside_working_hours_the_answer_is_promised_for_the_next_opening(
    tmp_path: Path, catalogs: Catalogs
) -> None:
    hour = (datetime.now(UTC) + timedelta(hours=3 + 3)).hour  # 3 h ahead in Moscow (UTC+3)
    hours = f"Mo-Su {hour:02d}:00-{(hour + 1) % 24:02d}:00"
    runtime = await make_runtime(tmp_path, hours_doctor=hours)
    try:
        await runtime.hub.presence.report("doctor", 1)  # online, but outside the hours
        chat = await person(runtime, "en")
        await chat.send("doctor")
        await chat.send("my child has a fever")
        expected_by = cases(runtime)[0].expected_by
        assert expected_by is not None
        local = expected_by.astimezone(runtime.hub.hours.timezone)
        assert (local.hour, local.minute) == (hour, 0)
        assert f"{hour:02d}:00 (Moscow)" in chat.text
    finally:
        await runtime.store.close()
        runtime.storage.close()


async def test_during_a_handoff_everything_reaches_the_specialist_and_the_bot_is_quiet(
    runtime: Runtime,
) -> None:
    chat = await person(runtime, "ru")
    await chat.send("юрист")
    await chat.send("Меня уволили")
    case = cases(runtime)[0]
    assert await chat.send("Сколько стоит патент?") == []  # a question, but for the lawyer now
    assert await chat.send(media=MediaKind.PHOTO) == []
    assert await chat.send(location=Location(55.79, 49.12)) == []
    assert await chat.send(media=MediaKind.VOICE) == []
    kept = messages(runtime, case.id or 0)
    assert [(m.author, m.text, m.media_kind) for m in kept] == [
        ("person", "Меня уволили", None),
        ("person", "Сколько стоит патент?", None),
        ("person", "", "photo"),
        ("person", "", None),
        ("person", "", "voice"),
    ]
    assert (kept[3].latitude, kept[3].longitude) == (55.79, 49.12)
    assert kept[2].media_ref == "file-1"
    assert cases(runtime)[0].unread == 5


async def test_words_of_danger_during_a_handoff_get_the_numbers_and_mark_the_case_urgent(
    runtime: Runtime, catalogs: Catalogs
) -> None:
    chat = await person(runtime, "ru")
    await chat.send("врач")
    await chat.send("болит живот")
    await chat.send("помогите, меня избили")
    assert catalogs.text("ru", "emergency.text") in chat.text
    case = cases(runtime)[0]
    assert case.urgent
    assert messages(runtime, case.id or 0)[-1].text == "помогите, меня избили"


async def test_the_menu_during_a_handoff_keeps_the_case_and_offers_the_way_back(
    runtime: Runtime, catalogs: Catalogs
) -> None:
    chat = await person(runtime, "ky")
    await chat.send("юрист")
    await chat.send("паспорт жоголду")
    await chat.send("меню")
    assert catalogs.text("ky", "menu.title") in chat.text
    assert "resume" in chat.payloads
    assert cases(runtime)[0].status == "queued"
    await chat.tap("resume")
    assert await chat.send("документтерим жок") == []
    assert messages(runtime, cases(runtime)[0].id or 0)[-1].text == "документтерим жок"


async def test_a_replayed_message_reaches_the_specialist_once(runtime: Runtime) -> None:
    chat = await person(runtime, "ru")
    await chat.send("юрист")
    await chat.send("вопрос")
    case_id = cases(runtime)[0].id or 0
    desk = runtime.engine.services.desk
    for _ in range(3):
        assert await desk.forward(PersonMessage(case_id, "webchat:same", "один раз"))
    assert [m.text for m in messages(runtime, case_id)].count("один раз") == 1


async def test_a_specialist_reply_reaches_the_person_and_closing_asks_for_a_rating(
    runtime: Runtime, catalogs: Catalogs
) -> None:
    lawyer = staff(runtime, "dilnoza", StaffRole.LAWYER)
    chat = await person(runtime, "tg", "p9")
    await chat.send("юрист")
    await chat.send("кордиҳанда музд намедиҳад")
    case_id = cases(runtime)[0].id or 0
    actions = runtime.console.actions
    assert await actions.reply(lawyer, case_id, "Шартномаи кориатонро фиристед") == "sent"
    said = await log_texts(runtime, "p9")
    title = catalogs.text("tg", "role.lawyer")
    assert said[-1] == (
        catalogs.text("tg", "handoff.reply_from", role=title) + "\nШартномаи кориатонро фиристед"
    )
    assert cases(runtime)[0].assignee_id == lawyer.id  # replying takes the case

    await actions.close(lawyer, case_id, "answered")
    said = await log_texts(runtime, "p9")
    assert said[-1] == catalogs.text("tg", "handoff.closed", role=title)
    # The bot answers again, and "4" typed (as on SMS) is the rating.
    assert await chat.send("4")
    assert chat.text == catalogs.text("tg", "handoff.rated")
    closed = cases(runtime)[0]
    assert (closed.status, closed.outcome, closed.rating) == ("closed", "answered", 4)
    await chat.send("патент чист")
    assert chat.replies, "the bot answers questions again"


async def test_the_person_can_end_the_talk_and_rate_it(
    runtime: Runtime, catalogs: Catalogs
) -> None:
    chat = await person(runtime, "az")
    await chat.send("həkim")
    await chat.tap("skip")
    await chat.send("bitir")
    assert chat.text == catalogs.text("az", "handoff.ended")
    await chat.tap("rate:1:5")
    case = cases(runtime)[0]
    assert (case.status, case.outcome, case.rating) == ("closed", "ended_by_person", 5)


async def test_stop_words_end_the_handoff_at_once(runtime: Runtime, catalogs: Catalogs) -> None:
    chat = await person(runtime, "uz")
    await chat.send("yurist")
    await chat.send("savol bor")
    await chat.send("to'xtat")
    assert chat.text == catalogs.text("uz", "stop.done")
    assert cases(runtime)[0].status == "closed"


async def test_a_doctor_cannot_open_or_answer_a_legal_case(runtime: Runtime) -> None:
    doctor = staff(runtime, "dr", StaffRole.DOCTOR)
    desk_staff = staff(runtime, "front", StaffRole.STAFF)
    chat = await person(runtime, "ru")
    await chat.send("юрист")
    await chat.send("вопрос")
    case_id = cases(runtime)[0].id or 0
    actions = runtime.console.actions
    for member in (doctor, desk_staff):
        with pytest.raises(NotAllowed):
            await actions.open(member, case_id)
        with pytest.raises(NotAllowed):
            await actions.reply(member, case_id, "hi")
    assert [m.author for m in messages(runtime, case_id)] == ["person"]
    denied = [(e.staff, e.action) for e in runtime.hub.audit.recent()]
    assert ("dr", "denied") in denied


async def test_transfer_moves_the_case_to_another_role(runtime: Runtime) -> None:
    lawyer = staff(runtime, "law", StaffRole.LAWYER)
    doctor = staff(runtime, "doc", StaffRole.DOCTOR)
    chat = await person(runtime, "ru")
    await chat.send("юрист")
    await chat.send("у меня болит спина после травмы на работе")
    case_id = cases(runtime)[0].id or 0
    actions = runtime.console.actions
    await actions.transfer(lawyer, case_id, role="doctor", to_username="doc")
    moved = cases(runtime)[0]
    assert (moved.role, moved.assignee_id, moved.status) == ("doctor", doctor.id, "claimed")
    with pytest.raises(NotAllowed):
        await actions.open(lawyer, case_id)
    assert (await actions.open(doctor, case_id)).case.id == case_id


async def test_two_specialists_cannot_both_take_a_case(runtime: Runtime) -> None:
    first = staff(runtime, "l1", StaffRole.LAWYER)
    second = staff(runtime, "l2", StaffRole.LAWYER)
    chat = await person(runtime, "ru")
    await chat.send("юрист")
    await chat.send("вопрос")
    case_id = cases(runtime)[0].id or 0
    await runtime.console.actions.claim(first, case_id)
    with pytest.raises(NotAllowed):
        await runtime.console.actions.claim(second, case_id)
    with pytest.raises(NotAllowed):
        await runtime.console.actions.reply(second, case_id, "hello")


async def test_audit_log_records_openings_and_replies_without_their_content(
    runtime: Runtime,
) -> None:
    lawyer = staff(runtime, "aud", StaffRole.LAWYER)
    chat = await person(runtime, "ru")
    await chat.send("юрист")
    await chat.send("секретная история")
    case_id = cases(runtime)[0].id or 0
    await runtime.console.actions.open(lawyer, case_id)
    await runtime.console.actions.reply(lawyer, case_id, "секретный ответ")
    entries = runtime.hub.audit.recent()
    assert [(e.staff, e.action, e.case_id) for e in entries[:2]] == [
        ("aud", "reply", case_id), ("aud", "open", case_id),
    ]  # fmt: skip
    assert not any("секрет" in e.detail for e in entries)


async def test_forget_removes_the_persons_cases_and_the_audit_keeps_no_content(
    runtime: Runtime,
) -> None:
    lawyer = staff(runtime, "fg", StaffRole.LAWYER)
    chat = await person(runtime, "ru")
    await chat.send("юрист")
    await chat.send("вопрос")
    case_id = cases(runtime)[0].id or 0
    await runtime.console.actions.reply(lawyer, case_id, "ответ")
    await runtime.console.actions.close(lawyer, case_id, "answered")
    await chat.send("/forget")
    await chat.tap("forget:yes")
    assert cases(runtime) == []
    with Session(runtime.storage.engine) as session:
        assert session.exec(select(CaseMessage)).all() == []
    assert [e.action for e in runtime.hub.audit.recent()][:2] == ["close", "reply"]


async def test_retention_deletes_closed_cases_after_the_period_the_admin_set(
    runtime: Runtime,
) -> None:
    from musofir.handoff.upkeep import purge_expired

    lawyer = staff(runtime, "rt", StaffRole.LAWYER)
    for user in ("old", "new", "open"):
        chat = await person(runtime, "ru", user)
        await chat.send("юрист")
        await chat.send(f"вопрос {user}")
    by_summary = {c.summary: c.id or 0 for c in cases(runtime)}
    for name in ("вопрос old", "вопрос new"):
        await runtime.console.actions.close(lawyer, by_summary[name], "answered")
    with Session(runtime.storage.engine) as session:
        old = session.get(Case, by_summary["вопрос old"])
        assert old is not None
        old.closed_at = datetime.now(UTC) - timedelta(days=31)
        session.add(old)
        session.commit()
    assert await purge_expired(runtime.hub) == 0  # 180 days by default
    runtime.hub.settings.set("retention_days", "30")
    assert await purge_expired(runtime.hub) == 1
    assert sorted(c.summary for c in cases(runtime)) == ["вопрос new", "вопрос open"]
    assert [m for m in messages(runtime, by_summary["вопрос old"])] == []
