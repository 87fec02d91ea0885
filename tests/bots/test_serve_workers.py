"""``musofir serve --workers 2``: both processes take connections, even from a burst.

uvicorn's workers share one socket, and a burst of keep-alive connections (a platform opening
its pool, wrk) could land on one worker and stay there. Each worker now listens on a socket of
its own (``SO_REUSEPORT``) and the kernel spreads the connections.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from utils.live import free_port
from utils.processes import serve_process

LISTEN, ESTABLISHED = "0A", "01"


def sockets_on(port: int, state: str) -> set[int]:
    """Inodes of IPv4 TCP sockets whose local port is ``port``, in ``state``."""
    found: set[int] = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        if local_port == port and fields[3] == state:
            found.add(int(fields[9]))
    return found


def owners(inodes: set[int], pids: set[int]) -> Counter[int]:
    """How many of ``inodes`` each of ``pids`` holds open."""
    held: Counter[int] = Counter()
    for pid in pids:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:[") and int(target[8:-1]) in inodes:
                held[pid] += 1
    return held


def children_of(parent: int) -> set[int]:
    children: set[int] = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            children.add(int(stat.parent.name))
    return children


def listeners_when_both_started(parent: int, port: int) -> Counter[int]:
    """The workers' listening sockets, once two listen (the first answers before the second)."""
    deadline = time.monotonic() + 60
    while True:
        listening = owners(sockets_on(port, LISTEN), children_of(parent))
        if len(listening) >= 2 or time.monotonic() > deadline:
            return listening
        time.sleep(0.2)


def test_two_workers_each_listen_and_both_take_a_burst_of_connections(
    shared_env: dict[str, str], tmp_path: Path
) -> None:
    with serve_process(shared_env, tmp_path, workers=2) as server:
        port = int(server.url.rsplit(":", 1)[1])
        listening = listeners_when_both_started(server.process.pid, port)
        assert sorted(listening.values()) == [1, 1], listening  # a socket each

        burst = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(32)]
        try:
            for connection in burst:
                connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            for connection in burst:
                assert connection.recv(4096).startswith(b"HTTP/1.1 200")
            held = owners(sockets_on(port, ESTABLISHED), set(listening))
        finally:
            for connection in burst:
                connection.close()
        assert sum(held.values()) == 32
        # Spread by the kernel's hash: a worker left with fewer than 4 of 32 is a 1-in-380,000
        # chance; one shared socket gave a burst to whichever worker woke first.
        assert min(held.get(pid, 0) for pid in listening) >= 4, held


def test_a_port_in_use_is_refused_before_any_worker_starts(
    shared_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    with socket.create_server(("127.0.0.1", port)):
        finished = subprocess.run(
            [sys.executable, "-m", "musofir", "serve", "--port", str(port), "--workers", "2"],
            env={**os.environ, **shared_env},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert finished.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in finished.stderr
