"""The messenger webhooks served as bare ASGI, ahead of FastAPI.

Platforms post updates by the thousand. Through FastAPI each one cost about 150 µs of CPU in
middleware, routing and dependency solving; answered here, about a tenth of that. ``WebhookApp``
is the FastAPI app whose ``__call__`` answers a POST to a registered path itself and hands
everything else (other paths and methods, lifespan) to FastAPI unchanged. Each path is a FastAPI
route as well, so other methods still get 405 and ``path/`` its redirect, as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import FastAPI
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from .body import MAX_BODY_BYTES, Disconnected, read_body
from .webhook import Reply, reply_for

# What Starlette's ServerErrorMiddleware answers to a bug.
SERVER_ERROR = Reply(500, b"Internal Server Error", "text/plain; charset=utf-8")


class WebhookRequest:
    """What a handler sees of a request: path and query (Twilio signs them), headers, and the
    body, read when asked for (once), so a wrong secret is refused before the body is read."""

    __slots__ = ("_headers", "_receive", "path", "query")

    def __init__(self, scope: Scope, receive: Receive) -> None:
        self.path: str = scope["path"]
        self.query: str = scope["query_string"].decode("utf-8", "replace")
        self._headers: list[tuple[bytes, bytes]] = scope["headers"]
        self._receive = receive

    def header(self, name: str) -> str:
        """The first value of header ``name``, "" without one (Latin-1, as Starlette decodes)."""
        key = name.lower().encode("latin-1")
        for field, value in self._headers:
            if field == key:
                return value.decode("latin-1")
        return ""

    async def body(self, limit: int = MAX_BODY_BYTES) -> bytes:
        return await read_body(self._receive, self.header("content-length") or None, limit)


Handler = Callable[[WebhookRequest], Awaitable[Reply]]


async def send_reply(send: Send, reply: Reply) -> None:
    """The headers Starlette's ``Response`` would send: length (none for 1xx, 204, 304), type."""
    headers: list[tuple[bytes, bytes]] = []
    if not (reply.status < 200 or reply.status in (204, 304)):
        headers.append((b"content-length", str(len(reply.body)).encode()))
    if reply.content_type is not None:
        headers.append((b"content-type", reply.content_type.encode("latin-1")))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body})


async def answer(handler: Handler, scope: Scope, receive: Receive, send: Send) -> None:
    """Run ``handler`` and send its reply. A refusal is JSON with its reason, an outage 503; a
    bug is a 500 and raised on for the server to log, as Starlette's ServerErrorMiddleware did."""
    try:
        reply = await handler(WebhookRequest(scope, receive))
    except Disconnected:
        return
    except Exception as error:
        known = reply_for(error)
        if known is None:
            await send_reply(send, SERVER_ERROR)
            raise
        reply = known
    await send_reply(send, reply)


class Endpoint:
    """One webhook as an ASGI app, for the FastAPI route behind the fast path."""

    __slots__ = ("handler",)

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await answer(self.handler, scope, receive, send)


class WebhookApp(FastAPI):
    """FastAPI, with POSTs to the webhook paths answered before any of its middleware runs."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.webhook_handlers: dict[str, Handler] = {}

    def add_webhooks(self, webhooks: Mapping[str, Handler]) -> None:
        for path, handler in webhooks.items():
            self.webhook_handlers[path] = handler
            route = Route(path, Endpoint(handler), methods=["POST"], include_in_schema=False)
            self.router.routes.append(route)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            handler = self.webhook_handlers.get(scope["path"])
            if handler is not None:
                await answer(handler, scope, receive, send)
                return
        await super().__call__(scope, receive, send)


__all__ = ["Handler", "WebhookApp", "WebhookRequest", "answer"]
