"""A person who writes Uzbek in Cyrillic is answered in Cyrillic; in Latin, in Latin."""

from __future__ import annotations

import re

from musofir.dialogs import DialogEngine
from utils.chat import Chat

LATIN_LETTERS = re.compile(r"[a-z]{3,}", re.IGNORECASE)
LINK = re.compile(r"\S+\.(ru|uz|com|org)\S*|https?://\S+")


def latin_words(text: str) -> list[str]:
    """Latin words left outside links and official abbreviations."""
    return [w for w in LATIN_LETTERS.findall(LINK.sub(" ", text)) if not w.isupper()]


async def test_uzbek_typed_in_cyrillic_gets_the_answer_in_cyrillic(engine: DialogEngine) -> None:
    chat = Chat(engine, user="cyr1")
    await chat.send("патентни қандай тўлаш керак")  # no language chosen yet: it is asked first
    await chat.tap("lang:uz")
    assert "helpful:patent.payment" in chat.payloads, chat.text
    assert "патент" in chat.text.casefold() and "тўла" in chat.text.casefold()
    assert latin_words(chat.text) == [], latin_words(chat.text)
    titles = [b.title for r in chat.replies for b in r.buttons]
    assert titles and all(not latin_words(t) for t in titles), titles

    await chat.send("patentni qayerdan olsam bo'ladi")  # back to Latin: answers in Latin again
    assert "patent" in chat.text.casefold()
    assert not re.search("[ўқғҳ]", chat.text.casefold())


async def test_links_in_a_cyrillic_answer_still_work(engine: DialogEngine) -> None:
    chat = Chat(engine, user="cyr2")
    await chat.send("/start")
    await chat.tap("lang:uz")
    await chat.send("патент учун қандай тўлаш керак")
    links = re.findall(r"https?://[^\s)]+", chat.text)
    assert links and all(link.isascii() for link in links), links
