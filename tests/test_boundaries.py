"""The engine never imports a messenger SDK or an HTTP client: only `bots` talks to platforms."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_MODULES = {
    "aiogram",
    "twilio",
    "viberbot",
    "httpx",
    "requests",
    "aiohttp",
    "fastapi",
    "starlette",
}


def imported_modules(folder: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                found[name] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


@pytest.mark.parametrize("package", ["dialogs", "nlu", "knowledge", "storage"])
def test_engine_packages_import_no_platform_sdk(package: str) -> None:
    imports = imported_modules(ROOT / package)
    offending = {m: where for m, where in imports.items() if m.split(".")[0] in PLATFORM_MODULES}
    assert offending == {}


@pytest.mark.parametrize("package", ["nlu", "knowledge"])
def test_lower_layers_do_not_import_the_engine_or_the_bots(package: str) -> None:
    imports = imported_modules(ROOT / package)
    upward = {m for m in imports if m.startswith(("musofir.dialogs", "musofir.bots"))}
    assert upward == set()


def test_the_engine_reaches_the_help_desk_only_through_its_protocol() -> None:
    imports = imported_modules(ROOT / "dialogs")
    assert {m for m in imports if m.startswith("musofir.handoff")} == set()


def test_the_console_side_never_imports_a_messenger_adapter() -> None:
    """Replies leave through the push function the server hands in, not a channel."""
    imports = imported_modules(ROOT / "handoff")
    assert {m for m in imports if m.startswith("musofir.bots")} == set()
    assert {
        m for m in imports if m.split(".")[0] in PLATFORM_MODULES - {"fastapi", "starlette"}
    } == set()
