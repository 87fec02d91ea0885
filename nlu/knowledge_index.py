"""Build the FAQ matcher from the knowledge base: every example and title, in every language."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path

import yaml
from musofir.knowledge import KnowledgeBase

from .cache import load_matcher, save_matcher
from .language import model_for, remember_model, training_samples
from .matcher import OUT_OF_SCOPE, Example, TfidfMatcher, Thresholds
from .reading import Reader


def examples_of(knowledge: KnowledgeBase) -> list[Example]:
    found: list[Example] = []
    for topic in knowledge.topics.values():
        for language, text in topic.languages.items():
            found.append(Example(topic.id, language, text.title))
            found.extend(Example(topic.id, language, q) for q in text.questions)
    return found


def out_of_scope_examples(path: Path | None = None) -> list[Example]:
    """The questions we decline (``lexicon/out_of_scope.yaml``), as examples of no topic."""
    source = path or Path(str(resources.files("musofir.nlu") / "lexicon" / "out_of_scope.yaml"))
    data = yaml.safe_load(source.read_text("utf-8")) or {}
    return [
        Example(OUT_OF_SCOPE, language, str(text))
        for language, lines in data.items()
        for text in lines or ()
    ]


_built: dict[tuple[str, Thresholds | None], TfidfMatcher] = {}


def build_faq_matcher(
    knowledge: KnowledgeBase, thresholds: Thresholds | None = None
) -> TfidfMatcher:
    """The built-in matcher over the whole knowledge base, with a language model trained on it.

    A built matcher never changes, so one built from the same examples is reused: the console,
    the server and each test's runtime would otherwise spend a second or two building it again.
    Across processes, the on-disk cache (``nlu/cache.py``) does the same for a restart.
    """
    examples = examples_of(knowledge)
    declined = out_of_scope_examples()
    # The language model's samples are the same titles and questions: the examples cover them.
    fingerprint = hashlib.sha256(
        json.dumps([(e.topic, e.language, e.text) for e in [*examples, *declined]]).encode()
    ).hexdigest()
    found = _built.get((fingerprint, thresholds))
    if found is None:
        samples = training_samples(knowledge)
        found = load_matcher(fingerprint, thresholds)
        if found is not None:
            remember_model(samples, found.reader.model)
        else:
            reader = Reader(model_for(samples))
            found = TfidfMatcher.build(examples, thresholds, reader=reader, out_of_scope=declined)
            save_matcher(fingerprint, found)
        _built.clear()  # one knowledge base per process, but never a growing cache
        _built[(fingerprint, thresholds)] = found
    return found


__all__ = ["build_faq_matcher", "examples_of", "out_of_scope_examples"]
