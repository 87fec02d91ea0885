"""The `musofir` command as an admin uses it: one data folder for every command."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

MUSOFIR = [sys.executable, "-m", "musofir"]


def run(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MUSOFIR_", "DATABASE_", "REDIS_"))
    }
    return subprocess.run(
        [*MUSOFIR, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        input=stdin,
        timeout=120,
        env=env,
    )


def test_kb_list_json_lists_every_topic() -> None:
    result = subprocess.run(
        [*MUSOFIR, "kb", "list", "--json"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows and set(rows[0]) == {"id", "category", "languages", "needs_review"}
    by_id = {row["id"]: row for row in rows}
    assert {"ru", "uz", "tg", "ky", "en"} <= set(by_id["patent.payment"]["languages"])
    assert by_id["patent.payment"]["category"] == "legal"
    assert by_id["patent.payment"]["needs_review"] is True


def test_users_add_and_list_share_one_data_folder(tmp_path: Path) -> None:
    added = run(
        "users", "add", "dilnoza", "--role", "lawyer", "--generate", "--json", cwd=tmp_path
    )
    assert added.returncode == 0, added.stderr
    account = json.loads(added.stdout)
    assert account["username"] == "dilnoza" and account["role"] == "lawyer"
    assert len(account["password"]) >= 12
    assert (tmp_path / "musofir-data" / "musofir.db").exists()
    assert "MUSOFIR_ENCRYPTION_KEY is not set" in added.stderr

    again = run("users", "add", "dilnoza", "--role", "doctor", "--generate", cwd=tmp_path)
    assert again.returncode == 1 and "already exists" in again.stderr

    short = run(
        "users",
        "add",
        "farrukh",
        "--role",
        "doctor",
        "--password-stdin",
        cwd=tmp_path,
        stdin="short\n",
    )
    assert short.returncode == 2 and "at least 10 characters" in short.stderr

    listed = json.loads(run("users", "list", "--json", cwd=tmp_path).stdout)
    assert [u["username"] for u in listed] == ["dilnoza"]
    assert "password_hash" not in listed[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_demo_serves_the_chat_from_the_same_data_folder(tmp_path: Path) -> None:
    run("users", "add", "aziz", "--role", "social_worker", "--generate", cwd=tmp_path)
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MUSOFIR_", "DATABASE_", "REDIS_"))
    }
    demo = subprocess.Popen(
        [*MUSOFIR, "demo", "--port", str(port)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert demo.stdout is not None
        first_line = demo.stdout.readline()
        assert first_line.strip() == f"Web chat: http://localhost:{port}/chat"
        console_line = demo.stdout.readline()
        assert console_line.startswith(f"Console:  http://localhost:{port}/console (user demo,")
        deadline = time.monotonic() + 30
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/chat", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "demo did not answer"
                time.sleep(0.2)
        assert page.status_code == 200 and "<html" in page.text.lower()
        assert [p.relative_to(tmp_path) for p in tmp_path.rglob("*.db")] == [
            Path("musofir-data/musofir.db")
        ]
    finally:
        demo.terminate()
        demo.wait(timeout=15)
    listed = json.loads(run("users", "list", "--json", cwd=tmp_path).stdout)
    assert [u["username"] for u in listed] == ["aziz", "demo"]
