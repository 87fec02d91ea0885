"""Command words and danger words in every language, read from the YAML lists in ``lexicon/``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path

import yaml

from .normalize import fold, skeleton


class Command(StrEnum):
    MENU = "menu"
    START = "start"
    HELP = "help"
    LANGUAGE = "language"
    FORGET = "forget"
    END = "end"  # end the talk with a specialist
    STOP = "stop"  # stop every message from us


def _lexicon_file(name: str) -> Path:
    return Path(str(resources.files("musofir.nlu") / "lexicon" / name))


def _bare(text: str) -> str:
    """A message reduced to its words, for comparing whole messages with command words."""
    kept = fold(text).strip(" .!?,;:()\"'«»")
    return skeleton(kept) if kept not in ("?", "0") else kept


@dataclass(frozen=True, slots=True)
class CommandWords:
    by_phrase: dict[str, Command]

    @classmethod
    def load(cls, path: Path | None = None) -> CommandWords:
        data = yaml.safe_load((path or _lexicon_file("commands.yaml")).read_text("utf-8"))
        table: dict[str, Command] = {}
        for name, phrases in data.items():
            for phrase in phrases:
                table[_bare(str(phrase))] = Command(name)
        return cls(table)

    def detect(self, text: str) -> Command | None:
        """The command a whole message stands for, if it is nothing but a command word."""
        if not text or len(text) > 60:
            return None
        return self.by_phrase.get(_bare(text))


class _Phrases:
    """Phrases by label, each matched at the start of a word in a message's skeleton.

    Most messages name none of them, so one regex made of every phrase answers "none" in a few
    microseconds; only a message that matches is searched phrase by phrase, which keeps the
    list's order deciding which label wins (the first listed phrase, not the first in the text).
    """

    __slots__ = ("any_phrase", "patterns")

    def __init__(self, labelled: list[tuple[str, str]]) -> None:
        bodies = [re.escape(skeleton(phrase)) for _, phrase in labelled]
        self.patterns = tuple(
            (label, re.compile(r"(?<!\w)" + body))
            for (label, _), body in zip(labelled, bodies, strict=True)
        )
        self.any_phrase = re.compile(r"(?<!\w)(?:" + "|".join(bodies) + ")") if bodies else None

    @classmethod
    def load(cls, path: Path) -> _Phrases:
        data = yaml.safe_load(path.read_text("utf-8"))
        return cls([(label, str(phrase)) for label, phrases in data.items() for phrase in phrases])

    def first_label(self, key: str) -> str | None:
        """The label of the first listed phrase found in ``key`` (a skeleton), if any."""
        if self.any_phrase is None or self.any_phrase.search(key) is None:
            return None
        for label, pattern in self.patterns:
            if pattern.search(key):
                return label
        return None


@dataclass(frozen=True, slots=True)
class DangerWords:
    phrases: _Phrases

    @classmethod
    def load(cls, path: Path | None = None) -> DangerWords:
        return cls(_Phrases.load(path or _lexicon_file("danger.yaml")))

    def detect(self, text: str) -> str | None:
        """The language of the first danger phrase in ``text``, or None when there is none."""
        if not text:
            return None
        return self.phrases.first_label(skeleton(text))


SPECIALIST_WORD_LIMIT = 5
"""A longer message naming a specialist is a question about what one said, not a request."""


@dataclass(frozen=True, slots=True)
class SpecialistWords:
    """Words asking for a human: which kind (lawyer, doctor, social_worker) or ``any``."""

    phrases: _Phrases

    @classmethod
    def load(cls, path: Path | None = None) -> SpecialistWords:
        return cls(_Phrases.load(path or _lexicon_file("specialists.yaml")))

    def detect(self, text: str) -> str | None:
        if not text or len(text.split()) > SPECIALIST_WORD_LIMIT:
            return None
        return self.phrases.first_label(skeleton(text))


__all__ = ["Command", "CommandWords", "DangerWords", "SpecialistWords"]
