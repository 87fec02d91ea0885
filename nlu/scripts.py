"""Changing a text's script: Uzbek Latin ↔ Cyrillic, Russian typed in Latin letters, and text typed
with the wrong keyboard layout.

Uzbek uses UzTransliterator (rule-based, with the exception words the plain letter tables get
wrong). The two tables below are ours, and why:

- Russian "chat translit" ("zabyl oplatit patent", "registraciyu") back to Cyrillic. The one
  library for it we found (``transliterate``, no release since 2018) writes "ya" and "yu" as
  "ыа" and "ыу"; people type neither GOST nor ISO 9 but a loose mix, so a longest-match table of
  the spellings people use, with "y" read by its neighbours, does better.
- Keyboard layouts: the Russian ЙЦУКЕН and the US QWERTY layouts are fixed standards; a text
  typed with the other layout on is one table lookup per key away.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Literal

Script = Literal["Latn", "Cyrl", "Armn"]

_URL = re.compile(r"(https?://\S+|www\.\S+|\S+@\S+\.\w+|\S+\.(?:ru|uz|tj|kg|am|az|com|org)\b\S*)")


_LETTERS: dict[Script, re.Pattern[str]] = {
    "Latn": re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]"),
    "Cyrl": re.compile(r"[\u0400-\u0481\u048a-\u04ff]"),
    "Armn": re.compile(r"[\u0531-\u0556\u0560-\u0588]"),
}


def script_of(text: str) -> Script | None:
    """The script most of the letters are in (None when there are no letters).

    Counted with one regular expression per script: a loop over the characters in Python cost
    a tenth of a query's time.
    """
    counts = {script: len(letters.findall(text)) for script, letters in _LETTERS.items()}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else None


# Uzbek --------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _uzbek() -> object:
    from UzTransliterator import UzTransliterator

    return UzTransliterator()


def _outside_links(text: str, convert: Callable[[str], str]) -> str:
    """Convert the text line by line but not its links, e-mail addresses and site names.

    The converter may trim and re-space what it is given, so each piece keeps its own
    surrounding white space and line breaks.
    """

    def piece(part: str) -> str:
        core = part.strip()
        if not core:
            return part
        start = part.index(core[0])
        return part[:start] + convert(core) + part[start + len(core) :]

    lines = []
    for line in text.split("\n"):
        parts = _URL.split(line)
        lines.append("".join(p if i % 2 else piece(p) for i, p in enumerate(parts)))
    return "\n".join(lines)


@lru_cache(maxsize=4096)
def uzbek_to_cyrillic(text: str) -> str:
    """Uzbek Latin in Cyrillic, for a person who writes Uzbek in Cyrillic (links stay as typed)."""
    engine = _uzbek()

    def convert(part: str) -> str:
        # The library expects the official ‘ apostrophe forms; people and our texts mix them.
        part = re.sub(r"(?<=[OoGg])['`ʻʼ’]", "‘", part)
        return str(engine.transliterate(part, from_="lat", to="cyr"))  # type: ignore[attr-defined]

    return _outside_links(text, convert)


def uzbek_to_latin(text: str) -> str:
    engine = _uzbek()
    return _outside_links(
        text,
        lambda part: str(engine.transliterate(part, from_="cyr", to="lat")),  # type: ignore[attr-defined]
    )


# Russian typed in Latin letters ------------------------------------------------------------

_RUSSIAN_CHUNKS: tuple[tuple[str, str], ...] = (
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ch", "ч"), ("sh", "ш"),
    ("ts", "ц"), ("tz", "ц"), ("ya", "я"), ("ja", "я"), ("yu", "ю"), ("ju", "ю"), ("yo", "ё"),
    ("jo", "ё"), ("ye", "е"), ("je", "е"), ("e'", "э"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("w", "в"), ("g", "г"), ("d", "д"), ("e", "е"),
    ("z", "з"), ("i", "и"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"),
    ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"),
    ("x", "х"), ("c", "ц"), ("q", "к"), ("j", "й"), ("'", "ь"), ("`", "ь"),
)  # fmt: skip
_VOWELS = set("aeiouy")


def _russian_word(word: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(word):
        if word[i] == "y":
            # "y" alone: ы after a consonant ("vyezd", "ty"), й after a vowel or at the start
            # of a syllable ("moy", "yod"); chunks above catch ya/yu/yo/ye.
            rest = word[i : i + 2]
            after_consonant = i > 0 and word[i - 1] not in _VOWELS
            if rest in ("ya", "yu", "yo") or (rest == "ye" and not after_consonant):
                pass
            elif after_consonant:
                out.append("ы")
                i += 1
                continue
            else:
                out.append("й")
                i += 1
                continue
        for latin, cyrillic in _RUSSIAN_CHUNKS:
            if word.startswith(latin, i):
                out.append(cyrillic)
                i += len(latin)
                break
        else:
            out.append(word[i])
            i += 1
    return "".join(out)


def russian_from_latin(text: str) -> str:
    """Latin-typed Russian ("zabyl oplatit patent") back in Cyrillic ("забыл оплатит патент")."""
    return re.sub(r"[a-z'`]+", lambda m: _russian_word(m.group(0)), text.casefold())


# Chat Latin for Cyrillic and Armenian --------------------------------------------------------
# How people write Russian, Tajik, Kyrgyz and Armenian when their phone has only Latin letters.

CYRILLIC_TO_LATIN = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
        "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
        "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
        "я": "ya", "ҳ": "h", "ҷ": "j", "ӣ": "i", "ӯ": "u", "қ": "q", "ғ": "gh", "ң": "ng",
        "ө": "o", "ү": "u", "ў": "o",
    }
)  # fmt: skip
ARMENIAN_TO_LATIN = str.maketrans(
    {
        "ա": "a", "բ": "b", "գ": "g", "դ": "d", "ե": "e", "զ": "z", "է": "e", "ը": "y",
        "թ": "t", "ժ": "zh", "ի": "i", "լ": "l", "խ": "kh", "ծ": "ts", "կ": "k", "հ": "h",
        "ձ": "dz", "ղ": "gh", "ճ": "ch", "մ": "m", "յ": "y", "ն": "n", "շ": "sh", "ո": "o",
        "չ": "ch", "պ": "p", "ջ": "j", "ռ": "r", "ս": "s", "վ": "v", "տ": "t", "ր": "r",
        "ց": "c", "ւ": "v", "փ": "p", "ք": "q", "և": "ev", "օ": "o", "ֆ": "f",
    }
)  # fmt: skip


def armenian_in_latin(text: str) -> str:
    """Armenian as people type it in Latin letters ("ինչպես" → "inchpes")."""
    return text.replace("ու", "u").replace("Ու", "U").translate(ARMENIAN_TO_LATIN)


# Keyboard layouts ---------------------------------------------------------------------------

_QWERTY = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_YCUKEN = "йцукенгшщзхъфывапролджэячсмитьбюё"
_KEYS = [*zip(_QWERTY, _YCUKEN, strict=True)]
_KEYS += [(q.upper(), y.upper()) for q, y in _KEYS if q.isalpha()]  # "," has no capital
_TO_CYRILLIC = str.maketrans({q: y for q, y in _KEYS})
_TO_LATIN = str.maketrans({y: q for q, y in _KEYS})


def swap_layout(text: str) -> str:
    """What ``text`` would have been with the other layout on: "ghjgecr" ↔ "пропуск"."""
    script = script_of(text)
    if script == "Latn":
        return text.translate(_TO_CYRILLIC)
    if script == "Cyrl":
        return text.translate(_TO_LATIN)
    return text


__all__ = [
    "ARMENIAN_TO_LATIN",
    "CYRILLIC_TO_LATIN",
    "Script",
    "armenian_in_latin",
    "russian_from_latin",
    "script_of",
    "swap_layout",
    "uzbek_to_cyrillic",
    "uzbek_to_latin",
]
