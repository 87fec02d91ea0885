"""A Starlette app served by uvicorn on a loopback port in a thread: the stand-ins' lifecycle.

Bind first, then serve: the port is known and taken before the thread starts. IPPROTO_TCP
explicitly: asyncio sets TCP_NODELAY on accepted connections only when the listener says
proto 6, and without it Nagle + delayed ACKs cap a 32-connection load at ~650 requests/s
(40 ms per round trip).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from types import TracebackType
from typing import Self

import uvicorn
from starlette.applications import Starlette


class LoopbackServer:
    """Subclasses set ``app`` (and ``port``, 0 for any) before ``start``."""

    name = "loopback"
    backlog = 2048  # uvicorn's own default
    app: Starlette
    port: int = 0
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    def start(self) -> Self:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.port = int(sock.getsockname()[1])
        server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                host="127.0.0.1",
                port=self.port,
                log_level="warning",
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=1,  # a slow answer or a long poll may still wait
                backlog=self.backlog,
            )
        )
        thread = threading.Thread(
            target=lambda: asyncio.run(server.serve(sockets=[sock])), name=self.name, daemon=True
        )
        thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                sock.close()
                raise RuntimeError(f"the {self.name} did not start")
            time.sleep(0.01)
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


__all__ = ["LoopbackServer"]
