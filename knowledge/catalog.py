"""The project's list of topic ids and categories (``catalog.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    id: str
    category: str
    title: str


@dataclass(frozen=True, slots=True)
class TopicCatalog:
    required_languages: tuple[str, ...]
    welcome_languages: tuple[str, ...]
    categories: tuple[str, ...]
    entries: dict[str, CatalogEntry]

    @classmethod
    def load(cls, path: Path | None = None) -> TopicCatalog:
        source = path or Path(str(resources.files("musofir.knowledge") / "catalog.yaml"))
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        entries = {
            t["id"]: CatalogEntry(t["id"], t["category"], t.get("title", ""))
            for t in data["topics"]
        }
        return cls(
            required_languages=tuple(data["required_languages"]),
            welcome_languages=tuple(data.get("welcome_languages", [])),
            categories=tuple(data["categories"]),
            entries=entries,
        )


__all__ = ["CatalogEntry", "TopicCatalog"]
