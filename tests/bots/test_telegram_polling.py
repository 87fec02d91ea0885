"""`musofir serve --telegram-polling`: updates fetched by getUpdates, answered through the API."""

from __future__ import annotations

from pathlib import Path

from musofir.bots.delivery.receiver import ReceiverTimings
from utils.live import run_server
from utils.platforms import channel_settings, tg_message
from utils.standins import StandIns

from musofir.settings import Settings


def test_polling_answers_and_does_not_answer_twice(stand: StandIns, tmp_path: Path) -> None:
    env = channel_settings(stand.telegram_base, stand.twilio_base, stand.viber_base)
    settings = Settings.model_validate({"data_dir": tmp_path / "data", **env})
    timings = ReceiverTimings(sweep_seconds=0.2)
    for _server in run_server(settings, telegram_polling=True, timings=timings):
        stand.wait_for(lambda calls: any(c.method == "deleteWebhook" for c in calls))
        update = tg_message(9001, "/start", language="tg")
        stand.queue_telegram_update(update)
        stand.queue_telegram_update(update)  # Telegram hands an unconfirmed update over again
        sent = stand.wait_sent("telegram", 1)
        assert "Забонро интихоб кунед" in sent[0].params["text"]
        stand.wait_for(lambda calls: sum(c.method == "getUpdates" for c in calls) >= 3)
        assert len(stand.sent("telegram")) == 1
