from __future__ import annotations

import pytest
from musofir.dialogs import Catalogs


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    return Catalogs.load()
