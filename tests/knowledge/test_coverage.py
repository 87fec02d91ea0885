"""The whole knowledge base: every topic id in every required language, with enough examples."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from musofir.knowledge import KnowledgeBase, Severity
from musofir.knowledge.stats import coverage, min_examples

SHARED = Path(__file__).resolve().parents[3] / "shared" / "kb-topics.yaml"
OURS = Path(__file__).resolve().parents[2] / "knowledge" / "catalog.yaml"
TOPIC_LIST = SHARED if SHARED.exists() else OURS
TOPICS = yaml.safe_load(TOPIC_LIST.read_text(encoding="utf-8"))
REQUIRED = tuple(TOPICS["required_languages"])
AZ_HY_TOPICS = (
    "registration.migration", "patent.obtain", "patent.payment", "eaeu.work", "police.check",
    "documents.lost", "deportation.expulsion", "entry.ban", "work.unpaid_wages", "work.injury",
    "health.emergency", "health.hiv_testing", "rights.discrimination", "ngo.help_centre",
    "emergency.numbers",
)  # fmt: skip


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return KnowledgeBase.load()


@pytest.mark.parametrize("topic_id", [t["id"] for t in TOPICS["topics"]])
def test_every_topic_is_answered_in_every_required_language(
    knowledge: KnowledgeBase, topic_id: str
) -> None:
    topic = knowledge.topics.get(topic_id)
    assert topic is not None, f"{topic_id} has no file in knowledge/topics"
    for language in REQUIRED:
        text = topic.languages.get(language)
        assert text is not None, f"{topic_id} has no {language} answer"
        assert len(text.questions) >= min_examples(language), (topic_id, language)
        assert all(len(message) <= 900 for message in text.answer), (topic_id, language)
    assert topic.sources and topic.reviewed_on


@pytest.mark.parametrize("topic_id", AZ_HY_TOPICS)
def test_the_most_asked_topics_are_in_azerbaijani_and_armenian(
    knowledge: KnowledgeBase, topic_id: str
) -> None:
    topic = knowledge.topics[topic_id]
    for language in ("az", "hy"):
        assert len(topic.languages[language].questions) >= min_examples(language)


def test_related_topics_exist_and_every_topic_links_somewhere(knowledge: KnowledgeBase) -> None:
    for topic in knowledge.topics.values():
        assert topic.related, f"{topic.id} links to no related topic"
        assert set(topic.related) <= set(knowledge.topics), topic.id
        assert topic.id not in topic.related


def test_kb_check_has_no_errors_or_warnings() -> None:
    _, problems = KnowledgeBase.check()
    assert [str(p) for p in problems if p.severity in (Severity.ERROR, Severity.WARNING)] == []


def test_kb_stats_counts_what_an_editor_needs(knowledge: KnowledgeBase, tmp_path: Path) -> None:
    report = coverage(knowledge)
    assert report.missing_ids == []
    assert report.short_cells(REQUIRED) == []
    assert report.needing_review == sum(t.needs_review for t in knowledge.topics.values())

    table = subprocess.run(
        [sys.executable, "-m", "musofir", "kb", "stats"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert table.returncode == 0, table.stderr
    first = table.stdout.splitlines()[0].split()
    assert first[:8] == ["topic", "ru", "uz", "tg", "ky", "en", "az", "hy"]
    row = next(line for line in table.stdout.splitlines() if line.startswith("patent.payment "))
    ru_examples = len(knowledge.topics["patent.payment"].languages["ru"].questions)
    assert row.split()[1] == str(ru_examples)
    assert f"{len(knowledge.topics)} topics; {report.needing_review} need review" in table.stdout

    as_json = json.loads(
        subprocess.run(
            [sys.executable, "-m", "musofir", "kb", "stats", "--json"],
            capture_output=True, text=True, timeout=60,
        ).stdout
    )  # fmt: skip
    assert len(as_json["topics"]) == len(knowledge.topics)
    assert as_json["oldest_review"] == report.oldest_review.isoformat()  # type: ignore[union-attr]


def test_kb_stats_marks_a_thin_cell(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "knowledge" / "topics" / "patent.payment.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["languages"]["tg"]["questions"] = data["languages"]["tg"]["questions"][:2]
    (tmp_path / "patent.payment.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True), "utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-m", "musofir", "kb", "stats", "--dir", str(tmp_path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "patent.payment/tg (2)" in result.stdout
    row = next(line for line in result.stdout.splitlines() if line.startswith("patent.payment "))
    assert "2!" in row.split()
