"""The topic list and the content the foundation ships."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from musofir.knowledge import KnowledgeBase, TopicCatalog

SHARED = Path(__file__).resolve().parents[3] / "shared" / "kb-topics.yaml"
FIRST_TEN = (
    "registration.migration", "patent.obtain", "patent.payment", "police.check", "documents.lost",
    "work.unpaid_wages", "health.emergency", "health.hiv_testing", "ngo.help_centre",
    "emergency.numbers",
)  # fmt: skip


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/kb-topics.yaml is not beside the repo")
def test_our_topic_list_matches_the_shared_one() -> None:
    shared = yaml.safe_load(SHARED.read_text(encoding="utf-8"))
    ours = TopicCatalog.load()
    assert list(ours.entries) == [t["id"] for t in shared["topics"]]
    assert {e.id: e.category for e in ours.entries.values()} == {
        t["id"]: t["category"] for t in shared["topics"]
    }
    assert ours.required_languages == tuple(shared["required_languages"])


@pytest.mark.parametrize("topic_id", FIRST_TEN)
def test_the_first_ten_topics_are_complete(topic_id: str) -> None:
    knowledge = KnowledgeBase.load()
    topic = knowledge.topics[topic_id]
    for language in ("ru", "uz", "tg", "ky", "en"):
        text = topic.languages[language]
        assert text.answer and text.questions, (topic_id, language)
    assert topic.sources and all(s.url.startswith("https://") for s in topic.sources)
    assert topic.needs_review, "nobody has signed the sample content off yet"


def test_uzbek_is_written_in_the_latin_alphabet() -> None:
    knowledge = KnowledgeBase.load()
    for topic in knowledge.topics.values():
        answer = " ".join(topic.languages["uz"].answer)
        cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in answer)
        assert cyrillic < len(answer) * 0.05, topic.id
