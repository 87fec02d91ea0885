"""The conversation a person has, in every interface language."""

from __future__ import annotations

import json

import pytest
from musofir.bots.server import Runtime
from musofir.dialogs import (
    LANGUAGES,
    Catalogs,
    Contact,
    DialogEngine,
    Inbound,
    MediaKind,
)
from utils.chat import Chat

REQUIRED_CONTENT = ("ru", "uz", "tg", "ky", "en")

# A typed question per language that must reach the patent-payment answer.
PATENT_PAYMENT_QUESTIONS = {
    "ru": "как оплатить патент",
    "uz": "patent uchun qanday to'lash kerak",
    "tg": "патентро чи тавр пардохт кунам",
    "ky": "патентти кантип төлөйм",
    "en": "how do i pay for my patent",
    "az": "patent pulunu necə ödəyim",
    "hy": "ինչպես վճարել պատենտի համար",
}


async def start(engine: DialogEngine, language: str, user: str = "u1") -> Chat:
    chat = Chat(engine, user=user)
    await chat.send("/start")
    await chat.tap(f"lang:{language}")
    return chat


async def test_first_contact_offers_every_language_in_its_own_script(
    engine: DialogEngine, catalogs: Catalogs
) -> None:
    chat = Chat(engine)
    await chat.send("salom")
    assert chat.payloads == [f"lang:{code}" for code in LANGUAGES]
    titles = [b.title for b in chat.replies[-1].buttons]
    assert titles == [
        "Русский",
        "O‘zbekcha",
        "Тоҷикӣ",
        "Кыргызча",
        "Azərbaycanca",
        "Հայերեն",
        "English",
    ]
    for code in LANGUAGES:
        assert catalogs.text(code, "language.choose") in chat.text


@pytest.mark.parametrize("language", LANGUAGES)
async def test_choosing_a_language_shows_the_main_menu_in_it(
    engine: DialogEngine, catalogs: Catalogs, language: str
) -> None:
    chat = await start(engine, language)
    assert catalogs.text(language, "welcome.intro") in chat.text
    menu = chat.replies[-1]
    assert menu.text == catalogs.text(language, "menu.title")
    assert [b.payload for b in menu.buttons] == [
        "cat:legal", "cat:work", "cat:health", "cat:social",
        "services", "specialist", "visits", "alerts", "language",
    ]  # fmt: skip
    assert menu.buttons[0].title == catalogs.text(language, "menu.legal")
    assert all(r.language == language for r in chat.replies)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_topic_menu_lists_topics_and_a_topic_answers_with_sources(
    runtime: Runtime, catalogs: Catalogs, language: str
) -> None:
    chat = await start(runtime.engine, language)
    await chat.tap("cat:legal")
    knowledge = runtime.engine.services.knowledge
    legal = [t.id for t in knowledge.in_category("legal")]
    assert {"registration.migration", "patent.obtain", "patent.payment"} <= set(legal)
    assert chat.payloads == [f"topic:{t}" for t in legal] + ["menu"]

    await chat.tap("topic:patent.payment")
    topic = knowledge.topics["patent.payment"]
    shown_language = language if language in topic.languages else "ru"
    first_words = topic.languages[shown_language].answer[0][:40]
    assert first_words in chat.text
    assert catalogs.text(language, "answer.sources") in chat.text
    assert topic.sources[0].url in chat.text
    last = chat.replies[-1]
    assert next(b.payload for b in last.buttons) == "helpful:patent.payment"
    assert last.buttons[-2].payload == "specialist" and last.buttons[-1].payload == "menu"


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_typed_question_is_answered_from_the_knowledge_base(
    engine: DialogEngine, catalogs: Catalogs, language: str
) -> None:
    chat = await start(engine, language)
    await chat.send(PATENT_PAYMENT_QUESTIONS[language])
    assert "helpful:patent.payment" in chat.payloads, chat.text
    assert {"specialist", "menu"} <= set(chat.payloads)
    await chat.tap("helpful:patent.payment")
    assert chat.text == catalogs.text(language, "feedback.thanks")


@pytest.mark.parametrize("language", REQUIRED_CONTENT)
async def test_sample_content_says_it_is_not_reviewed_with_its_date(
    runtime: Runtime, catalogs: Catalogs, language: str
) -> None:
    chat = await start(runtime.engine, language)
    await chat.send(payload="topic:health.emergency")
    topic = runtime.engine.services.knowledge.topics["health.emergency"]
    assert topic.needs_review
    note = catalogs.text(language, "answer.needs_review", date=topic.reviewed_on.isoformat())
    assert note in chat.text


async def test_a_topic_missing_the_language_answers_in_russian_with_a_note(
    runtime: Runtime, catalogs: Catalogs
) -> None:
    knowledge = runtime.engine.services.knowledge
    topic = knowledge.topics["patent.payment"]
    languages = dict(topic.languages)
    languages.pop("hy", None)
    knowledge.topics["patent.payment"] = topic.model_copy(update={"languages": languages})
    chat = await start(runtime.engine, "hy")
    await chat.send(payload="topic:patent.payment")
    assert chat.replies[0].text.startswith(catalogs.text("hy", "answer.fallback_language"))
    assert topic.languages["ru"].answer[0][:40] in chat.text


COMMAND_WORDS = {
    "ru": ("меню", "помощь", "язык"),
    "uz": ("menyu", "yordam", "til"),
    "tg": ("меню", "кӯмак", "забон"),
    "ky": ("меню", "жардам", "тил"),
    "az": ("menyu", "kömək", "dil"),
    "hy": ("մենյու", "օգնություն", "լեզու"),
    "en": ("Menu", "help", "language"),
}


