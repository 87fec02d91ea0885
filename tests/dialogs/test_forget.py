"""A person can erase everything kept about them, in every language, after confirming."""

from __future__ import annotations

import pytest
from musofir.bots.server import Runtime
from musofir.dialogs import Catalogs, Inbound
from musofir.storage import Person
from sqlmodel import Session, select
from utils.chat import Chat

FORGET_WORDS = {
    "ru": "удалить мои данные",
    "uz": "ma'lumotlarimni o'chir",
    "tg": "маълумотҳоямро нест кун",
    "ky": "маалыматымды өчүр",
    "az": "məlumatlarımı sil",
    "hy": "ջնջել իմ տվյալները",
    "en": "/forget",
}


def people(runtime: Runtime) -> list[Person]:
    with Session(runtime.storage.engine) as session:
        return list(session.exec(select(Person)).all())


@pytest.mark.parametrize("language", sorted(FORGET_WORDS))
async def test_forget_erases_the_person_after_the_confirming_button(
    runtime: Runtime, catalogs: Catalogs, language: str
) -> None:
    chat = Chat(runtime.engine, user=f"person-{language}")
    await chat.send("/start")
    await chat.tap(f"lang:{language}")
    key = runtime.engine.user_key(chat_inbound(chat))
    assert [p.key_hash for p in people(runtime)] == [key]
    assert await runtime.store.get(key) is not None

    await chat.send(FORGET_WORDS[language])
    assert chat.text == catalogs.text(language, "forget.confirm")
    assert chat.payloads == ["forget:yes", "forget:no"]
    assert people(runtime), "nothing is erased before the button"

    await chat.tap("forget:yes")
    assert chat.text == catalogs.text(language, "forget.done")
    assert people(runtime) == []
    assert await runtime.store.get(key) is None

    await chat.send("hello")  # a new start, as a stranger
    assert chat.payloads[:1] == ["lang:ru"]


async def test_saying_no_keeps_everything(runtime: Runtime, catalogs: Catalogs) -> None:
    chat = Chat(runtime.engine)
    await chat.send("/start")
    await chat.tap("lang:en")
    await chat.send("/forget")
    await chat.tap("forget:no")
    assert catalogs.text("en", "forget.cancelled") in chat.text
    assert len(people(runtime)) == 1


async def test_an_old_confirmation_button_erases_nothing(runtime: Runtime) -> None:
    chat = Chat(runtime.engine)
    await chat.send("/start")
    await chat.tap("lang:en")
    await chat.send("/forget")
    await chat.send("menu")  # moved on without confirming
    await chat.send(payload="forget:yes")
    assert len(people(runtime)) == 1


def chat_inbound(chat: Chat) -> Inbound:
    return Inbound(chat.channel, chat.user, chat.user, "probe")
