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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, chain, repeat

import numpy as np

from .normalize import NON_WORD, fold, words
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


def _padded(words_of_text: list[str]) -> str:
    """The words with a space marking where each starts and ends."""
    return f" {' '.join(words_of_text)} "


def _grams(padded: str) -> list[str]:
    """Character 2- to 4-grams of a padded text (``_padded``)."""
    if len(padded) <= 2:
        return []
    return [padded[i : i + size] for size in _SIZES for i in range(len(padded) - size + 1)]


def _gram_count(padded: str) -> int:
    """How many n-grams ``_grams`` finds in a padded text, without cutting them."""
    if len(padded) <= 2:
        return 0
    return sum(max(len(padded) - size + 1, 0) for size in _SIZES)


_APART = "\0"  # never in a folded text: an n-gram spanning two texts contains it


def _count_grams(folded_texts: list[str]) -> Counter[str]:
    """The n-grams ``_grams`` finds in each text, counted over all of them at once.

    One long string of the texts, kept apart by a character no n-gram may contain, costs half
    the time of ten thousand short lists (training is most of a first start).
    """
    joined = _APART.join(_padded(NON_WORD.sub(" ", text).split()) for text in folded_texts)
    counts: Counter[str] = Counter()
    for size in _SIZES:
        counts.update(joined[i : i + size] for i in range(len(joined) - size + 1))
    for spanning in [gram for gram in counts if _APART in gram]:
        del counts[spanning]
    return counts


class GramRows(dict[str, int]):
    """n-gram → its row of the model; an n-gram never seen in training reads the last row.

    Looked up with ``map`` in C for the hundreds of n-grams of every message (``rows_of``): a
    Python loop with ``dict.get`` was a fifth of a query's time.
    """

    def __missing__(self, gram: str) -> int:
        return len(self)

    def rows_of(self, grams: Iterable[str], count: int) -> np.ndarray:
        """The rows of ``count`` n-grams, as an array.

        ``get`` with the last row as its default, not ``__missing__``: that is a Python call
        per unseen n-gram, and the other keyboard layout's reading of a message is mostly
        unseen n-grams. With ``take`` on the array, looking up and gathering a message and its
        other layout went from 24 to 12 µs (measured).
        """
        return np.fromiter(map(self.get, grams, repeat(len(self))), np.intp, count)


_LETTER_BITS = 15  # per letter of a packed n-gram: room for 32,767 distinct letters
_MAX_LETTERS = (1 << _LETTER_BITS) - 1
_FIRST = 1 << _LETTER_BITS  # a bit above the first letter: "ab" and "?ab" never pack alike
_PAST_EVERY_KEY = np.iinfo(np.int64).max


