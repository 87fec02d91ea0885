"""Fixtures for the real services the suite runs against.

`bash scripts/test.sh` installs and starts everything and exports:
  TEST_REDIS_URL     redis://127.0.0.1:63790/0
  TEST_DATABASE_URL  postgresql+psycopg://musofir:musofir@127.0.0.1:54329/musofir_test
  MUSOFIR_CHROMIUM   /usr/bin/chromium
Run plain `pytest` without them and the tests needing a service are skipped (failed when CI=true).

Tests using `redis_url`, `postgres_url`, `chromium_path`, `browser` or `page` get the matching
marker automatically, so `pytest -m "not browser"` works without decorating anything.
Browser tests must be plain `def` tests: Playwright's sync API refuses to run inside an event loop.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from utils.services import flush_redis, require_env, reset_postgres, unavailable

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

_FIXTURE_MARKERS = {
    "redis_url": "redis",
    "postgres_url": "postgres",
    "chromium_path": "browser",
    "browser": "browser",
    "page": "browser",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixturenames: list[str] = getattr(item, "fixturenames", [])
        for fixture, marker in _FIXTURE_MARKERS.items():
            if fixture in fixturenames and item.get_closest_marker(marker) is None:
                item.add_marker(marker)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """URL of the test Redis database, flushed before and after the test."""
    url = require_env("TEST_REDIS_URL", "Redis")
    flush_redis(url)
    yield url
    flush_redis(url)


@pytest.fixture
def postgres_url() -> str:
    """SQLAlchemy URL (psycopg 3 driver) of the test database, emptied before the test."""
    url = require_env("TEST_DATABASE_URL", "PostgreSQL")
    reset_postgres(url)
    return url


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("MUSOFIR_CHROMIUM", "").strip() or "/usr/bin/chromium"
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        unavailable(f"no chromium executable at {path} (MUSOFIR_CHROMIUM)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    """Debian's chromium driven by Playwright; never `playwright install` (no downloads here)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context (own cookies and storage), closed after the test."""
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty folder for the app's data (what `musofir-data/` is in a real deployment)."""
    path = tmp_path / "musofir-data"
    path.mkdir()
    return path
