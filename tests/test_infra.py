"""The test infrastructure itself: if these fail, fix the environment before anything else."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
import sqlalchemy
from playwright.sync_api import Browser, Page
from sqlalchemy.pool import NullPool
from utils.services import unavailable

# Two runs of the same test: the second proves the fixture cleaned up what the first left.
RUNS = pytest.mark.parametrize("run", [1, 2])

GREETINGS = {
    "ru": "Здравствуйте! Чем мы можем вам помочь с патентом?",
    "hy": "Բարև ձեզ։ Ինչո՞վ կարող ենք օգնել",
    "tg": "Салом! Ба шумо чӣ тавр кӯмак расонем? Ҳуҷҷатҳо, қарз, ғамхорӣ",
}


@RUNS
def test_redis_is_empty_and_works(redis_url: str, run: int) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        assert client.ping()
        assert client.dbsize() == 0, "the redis_url fixture must hand out an empty database"
        client.set("musofir:infra:probe", GREETINGS["tg"])
        assert client.get("musofir:infra:probe") == GREETINGS["tg"]
    finally:
        client.close()


_USER_TABLES = """
SELECT table_schema || '.' || table_name FROM information_schema.tables
 WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
"""


@RUNS
def test_postgres_is_empty_and_works(postgres_url: str, run: int) -> None:
    engine = sqlalchemy.create_engine(postgres_url, poolclass=NullPool)
    assert engine.dialect.driver == "psycopg"
    try:
        with engine.begin() as conn:
            version = conn.execute(sqlalchemy.text("select version()")).scalar_one()
            assert "PostgreSQL" in version
            tables = conn.execute(sqlalchemy.text(_USER_TABLES)).scalars().all()
            assert tables == [], "the postgres_url fixture must hand out an empty database"
            conn.execute(sqlalchemy.text("CREATE TABLE probe (id int PRIMARY KEY, note text)"))
            conn.execute(sqlalchemy.text("CREATE SCHEMA extra"))
            conn.execute(sqlalchemy.text("CREATE TABLE extra.probe (id int)"))
            conn.execute(
                sqlalchemy.text("INSERT INTO probe VALUES (1, :note)"), {"note": GREETINGS["hy"]}
            )
            note = conn.execute(sqlalchemy.text("SELECT note FROM probe")).scalar_one()
            assert note == GREETINGS["hy"]
    finally:
        engine.dispose()


def test_browser_renders_our_scripts(browser: Browser, page: Page, tmp_path: Path) -> None:
    assert browser.is_connected()
    body = "".join(f'<p lang="{lang}">{text}</p>' for lang, text in GREETINGS.items())
    html = f'<!doctype html><meta charset="utf-8"><body style="font: 24px sans-serif">{body}'
    page.goto("data:text/html;charset=utf-8," + quote(html))
    for lang, text in GREETINGS.items():
        assert page.inner_text(f'p[lang="{lang}"]') == text
    png = page.screenshot(full_page=True)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 1000
    (tmp_path / "scripts.png").write_bytes(png)


async def test_asyncio_still_works_after_the_browser() -> None:
    """Runs after the browser test: Playwright's event loop must not leak into async tests."""
    await asyncio.sleep(0)
    assert asyncio.get_running_loop().is_running()


@pytest.mark.browser
@pytest.mark.parametrize("lang", sorted(GREETINGS))
def test_fonts_cover_our_scripts(lang: str) -> None:
    """Without a font for a script chromium draws empty boxes: fonts-noto-core covers ours."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        unavailable("fc-list is missing (Debian package fontconfig, a dependency of chromium)")
    fonts = subprocess.run(
        [fc_list, f":lang={lang}", "family"], capture_output=True, text=True, check=True
    ).stdout
    assert fonts.strip(), f"no installed font covers lang={lang}: apt-get install fonts-noto-core"


def test_data_dir_is_an_empty_folder(data_dir: Path) -> None:
    assert data_dir.is_dir()
    assert list(data_dir.iterdir()) == []