@dataclass(frozen=True, slots=True)
class PackedGrams:
    """The model's n-grams as sorted 64-bit integers, so a message's hundreds of n-grams are
    cut, packed and looked up by a dozen numpy calls instead of one Python string and one dict
    lookup each (those were two thirds of reading a message).

    Each letter of the model's n-grams has a number from 1 (a letter of no n-gram: 0), and an
    n-gram packs as a 1 bit followed by 15 bits per letter: 2- to 4-grams take at most 61 bits,
    and no two n-grams, of the same length or not, pack alike. An n-gram with a letter the
    model never saw packs with a 0 where every key has a letter, so it is never found: unseen,
    as a dict lookup would say. Code points are read as UTF-32, so letters outside the Basic
    Multilingual Plane (and lone surrogates) are single letters, as in Python's strings.
    """

    letters: np.ndarray  # code point → its letter number; past the last, 0 (``mode="clip"``)
    keys: np.ndarray  # the packed n-grams, ascending, then one key greater than any
    rows: np.ndarray  # the model row of each key; the last key's is the unseen n-gram's row

    @classmethod
    def of(cls, rows_of_grams: Mapping[str, int]) -> PackedGrams | None:
        """The packed table of these n-grams, or None when they cannot be packed (more letters
        than 15 bits number, an n-gram longer than four letters or with a NUL in it)."""
        grams = np.array(list(rows_of_grams), dtype=str)
        width = grams.dtype.itemsize // 4
        codes = grams.view(np.uint32).reshape(len(grams), width).astype(np.int64)
        present = codes > 0  # ``np.array`` pads shorter n-grams with NULs
        if width * _LETTER_BITS > 62 or present.sum() != sum(map(len, rows_of_grams)):
            return None
        alphabet = np.unique(codes[present])
        if len(alphabet) > _MAX_LETTERS:
            return None
        letters = np.zeros(int(alphabet.max(initial=0)) + 2, np.int64)
        letters[alphabet] = np.arange(1, len(alphabet) + 1)
        numbered = letters[codes]
        keys = np.ones(len(grams), np.int64)
        for place in range(width):
            packed = (keys << _LETTER_BITS) | numbered[:, place]
            keys = np.where(present[:, place], packed, keys)
        order = keys.argsort()
        rows = np.fromiter(rows_of_grams.values(), np.intp, len(grams))[order]
        return cls(
            letters,
            np.append(keys[order], _PAST_EVERY_KEY),
            np.append(rows, len(rows_of_grams)),
        )

    def rows_of(self, padded: Sequence[str]) -> np.ndarray:
        """The model rows of the n-grams of each padded text (three letters or more), in the
        order ``_grams`` lists them: text by text, and by size within a text.

        The texts are packed together, one array operation per n-gram size, and the n-grams
        that span two texts left out when the texts' parts are put together.
        """
        codes = np.frombuffer("".join(padded).encode("utf-32-le", "surrogatepass"), np.uint32)
        letters = self.letters.take(codes, mode="clip")
        by_size: dict[int, np.ndarray] = {}
        packed = letters | _FIRST  # 1-grams
        for size in range(2, max(_SIZES) + 1):
            packed = (packed[:-1] << _LETTER_BITS) | letters[size - 1 :]
            by_size[size] = packed
        parts: list[np.ndarray] = []
        start = 0
        for text in padded:
            end = start + len(text)
            parts += [by_size[size][start : end - size + 1] for size in _SIZES]
            start = end
        keys = np.concatenate(parts)
        found = self.keys.searchsorted(keys)
        rows = self.rows.take(found)
        rows[self.keys.take(found) != keys] = self.rows[-1]
        return rows


@dataclass(frozen=True, slots=True)
class Guess:
    language: str | None
    confidence: float  # the posterior probability of ``language``
    fluency: float  # mean log-probability per n-gram under that language: low for gibberish


