"""Text normalisation before matching.

``clean`` makes any input safe to handle (control characters out, length bounded). ``skeleton``
folds every script we meet into one rough Latin spelling, so that "как оплатить патент",
"kak oplatit patent", "патентни қандай тўлаш" and "patentni qanday to'lash" share character
n-grams; Armenian folds the same way, for people who type it in Latin letters. The table is ours
because no library folds Uzbek, Tajik, Kyrgyz and Armenian letters together with chat-style
transliteration (zh, kh, sh); it is a matching key, never shown to anyone.
"""

from __future__ import annotations

import re
import unicodedata

MAX_MATCH_CHARS = 500
"""Only the start of a long message is matched: a question is never thousands of characters."""

_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]")
_APOSTROPHES = re.compile("[`´‘’ʻʼʹ′‛]")  # a regular expression: quicker than ``translate``

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "j", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "sh", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Uzbek, Tajik and Kyrgyz letters fold to their plain look-alikes, as people type them
    # when their keyboard lacks them.
    "ў": "o", "қ": "k", "ғ": "g", "ҳ": "h", "ҷ": "j", "ӣ": "i", "ӯ": "u", "ң": "n",
    "ө": "o", "ү": "u", "ә": "a", "һ": "h", "і": "i",
}  # fmt: skip

_LATIN = {
    "ə": "a",
    "ı": "i",
    "ş": "sh",
    "ç": "ch",
    "ğ": "g",
    "ö": "o",
    "ü": "u",
    "q": "k",
    "x": "h",
    "w": "v",
}
_LATIN_DIGRAPHS = (("o'", "o"), ("g'", "g"), ("kh", "h"), ("zh", "j"), ("'", ""), ("ու", "u"))
_ARMENIAN = {
    "ա": "a", "բ": "b", "գ": "g", "դ": "d", "ե": "e", "զ": "z", "է": "e", "ը": "y", "թ": "t",
    "ժ": "j", "ի": "i", "լ": "l", "խ": "h", "ծ": "ts", "կ": "k", "հ": "h", "ձ": "dz", "ղ": "g",
    "ճ": "ch", "մ": "m", "յ": "y", "ն": "n", "շ": "sh", "ո": "o", "չ": "ch", "պ": "p",
    "ջ": "j", "ռ": "r", "ս": "s", "վ": "v", "տ": "t", "ր": "r", "ց": "ts", "ւ": "v", "փ": "p",
    "ք": "k", "և": "ev", "օ": "o", "ֆ": "f",
}  # fmt: skip
_SKELETON_TABLE = str.maketrans({**_CYRILLIC, **_LATIN, **_ARMENIAN})
NON_WORD = re.compile(r"[^\w]+")


def clean(text: str) -> str:
    """NFKC, no control or zero-width characters, collapsed spaces: safe for any further step."""
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", text)
    return " ".join(text.split())


def fold(text: str) -> str:
    """Case-folded, one apostrophe, ё as е: the form command words and danger words are met in."""
    return _APOSTROPHES.sub("'", clean(text).casefold()).replace("ё", "е")


def skeleton(text: str) -> str:
    """The cross-script matching key of ``text`` (words separated by single spaces)."""
    folded = fold(text[: MAX_MATCH_CHARS * 2])[:MAX_MATCH_CHARS]
    for digraph, plain in _LATIN_DIGRAPHS:
        folded = folded.replace(digraph, plain)
    folded = folded.translate(_SKELETON_TABLE)
    return " ".join(NON_WORD.sub(" ", folded).split())


def words(text: str) -> list[str]:
    """The words of ``text`` in folded form, punctuation dropped."""
    return NON_WORD.sub(" ", fold(text)).split()


__all__ = ["MAX_MATCH_CHARS", "NON_WORD", "clean", "fold", "skeleton", "words"]
