"""A listening socket of its own for each ``musofir serve`` worker, so connections spread evenly.

uvicorn's workers share the parent's one socket, and whichever worker is idle when a burst of
connections arrives accepts them all. Platforms keep their connections alive (Telegram up to 40
per bot), so the split stays lopsided for as long as they last: in ``bench/webhooks.py`` two
workers held 9 and 23 of wrk's 32 connections and answered 682 messages a second, against
1,060-1,190 when the split was even. With ``SO_REUSEPORT`` each worker listens on its own socket
and the kernel spreads new connections across them.

uvicorn hands the parent's sockets to every worker by pickling them; a ``WorkerSocket``
unpickles as a fresh socket bound to the same address in the worker. The parent's one only
holds the port (it never listens), so a port in use fails before any worker starts.
"""

from __future__ import annotations

import socket
from typing import Any


def _reuse_port_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family=family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class WorkerSocket(socket.socket):
    """The parent's placeholder: bound with ``SO_REUSEPORT``, never listening."""

    def __reduce__(self) -> tuple[Any, ...]:
        host, port = self.getsockname()[:2]
        return (_reuse_port_socket, (host, port))


def worker_socket(host: str, port: int) -> WorkerSocket:
    """The address's placeholder for uvicorn's supervisor (``OSError`` when the port is taken)."""
    bound = _reuse_port_socket(host, port)
    return WorkerSocket(bound.family, bound.type, bound.proto, fileno=bound.detach())


__all__ = ["WorkerSocket", "worker_socket"]
