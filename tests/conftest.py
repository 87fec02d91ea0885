"""Fixtures for the real services the suite runs against.

`bash scripts/test.sh` installs and starts everything and exports:
  TEST_REDIS_URL     redis://127.0.0.1:63790/0
  TEST_DATABASE_URL  postgresql+psycopg://musofir:musofir@127.0.0.1:54329/musofir_test
  MUSOFIR_CHROMIUM   /usr/bin/chromium
Run plain `pytest` without them and the tests needing a service are skipped (failed when CI=true).

Tests using `redis_url`, `postgres_url`, `chromium_path`, `browser` or `page` (directly or via
another fixture) get the matching marker automatically, so `pytest -m "not browser"` works.

Playwright's sync API and pytest-asyncio share the main thread. While the session-wide Playwright
is alive it leaves its own event loop registered as the thread's "running loop", and every later
async test would die with "Runner.run() cannot be called from a running event loop". So around
each test that is not a browser test the running loop is unset, and put back afterwards.
Consequence: a browser test must be a plain `def` test and cannot use async fixtures.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import Browser, Page, sync_playwright
from utils.platforms import channel_settings
from utils.services import flush_redis, require_env, reset_postgres, unavailable
from utils.standins import StandIns, run_standins

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


def _without_playwright_loop(item: pytest.Item) -> Generator[None, None, None]:
    loop = asyncio.events._get_running_loop()
    if loop is None or item.get_closest_marker("browser") is not None:
        yield
        return
    asyncio.events._set_running_loop(None)
    try:
        yield
    finally:
        asyncio.events._set_running_loop(loop)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    yield from _without_playwright_loop(item)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    yield from _without_playwright_loop(item)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    yield from _without_playwright_loop(item)


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
        playwright_loop = asyncio.events._get_running_loop()
        launched = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            # The session may end in a non-browser test, where the loop was unset (see above).
            asyncio.events._set_running_loop(playwright_loop)
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


@pytest.fixture(scope="module")
def standins() -> Iterator[StandIns]:
    """The Telegram, Twilio and Viber API stand-ins on one loopback port, per test module."""
    yield from run_standins()


@pytest.fixture
def stand(standins: StandIns) -> StandIns:
    """The module's stand-ins, with the previous test's calls and faults forgotten."""
    standins.clear()
    return standins


@pytest.fixture
def shared_env(
    standins: StandIns, redis_url: str, postgres_url: str, tmp_path: Path
) -> dict[str, str]:
    """Everything server processes need to be one deployment: Redis, PostgreSQL, the keys."""
    standins.clear()
    env = channel_settings(standins.telegram_base, standins.twilio_base, standins.viber_base)
    return {
        **env,
        "REDIS_URL": redis_url,
        "DATABASE_URL": postgres_url,
        "MUSOFIR_HASH_KEY": "test-hash-key-for-two-processes",
        "MUSOFIR_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "MUSOFIR_DATA_DIR": str(tmp_path / "data"),
        "MUSOFIR_INBOX_LEASE_SECONDS": "2",
        "PYTHONUNBUFFERED": "1",  # a process's log keeps every line up to a SIGKILL
    }