@dataclass
class LanguageModel:
    """Naive Bayes log-probabilities of each n-gram, one column per language."""

    languages: tuple[str, ...]
    columns: GramRows
    log_probabilities: np.ndarray  # (n-grams + 1, languages); the last row: an unseen n-gram
    packed: PackedGrams | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.packed = PackedGrams.of(self.columns)

    @classmethod
    def train(cls, samples: Iterable[tuple[str, str]]) -> LanguageModel:
        seen: dict[str, list[str]] = {}
        for language, text in samples:
            seen.setdefault(language, []).extend(typed_variants(language, text))
        counts = {language: _count_grams(variants) for language, variants in seen.items()}
        languages = tuple(sorted(counts))
        vocabulary = sorted(set().union(*counts.values())) if counts else []
        columns = GramRows((gram, n) for n, gram in enumerate(vocabulary))
        # One row per n-gram, and a last row for any n-gram never seen in training.
        table = np.zeros((len(vocabulary) + 1, len(languages)))
        for j, language in enumerate(languages):
            grams_counted = counts[language]
            total = sum(grams_counted.values()) + _SMOOTHING * (len(vocabulary) + 1)
            column = np.full(len(vocabulary) + 1, _SMOOTHING)
            rows = np.fromiter((columns[g] for g in grams_counted), np.intp, len(grams_counted))
            column[rows] += np.fromiter(grams_counted.values(), np.float64, len(grams_counted))
            table[:, j] = np.log(column / total)
        return cls(languages, columns, table)

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The model as plain arrays (no pickle), for the on-disk cache (``nlu/cache.py``)."""
        return {
            f"{prefix}languages": np.array(self.languages),
            f"{prefix}grams": np.array(list(self.columns)),
            f"{prefix}log_probabilities": self.log_probabilities,
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], prefix: str) -> LanguageModel:
        grams = arrays[f"{prefix}grams"].tolist()
        return cls(
            tuple(arrays[f"{prefix}languages"].tolist()),
            GramRows(zip(grams, range(len(grams)), strict=True)),
            arrays[f"{prefix}log_probabilities"],
        )

    def guess(self, text: str, *, chosen: str | None = None, hint: str | None = None) -> Guess:
        return self.guesses((text,), chosen=chosen, hint=hint)[0]

    def guesses(
        self, texts: Sequence[str], *, chosen: str | None = None, hint: str | None = None
    ) -> list[Guess]:
        """A guess for each text, in one lookup (the reader asks for a message and its other
        keyboard layout at once)."""
        padded = [_padded(words(text)) for text in texts]
        lengths = [_gram_count(text) for text in padded]
        total = sum(lengths)
        if not total:
            return [Guess(chosen or hint, 0.0, 0.0) for _ in texts]
        rows = self._rows_of([text for text, n in zip(padded, lengths, strict=True) if n], total)
        # The texts' starts in plain Python, and ``take`` with an array: numpy's ``cumsum`` of a
        # list and fancy indexing with a list cost 14 µs a query in conversions (measured).
        starts = [
            start for start, n in zip(accumulate([0, *lengths[:-1]]), lengths, strict=True) if n
        ]
        sums = np.add.reduceat(self.log_probabilities.take(rows, axis=0), starts)
        priors = self._priors(chosen, hint)
        found: list[Guess] = []
        sums_left = iter(sums.tolist())
        for text, length in zip(texts, lengths, strict=True):
            if not length:
                found.append(Guess(chosen or hint, 0.0, 0.0))
                continue
            likelihood: list[float] = next(sums_left)
            fluency = max(likelihood) / length
            # Overlapping 2- to 4-grams count each letter three times; naive Bayes would be
            # that much too sure of itself, and a prior could never break a near tie. One word
            # says even less ("patent" is a word in five of our languages): trust it a third
            # as much.
            scale = len(_SIZES) * (3 if " " not in text.strip() else 1)
            pairs = zip(likelihood, priors, strict=True)
            posterior = [value / scale + prior for value, prior in pairs]
            top = max(posterior)
            odds = [math.exp(value - top) for value in posterior]
            best = odds.index(1.0)
            found.append(Guess(self.languages[best], 1.0 / sum(odds), fluency))
        return found

    def _rows_of(self, padded: list[str], total: int) -> np.ndarray:
        """The model rows of the ``total`` n-grams of these padded texts: packed when the model
        could be (``PackedGrams``), else one dict lookup per n-gram."""
        if self.packed is not None:
            return self.packed.rows_of(padded)
        return self.columns.rows_of(chain.from_iterable(map(_grams, padded)), total)

    def _priors(self, chosen: str | None, hint: str | None) -> list[float]:
        priors = [0.0] * len(self.languages)
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
    fingerprint = _fingerprint(samples)
    found = _trained.get(fingerprint)
    if found is None:
        found = LanguageModel.train(samples)
        _trained.clear()  # one knowledge base per process, but never a growing cache
        _trained[fingerprint] = found
    return found


def remember_model(samples: list[tuple[str, str]], model: LanguageModel) -> None:
    """Let ``model_for`` answer with ``model`` (read from the cache) instead of training."""
    _trained.clear()
    _trained[_fingerprint(samples)] = model


def _fingerprint(samples: list[tuple[str, str]]) -> str:
    return hashlib.sha256(json.dumps(samples).encode()).hexdigest()


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
    "remember_model",
    "training_samples",
    "typed_variants",
]
