"""``musofir alerts …`` as staff who script use it: one data folder, SQLite, no server running.

Subscribers are written straight into the data folder's database beforehand; each command runs
as a subprocess in the folder that holds ``musofir-data``, without the MUSOFIR_*, DATABASE_* or
REDIS_* variables of the test's own environment (as tests/cli/test_commands.py runs them). A
command takes about two seconds, most of it importing, so they are few.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from musofir.alerts.book import LANGUAGES, STATUSES, AlertBook
from musofir.alerts.topics import ALERT_TOPICS
from musofir.storage import open_storage
from musofir.storage.models import StaffRole
from musofir.storage.setup import Storage
from musofir.storage.staff import add_staff
from utils.recipients import Recipient, add_subscribers

from musofir.settings import Settings

MUSOFIR = [sys.executable, "-m", "musofir"]
CENTRE = ZoneInfo(Settings.model_fields["centre_timezone"].default)  # the commands' clock
APPROVAL = {"MUSOFIR_ALERTS_APPROVAL": "true"}
RU = "С 1 января меняются правила оформления патента"
UZ = "1-yanvardan patent olish qoidalari o'zgaradi"

Done = subprocess.CompletedProcess[str]


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MUSOFIR_", "DATABASE_", "REDIS_"))
    }
    return {**clean, **(extra or {})}


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Done:
    return subprocess.run(
        [*MUSOFIR, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env=environment(env),
    )


@dataclass(frozen=True)
class Folder:
    """A folder whose ``musofir-data`` the commands use, and that database opened here too."""

    path: Path
    storage: Storage

    @property
    def book(self) -> AlertBook:
        return AlertBook(self.storage.engine)

    def run(self, *args: str, env: dict[str, str] | None = None) -> Done:
        return run(*args, cwd=self.path, env=env)

    def run_together(self, *commands: list[str]) -> list[Done]:
        """Commands that change nothing, at once: each takes seconds, mostly importing."""
        started = [
            subprocess.Popen(
                [*MUSOFIR, *args],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=self.path,
                env=environment(),
            )
            for args in commands
        ]
        finished = []
        for process, args in zip(started, commands, strict=True):
            out, err = process.communicate(timeout=120)
            finished.append(subprocess.CompletedProcess(args, process.returncode, out, err))
        return finished

    def data(self, *args: str, env: dict[str, str] | None = None) -> Any:
        result = self.run(*args, "--json", env=env)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def create(self, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
        created: dict[str, Any] = self.data("alerts", "create", *args, env=env)
        return created

    def status(self, alert_id: int) -> dict[str, Any]:
        found: dict[str, Any] = self.data("alerts", "status", str(alert_id), "--no-wait")
        return found


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Folder]:
    """Opened here first, so the keys this makes in the folder are the ones the commands find."""
    settings = Settings(
        data_dir=tmp_path / "musofir-data", database_url=None, hash_key=None, encryption_key=None
    )
    storage = open_storage(settings)
    # 4 people want news about the law (one of them about health too), 3 about health only.
    add_subscribers(
        storage,
        [
            Recipient("telegram", "7000001", "ru", "law"),
            Recipient("telegram", "7000002", "uz", "law"),
            Recipient("whatsapp", "whatsapp:+79000000003", "ru", "law,health"),
            Recipient("viber", "law-4==", "tg", "law", "Казань"),
            Recipient("telegram", "7000005", "ru", "health"),
            Recipient("telegram", "7000006", "ky", "health"),
            Recipient("sms", "+79000000007", "ru", "health"),
        ],
    )
    try:
        yield Folder(tmp_path, storage)
    finally:
        storage.close()


def centre_time(delta: timedelta) -> datetime:
    return (datetime.now(CENTRE) + delta).replace(second=0, microsecond=0)


def test_create_counts_the_audience_and_stores_what_was_typed(folder: Folder) -> None:
    made = {p.name for p in (folder.path / "musofir-data").iterdir()}
    assert {"encryption.key", "hash.key", "musofir.db"} <= made

    created = folder.create("--text", f"ru={RU}", "--text", f"uz={UZ}", "--topics", "law")
    assert set(created) == {"id", "audience", "status"}
    assert created["audience"] == 4 and created["status"] == "scheduled"
    alert = folder.book.get(created["id"])
    assert alert is not None
    assert json.loads(alert.texts) == {"ru": RU, "uz": UZ}
    assert (alert.topics, alert.languages, alert.regions, alert.channels) == ("law", "", "", "")
    assert alert.created_by == "terminal" and alert.send_at is None

    # ru and (law or health) and (telegram or sms): 7000001, 7000005 and +79000000007.
    narrower = folder.create(
        "--text", f"ru={RU}", "--topics", "law,health", "--languages", "ru",
        "--channels", "telegram,sms",
    )  # fmt: skip
    assert narrower["audience"] == 3

    # A time without an offset is the centre's.
    moment = centre_time(timedelta(days=1))
    later = folder.create("--text", f"uz={UZ}", "--at", moment.strftime("%Y-%m-%dT%H:%M"))
    assert later["audience"] == 7
    stored = folder.book.get(later["id"])
    assert stored is not None and stored.send_at == moment
    listed = {row["id"]: row for row in folder.data("alerts", "list")}
    assert datetime.fromisoformat(listed[later["id"]]["send_at"]) == moment.astimezone(UTC)


def test_create_refuses_with_a_reason_and_makes_nothing(folder: Folder) -> None:
    past = centre_time(-timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    create = ["alerts", "create", "--text"]
    late, unknown_text, unknown_language, unknown_topic = folder.run_together(
        [*create, f"ru={RU}", "--at", past],
        [*create, "xx=Hello"],
        [*create, "ru=x", "--languages", "ru,fr"],
        [*create, "ru=x", "--topics", "weather"],
    )
    for refused in (late, unknown_text, unknown_language, unknown_topic):
        assert refused.returncode == 2 and refused.stdout == "", refused.args
    assert "that time has passed: choose a later one, or send now" in late.stderr
    assert f"unknown language xx: use {', '.join(LANGUAGES)}" in unknown_text.stderr
    assert f"unknown fr: choose from {', '.join(LANGUAGES)}" in unknown_language.stderr
    assert f"unknown weather: choose from {', '.join(ALERT_TOPICS)}" in unknown_topic.stderr
    assert folder.book.recent() == []


def test_status_and_list_report_the_counts_per_status(folder: Folder) -> None:
    created = folder.create("--text", f"ru={RU}", "--topics", "law")
    alert_id = created["id"]
    zeros = {s: 0 for s in STATUSES}
    scheduled = {"id": alert_id, "status": "scheduled", "audience": 0}
    assert folder.status(alert_id) == scheduled | zeros

    # Send it by hand as a worker would, leaving one recipient in each of four states.
    book = folder.book
    assert book.start(alert_id) == 4
    ids = book.next_batch(alert_id, 0, 100)
    assert len(ids) == 4 and len(book.claim_many(ids[:3])) == 3
    book.finish_many([(ids[0], "sent", ""), (ids[1], "blocked", "bot blocked")])
    assert book.abandoned(ids[2]) == "uncertain"
    counts = zeros | {"queued": 1, "sent": 1, "blocked": 1, "uncertain": 1}
    assert folder.status(alert_id) == {"id": alert_id, "status": "sending", "audience": 4} | counts

    [row] = folder.data("alerts", "list")
    assert row == {
        "id": alert_id, "status": "sending", "audience": 4, "send_at": None,
        "created_by": "terminal", **counts,
    }  # fmt: skip

    # The last one fails; `alerts status` without --no-wait follows it until done, then says so.
    assert len(book.claim_many(ids[3:])) == 1
    book.finish_many([(ids[3], "failed", "HTTP 500")])
    assert book.finish_if_done(alert_id)
    followed = folder.run("alerts", "status", str(alert_id))
    assert followed.returncode == 0, followed.stderr
    final = json.loads(followed.stdout.strip().splitlines()[-1])
    assert final == {"id": alert_id, "status": "done"} | counts | {"queued": 0, "failed": 1}


def test_with_approval_on_a_second_staff_member_approves(folder: Folder) -> None:
    for name in ("aziza", "bekzod", "dilnoza"):
        add_staff(
            folder.storage.engine, username=name, display_name=name, role=StaffRole.STAFF,
            password="a long enough password",
        )  # fmt: skip
    created = folder.create("--text", f"ru={RU}", "--by", "aziza", env=APPROVAL)
    assert created["status"] == "awaiting_approval" and created["audience"] == 7
    alert_id = str(created["id"])

    own = folder.run("alerts", "approve", alert_id, "--by", "aziza", env=APPROVAL)
    assert own.returncode == 1 and own.stdout == ""
    assert "a second staff member must approve an alert, not its author" in own.stderr
    stranger = folder.run("alerts", "approve", alert_id, "--by", "somebody", env=APPROVAL)
    assert stranger.returncode == 1 and "not a staff member" in stranger.stderr
    waiting = folder.book.get(created["id"])
    assert waiting is not None and waiting.status == "awaiting_approval"

    approved = folder.run("alerts", "approve", alert_id, "--by", "bekzod", env=APPROVAL)
    assert approved.returncode == 0, approved.stderr
    assert approved.stdout.strip() == f"alert {alert_id} approved by bekzod"
    alert = folder.book.get(created["id"])
    assert alert is not None
    assert (alert.status, alert.created_by, alert.approved_by) == (
        "scheduled", "aziza", "bekzod",
    )  # fmt: skip

    again = folder.run("alerts", "approve", alert_id, "--by", "dilnoza", env=APPROVAL)
    assert again.returncode == 1
    assert f"alert {alert_id} is scheduled, not awaiting approval" in again.stderr
