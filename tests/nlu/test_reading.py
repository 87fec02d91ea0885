"""How a message is read: language and script, the wrong keyboard layout, transliteration."""

from __future__ import annotations

import pytest
from musofir.knowledge import KnowledgeBase
from musofir.nlu import Band, TfidfMatcher, build_faq_matcher, detect_language
from musofir.nlu.scripts import russian_from_latin, swap_layout, uzbek_to_cyrillic, uzbek_to_latin


@pytest.fixture(scope="module")
def matcher() -> TfidfMatcher:
    return build_faq_matcher(KnowledgeBase.load())


@pytest.mark.parametrize(
    ("typed", "meant", "topic_prefix"),
    [
        ("ghjgecr", "пропуск", None),
        ("gfntyn", "патент", "patent."),
        ("rfr jgkfnbnm gfntyn", "как оплатить патент", "patent.payment"),
        ("ult cltkfnm htubcnhfwb.", "где сделать регистрацию", "registration."),
    ],
)
def test_text_typed_with_the_english_layout_on_is_read_as_russian(
    matcher: TfidfMatcher, typed: str, meant: str, topic_prefix: str | None
) -> None:
    reading = matcher.reader.read(typed)
    assert reading.layout_fixed and reading.text == meant and reading.language == "ru"
    if topic_prefix:
        result = matcher.match_now(typed)
        assert result.offered and result.offered[0].startswith(topic_prefix), result


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "how do i pay for my patent",
        "patentni qanday to'lash kerak",
        "zabyl oplatit patent",
        "patenti necə ödəyim",
        "inchpes vcharel patenty",
        "patent chi tavr giram",
        "как оплатить патент",
        "ok",
    ],
)
def test_text_in_the_right_layout_is_left_alone(matcher: TfidfMatcher, text: str) -> None:
    assert not matcher.reader.read(text).layout_fixed


@pytest.mark.parametrize(
    ("text", "language", "script"),
    [
        ("zabyl oplatit patent", "ru", "Latn"),
        ("gde sdelat registraciyu", "ru", "Latn"),
        ("patent pulini qachon to'lash kerak", "uz", "Latn"),
        ("патент пулини қачон тўлаш керак", "uz", "Cyrl"),
        ("патент чи тавр гирифтан мумкин", "tg", "Cyrl"),  # Tajik without its letters
        ("патентти кантип алам", "ky", "Cyrl"),
        ("patenti nece odeyim", "az", "Latn"),  # Azerbaijani without its letters
        ("ինչպես վճարել պատենտի համար", "hy", "Armn"),
        ("i forgot to pay my patent", "en", "Latn"),
    ],
)
def test_language_and_script_come_from_the_text(
    matcher: TfidfMatcher, text: str, language: str, script: str
) -> None:
    reading = matcher.reader.read(text)
    assert (reading.language, reading.script) == (language, script)


def test_the_persons_choice_decides_only_what_the_letters_cannot() -> None:
    assert detect_language("patent", prior="uz") == "uz"
    assert detect_language("patent", prior="ky") == "ky"
    assert detect_language("как оплатить патент за этот месяц", prior="uz") == "ru"
    assert detect_language("patent", hint="uz-UZ", prior="uz") == "uz"


def test_russian_typed_in_latin_letters_is_read_in_cyrillic() -> None:
    assert russian_from_latin("zabyl oplatit patent") == "забыл оплатит патент"
    assert russian_from_latin("gde sdelat registraciyu") == "где сделат регистрацию"
    assert russian_from_latin("vyezd iz rossii") == "выезд из россии"
    assert russian_from_latin("moya zhena") == "моя жена"


def test_uzbek_goes_between_scripts_and_keeps_links() -> None:
    latin = "Yordam kerak bo‘lsa, migration.gov.ru saytiga qarang.\n\n1. Pasport"
    cyrillic = uzbek_to_cyrillic(latin)
    assert cyrillic.startswith("Ёрдам керак бўлса,") and "migration.gov.ru" in cyrillic
    assert cyrillic.endswith("\n\n1. Паспорт")
    assert uzbek_to_latin("ёрдам керак").startswith("yordam")
    assert swap_layout(swap_layout("ghjgecr")) == "ghjgecr"


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("patient kak oplatit", "patent.payment"),
        ("registraciya skolko dney", "registration.migration"),
        ("patent pulini qachon to`lash kerak", "patent.payment"),
        ("patent pulini qachon tolash kerak", "patent.payment"),
        ("патент пулини қачон тўлаш керак", "patent.payment"),
    ],
)
def test_migrant_spellings_and_apostrophes_reach_the_topic(
    matcher: TfidfMatcher, text: str, topic: str
) -> None:
    result = matcher.match_now(text)
    assert result.offered[:1] == (topic,), result


def test_off_topic_questions_are_declined_in_every_language(matcher: TfidfMatcher) -> None:
    for text in (
        "какой завтра ветер в казани",
        "ertaga havo issiq bo'ladimi",
        "who won the chess final",
    ):
        assert matcher.match_now(text).band is Band.NONE, text
