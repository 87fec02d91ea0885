"""Unanswered questions are counted, scrubbed and pruned alike on SQLite and PostgreSQL.

Askings are counted in memory and written in batches (see the module's docstring): the reads
here write what is pending first; ``in_table`` reads the table as it is, without that.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from musofir.storage import open_storage, unanswered
from musofir.storage.models import UnansweredQuestion
from musofir.storage.setup import Storage
from musofir.storage.unanswered import MAX_TEXT_CHARS, UnansweredQuestions
from sqlalchemy import Engine, inspect, update
from sqlalchemy import text as sql

from musofir.settings import Settings


@pytest.fixture(params=["sqlite", "postgres"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    opened = open_storage(Settings(data_dir=tmp_path, database_url=url))
    yield opened
    opened.close()


async def ask(store: UnansweredQuestions, text: str, **guess: object) -> None:
    values: dict[str, object] = {
        "language": "ru",
        "band": "none",
        "best_topic": None,
        "score": 0.2,
        **guess,
    }
    await store.keep(text=text, **values)  # type: ignore[arg-type]


def in_table(engine: Engine) -> dict[str, int]:
    """What is written, text to times, without writing what is pending."""
    with engine.connect() as connection:
        rows = connection.execute(sql("select text, times from unanswered_question"))
        return {row.text: row.times for row in rows}


def test_the_table_has_no_column_that_could_name_who_asked(storage: Storage) -> None:
    columns = {c["name"] for c in inspect(storage.engine).get_columns("unanswered_question")}
    assert columns == {
        "id", "key", "text", "language", "band", "best_topic", "score", "times",
        "asked_at", "last_asked_at",
    }  # fmt: skip


async def test_the_same_question_asked_again_is_one_row_counted_up(storage: Storage) -> None:
    store = storage.unanswered
    await ask(store, "Какая погода завтра?")
    await ask(
        store, "какая  погода завтра", band="suggest", best_topic="patent.region", score=0.31
    )
    await ask(store, "курс доллара")
    rows = await store.most_asked()
    assert [(r.text, r.times) for r in rows] == [
        ("какая погода завтра", 2),  # the latest wording, band and guess are kept
        ("курс доллара", 1),
    ]
    assert (rows[0].band, rows[0].best_topic, rows[0].score) == ("suggest", "patent.region", 0.31)
    assert rows[0].asked_at < rows[0].last_asked_at
    assert rows[0].last_asked_at.tzinfo is not None


async def test_people_asking_at_the_same_moment_are_all_counted(storage: Storage) -> None:
    store = storage.unanswered
    await asyncio.gather(
        ask(store, "где купить дешевый билет"), ask(store, "где купить дешевый билет")
    )
    await asyncio.gather(*(ask(store, "сколько стоит виза") for _ in range(8)))
    rows = await store.most_asked()
    assert sorted((r.text, r.times) for r in rows) == [
        ("где купить дешевый билет", 2),
        ("сколько стоит виза", 8),
    ]


async def test_batches_of_two_processes_written_at_the_same_moment_add_up(
    storage: Storage, tmp_path: Path
) -> None:
    """Two servers on one database: each its own engine and pending askings, written at once."""
    url = storage.engine.url.render_as_string(hide_password=False)
    other = open_storage(Settings(data_dir=tmp_path, database_url=url))
    try:
        shared = [f"общий вопрос номер {word}" for word in ("один", "два", "три", "четыре")]
        for _ in range(3):
            for question in shared:
                await ask(storage.unanswered, question)
                await ask(other.unanswered, question)
        for question in reversed(shared):  # the other order too: no deadlock, keys are sorted
            await ask(other.unanswered, question)
        await ask(other.unanswered, "только у второго")
        for _ in range(5):
            assert all(await asyncio.gather(storage.unanswered.flush(), other.unanswered.flush()))
            for question in shared:
                await ask(storage.unanswered, question)
                await ask(other.unanswered, question)
        assert all(await asyncio.gather(storage.unanswered.flush(), other.unanswered.flush()))
    finally:
        other.close()
    assert in_table(storage.engine) == {**dict.fromkeys(shared, 17), "только у второго": 1}


async def test_askings_are_counted_in_memory_and_added_to_the_count_written_before(
    storage: Storage,
) -> None:
    store = storage.unanswered
    for _ in range(2):
        await ask(store, "курс доллара")
    assert in_table(storage.engine) == {}  # nothing written within the person's turn
    assert await store.flush()
    first = (await store.most_asked())[0]
    assert (first.text, first.times) == ("курс доллара", 2)
    for _ in range(3):
        await ask(store, "Курс  доллара?")
    await ask(store, "курс доллара", band="suggest", best_topic="money.transfer", score=0.4)
    await ask(store, "курс евро")
    assert in_table(storage.engine) == {"курс доллара": 2}
    rows = await store.most_asked()  # a read writes what is pending first
    assert [(r.text, r.times) for r in rows] == [("курс доллара", 6), ("курс евро", 1)]
    assert (rows[0].band, rows[0].best_topic, rows[0].score) == ("suggest", "money.transfer", 0.4)
    assert rows[0].id == first.id and rows[0].asked_at == first.asked_at  # the first asking's
    assert rows[0].last_asked_at > first.last_asked_at


async def test_pending_askings_are_written_by_themselves_shortly_after(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(unanswered, "FLUSH_SECONDS", 0.05)
    await ask(storage.unanswered, "где учить русский язык")
    await ask(storage.unanswered, "где учить русский язык")
    assert in_table(storage.engine) == {}
    for _ in range(100):
        await asyncio.sleep(0.05)
        if in_table(storage.engine):
            break
    assert in_table(storage.engine) == {"где учить русский язык": 2}


async def test_only_one_write_at_a_time(storage: Storage, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unanswered, "FLUSH_SECONDS", 0.01)
    store = storage.unanswered
    running, most = 0, 0
    upsert = store._upsert

    def slow_upsert(rows: list[dict[str, object]]) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        try:
            time.sleep(0.05)
            upsert(rows)
        finally:
            running -= 1

    monkeypatch.setattr(store, "_upsert", slow_upsert)

    async def asker(number: int) -> None:
        for turn in range(10):
            await ask(store, f"вопрос номер {'абвгд'[number]} {'еёжзи'[turn % 5]}")
            if turn % 3 == 0:
                await store.flush()
            await asyncio.sleep(0.01)

    await asyncio.gather(*(asker(number) for number in range(5)))
    assert await store.flush()
    assert most == 1
    assert sum(in_table(storage.engine).values()) == 50


async def test_a_failed_write_keeps_its_askings_for_the_next_try(
    storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    """The database away for a moment (here: the table renamed away) loses no count."""
    store = storage.unanswered
    await ask(store, "как позвонить домой")
    assert await store.flush()
    await ask(store, "как позвонить домой")
    await ask(store, "где обменять деньги")
    with storage.engine.begin() as connection:
        connection.execute(sql("alter table unanswered_question rename to away"))
    try:
        with caplog.at_level(logging.WARNING, logger=unanswered.__name__):
            assert not await store.flush()
        assert "2 unanswered questions were not written" in caplog.text
        assert "позвонить" not in caplog.text and "деньги" not in caplog.text  # the kind only
        await ask(store, "как позвонить домой", band="suggest", best_topic="phone", score=0.5)
        await ask(store, "как отправить посылку")
        assert not await store.flush()  # still away: still kept
    finally:
        with storage.engine.begin() as connection:
            connection.execute(sql("alter table away rename to unanswered_question"))
    assert await store.flush()
    assert in_table(storage.engine) == {
        "как позвонить домой": 3,
        "где обменять деньги": 1,
        "как отправить посылку": 1,
    }
    rows = {r.text: r for r in await store.most_asked()}
    assert rows["как позвонить домой"].best_topic == "phone"  # the newest asking's guess


async def test_at_most_so_many_distinct_questions_wait(
    storage: Storage, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(unanswered, "MAX_PENDING", 3)
    store = storage.unanswered
    questions = [f"вопрос про {word}" for word in ("работу", "жильё", "учёбу", "врача", "суд")]
    with caplog.at_level(logging.WARNING, logger=unanswered.__name__):
        for question in questions:
            await ask(store, question)
        await ask(store, questions[0])  # one waiting already is still counted
    assert caplog.text.count("new ones are not kept") == 1
    assert await store.flush()
    assert in_table(storage.engine) == {questions[0]: 2, questions[1]: 1, questions[2]: 1}
    await ask(store, questions[4])  # room again once written
    assert in_table(storage.engine)[questions[0]] == 2
    assert {r.text for r in await store.most_asked()} == {*questions[:3], questions[4]}


async def test_every_store_on_the_engine_sees_what_another_has_pending(storage: Storage) -> None:
    """The upkeep loop prunes through its own ``UnansweredQuestions``: it writes these first."""
    await ask(storage.unanswered, "где найти работу")
    other = UnansweredQuestions(storage.engine)
    assert [(r.text, r.times) for r in await other.most_asked()] == [("где найти работу", 1)]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("мой номер +7 (999) 123-45-67 перезвоните", "мой номер <number> перезвоните"),
        ("паспорт AB1234567 просрочен что делать", "паспорт <number> просрочен что делать"),
        ("паспорт 4510 123456 потерял", "паспорт <number> потерял"),
        ("напишите на ivan.petrov@mail.ru", "напишите на <email>"),
        ("+998901234567 qo'ng'iroq qiling", "<number> qo'ng'iroq qiling"),
        ("штраф 5000 рублей за 2024 год", "штраф 5000 рублей за 2024 год"),  # short numbers stay
    ],
)
async def test_numbers_and_addresses_are_scrubbed_before_they_are_stored(
    storage: Storage, typed: str, kept: str
) -> None:
    await ask(storage.unanswered, typed)
    assert [r.text for r in await storage.unanswered.most_asked()] == [kept]


async def test_a_bare_number_is_not_kept_and_long_text_is_cut(storage: Storage) -> None:
    await ask(storage.unanswered, "8 999 123 45 67")
    await ask(storage.unanswered, "вопрос " * 200)
    rows = await storage.unanswered.most_asked()
    assert len(rows) == 1 and len(rows[0].text) <= MAX_TEXT_CHARS


async def test_filters_limit_and_dismiss(storage: Storage) -> None:
    store = storage.unanswered
    for text, language, times in (("курс доллара", "ru", 3), ("ob-havo", "uz", 1)):
        for _ in range(times):
            await ask(store, text, language=language)
    await ask(store, "футбол")
    assert [r.text for r in await store.most_asked(limit=1)] == ["курс доллара"]
    assert [r.text for r in await store.most_asked(language="uz")] == ["ob-havo"]
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    assert await store.most_asked(since=tomorrow) == []
    ids = [r.id or 0 for r in await store.most_asked(language="ru")]
    assert await store.dismiss([*ids, 999_999]) == 2
    assert [r.text for r in await store.most_asked()] == ["ob-havo"]


async def test_prune_deletes_what_nobody_asked_within_the_period(storage: Storage) -> None:
    store = storage.unanswered
    await ask(store, "старый вопрос")
    await ask(store, "свежий вопрос")
    assert await store.flush()
    with storage.engine.begin() as connection:
        connection.execute(
            update(UnansweredQuestion)
            .where(UnansweredQuestion.text == "старый вопрос")  # type: ignore[arg-type]
            .values(last_asked_at=datetime.now(UTC) - timedelta(days=31))
        )
    assert await store.prune(timedelta(days=31, minutes=1)) == 0
    assert await store.prune(timedelta(days=30)) == 1
    assert [r.text for r in await store.most_asked()] == ["свежий вопрос"]
