"""Unanswered questions are counted, scrubbed and pruned alike on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from musofir.storage import open_storage
from musofir.storage.models import UnansweredQuestion
from musofir.storage.setup import Storage
from musofir.storage.unanswered import MAX_TEXT_CHARS, UnansweredQuestions
from sqlalchemy import inspect, update

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
    with storage.engine.begin() as connection:
        connection.execute(
            update(UnansweredQuestion)
            .where(UnansweredQuestion.text == "старый вопрос")  # type: ignore[arg-type]
            .values(last_asked_at=datetime.now(UTC) - timedelta(days=31))
        )
    assert await store.prune(timedelta(days=31, minutes=1)) == 0
    assert await store.prune(timedelta(days=30)) == 1
    assert [r.text for r in await store.most_asked()] == ["свежий вопрос"]
