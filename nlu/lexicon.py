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


@dataclass(frozen=True, slots=True)
class DangerWords:
    patterns: tuple[tuple[str, re.Pattern[str]], ...]

    @classmethod
    def load(cls, path: Path | None = None) -> DangerWords:
        data = yaml.safe_load((path or _lexicon_file("danger.yaml")).read_text("utf-8"))
        patterns = [
            (language, re.compile(r"(?<!\w)" + re.escape(skeleton(str(phrase)))))
            for language, phrases in data.items()
            for phrase in phrases
        ]
        return cls(tuple(patterns))

    def detect(self, text: str) -> str | None:
        """The language of the first danger phrase in ``text``, or None when there is none."""
        if not text:
            return None
        key = skeleton(text)
        for language, pattern in self.patterns:
            if pattern.search(key):
                return language
        return None


SPECIALIST_WORD_LIMIT = 5
"""A longer message naming a specialist is a question about what one said, not a request."""


@dataclass(frozen=True, slots=True)
class SpecialistWords:
    """Words asking for a human: which kind (lawyer, doctor, social_worker) or ``any``."""

    patterns: tuple[tuple[str, re.Pattern[str]], ...]

    @classmethod
    def load(cls, path: Path | None = None) -> SpecialistWords:
        data = yaml.safe_load((path or _lexicon_file("specialists.yaml")).read_text("utf-8"))
        patterns = [
            (role, re.compile(r"(?<!\w)" + re.escape(skeleton(str(phrase)))))
            for role, phrases in data.items()
            for phrase in phrases
        ]
        return cls(tuple(patterns))

    def detect(self, text: str) -> str | None:
        if not text or len(text.split()) > SPECIALIST_WORD_LIMIT:
            return None
        key = skeleton(text)
        for role, pattern in self.patterns:
            if pattern.search(key):
                return role
        return None


__all__ = ["Command", "CommandWords", "DangerWords", "SpecialistWords"]
