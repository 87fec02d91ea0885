"""The FAQ matcher interface, and a first matcher: TF-IDF over character n-grams.

Every example question of every topic and language is indexed on its cross-script skeleton, so a
question typed in one script meets examples written in another. A topic's score is its best
example's cosine similarity. The index is a few hundred short vectors; a hand-written sparse
index of fifty lines serves it in well under a millisecond, where scikit-learn would add a large
dependency for the same arithmetic.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

import numpy as np
from scipy.sparse import csc_matrix

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
    """What the dialog engine asks of any matcher (the built-in one, or a Rasa server over HTTP).

    ``language`` is the person's chosen language, ``hint`` the platform's (Telegram's
    ``language_code``): priors for language identification, never the only evidence.
    """

    async def match(
        self, text: str, *, language: str | None = None, hint: str | None = None
    ) -> MatchResult: ...


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
    """Cosine similarity of n-gram TF-IDF vectors; the best example per topic is its score.

    The examples are one sparse matrix (scipy, column-major so a query's grams are a cheap
    column slice), rows grouped by topic, so a query is one sparse product and one
    ``maximum.reduceat``: about a tenth of the time of walking posting lists in Python.
    """

    thresholds: Thresholds = field(default_factory=Thresholds)
    _idf: dict[str, float] = field(default_factory=dict)
    _columns: dict[str, int] = field(default_factory=dict)
    _matrix: csc_matrix | None = None
    _topics: list[str] = field(default_factory=list)  # sorted; rows are grouped in this order
    _topic_starts: np.ndarray | None = None

    @classmethod
    def build(
        cls, examples: Iterable[Example], thresholds: Thresholds | None = None
    ) -> TfidfMatcher:
        matcher = cls(thresholds or Thresholds())
        kept = sorted((e for e in examples if e.text.strip()), key=lambda e: e.topic)
        counts = [_ngrams(e.text) for e in kept]
        document_frequency: Counter[str] = Counter()
        for grams in counts:
            document_frequency.update(grams.keys())
        total = len(counts) or 1
        matcher._idf = {
            g: math.log((1 + total) / (1 + df)) + 1 for g, df in document_frequency.items()
        }
        matcher._columns = {gram: n for n, gram in enumerate(sorted(document_frequency))}
        rows: list[int] = []
        columns: list[int] = []
        values: list[float] = []
        for index, grams in enumerate(counts):
            for gram, weight in matcher._weigh(grams).items():
                rows.append(index)
                columns.append(matcher._columns[gram])
                values.append(weight)
        shape = (len(kept), len(matcher._columns))
        matcher._matrix = csc_matrix((values, (rows, columns)), shape=shape)
        matcher._topics = sorted({e.topic for e in kept})
        starts = [0] + [i for i in range(1, len(kept)) if kept[i].topic != kept[i - 1].topic]
        matcher._topic_starts = np.array(starts if kept else [], dtype=np.intp)
        return matcher

    def _weigh(self, grams: Counter[str]) -> dict[str, float]:
        vector = {g: (1 + math.log(n)) * self._idf[g] for g, n in grams.items() if g in self._idf}
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        return {g: w / norm for g, w in vector.items()}

    def _topic_scores(self, text: str) -> dict[str, float]:
        query = self._weigh(_ngrams(text))
        if not query or self._matrix is None or self._topic_starts is None:
            return {}
        columns = [self._columns[gram] for gram in query]
        weights = np.fromiter(query.values(), dtype=np.float64, count=len(query))
        scores = self._matrix[:, columns] @ weights
        per_topic = np.maximum.reduceat(scores, self._topic_starts)
        return {self._topics[i]: float(per_topic[i]) for i in np.flatnonzero(per_topic > 0)}

    async def match(
        self, text: str, *, language: str | None = None, hint: str | None = None
    ) -> MatchResult:
        """The built-in matcher answers in-process, in well under a millisecond."""
        return self.match_now(text, language=language, hint=hint)

    def match_now(
        self, text: str, *, language: str | None = None, hint: str | None = None
    ) -> MatchResult:
        detected = detect_language(text, prior=language) if language is None else language
        best = self._topic_scores(text)
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
