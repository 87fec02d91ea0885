"""The FAQ matcher interface, and the built-in matcher: TF-IDF over character n-grams.

Every example question of every topic and language is indexed on its cross-script matching key
(``nlu/reading.py``), so a question typed in one language or script meets examples written in
another. A topic's score is its best example's cosine similarity. Questions we do not answer
(``lexicon/out_of_scope.yaml``: weather, football, recipes...) are indexed too: a message closer
to one of them than to any topic is declined. The raw score is turned into a calibrated
probability that the top topic is right (``nlu/calibration.py``), and the bands are thresholds on
that probability. A hand-written sparse index of a hundred lines serves a query in well under a
millisecond, where scikit-learn would add a large dependency for the same arithmetic.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import chain
from typing import Protocol

import numpy as np
from scipy.sparse import csc_matrix, csr_matrix, diags, vstack

from .calibration import Calibration, fit_calibration
from .language import LanguageModel
from .reading import Reader, Reading, Spellings


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
    script: str | None = None  # the script the person wrote in: "Latn", "Cyrl", "Armn"

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
    """Bands on the calibrated confidence (the probability that the top topic is right).

    Chosen on the development set ``tests/nlu/dev.jsonl`` with ``musofir nlu eval --sweep``
    (2026-11-23, 333 questions). Off-topic questions score either below 0.20 or above 0.35, so
    a "Did you mean" band starting below 0.40 would offer topics for many of them: suggest from
    0.40 (85% of off-topic questions declined). Answering outright only from 0.55 keeps wrong
    answers to 3.9% of in-scope questions, while the right topic is still shown first for
    90.7% (answered, or first of the buttons). Below 0.40 the bot says it does not know and
    offers a specialist. Re-run the sweep when the content grows.
    """

    answer: float = 0.55
    suggest: float = 0.40
    max_suggestions: int = 3

    def band_of(self, confidence: float) -> Band:
        if confidence >= self.answer:
            return Band.ANSWER
        if confidence >= self.suggest:
            return Band.SUGGEST
        return Band.NONE


RUNNER_UP_SHARE = 0.6
"""A runner-up is offered beside the top topic only when it scores at least this share of it."""


OUT_OF_SCOPE = "__out_of_scope__"
"""The pseudo-topic of ``lexicon/out_of_scope.yaml``: never offered, only declined."""


def _word_grams(word: str) -> list[str]:
    """Character 3- and 4-grams of one word of a matching key."""
    padded = f" {word} "
    grams = [padded[i : i + 3] for i in range(len(padded) - 2)]
    grams += [padded[i : i + 4] for i in range(len(padded) - 3)]
    if len(word) <= 2:
        grams.append(padded)  # short words ("112", "hiv") still count as themselves
    return grams


def _ngrams(key: str) -> Counter[str]:
    """Character 3- and 4-grams of the words of a matching key."""
    return Counter(chain.from_iterable(map(_word_grams, key.split())))


_GATHER_AT_MOST = 20_000  # entries: beyond this, scipy's column slice is quicker


def _column_products(
    matrix: csc_matrix, entries: np.ndarray, columns: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """``matrix[:, columns] @ weights``, read straight off the column-major arrays.

    scipy's column slice costs about 120 µs a call before any arithmetic, which is most of a
    query on the real knowledge base; gathering the columns' entries and summing them per row
    with ``bincount`` is quicker up to about 20,000 entries (measured), scipy's C++ beyond.
    Both sum each row's products in the order of ``columns``: the same figures either way.
    Here and in the rest of a query, ndarray methods (``x.repeat``, ``x.cumsum``) rather than
    numpy's functions, which add a Python call of 0.5 to 1 µs each on arrays this small.
    ``entries`` is each column's number of entries (``np.diff(matrix.indptr)``), kept.
    """
    starts = matrix.indptr.take(columns)
    lengths = entries.take(columns)
    ends = lengths.cumsum()  # its last is the total: one call fewer than ``lengths.sum()``
    total = int(ends[-1]) if len(ends) else 0
    if total == 0:
        return np.zeros(matrix.shape[0])
    if total > _GATHER_AT_MOST:
        return np.asarray(matrix[:, columns] @ weights)
    offsets = (starts - ends + lengths).repeat(lengths) + np.arange(total)
    return np.bincount(
        matrix.indices.take(offsets),  # ``take``: quicker than indexing with an array
        weights=matrix.data.take(offsets) * weights.repeat(lengths),
        minlength=matrix.shape[0],
    )


_BUILD_BLOCK = 8192  # examples whose n-grams are counted at a time
_CALIBRATION_QUERIES = 1500  # leave-one-out questions for the calibration: enough, and quick
_CHUNK_BYTES = 32 * 2**20
_TOP_EXAMPLES = 3


def _mean_of_best_three(scores: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Per query (row) and group of contiguous columns (``starts``, ``sizes``), the mean of the
    three highest scores.

    Three rounds of a per-group maximum, each taking the maximum out (ties counted, so two
    equal best examples are two of the three); a group of fewer than three counts zeros for
    the rest. Gathering each group into a padded block and partitioning it copied the scores
    three times over: most of the calibration's time. ``total`` and ``left`` start as plain
    numbers, broadcast in the first round: two array allocations fewer in a query (measured).
    """
    top = np.maximum.reduceat(scores, starts, axis=1)
    total: np.ndarray | float = 0.0
    left: np.ndarray | float = float(_TOP_EXAMPLES)
    remaining = scores
    for round_ in range(_TOP_EXAMPLES):
        hit = remaining == top.repeat(sizes, axis=1)
        taken = np.minimum(np.add.reduceat(hit, starts, axis=1, dtype=np.float64), left)
        total = total + np.maximum(top, 0.0) * taken  # a group out of scores: -inf, counts 0
        if round_ + 1 < _TOP_EXAMPLES:
            left = left - taken
            remaining = np.where(hit, -np.inf, remaining)
            top = np.maximum.reduceat(remaining, starts, axis=1)
    return np.asarray(total) / _TOP_EXAMPLES


