"""How every ``--json`` command prints: one JSON document on standard output, nothing more."""

from __future__ import annotations

import json
import sys
from typing import Any


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


__all__ = ["emit_json"]
