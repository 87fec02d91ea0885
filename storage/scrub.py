"""Scrubbing free text before it is kept without an owner: what could name a person goes.

People type their phone number, e-mail or passport number into a question ("мой паспорт
AB1234567 просрочен"). Staff need the question, never those, so each becomes a placeholder.
Generous on purpose: a lost amount or date is cheap, a kept document number is not.
"""

from __future__ import annotations

import re

NUMBER = "<number>"
EMAIL = "<email>"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A word of letters and digits (a document number: AB1234567); bare digits are the next rule's.
_TOKEN = re.compile(r"(?<!\w)(?=[^\W_]*[^\W\d_])[^\W_]{6,}(?!\w)")
# Digits with a few separators between them: +7 (999) 123-45-67, 4510 123456, 12.05.1990.
_DIGITS = re.compile(r"\+?\d(?:[\s().\-/]{0,2}\d)*")
_MIN_TOKEN_DIGITS = 5
_MIN_RUN_DIGITS = 6
_PLACEHOLDERS = re.compile(f"{re.escape(NUMBER)}|{re.escape(EMAIL)}")
_WORD = re.compile(r"\w+")


def _document(match: re.Match[str]) -> str:
    token = match.group()
    return NUMBER if sum(c.isdigit() for c in token) >= _MIN_TOKEN_DIGITS else token


def _digits(match: re.Match[str]) -> str:
    run = match.group()
    return NUMBER if sum(c.isdigit() for c in run) >= _MIN_RUN_DIGITS else run


def scrub(text: str) -> str:
    """``text`` with e-mail addresses, phone and document numbers and long digit runs replaced."""
    text = _EMAIL.sub(EMAIL, text)
    text = _TOKEN.sub(_document, text)
    text = _DIGITS.sub(_digits, text)
    return " ".join(text.split())


def has_words(scrubbed: str) -> bool:
    """Whether anything but placeholders is left: a bare phone number teaches nothing."""
    return any(c.isalpha() for c in _PLACEHOLDERS.sub(" ", scrubbed))


def normal_form(scrubbed: str) -> str:
    """The form two askings of one question share: case, ё and punctuation do not count."""
    return " ".join(_WORD.findall(scrubbed.casefold().replace("ё", "е")))


__all__ = ["EMAIL", "NUMBER", "has_words", "normal_form", "scrub"]
