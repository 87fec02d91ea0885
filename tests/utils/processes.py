"""`musofir serve` in its own OS process, for tests about several processes and crashes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

from utils.live import free_port


@dataclass(frozen=True)
class ServerProcess:
    url: str
    process: subprocess.Popen[bytes]

    def crash(self) -> None:
        """SIGKILL: no shutdown hooks run, as in a power cut or an OOM kill."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


@contextmanager
def serve_process(
    env: dict[str, str], workdir: Path, *, workers: int = 1
) -> Iterator[ServerProcess]:
    """Start the server with ``env`` added to ours; yield it; kill it and its workers after."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    log = (workdir / f"serve-{port}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "musofir", "serve", "--port", str(port), "--workers", str(workers)],
        env={**os.environ, **env},
        start_new_session=True,  # one process group: the workers die with it
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"musofir serve did not start; see {log.name}")
            time.sleep(0.1)
        yield ServerProcess(url, process)
    finally:
        with suppress(ProcessLookupError):  # the group is gone already
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        log.close()


__all__ = ["ServerProcess", "serve_process"]
