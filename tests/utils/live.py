"""The real app served by uvicorn on a loopback port, for HTTP and browser tests."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from musofir.bots.server import Runtime, create_app
from musofir.dialogs import Outbound

from musofir.settings import Settings


@dataclass(frozen=True)
class LiveServer:
    url: str
    runtime: Runtime
    loop: asyncio.AbstractEventLoop

    def push(self, session: str, reply: Outbound) -> None:
        """Start a message from the server's side, as a specialist's reply or an alert would."""
        done = asyncio.run_coroutine_threadsafe(
            self.runtime.webchat.push(session, reply), self.loop
        )
        done.result(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_server(settings: Settings, **options: Any) -> Iterator[LiveServer]:
    """Serve the real app with uvicorn on a loopback port in a background thread."""
    app = create_app(settings, **options)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=1,  # a browser may still hold an event stream open
        )
    )
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=lambda: loop.run_until_complete(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app.state.runtime, loop)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        if not thread.is_alive():
            loop.close()


__all__ = ["LiveServer", "free_port", "run_server"]
