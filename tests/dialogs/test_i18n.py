"""Every UI string exists in all seven languages, and the code uses only keys the catalogs have."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from musofir.dialogs import LANGUAGES, Catalogs

PACKAGE_DIRS = [Path(__file__).resolve().parents[2] / d for d in ("dialogs", "bots")]
KEY = re.compile(r"^[a-z_]+\.[a-z_.]+$")


def test_every_catalog_is_complete_with_the_same_placeholders(catalogs: Catalogs) -> None:
    assert catalogs.problems() == []
    assert set(catalogs.messages) == set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_names_itself_in_its_own_script(catalogs: Catalogs, language: str) -> None:
    expected = {"ru": "Русский", "uz": "O‘zbekcha", "tg": "Тоҷикӣ", "ky": "Кыргызча",
                "az": "Azərbaycanca", "hy": "Հայերեն", "en": "English"}  # fmt: skip
    assert catalogs.text(language, "language.name") == expected[language]


def used_keys() -> set[str]:
    """String keys passed to t(...), turn.t(...), catalogs.text(_, ...) and turn.button(...)."""
    found: set[str] = set()
    for folder in PACKAGE_DIRS:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if name not in {"t", "text", "button"}:
                    continue
                for arg in node.args[:2]:
                    value = arg.value if isinstance(arg, ast.Constant) else None
                    if isinstance(value, str) and KEY.match(value):
                        found.add(value)
    return found


def test_every_key_the_code_uses_is_in_the_catalogs(catalogs: Catalogs) -> None:
    keys = used_keys()
    assert len(keys) > 30
    missing = sorted(k for k in keys if k not in catalogs.messages["en"])
    assert missing == []


def test_flows_say_nothing_that_is_not_from_a_catalog() -> None:
    """turn.say gets catalog text or knowledge-base text, never a sentence written in Python."""
    offenders: list[str] = []
    for path in (PACKAGE_DIRS[0] / "flows").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "say":
                first = node.args[0] if node.args else None
                if isinstance(first, (ast.Constant, ast.JoinedStr)):
                    offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
