"""The loaded knowledge base: topics by id and by category, with the Russian fallback."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .catalog import TopicCatalog
from .model import Topic, TopicText
from .validate import Problem, Severity, read_topic_files

FALLBACK_LANGUAGE = "ru"


class KnowledgeBaseError(RuntimeError):
    """The knowledge base has errors; the message lists them as ``kb check`` prints them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        listing = "\n".join(str(p) for p in problems)
        super().__init__(f"the knowledge base has {len(problems)} error(s):\n{listing}")


@dataclass(frozen=True, slots=True)
class LocalizedTopic:
    """A topic's text as a person will read it, and whether it is in their language."""

    topic: Topic
    text: TopicText
    language: str
    is_fallback: bool


def default_topics_dir() -> Path:
    return Path(str(resources.files("musofir.knowledge") / "topics"))


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    topics: dict[str, Topic]
    catalog: TopicCatalog

    @classmethod
    def check(
        cls, directory: Path | None = None, catalog: TopicCatalog | None = None
    ) -> tuple[KnowledgeBase, list[Problem]]:
        """Load what is valid and return every problem found, errors and warnings."""
        catalog = catalog or TopicCatalog.load()
        loaded, problems = read_topic_files(directory or default_topics_dir(), catalog)
        topics: dict[str, Topic] = {}
        for item in loaded:
            topics.setdefault(item.topic.id, item.topic)
        return cls(topics, catalog), problems

    @classmethod
    def load(cls, directory: Path | None = None) -> KnowledgeBase:
        """Load for serving: refuse on any error, as the server must not start with them."""
        base, problems = cls.check(directory)
        errors = [p for p in problems if p.severity is Severity.ERROR]
        if errors:
            raise KnowledgeBaseError(errors)
        return base

    def in_category(self, category: str) -> list[Topic]:
        """Topics of a category in catalog order, so menus stay stable as files are added."""
        order = {topic_id: index for index, topic_id in enumerate(self.catalog.entries)}
        chosen = [t for t in self.topics.values() if t.category == category]
        return sorted(chosen, key=lambda t: (order.get(t.id, len(order)), t.id))

    def localized(self, topic_id: str, language: str | None) -> LocalizedTopic | None:
        topic = self.topics.get(topic_id)
        if topic is None:
            return None
        if language and language in topic.languages:
            return LocalizedTopic(topic, topic.languages[language], language, False)
        fallback = FALLBACK_LANGUAGE if FALLBACK_LANGUAGE in topic.languages else None
        chosen = fallback or next(iter(topic.languages))
        return LocalizedTopic(topic, topic.languages[chosen], chosen, True)

    def title(self, topic_id: str, language: str | None) -> str:
        found = self.localized(topic_id, language)
        return found.text.title if found else topic_id


__all__ = ["KnowledgeBase", "KnowledgeBaseError", "LocalizedTopic", "default_topics_dir"]
