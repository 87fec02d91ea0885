"""How a message is read before matching: its language and script, the keyboard layout it was
typed with, and the form the matcher compares.

A message typed with the wrong layout on ("ghjgecr") is read as what the keys meant
("пропуск") when that reading is much more like real text in one of our languages. Russian typed
in Latin letters is read in Cyrillic, and Uzbek typed in Cyrillic in Latin, so that each meets
the knowledge base's examples letter for letter; then the migrant spellings of
``lexicon/spellings.yaml`` are put right on the matching key.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from .language import LanguageModel, normalise_hint
from .normalize import MAX_MATCH_CHARS, clean, skeleton
from .scripts import Script, russian_from_latin, script_of, swap_layout, uzbek_to_latin

LAYOUT_MARGIN = 1.5
"""How much more fluent (mean log-probability per n-gram) the other layout's reading must be.

Over every example question of the knowledge base and its typed variants, the other layout
never read better (gain ≤ 0); "ghjgecr" → "пропуск" gains 2.3, "gfntyn" → "патент" 4.3.
"""
_LAYOUT_MIN_LETTERS = 4


@dataclass(frozen=True, slots=True)
class Reading:
    typed: str  # the message, cleaned, as the person typed it
    text: str  # the message as read: right layout, the script the examples are in
    key: str  # the matching key: ``skeleton(text)`` with migrant spellings put right
    language: str | None
    script: Script | None  # the script the person wrote in (after a layout fix)
    confidence: float  # of the language
    layout_fixed: bool = False


@dataclass(frozen=True, slots=True)
class Spellings:
    """Word-for-word fixes on the matching key ("patient" → "patent")."""

    by_variant: dict[str, str]

    @classmethod
    def load(cls, path: Path | None = None) -> Spellings:
        source = path or Path(str(resources.files("musofir.nlu") / "lexicon" / "spellings.yaml"))
        data = yaml.safe_load(source.read_text("utf-8")) or {}
        table: dict[str, str] = {}
        for meant, variants in data.items():
            target = skeleton(str(meant))
            for variant in variants or ():
                table[skeleton(str(variant))] = target
        return cls(table)

    def fix(self, key: str) -> str:
        return " ".join(self.by_variant.get(word, word) for word in key.split())


class Reader:
    def __init__(self, model: LanguageModel, spellings: Spellings | None = None) -> None:
        self.model = model
        self.spellings = spellings or Spellings.load()

    def read(self, text: str, *, chosen: str | None = None, hint: str | None = None) -> Reading:
        typed = clean(text[: MAX_MATCH_CHARS * 2])[:MAX_MATCH_CHARS]
        hint = normalise_hint(hint)
        as_read, layout_fixed = typed, False
        swapped = swap_layout(typed)
        if swapped != typed and sum(map(str.isalpha, typed)) >= _LAYOUT_MIN_LETTERS:
            guess, other = self.model.guesses((typed, swapped), chosen=chosen, hint=hint)
            if other.fluency > guess.fluency + LAYOUT_MARGIN:
                as_read, guess, layout_fixed = swapped, other, True
        else:
            guess = self.model.guess(typed, chosen=chosen, hint=hint)
        script = script_of(as_read)
        language = guess.language if guess.confidence > 0 else (chosen or hint)
        matched = _in_examples_script(as_read, language, script)
        key = self.spellings.fix(skeleton(matched))
        return Reading(typed, matched, key, language, script, guess.confidence, layout_fixed)

    def key_of(self, text: str, language: str) -> str:
        """The matching key of a knowledge-base example, whose language is known."""
        return self.spellings.fix(skeleton(_in_examples_script(text, language, script_of(text))))


def _in_examples_script(text: str, language: str | None, script: Script | None) -> str:
    """Russian typed in Latin letters in Cyrillic, Uzbek typed in Cyrillic in Latin."""
    if language == "ru" and script == "Latn":
        return russian_from_latin(text)
    if language == "uz" and script == "Cyrl":
        return uzbek_to_latin(text)
    return text


__all__ = ["LAYOUT_MARGIN", "Reader", "Reading", "Spellings"]
