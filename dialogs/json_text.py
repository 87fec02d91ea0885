"""JSON text for what the hot path stores: conversation state, reply journals, inbox entries.

orjson encodes these 10-20 times faster than the standard library and decodes 2-4 times faster;
each message writes several. Text is UTF-8, not ``\\u`` escapes, which also keeps Cyrillic
state a third of its size. Whatever the standard library wrote before still reads back.
"""

from __future__ import annotations

from typing import Any

import orjson


def dumps(data: Any) -> str:
    return orjson.dumps(data).decode()


def loads(text: str | bytes) -> Any:
    """Raises ``orjson.JSONDecodeError``, a ``ValueError`` as the standard library's is."""
    return orjson.loads(text)


__all__ = ["dumps", "loads"]
