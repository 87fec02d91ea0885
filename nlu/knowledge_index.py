"""Build the FAQ matcher from the knowledge base: every example and title, in every language."""

from __future__ import annotations

from musofir.knowledge import KnowledgeBase

from .matcher import Example, TfidfMatcher, Thresholds


def examples_of(knowledge: KnowledgeBase) -> list[Example]:
    found: list[Example] = []
    for topic in knowledge.topics.values():
        for language, text in topic.languages.items():
            found.append(Example(topic.id, language, text.title))
            found.extend(Example(topic.id, language, q) for q in text.questions)
    return found


def build_faq_matcher(
    knowledge: KnowledgeBase, thresholds: Thresholds | None = None
) -> TfidfMatcher:
    return TfidfMatcher.build(examples_of(knowledge), thresholds)


__all__ = ["build_faq_matcher", "examples_of"]
