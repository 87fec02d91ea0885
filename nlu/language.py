"""Which language a message is in, from its letters: a character n-gram model trained on our own
knowledge base.

Short chat messages defeat detectors trained on prose, and none we could install covers Uzbek,
Tajik and Kyrgyz together (langid.py and lingua have no Uzbek or Tajik; fastText's model is
downloaded at run time and 126 MB). So: multinomial naive Bayes over character 2–4-grams of the
knowledge base's own questions and titles, which are short chat-like lines in all seven
languages, each also seen the ways people type it: Tajik, Kyrgyz and Azerbaijani without their
special letters, Uzbek in both scripts, Russian, Tajik, Kyrgyz and Armenian in Latin letters.
Training takes a fraction of a second at start-up, so a new language or topic needs no model file.

The person's chosen language and the platform's hint are priors: they decide between languages
the letters cannot tell apart ("patent"), never against clear evidence.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .normalize import fold, words
from .scripts import CYRILLIC_TO_LATIN, armenian_in_latin, uzbek_to_cyrillic

LANGUAGES: tuple[str, ...] = ("ru", "uz", "tg", "ky", "az", "hy", "en")

CHOSEN_PRIOR = 5.0  # nats: the language the person chose in the menu
HINT_PRIOR = 1.0  # nats: the platform's language (Telegram's language_code, a phone's locale)
_SMOOTHING = 0.1
_SIZES = (2, 3, 4)

_PLAIN = str.maketrans(
    {
        # Tajik, Kyrgyz and Uzbek letters as people type them on a Russian keyboard
        "ҳ": "х", "ҷ": "ч", "ӣ": "и", "ӯ": "у", "қ": "к", "ғ": "г", "ң": "н", "ө": "о",
        "ү": "у", "ў": "у",
        # Azerbaijani on a plain Latin keyboard
        "ə": "e", "ı": "i", "ş": "s", "ç": "c", "ğ": "g", "ö": "o", "ü": "u",
    }
)  # fmt: skip


def typed_variants(language: str, text: str) -> list[str]:
    """``text`` and the other ways people type it in ``language`` (for training only)."""
    folded = fold(text)
    found = [folded, folded.translate(_PLAIN)]
    if language in ("ru", "tg", "ky"):
        found.append(folded.translate(CYRILLIC_TO_LATIN))
    elif language == "uz":
        if any("\u0400" <= ch <= "\u04ff" for ch in folded):
            found.append(folded.translate(CYRILLIC_TO_LATIN))
        else:
            found.append(fold(uzbek_to_cyrillic(folded)))
            found.append(folded.replace("'", ""))
    elif language == "hy":
        found.append(armenian_in_latin(folded))
    return list(dict.fromkeys(found))


def _grams(text: str) -> list[str]:
    """Character 2- to 4-grams, with a space marking where words start and end."""
    padded = f" {' '.join(words(text))} "
    length = len(padded)
    if length <= 2:
        return []
    return [padded[i : i + size] for size in _SIZES for i in range(length - size + 1)]


@dataclass(frozen=True, slots=True)
class Guess:
    language: str | None
    confidence: float  # the posterior probability of ``language``
    fluency: float  # mean log-probability per n-gram under that language: low for gibberish


@dataclass
class LanguageModel:
    """Naive Bayes log-probabilities of each n-gram, one column per language."""

    languages: tuple[str, ...]
    columns: dict[str, int]
    log_probabilities: np.ndarray  # (n-grams, languages)
    unseen: np.ndarray  # (languages,): the smoothed log-probability of an unseen n-gram

    @classmethod
    def train(cls, samples: Iterable[tuple[str, str]]) -> LanguageModel:
        counts: dict[str, Counter[str]] = {}
        for language, text in samples:
            grams = counts.setdefault(language, Counter())
            for variant in typed_variants(language, text):
                grams.update(_grams(variant))
        languages = tuple(sorted(counts))
        vocabulary = sorted(set().union(*counts.values())) if counts else []
        columns = {gram: n for n, gram in enumerate(vocabulary)}
        table = np.zeros((len(vocabulary), len(languages)))
        unseen = np.zeros(len(languages))
        for j, language in enumerate(languages):
            grams = counts[language]
            total = sum(grams.values()) + _SMOOTHING * (len(vocabulary) + 1)
            column = np.full(len(vocabulary), _SMOOTHING)
            for gram, count in grams.items():
                column[columns[gram]] += count
            table[:, j] = np.log(column / total)
            unseen[j] = math.log(_SMOOTHING / total)
        return cls(languages, columns, table, unseen)

    def guess(self, text: str, *, chosen: str | None = None, hint: str | None = None) -> Guess:
        grams = _grams(text)
        if not grams:
            return Guess(chosen or hint, 0.0, 0.0)
        known = [self.columns[g] for g in grams if g in self.columns]
        likelihood = self.log_probabilities[known].sum(axis=0) if known else 0.0
        likelihood = likelihood + self.unseen * (len(grams) - len(known))
        fluency = float(np.max(likelihood)) / len(grams)
        # Overlapping 2- to 4-grams count each letter three times; naive Bayes would be that
        # much too sure of itself, and a prior could never break a near tie. One word says
        # even less ("patent" is a word in five of our languages): trust it a third as much.
        likelihood = likelihood / (len(_SIZES) * (3 if " " not in text.strip() else 1))
        posterior = likelihood + self._priors(chosen, hint)
        posterior = np.exp(posterior - posterior.max())
        posterior /= posterior.sum()
        best = int(np.argmax(posterior))
        return Guess(self.languages[best], float(posterior[best]), fluency)

    def _priors(self, chosen: str | None, hint: str | None) -> np.ndarray:
        priors = np.zeros(len(self.languages))
        for language, weight in ((chosen, CHOSEN_PRIOR), (hint, HINT_PRIOR)):
            if language in self.languages:
                priors[self.languages.index(language)] += weight
        return priors


def training_samples(knowledge: object) -> list[tuple[str, str]]:
    """Every title and example question of the knowledge base, with its language."""
    samples: list[tuple[str, str]] = []
    for topic in knowledge.topics.values():  # type: ignore[attr-defined]
        for language, text in topic.languages.items():
            samples.append((language, text.title))
            samples.extend((language, q) for q in text.questions)
    return samples


_trained: dict[str, LanguageModel] = {}


def model_for(samples: list[tuple[str, str]]) -> LanguageModel:
    """The model of these samples, trained once per process.

    The matcher's reader and ``detect_language`` (first contact, the script of an Uzbek
    message) both need the knowledge base's model; training it twice would cost start-up time.
    """
    fingerprint = hashlib.sha256(json.dumps(samples).encode()).hexdigest()
    found = _trained.get(fingerprint)
    if found is None:
        found = LanguageModel.train(samples)
        _trained.clear()  # one knowledge base per process, but never a growing cache
        _trained[fingerprint] = found
    return found


@lru_cache(maxsize=1)
def default_model() -> LanguageModel:
    """The model of the packaged knowledge base, for callers without one at hand."""
    from musofir.knowledge import KnowledgeBase

    return model_for(training_samples(KnowledgeBase.load()))


def normalise_hint(hint: str | None) -> str | None:
    """A platform's language code ("uz-UZ", "ru_RU", "tj") as one of ours, or None."""
    if not hint:
        return None
    code = hint.replace("_", "-").split("-")[0].casefold()
    code = {"tj": "tg", "kg": "ky", "am": "hy"}.get(code, code)
    return code if code in LANGUAGES else None


def detect_language(
    text: str,
    *,
    prior: str | None = None,
    hint: str | None = None,
    model: LanguageModel | None = None,
) -> str | None:
    """Our best guess among ru, uz, tg, ky, az, hy, en; ``prior`` is the person's choice."""
    if not any(ch.isalpha() for ch in text):
        return prior or normalise_hint(hint)
    return (model or default_model()).guess(text, chosen=prior, hint=normalise_hint(hint)).language


__all__ = [
    "LANGUAGES",
    "Guess",
    "LanguageModel",
    "default_model",
    "detect_language",
    "model_for",
    "normalise_hint",
    "training_samples",
    "typed_variants",
]