@pytest.mark.parametrize("language", LANGUAGES)
async def test_menu_help_and_language_words_work_in_every_language(
    engine: DialogEngine, catalogs: Catalogs, language: str
) -> None:
    menu_word, help_word, language_word = COMMAND_WORDS[language]
    chat = await start(engine, language)
    await chat.tap("cat:health")
    for word in (menu_word, "0", "/menu"):
        await chat.send(word)
        assert chat.replies[-1].text == catalogs.text(language, "menu.title"), word
    await chat.send(help_word)
    assert chat.text == catalogs.text(language, "help.text")
    await chat.send(language_word)
    assert chat.payloads == [f"lang:{code}" for code in LANGUAGES]
    await chat.send("/start")
    assert chat.replies[-1].text == catalogs.text(language, "menu.title")


async def test_a_numbered_reply_picks_that_button_on_text_only_channels(
    engine: DialogEngine, catalogs: Catalogs
) -> None:
    chat = Chat(engine, channel="sms")
    await chat.send("hi")
    await chat.send("2")  # O‘zbekcha
    assert chat.replies[-1].text == catalogs.text("uz", "menu.title")
    await chat.send("3")  # Health
    assert "topic:health.emergency" in chat.payloads


DANGER = {
    "ru": "меня задержали",
    "uz": "hujjatimni olib qo'yishdi",
    "tg": "маро мезананд",
    "ky": "жардам бергиле",
    "az": "məni saxladılar",
    "hy": "օգնեք",
    "en": "I want to die",
}


@pytest.mark.parametrize("language", LANGUAGES)
async def test_words_of_danger_get_emergency_numbers_first_in_any_flow(
    engine: DialogEngine, catalogs: Catalogs, language: str
) -> None:
    chat = await start(engine, language)
    await chat.tap("services")  # even while a flow waits for a town
    await chat.send(DANGER[language])
    first = chat.replies[0]
    assert first.text.startswith(catalogs.text(language, "emergency.text"))
    assert "112" in first.text
    assert [b.payload for b in first.buttons] == ["specialist"]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_danger_before_choosing_a_language_answers_in_the_language_written(
    engine: DialogEngine, catalogs: Catalogs, language: str
) -> None:
    chat = Chat(engine)
    await chat.send(DANGER[language])
    assert chat.replies[0].text.startswith(catalogs.text(language, "emergency.text"))
    assert chat.payloads[-7:] == [f"lang:{code}" for code in LANGUAGES]


async def test_a_question_typed_before_choosing_is_answered_after_the_choice(
    engine: DialogEngine,
) -> None:
    chat = Chat(engine)
    await chat.send("как оплатить патент")
    assert chat.payloads == [f"lang:{code}" for code in LANGUAGES]
    await chat.tap("lang:ru")
    assert "helpful:patent.payment" in chat.payloads


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("kind", "key"),
    [
        (MediaKind.STICKER, "unsupported.sticker"),
        (MediaKind.VOICE, "unsupported.voice"),
        (MediaKind.PHOTO, "unsupported.photo"),
        (MediaKind.DOCUMENT, "unsupported.other"),
    ],
)
async def test_unreadable_input_gets_a_kind_reply_with_buttons(
    engine: DialogEngine, catalogs: Catalogs, language: str, kind: MediaKind, key: str
) -> None:
    chat = await start(engine, language)
    await chat.send(media=kind)
    assert chat.text == catalogs.text(language, key)
    assert chat.payloads == ["specialist", "menu"]


ODD_INPUTS = {
    "empty": "",
    "spaces": "   \n\t ",
    "long": "патент " * 1500,
    "control": "как\x00 оплатить\x07 патент\x1b[31m\u200b\ufeff",
    "emoji": "😀🙏🏽🇺🇿❤️",
    "mixed_scripts": "patent qanday тўлаш kerak ինչպես 支付 وثيقة",
    "surrogate_like": "\ud83d",
    "rtl_marks": "\u202e\u202d текст",
}


@pytest.mark.parametrize("name", sorted(ODD_INPUTS))
async def test_odd_messages_never_crash_and_always_get_a_reply(
    engine: DialogEngine, catalogs: Catalogs, name: str
) -> None:
    chat = await start(engine, "ru")
    await chat.send(ODD_INPUTS[name])
    assert chat.replies, name
    assert catalogs.text("ru", "error.generic") not in chat.text
    assert all(len(r.text) <= 4096 for r in chat.replies)
    await chat.send("меню")  # and the conversation goes on
    assert chat.replies[-1].text == catalogs.text("ru", "menu.title")


async def test_a_shared_contact_gets_thanks_and_its_number_is_kept_nowhere(
    runtime: Runtime, catalogs: Catalogs
) -> None:
    engine = runtime.engine
    await start(engine, "en", user="c1")
    contact = Inbound("webchat", "c1", "c1", "contact-1", contact=Contact("+79001234567", "A"))
    replies = await engine.handle(contact)
    assert replies[0].text == catalogs.text("en", "contact.not_stored")
    assert "79001234567" not in json.dumps(await runtime.store.get(engine.user_key(contact)))
    with runtime.storage.engine.connect() as connection:
        rows = connection.exec_driver_sql("select * from person").fetchall()
    assert rows and "79001234567" not in repr(rows)


async def test_a_repeated_message_id_is_handled_once(engine: DialogEngine) -> None:
    chat = await start(engine, "ru")
    first = await chat.send("меню", message_id="same-id")
    again = await chat.send("меню", message_id="same-id")
    assert first and again == []
