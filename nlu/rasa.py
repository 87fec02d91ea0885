"""Rasa compatibility, offline half: intent names, training-data export, parse results as bands.

An NGO that already runs Rasa can train it on our topics (``musofir nlu export-rasa DIR``) and
let it choose topics (``NLU_BACKEND=rasa``). The HTTP client that asks the Rasa server lives in
``musofir.bots.rasa_nlu``: like every package the engine relies on, ``nlu`` imports no HTTP
client (``tests/test_boundaries.py``), so everything here is plain data in, plain data out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from musofir.knowledge import KnowledgeBase

from .knowledge_index import examples_of, out_of_scope_examples
from .matcher import (
    OUT_OF_SCOPE,
    RUNNER_UP_SHARE,
    Band,
    Candidate,
    Example,
    MatchResult,
    Thresholds,
)
from .normalize import clean

TRAINING_DATA_VERSION = "3.1"
"""The ``version`` of Rasa 3.x training data files (3.0 to 3.6 read it)."""

OUT_OF_SCOPE_INTENT = "out_of_scope"
"""The intent of the questions we decline (``lexicon/out_of_scope.yaml``), Rasa's usual name."""

NON_TOPIC_INTENTS = frozenset({"nlu_fallback", OUT_OF_SCOPE_INTENT})
"""Intents that are no topic: ignored like unknown intents, so only topics' confidences count."""


_SEPARATOR = "__"
_INTENT = re.compile(r"[a-z0-9_]+")
_BRACKETS = str.maketrans("[]{}", "()()")
_LEADING = "-*+/ "

CONFIG_YML = """\
# Written by `musofir nlu export-rasa`. Train:
#   rasa train nlu --data nlu.yml --config config.yml --out models
# Musofir applies its own confidence bands (answer / suggest / none) to the intent ranking, so no
# FallbackClassifier here. No component needs pretrained language data: the questions come in
# seven languages and several scripts, and the letter n-grams below carry them all.
recipe: default.v1
assistant_id: musofir
language: xx  # several languages; none of these components looks the code up
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer  # whole words
  - name: CountVectorsFeaturizer  # letter n-grams inside words: spelling and script variants
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 100
    entity_recognition: false  # topics only; the examples carry no entities
    constrain_similarities: true
"""


def rasa_intent(topic_id: str) -> str:
    """The Rasa intent of a topic: ``patent.payment`` becomes ``patent__payment``.

    Rasa's documentation names intents with letters, digits and underscores and gives ``/`` a
    meaning (retrieval intents), while dots are not documented either way, so dots become a
    double underscore. That is reversible (``topic_of_intent``) for every id whose segments
    neither contain ``__`` nor end in ``_``; the rare id that would not come back is refused
    with ValueError rather than silently answered as another topic.
    """
    intent = topic_id.replace(".", _SEPARATOR)
    if not _INTENT.fullmatch(intent) or topic_of_intent(intent) != topic_id:
        raise ValueError(
            f"topic id {topic_id!r} has no reversible Rasa intent name "
            "(use lowercase segments without '__' or a trailing '_')"
        )
    if intent in NON_TOPIC_INTENTS:
        raise ValueError(f"topic id {topic_id!r} is a name Rasa uses for no topic")
    return intent


def topic_of_intent(intent: str) -> str:
    """The topic id an intent name stands for (the inverse of ``rasa_intent``)."""
    return intent.replace(_SEPARATOR, ".")


def rasa_example(text: str) -> str | None:
    """``text`` as one line of Rasa's examples block, or None when nothing trainable is left.

    Rasa reads ``[text](entity)``, ``[text]{...}`` and ``[text][...]`` as entity annotations and
    ``- `` as the list marker, and treats a message starting with ``/`` as a forced intent, so
    brackets become parentheses and those leading marks go. Characters YAML may refuse
    (format, private-use and unassigned code points) are dropped.
    """
    text = "".join(ch for ch in clean(text).translate(_BRACKETS) if ch.isprintable())
    text = " ".join(text.split()).lstrip(_LEADING)
    return text if any(ch.isalnum() for ch in text) else None


def training_examples(examples: Iterable[Example]) -> dict[str, list[str]]:
    """Intent → its examples (all languages together), in topic order, without duplicates.

    Examples of ``OUT_OF_SCOPE`` train Rasa's ``out_of_scope`` intent: without somewhere to put
    "what will the weather be", a classifier spreads its confidence over our topics.
    """
    found: dict[str, list[str]] = {}
    seen: dict[str, set[str]] = {}
    for example in sorted(examples, key=lambda e: e.topic):
        is_topic = example.topic != OUT_OF_SCOPE
        intent = rasa_intent(example.topic) if is_topic else OUT_OF_SCOPE_INTENT
        lines = found.setdefault(intent, [])
        line = rasa_example(example.text)
        if line is not None and line.casefold() not in seen.setdefault(intent, set()):
            seen[intent].add(line.casefold())
            lines.append(line)
    return {intent: lines for intent, lines in found.items() if lines}


