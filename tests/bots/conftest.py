from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from utils.live import LiveServer, run_server

from musofir.settings import Settings


@pytest.fixture(params=["memory", "redis"])
def live_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    yield from run_server(Settings(data_dir=tmp_path / "data", redis_url=redis_url))


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The server as `musofir demo` runs it: SQLite, in-memory state."""
    yield from run_server(Settings(data_dir=tmp_path / "data"))
