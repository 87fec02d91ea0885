"""Read a webhook body with a size cap: platforms send kilobytes, anything past 1 MB is refused."""

from __future__ import annotations

from starlette.types import Receive

from .webhook import WebhookError

MAX_BODY_BYTES = 1024 * 1024


class Disconnected(Exception):
    """The client left before its body was in: there is no one to answer."""


async def read_body(receive: Receive, declared: str | None, limit: int = MAX_BODY_BYTES) -> bytes:
    """The raw body (signatures are computed over it), or 413 as soon as it passes ``limit``:
    at once by its Content-Length (``declared``), else while it streams in."""
    if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise WebhookError(413, f"the body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Disconnected
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise WebhookError(413, f"the body is larger than {limit} bytes")
        if not message.get("more_body", False):
            return b"".join((*chunks, chunk)) if chunks else chunk
        chunks.append(chunk)


__all__ = ["MAX_BODY_BYTES", "Disconnected", "read_body"]
