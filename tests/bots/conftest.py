from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from musofir.bots.delivery.receiver import ReceiverTimings
from utils.live import LiveServer, run_server
from utils.platforms import channel_settings
from utils.standins import StandIns

from musofir.settings import Settings


@pytest.fixture(params=["memory", "redis"])
def live_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    yield from run_server(Settings(data_dir=tmp_path / "data", redis_url=redis_url))


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The server as `musofir demo` runs it: SQLite, in-memory state."""
    yield from run_server(Settings(data_dir=tmp_path / "data"))


FAST = ReceiverTimings(budget_seconds=4.0, sweep_seconds=0.2, retry_pause_seconds=0.5)


@pytest.fixture(scope="module")
def channel_server(
    standins: StandIns, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The server with every messenger channel on, talking to the stand-ins (memory state)."""
    env = channel_settings(standins.telegram_base, standins.twilio_base, standins.viber_base)
    data = tmp_path_factory.mktemp("channels") / "data"
    yield from run_server(Settings.model_validate({"data_dir": data, **env}), timings=FAST)


@pytest.fixture
def client(channel_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=channel_server.url, timeout=30) as http:
        yield http
