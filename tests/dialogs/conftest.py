from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from musofir.bots.server import Runtime, build_runtime
from musofir.dialogs import Catalogs, DialogEngine

from musofir.settings import Settings


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    built = build_runtime(Settings(data_dir=tmp_path / "data"), memory_state=True)
    yield built
    await built.store.close()
    built.storage.close()


@pytest.fixture
def engine(runtime: Runtime) -> DialogEngine:
    return runtime.engine


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    return Catalogs.load()
