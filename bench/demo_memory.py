"""Resident memory of `musofir demo` right after start, and after a short conversation.

    .venv/bin/python bench/demo_memory.py

Starts the demo in a temporary folder on a free port, waits for the chat page, reads VmRSS from
/proc, talks to it through the web chat API, reads VmRSS again, and stops it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import httpx


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def main() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MUSOFIR_", "REDIS_", "DATABASE_"))
    }
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        demo = subprocess.Popen(
            [sys.executable, "-m", "musofir", "demo", "--port", str(port)],
            cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            while True:
                try:
                    httpx.get(f"{base}/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            ready = time.perf_counter() - started
            time.sleep(1.0)
            after_start = rss_mib(demo.pid)
            with httpx.Client(base_url=base) as client:
                client.get("/chat/api/session")
                for body in (
                    {"payload": "lang:ru"},
                    {"text": "как оплатить патент"},
                    {"payload": "cat:legal"},
                ):
                    client.post("/chat/api/messages", json={"id": uuid.uuid4().hex, **body})
            after_chat = rss_mib(demo.pid)
            print(
                f"demo ready in {ready:.2f} s; RSS after start {after_start:.1f} MiB, "
                f"after a conversation {after_chat:.1f} MiB"
            )
        finally:
            demo.terminate()
            demo.wait(timeout=15)


if __name__ == "__main__":
    main()
