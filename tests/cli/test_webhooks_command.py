"""`musofir webhooks set` against the stand-ins: what it registers and what it prints."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from utils.platforms import TELEGRAM_SECRET, channel_settings
from utils.standins import StandIns, run_standins


@pytest.fixture(scope="module")
def standins() -> Iterator[StandIns]:
    yield from run_standins()


def run(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "musofir", "webhooks", "set"],
        env={**os.environ, **env, "MUSOFIR_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_registers_telegram_and_viber_and_prints_twilio(
    standins: StandIns, tmp_path: Path
) -> None:
    env = channel_settings(standins.telegram_base, standins.twilio_base, standins.viber_base)
    done = run(env, tmp_path)
    assert done.returncode == 0, done.stderr
    telegram = standins.calls("telegram", "setWebhook")[-1].params
    assert telegram["url"] == "https://musofir.example.org/webhooks/telegram"
    assert telegram["secret_token"] == TELEGRAM_SECRET
    viber = standins.calls("viber", "set_webhook")[-1].params
    assert viber["url"] == "https://musofir.example.org/webhooks/viber"
    assert "conversation_started" in viber["event_types"]
    assert "https://musofir.example.org/webhooks/whatsapp" in done.stdout
    assert "https://musofir.example.org/webhooks/sms" in done.stdout


def test_without_a_public_url_it_says_so(standins: StandIns, tmp_path: Path) -> None:
    env = channel_settings(standins.telegram_base, standins.twilio_base, standins.viber_base)
    env["PUBLIC_URL"] = ""
    done = run(env, tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "musofir: webhooks not set: PUBLIC_URL is not set: "
        "the platforms need the server's https address"
    )