def _mean_of_top_three(top_groups: np.ndarray) -> list[float]:
    """``_mean_of_best_three`` of one query, each row a group's scores (padded with zeros).

    Those rounds of maxima only ever read a group's three highest scores, so a partition and
    a sort of three find them in a few calls where the rounds took thirty: the same sums,
    in the same order. Best first (``a >= b >= c``), the rounds add ``a`` once per copy of
    it and so on, which is ``(a + b) + c``, except when the second and third tie below the
    first: ``a + 2 * b``. Doubling is exact (``a * 2 == a + a``), and ``3 * a`` is rounded
    once as ``(a + a) + a`` is. Scores are never negative, so a padding zero among the top
    three changes nothing. The few groups' sums in Python floats (the same IEEE arithmetic):
    quicker than eight numpy calls on arrays of ten.
    """
    width = top_groups.shape[1]
    top = np.partition(top_groups, width - _TOP_EXAMPLES, axis=1)[:, -_TOP_EXAMPLES:]
    top.sort(axis=1)
    return [
        (a + b * 2 if b == c and a != b else (a + b) + c) / _TOP_EXAMPLES
        for c, b, a in top.tolist()
    ]


_WORDS_REMEMBERED = 10_000  # a matching key's words and their known n-grams' columns
_PADDED_AT_MOST = 4  # times the examples: beyond, topic sizes too uneven to pad them all


