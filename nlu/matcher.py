"""The FAQ matcher interface, and a first matcher: TF-IDF over character n-grams.

Every example question of every topic and language is indexed on its cross-script skeleton, so a
question typed in one script meets examples written in another. A topic's score is its best
example's cosine similarity. The index is a few hundred short vectors; a hand-written sparse
index of fifty lines serves it in well under a millisecond, where scikit-learn would add a large
dependency for the same arithmetic.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from .language import detect_language
from .normalize import skeleton


class Band(StrEnum):
    ANSWER = "answer"  # confident: answer the top topic
    SUGGEST = "suggest"  # unsure: offer the top topics as buttons
    NONE = "none"  # nothing close: say so and offer a specialist


@dataclass(frozen=True, slots=True)
class Candidate:
    topic: str
    score: float


@dataclass(frozen=True, slots=True)
class MatchResult:
    language: str | None
    band: Band
    candidates: tuple[Candidate, ...] = ()

    @property
    def topic(self) -> str | None:
        """The topic to answer with, only when confident."""
        return self.candidates[0].topic if self.band is Band.ANSWER else None

    @property
    def confidence(self) -> float:
        return self.candidates[0].score if self.candidates else 0.0

    @property
    def offered(self) -> tuple[str, ...]:
        """Topics offered to the person: the answer, or the suggestions."""
        if self.band is Band.NONE:
            return ()
        return tuple(c.topic for c in self.candidates)


class FaqMatcher(Protocol):
    """What the dialog engine asks of any matcher (this one, or a Rasa server over HTTP)."""

    def match(self, text: str, *, language: str | None = None) -> MatchResult: ...


@dataclass(frozen=True, slots=True)
class Example:
    topic: str
    language: str
    text: str


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Bands chosen on the development set ``tests/nlu/dev.jsonl`` (60 questions, 7 off-topic).

    On 2026-11-22 every in-scope question scoring 0.40 or more had the right topic first, and the
    off-topic ones (weather, football, jokes) scored at most 0.28: so answer from 0.40, suggest
    from 0.30, and below that say we do not know. Re-run ``musofir nlu eval`` when content grows.
    """

    answer: float = 0.40
    suggest: float = 0.30
    max_suggestions: int = 3


def _ngrams(text: str) -> Counter[str]:
    grams: Counter[str] = Counter()
    for word in skeleton(text).split():
        padded = f" {word} "
        for size in (3, 4):
            grams.update(padded[i : i + size] for i in range(len(padded) - size + 1))
        if len(word) <= 2:
            grams[padded] += 1  # short words ("112", "hiv") still count as themselves
    return grams


@dataclass
class TfidfMatcher:
    thresholds: Thresholds = field(default_factory=Thresholds)
    _idf: dict[str, float] = field(default_factory=dict)
    _postings: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    _examples: list[Example] = field(default_factory=list)

    @classmethod
    def build(
        cls, examples: Iterable[Example], thresholds: Thresholds | None = None
    ) -> TfidfMatcher:
        matcher = cls(thresholds or Thresholds())
        matcher._examples = [e for e in examples if e.text.strip()]
        counts = [_ngrams(e.text) for e in matcher._examples]
        document_frequency: Counter[str] = Counter()
        for grams in counts:
            document_frequency.update(grams.keys())
        total = len(counts) or 1
        matcher._idf = {
            g: math.log((1 + total) / (1 + df)) + 1 for g, df in document_frequency.items()
        }
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for index, grams in enumerate(counts):
            vector = matcher._weigh(grams)
            for gram, weight in vector.items():
                postings[gram].append((index, weight))
        matcher._postings = dict(postings)
        return matcher

    def _weigh(self, grams: Counter[str]) -> dict[str, float]:
        vector = {g: (1 + math.log(n)) * self._idf[g] for g, n in grams.items() if g in self._idf}
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        return {g: w / norm for g, w in vector.items()}

    def match(self, text: str, *, language: str | None = None) -> MatchResult:
        detected = detect_language(text, prior=language) if language is None else language
        query = self._weigh(_ngrams(text))
        similarity: dict[int, float] = defaultdict(float)
        for gram, weight in query.items():
            for index, example_weight in self._postings.get(gram, ()):
                similarity[index] += weight * example_weight
        best: dict[str, float] = {}
        for index, score in similarity.items():
            topic = self._examples[index].topic
            best[topic] = max(best.get(topic, 0.0), score)
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        limit = self.thresholds.max_suggestions
        candidates = tuple(Candidate(t, round(s, 4)) for t, s in ranked[:limit])
        top = candidates[0].score if candidates else 0.0
        if top >= self.thresholds.answer:
            band = Band.ANSWER
        elif top >= self.thresholds.suggest:
            band = Band.SUGGEST
            candidates = tuple(c for c in candidates if c.score >= self.thresholds.suggest)
        else:
            band = Band.NONE
        return MatchResult(detected, band, candidates)


__all__ = [
    "Band",
    "Candidate",
    "Example",
    "FaqMatcher",
    "MatchResult",
    "TfidfMatcher",
    "Thresholds",
]