def nlu_yaml(intents: Mapping[str, list[str]]) -> str:
    """Rasa 3.x NLU training data, written by hand: PyYAML writes no literal ``examples: |``
    block, the form Rasa's documentation and its own files use."""
    out = [
        "# Written by `musofir nlu export-rasa` from the knowledge base: edit the topic files,",
        "# then export again. One intent per topic (the dots of topic ids written '__'), and",
        "# out_of_scope for the questions Musofir declines (nlu/lexicon/out_of_scope.yaml).",
        f'version: "{TRAINING_DATA_VERSION}"',
        "nlu:",
    ]
    for intent, lines in intents.items():
        out.append(f'- intent: "{intent}"')
        out.append("  examples: |")
        out.extend(f"    - {line}" for line in lines)
    return "\n".join(out) + "\n"


def export_rasa(knowledge: KnowledgeBase, out_dir: Path) -> Path:
    """Write ``nlu.yml`` and ``config.yml`` into ``out_dir`` (made if missing); return nlu.yml.

    ``rasa train nlu`` needs only these two: a domain file matters to dialogue training only.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    nlu = out_dir / "nlu.yml"
    examples = [*examples_of(knowledge), *out_of_scope_examples()]
    nlu.write_text(nlu_yaml(training_examples(examples)), encoding="utf-8")
    (out_dir / "config.yml").write_text(CONFIG_YML, encoding="utf-8")
    return nlu


class RasaParseError(ValueError):
    """A ``/model/parse`` answer without the documented shape."""


def _ranking(parse: object) -> list[tuple[str, float]]:
    """(intent, confidence) pairs of a parse result; ``intent`` alone when there is no ranking."""
    if not isinstance(parse, Mapping):
        raise RasaParseError("the answer is not a JSON object")
    entries = parse.get("intent_ranking")
    if entries is None:
        intent = parse.get("intent")
        entries = [intent] if intent is not None else []
    if not isinstance(entries, list):
        raise RasaParseError("intent_ranking is not a list")
    pairs: list[tuple[str, float]] = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            raise RasaParseError("an intent is not a JSON object")
        name, confidence = entry.get("name"), entry.get("confidence")
        if name is None:
            continue  # Rasa's answer when no intent classifier ran
        if (
            not isinstance(name, str)
            or isinstance(confidence, bool)
            or not isinstance(confidence, int | float)
            or not math.isfinite(confidence)
        ):
            raise RasaParseError("an intent lacks a name or a numeric confidence")
        pairs.append((name, float(confidence)))
    return pairs


def result_from_parse(
    parse: object,
    intents: Mapping[str, str],
    thresholds: Thresholds,
    language: str | None,
) -> MatchResult:
    """Rasa's parse result as the built-in matcher would band it.

    ``intents`` maps intent names to the topics we serve: anything else (``nlu_fallback``,
    ``out_of_scope``, intents of a model trained on other data) is ignored, so only a topic's
    own confidence decides the band. Runner-ups close to the top topic come along, at most
    ``max_suggestions`` in all. Raises RasaParseError when ``parse`` is not the documented shape.
    """
    best: dict[str, float] = {}
    for name, confidence in _ranking(parse):
        topic = intents.get(name)
        if topic is not None and name not in NON_TOPIC_INTENTS:
            best[topic] = max(confidence, best.get(topic, 0.0))
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    if not ranked:
        return MatchResult(language, Band.NONE)
    top = ranked[0][1]
    close = [(t, s) for t, s in ranked if s >= RUNNER_UP_SHARE * top]
    candidates = tuple(Candidate(t, round(s, 4)) for t, s in close[: thresholds.max_suggestions])
    return MatchResult(language, thresholds.band_of(top), candidates)


def intents_of(topics: Iterable[str]) -> dict[str, str]:
    """Intent name → topic for every topic that has a reversible name (see ``rasa_intent``)."""
    found: dict[str, str] = {}
    for topic in topics:
        try:
            found[rasa_intent(topic)] = topic
        except ValueError:
            continue  # export refuses such a topic, so no model can name it
    return found


__all__ = [
    "CONFIG_YML",
    "NON_TOPIC_INTENTS",
    "OUT_OF_SCOPE_INTENT",
    "TRAINING_DATA_VERSION",
    "RasaParseError",
    "export_rasa",
    "intents_of",
    "nlu_yaml",
    "rasa_example",
    "rasa_intent",
    "result_from_parse",
    "topic_of_intent",
    "training_examples",
]