@dataclass
class TfidfMatcher:
    """Cosine similarity of n-gram TF-IDF vectors; the best example per topic is its score.

    The examples are one sparse matrix (scipy, column-major so a query's grams are a cheap
    column slice), rows grouped by topic, so a query is one sparse product and one
    ``maximum.reduceat``: about a tenth of the time of walking posting lists in Python.
    """

    reader: Reader
    thresholds: Thresholds = field(default_factory=Thresholds)
    calibration: Calibration = field(default_factory=Calibration)
    _idf: np.ndarray = field(default_factory=lambda: np.zeros(0))  # by column
    _columns: dict[str, int] = field(default_factory=dict)  # n-gram → column
    # (examples + topics + 1, n-grams): each example, then each topic's centroid (its examples
    # summed, unit length), then an empty row. Examples and centroids in one matrix: a query
    # gathers and sums the entries of its n-grams once, not once for each.
    _scored: csc_matrix | None = None
    _examples: int = 0  # the rows of ``_scored`` that are examples
    _entries: np.ndarray = field(default_factory=lambda: np.zeros(0, np.intp))  # by column
    _topics: list[str] = field(default_factory=list)  # sorted; rows are grouped in this order
    _topic_starts: np.ndarray | None = None
    _topic_sizes: np.ndarray | None = None  # examples of each topic
    # Per topic, its examples' rows in ``_scored``, padded with the empty row to the largest
    # topic's size (at least three); None when that would take too much memory.
    _topic_rows: np.ndarray | None = None
    _out_of_scope: int | None = None  # the index of OUT_OF_SCOPE in ``_topics``
    # Word of a matching key → the columns of its known n-grams, in ``_ngrams`` order: the
    # same words come back question after question.
    _word_columns: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        examples: Iterable[Example],
        thresholds: Thresholds | None = None,
        *,
        reader: Reader | None = None,
        out_of_scope: Iterable[Example] = (),
    ) -> TfidfMatcher:
        if reader is None:
            from .language import default_model

            reader = Reader(default_model())
        matcher = cls(reader, thresholds or Thresholds())
        every = [*examples, *(Example(OUT_OF_SCOPE, e.language, e.text) for e in out_of_scope)]
        kept = sorted((e for e in every if e.text.strip()), key=lambda e: e.topic)
        matrix = matcher._index_examples(kept)
        matcher._topics = sorted({e.topic for e in kept})
        starts = [0] + [i for i in range(1, len(kept)) if kept[i].topic != kept[i - 1].topic]
        matcher._set_topic_starts(np.array(starts if kept else [], dtype=np.intp), len(kept))
        centroids = matcher._centroids_of(matrix)
        if OUT_OF_SCOPE in matcher._topics:
            matcher._out_of_scope = matcher._topics.index(OUT_OF_SCOPE)
        if centroids is not None:
            matcher.calibration = matcher._calibrate(matrix, centroids, [e.topic for e in kept])
            matcher._set_scored(matrix, centroids)
        return matcher

    def _index_examples(self, kept: list[Example]) -> csc_matrix:
        """The examples' unit TF-IDF vectors, one row each; numbers the n-grams (``_columns``)
        and sets their ``_idf``. A method of its own so that its large working arrays are
        freed before the centroids, the calibration and the stacking (peak memory)."""
        vocabulary = self._columns
        column_parts: list[np.ndarray] = []
        count_parts: list[np.ndarray] = []
        lengths: list[int] = []
        # Each block's (example, n-gram) pairs in a flat list, numbered by dicts and mapped in
        # C: a loop appending pair by pair was most of the build on a large index. Blocks keep
        # the memory of the examples' n-gram counts small.
        for begin in range(0, len(kept), _BUILD_BLOCK):
            grams_of = [
                _ngrams(self.reader.key_of(e.text, e.language))
                for e in kept[begin : begin + _BUILD_BLOCK]
            ]
            block = list(chain.from_iterable(grams_of))
            new = [g for g in dict.fromkeys(block) if g not in vocabulary]
            vocabulary.update(
                zip(new, range(len(vocabulary), len(vocabulary) + len(new)), strict=True)
            )
            column_parts.append(np.fromiter(map(vocabulary.__getitem__, block), np.intp))
            values = chain.from_iterable(grams.values() for grams in grams_of)
            count_parts.append(np.fromiter(values, np.float64))
            lengths += [len(grams) for grams in grams_of]
        column_of = np.concatenate(column_parts) if column_parts else np.zeros(0, np.intp)
        counts = np.concatenate(count_parts) if count_parts else np.zeros(0)
        row_of = np.repeat(np.arange(len(kept)), lengths)
        document_frequency = np.bincount(column_of, minlength=len(vocabulary))
        total = len(kept) or 1
        self._idf = np.log((1 + total) / (1 + document_frequency)) + 1
        weights = self._tf_idf(counts, column_of)
        norms = np.sqrt(np.bincount(row_of, weights=weights * weights, minlength=len(kept)))
        weights /= np.where(norms > 0, norms, 1.0)[row_of]
        shape = (len(kept), len(vocabulary))
        return csc_matrix((weights, (row_of, column_of)), shape=shape)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The built index as plain arrays (no pickle), for the on-disk cache (``nlu/cache.py``).

        Its reader's language model goes with it; thresholds are the caller's.
        """
        assert self._scored is not None
        arrays = self.reader.model.to_arrays("language_")
        weights = self.calibration.weights
        return arrays | {
            "scored_data": self._scored.data,
            "scored_indices": self._scored.indices,
            "scored_indptr": self._scored.indptr,
            "scored_shape": np.array(self._scored.shape),
            "examples": np.array(self._examples),
            "idf": self._idf,
            "grams": np.array(list(self._columns)),
            "topics": np.array(self._topics),
            "topic_starts": np.asarray(self._topic_starts),
            "out_of_scope": np.array(-1 if self._out_of_scope is None else self._out_of_scope),
            "calibration": np.array(weights if weights is not None else ()),
        }

    @classmethod
    def from_arrays(
        cls,
        arrays: Mapping[str, np.ndarray],
        thresholds: Thresholds | None = None,
        spellings: Spellings | None = None,
    ) -> TfidfMatcher:
        reader = Reader(LanguageModel.from_arrays(arrays, "language_"), spellings)
        weights = arrays["calibration"].tolist()
        matcher = cls(
            reader,
            thresholds or Thresholds(),
            Calibration((weights[0], weights[1], weights[2]) if len(weights) == 3 else None),
        )
        scored = csc_matrix(
            (arrays["scored_data"], arrays["scored_indices"], arrays["scored_indptr"]),
            shape=tuple(arrays["scored_shape"].tolist()),
        )
        grams = arrays["grams"].tolist()
        matcher._columns = dict(zip(grams, range(len(grams)), strict=True))
        matcher._idf = arrays["idf"]
        matcher._topics = arrays["topics"].tolist()
        examples = int(arrays["examples"])
        matcher._set_topic_starts(arrays["topic_starts"], examples)
        matcher._set_scored_rows(scored, examples)
        out_of_scope = int(arrays["out_of_scope"])
        matcher._out_of_scope = None if out_of_scope < 0 else out_of_scope
        return matcher

    def _tf_idf(self, counts: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """Sublinear term frequency times inverse document frequency, before unit length."""
        return (1 + np.log(counts)) * self._idf[columns]

    def _weigh(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """A query's known n-grams (their columns, in ``_ngrams`` order) and their TF-IDF
        weights, unit length.

        Counted as columns, word by word: the same counts in the same order as the n-grams
        themselves, since each known n-gram has its own column and unknown ones are left out.
        """
        counts = Counter(chain.from_iterable(map(self._known_columns, key.split())))
        found = np.fromiter(counts.keys(), np.intp, len(counts))
        weights = self._tf_idf(np.fromiter(counts.values(), np.float64, len(counts)), found)
        norm = math.sqrt(weights @ weights) or 1.0  # correctly rounded, as ``np.sqrt`` is
        return found, weights / norm

    def _known_columns(self, word: str) -> tuple[int, ...]:
        """The columns of a word's n-grams that the index knows, in ``_word_grams`` order."""
        found = self._word_columns.get(word)
        if found is None:
            columns = map(self._columns.get, _word_grams(word))
            found = tuple(column for column in columns if column is not None)
            if len(self._word_columns) >= _WORDS_REMEMBERED:
                self._word_columns.clear()  # bounded: typos and rare words come and go
            self._word_columns[word] = found
        return found

    def _set_topic_starts(self, starts: np.ndarray, rows: int) -> None:
        """Where each topic's examples start, and how many it has: worked out once, not by an
        ``np.diff`` per query."""
        self._topic_starts = starts
        self._topic_sizes = np.diff(starts, append=rows)

    def _set_scored(self, matrix: csc_matrix, centroids: csc_matrix) -> None:
        """One matrix of the examples, the topics' centroids and an empty row."""
        empty = csc_matrix((1, matrix.shape[1]))
        scored = vstack([matrix, centroids, empty], format="csc")
        self._set_scored_rows(scored, matrix.shape[0])

    def _set_scored_rows(self, scored: csc_matrix, examples: int) -> None:
        """Keep the matrix, and lay out each topic's rows for ``_mean_of_top_three``."""
        assert self._topic_starts is not None and self._topic_sizes is not None
        self._scored, self._examples = scored, examples
        self._entries = np.diff(scored.indptr)
        self._topic_rows = None
        if not len(self._topic_sizes):
            return
        widest = max(int(self._topic_sizes.max()), _TOP_EXAMPLES)
        if len(self._topic_sizes) * widest > _PADDED_AT_MOST * examples + 4096:
            return
        place = np.arange(widest)
        empty_row = scored.shape[0] - 1
        rows = self._topic_starts[:, None] + place
        self._topic_rows = np.where(place < self._topic_sizes[:, None], rows, empty_row)

    def _centroids_of(self, matrix: csc_matrix) -> csc_matrix | None:
        """Each topic's centroid: its examples summed, unit length."""
        rows = matrix.shape[0]
        if self._topic_starts is None or rows == 0:
            return None
        starts = list(self._topic_starts)
        membership = csr_matrix(
            (
                np.ones(rows),
                (np.repeat(np.arange(len(starts)), np.diff([*starts, rows])), np.arange(rows)),
            ),
            shape=(len(starts), rows),
        )
        sums = (membership @ matrix.tocsr()).tocsr()
        norms = np.sqrt(np.asarray(sums.multiply(sums).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return csc_matrix(diags(1.0 / norms) @ sums)

    def _combine(self, example_scores: np.ndarray, centroid_scores: np.ndarray) -> np.ndarray:
        """A topic's score: the mean of its best example, its best three, and its centroid.

        The best example alone over-trusts one lucky phrasing; a long, chatty question spreads
        its words over several examples of the right topic, which the best three and the
        centroid reward. Rows are queries.

        Only the leaders are ever read (the top topic, the runner-ups offered beside it, and the
        off-topic pseudo-topic), so the best three are worked out only for topics that could be
        among them; any other topic gets the least its score can be. On 2,000 topics that is
        most of a query's time saved, and the leaders' scores are exact.
        """
        assert self._topic_starts is not None and self._topic_sizes is not None
        best = np.maximum.reduceat(example_scores, self._topic_starts, axis=1)
        three = best / _TOP_EXAMPLES  # the least it can be: the best example and two zeros
        wanted = self._possible_leaders(best, centroid_scores)
        if wanted.any():
            sizes = self._topic_sizes[wanted]
            three[:, wanted] = _mean_of_best_three(
                # ``compress``: a third of the time of a boolean index on the second axis
                example_scores.compress(wanted.repeat(self._topic_sizes), axis=1),
                sizes.cumsum() - sizes,
                sizes,
            )
        return (best + three + centroid_scores) / 3.0

    def _possible_leaders(self, best: np.ndarray, centroid: np.ndarray) -> np.ndarray:
        """Whether each topic's score could be among the leaders of some query (the rows).

        The best three's mean lies between a third of the best example and the best example,
        so a topic whose highest possible score is below the leaders' lowest possible scores
        can never lead.
        """
        lowest = (best * (1 + 1 / _TOP_EXAMPLES) + centroid) / 3.0
        highest = (2 * best + centroid) / 3.0
        leaders = min(max(self.thresholds.max_suggestions, 2), best.shape[1])
        lowest.partition(-leaders, axis=1)  # in place: ``np.partition`` would copy it
        bar = lowest[:, -leaders]
        possible = (highest >= bar[:, None]).any(axis=0)
        if self._out_of_scope is not None:
            possible[self._out_of_scope] = True
        return possible

    def _calibrate(
        self, matrix: csc_matrix, centroids: csc_matrix, row_topics: list[str]
    ) -> Calibration:
        """Ask the index each of a sample of its own examples without that example."""
        if self._topic_starts is None or not row_topics:
            return Calibration()
        step = max(1, len(row_topics) // _CALIBRATION_QUERIES)
        declinable = [n for n, topic in enumerate(row_topics) if topic == OUT_OF_SCOPE]
        queries = np.union1d(np.arange(0, len(row_topics), step), declinable).astype(np.intp)
        rows = matrix.tocsr()
        columns = matrix.T  # (n-grams, examples), row-major already: no copy per chunk
        chunk = max(1, _CHUNK_BYTES // (8 * len(row_topics)))
        tops: list[float] = []
        seconds: list[float] = []
        right: list[bool] = []
        for begin in range(0, len(queries), chunk):
            batch = queries[begin : begin + chunk]
            scores = (rows[batch] @ columns).toarray()
            scores[scores > 0.9999] = 0.0  # the question itself, and its exact duplicates
            centroid = (rows[batch] @ centroids.T).toarray()
            per_topic = self._combine(scores, centroid)
            for line, row in zip(per_topic, batch, strict=True):
                declinable = row_topics[row] == OUT_OF_SCOPE
                if declinable:
                    # Asked without its siblings: how high an off-topic question scores on
                    # real topics, so the calibration learns that a low top score is a guess.
                    line[self._out_of_scope] = 0.0
                top, second, best, declined = self._decide(line)
                if declined or best is None:
                    continue
                tops.append(top)
                seconds.append(second)
                right.append(not declinable and row_topics[row] == best)
        return fit_calibration(np.array(tops), np.array(seconds), np.array(right))

    def _decide(self, per_topic: np.ndarray) -> tuple[float, float, str | None, bool]:
        """Top score, second score, top topic, and whether an out-of-scope example won."""
        return self._decide_ranked(*self._ranked(per_topic, 2))

    def _ranked(self, per_topic: np.ndarray, leaders: int) -> tuple[np.ndarray, np.ndarray, float]:
        """The scores with the out-of-scope pseudo-topic's set to zero, the ``leaders`` best
        topics among them (best first, ties in topic order), and the pseudo-topic's score.

        One ranking serves both the decision and the suggestions of a query: ranking twice
        copied and sorted the scores twice.
        """
        scores = per_topic.copy()
        declined_score = 0.0
        if self._out_of_scope is not None:
            declined_score = float(scores[self._out_of_scope])
            scores[self._out_of_scope] = 0.0
        return scores, (-scores).argsort(kind="stable")[:leaders], declined_score

    def _decide_ranked(
        self, scores: np.ndarray, order: np.ndarray, declined_score: float
    ) -> tuple[float, float, str | None, bool]:
        """``_decide`` of a ranking (``_ranked``, two leaders or more)."""
        top = float(scores[order[0]]) if len(order) else 0.0  # the highest score: finite
        if top <= 0:
            return 0.0, 0.0, None, declined_score > 0
        second = float(scores[order[1]]) if len(order) > 1 else 0.0
        return top, second, self._topics[order[0]], declined_score >= top

    def _topic_scores(self, key: str) -> np.ndarray | None:
        columns, weights = self._weigh(key)
        if not len(columns) or self._scored is None:
            return None
        scored = _column_products(self._scored, self._entries, columns, weights)
        examples, centroid = scored[: self._examples], scored[self._examples : -1]
        if self._topic_rows is None:
            return self._combine(examples[None, :], centroid[None, :])[0]
        return self._combine_one(scored, centroid)

    def _combine_one(self, scored: np.ndarray, centroid: np.ndarray) -> np.ndarray:
        """``_combine`` of one query, its examples' and centroids' scores in one array: the
        same figures in a third of the numpy calls (``_mean_of_top_three``)."""
        assert self._topic_starts is not None and self._topic_rows is not None
        best = np.maximum.reduceat(scored[: self._examples], self._topic_starts)
        three = best / _TOP_EXAMPLES  # the least it can be: the best example and two zeros
        wanted = self._possible_leaders(best[None, :], centroid[None, :])
        if wanted.any():
            three[wanted] = _mean_of_top_three(scored.take(self._topic_rows[wanted]))
        return (best + three + centroid) / 3.0

    async def match(
        self, text: str, *, language: str | None = None, hint: str | None = None
    ) -> MatchResult:
        """The built-in matcher answers in-process, in well under a millisecond."""
        return self.match_now(text, language=language, hint=hint)

    def match_now(
        self, text: str, *, language: str | None = None, hint: str | None = None
    ) -> MatchResult:
        reading = self.reader.read(text, chosen=language, hint=hint)
        return self.match_reading(reading)

    def match_reading(self, reading: Reading) -> MatchResult:
        language, script = reading.language, reading.script
        per_topic = self._topic_scores(reading.key)
        if per_topic is None:
            return MatchResult(language, Band.NONE, script=script)
        most = self.thresholds.max_suggestions
        scores, order, declined_score = self._ranked(per_topic, max(most, 2))
        top, second, best, declined = self._decide_ranked(scores, order, declined_score)
        if best is None or declined:
            return MatchResult(language, Band.NONE, script=script)
        confidence = self.calibration.probability(top, second)
        candidates = [Candidate(best, round(confidence, 4))]
        for index in order[1:most]:
            score = float(scores[index])
            if score > 0 and score >= RUNNER_UP_SHARE * top:
                # A runner-up's chance is its score measured against the leader's lead.
                chance = self.calibration.probability(score, top)
                candidates.append(Candidate(self._topics[index], round(chance, 4)))
        band = self.thresholds.band_of(confidence)
        return MatchResult(language, band, tuple(candidates), script)


__all__ = [
    "OUT_OF_SCOPE",
    "RUNNER_UP_SHARE",
    "Band",
    "Candidate",
    "Example",
    "FaqMatcher",
    "MatchResult",
    "TfidfMatcher",
    "Thresholds",
]
