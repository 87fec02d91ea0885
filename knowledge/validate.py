"""Read every topic file and say what is wrong with it, each problem with its file and line.

``musofir kb check`` prints these problems and the server refuses to start on the same errors, so
an editor sees one set of messages wherever they look.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pydantic import ValidationError

from .catalog import TopicCatalog
from .limits import COMFORT_LIMIT, NOTES_ALLOWANCE, PLATFORM_LIMITS, format_sources
from .model import Topic
from .yaml_lines import Path as YamlPath
from .yaml_lines import YamlSyntaxError, line_of, load_with_lines

KNOWN_LANGUAGES = ("ru", "uz", "tg", "ky", "az", "hy", "en")


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.message}"


@dataclass(frozen=True, slots=True)
class LoadedTopic:
    topic: Topic
    file: str
    lines: dict[YamlPath, int]


def read_topic_files(
    directory: Path, catalog: TopicCatalog
) -> tuple[list[LoadedTopic], list[Problem]]:
    """Parse and check every ``*.yaml`` in ``directory``; cross-file checks come after."""
    loaded: list[LoadedTopic] = []
    problems: list[Problem] = []
    files = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
    if not files:
        problems.append(Problem(str(directory), 1, "no topic files (*.yaml) found"))
    for path in files:
        name = str(path)
        try:
            data, lines = load_with_lines(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            problems.append(Problem(name, 1, "not UTF-8 text: save the file as UTF-8"))
            continue
        except YamlSyntaxError as error:
            problems.append(Problem(name, error.line, str(error)))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(name, 1, "a topic file must be a mapping with id, category…"))
            continue
        try:
            topic = Topic.model_validate(data)
        except ValidationError as error:
            for item in error.errors():
                where = tuple(item["loc"])
                field = ".".join(str(p) for p in where) or "topic"
                problems.append(Problem(name, line_of(lines, where), f"{field}: {item['msg']}"))
            continue
        problems.extend(_check_topic(topic, name, lines, path.stem, catalog))
        loaded.append(LoadedTopic(topic, name, lines))
    problems.extend(_check_across(loaded, catalog))
    return loaded, problems


def _check_topic(
    topic: Topic, name: str, lines: dict[YamlPath, int], stem: str, catalog: TopicCatalog
) -> list[Problem]:
    found: list[Problem] = []

    def add(path: YamlPath, message: str, severity: Severity = Severity.ERROR) -> None:
        found.append(Problem(name, line_of(lines, path), message, severity))

    if stem != topic.id:
        add(("id",), f"the file is named {stem}.yaml but its id is {topic.id}: make them equal")
    if topic.category not in catalog.categories:
        known = ", ".join(catalog.categories)
        add(("category",), f"unknown category {topic.category!r}; use one of: {known}")
    entry = catalog.entries.get(topic.id)
    if entry is None:
        add(("id",), f"unknown topic id {topic.id!r}: ids come from knowledge/catalog.yaml")
    elif entry.category != topic.category:
        add(("category",), f"{topic.id} belongs to category {entry.category!r} in the catalog")
    for language in topic.languages:
        if language not in KNOWN_LANGUAGES:
            add(("languages", language), f"unknown language {language!r}")
    missing = [lang for lang in catalog.required_languages if lang not in topic.languages]
    if missing:
        add(("languages",), f"missing required language(s): {', '.join(missing)}")
    sources = format_sources([(s.title, s.url) for s in topic.sources])
    notes_length = len(sources) + NOTES_ALLOWANCE
    for platform, limit in PLATFORM_LIMITS.items():
        if notes_length > limit:
            add(
                ("sources",),
                f"the sources take {notes_length} characters with the notes, "
                f"over {platform}'s limit of {limit}: keep fewer or shorter sources",
            )
    for language, text in topic.languages.items():
        for index, message in enumerate(text.answer):
            path: YamlPath = ("languages", language, "answer", index)
            if len(text.answer) == 1:
                path = ("languages", language, "answer")
            for platform, limit in PLATFORM_LIMITS.items():
                if len(message) > limit:
                    add(
                        path,
                        f"{language} message {index + 1} has {len(message)} characters, "
                        f"over {platform}'s limit of {limit}: split it into a list of messages",
                    )
            if len(message) > COMFORT_LIMIT:
                add(
                    path,
                    f"{language} message {index + 1} has {len(message)} characters; above "
                    f"{COMFORT_LIMIT} it is hard to read on a phone: consider splitting it",
                    Severity.WARNING,
                )
    return found


def _check_across(loaded: list[LoadedTopic], catalog: TopicCatalog) -> list[Problem]:
    found: list[Problem] = []
    first_file: dict[str, str] = {}
    for item in loaded:
        earlier = first_file.setdefault(item.topic.id, item.file)
        if earlier != item.file:
            found.append(
                Problem(
                    item.file,
                    line_of(item.lines, ("id",)),
                    f"duplicate id {item.topic.id!r}, already used in {earlier}",
                )
            )
    known = set(first_file) | set(catalog.entries)
    for item in loaded:
        for index, related in enumerate(item.topic.related):
            if related not in known:
                found.append(
                    Problem(
                        item.file,
                        line_of(item.lines, ("related", index)),
                        f"related topic {related!r} does not exist",
                    )
                )
    return found


__all__ = ["LoadedTopic", "Problem", "Severity", "read_topic_files"]
