"""UI strings from gettext catalogs, one ``.po`` per language.

Messages are looked up by stable keys (``menu.title``); the English catalog holds the source text.
We read the ``.po`` files with Babel at start-up instead of compiling ``.mo`` files, so an editor's
change needs no build step; a catalog of a hundred strings parses in milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from babel.messages.pofile import read_po

LANGUAGES: tuple[str, ...] = ("ru", "uz", "tg", "ky", "az", "hy", "en")
"""Every language the interface speaks, in the order the language menu shows them."""

FALLBACK_LANGUAGE = "ru"
"""Content missing in a language is shown in Russian, the language most migrants can read."""

SOURCE_LANGUAGE = "en"
DOMAIN = "musofir"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class CatalogError(ValueError):
    """A catalog is missing, unreadable, or disagrees with the English source."""


@dataclass(frozen=True, slots=True)
class Catalogs:
    """All UI strings of all languages, loaded once and shared read-only."""

    messages: dict[str, dict[str, str]]

    @classmethod
    def load(cls, directory: Path | None = None) -> Catalogs:
        base = directory or Path(str(resources.files("musofir.dialogs") / "locales"))
        messages: dict[str, dict[str, str]] = {}
        for language in LANGUAGES:
            path = base / language / "LC_MESSAGES" / f"{DOMAIN}.po"
            if not path.is_file():
                raise CatalogError(f"{path}: missing catalog for language {language!r}")
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=None)
            messages[language] = {
                str(m.id): str(m.string) for m in catalog if m.id and isinstance(m.string, str)
            }
        return cls(messages)

    def text(self, language: str | None, key: str, **params: object) -> str:
        """The string for ``key`` in ``language``, falling back to English, then to the key."""
        table = self.messages.get(language or SOURCE_LANGUAGE, {})
        template = table.get(key) or self.messages[SOURCE_LANGUAGE].get(key) or key
        return template.format(**params) if params else template

    def problems(self) -> list[str]:
        """Keys missing, empty or with other placeholders than the English source."""
        source = self.messages[SOURCE_LANGUAGE]
        found: list[str] = []
        for language, table in self.messages.items():
            for key, english in source.items():
                value = table.get(key, "")
                if not value.strip():
                    found.append(f"{language}: {key} is not translated")
                elif set(_PLACEHOLDER.findall(value)) != set(_PLACEHOLDER.findall(english)):
                    found.append(f"{language}: {key} has other placeholders than English")
            found.extend(f"{language}: {key} is not in English" for key in table.keys() - source)
        return found


class Translator:
    """The strings of one language, as a flow uses them."""

    __slots__ = ("catalogs", "language")

    def __init__(self, catalogs: Catalogs, language: str | None) -> None:
        self.catalogs = catalogs
        self.language = language if language in LANGUAGES else SOURCE_LANGUAGE

    def __call__(self, key: str, **params: object) -> str:
        return self.catalogs.text(self.language, key, **params)


__all__ = [
    "FALLBACK_LANGUAGE",
    "LANGUAGES",
    "SOURCE_LANGUAGE",
    "CatalogError",
    "Catalogs",
    "Translator",
]
