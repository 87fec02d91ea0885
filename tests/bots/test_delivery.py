"""Delivery that holds: platform faults, duplicates across processes, and a crash mid-delivery."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from musofir.bots.delivery.receiver import ReceiverTimings
from utils.live import LiveServer, run_server
from utils.platforms import (
    channel_settings,
    post_telegram,
    post_twilio,
    tg_button,
    tg_message,
    twilio_form,
)
from utils.processes import serve_process
from utils.standins import StandIns

from musofir.settings import Settings

MOSCOW = (55.7558, 37.6173)


def ready_person(client: httpx.Client, stand: StandIns, person: int) -> None:
    """A Telegram person who has chosen English and asked for legal aid near them."""
    for update in (
        tg_message(person, "/start"),
        tg_button(person, "lang:en"),
        tg_button(person, "services"),
        tg_button(person, "svc:legal_aid"),
    ):
        assert post_telegram(client, update).status_code == 200
    time.sleep(0.3)
    stand.clear()


def texts(stand: StandIns) -> list[str]:
    return [str(c.params.get("text") or c.params.get("title")) for c in stand.sent("telegram")]


def test_5xx_and_429_are_retried_and_nothing_is_sent_twice(
    client: httpx.Client, stand: StandIns
) -> None:
    ready_person(client, stand, 8101)
    stand.fail_next("telegram", status=502, times=2, method="sendVenue")
    stand.fail_next("telegram", status=429, retry_after=1, method="sendMessage")
    started = time.monotonic()
    response = post_telegram(client, tg_message(8101, location=MOSCOW))
    assert response.status_code == 200
    assert time.monotonic() - started >= 1.0  # the 429's retry_after was waited out
    seen = texts(stand) + ([response.json()["text"]] if response.content else [])
    assert len(seen) >= 3 and not [t for t, n in Counter(seen).items() if n > 1]
    failed = [c.status for c in stand.calls("telegram") if not c.sent]
    assert sorted(failed) == [429, 502, 502]


def test_a_slow_platform_is_waited_for_not_sent_to_twice(
    client: httpx.Client, stand: StandIns
) -> None:
    ready_person(client, stand, 8102)
    stand.slow_next("telegram", 1.5, method="sendVenue")
    response = post_telegram(client, tg_message(8102, location=MOSCOW))
    assert response.status_code == 200
    venues = [c for c in stand.calls("telegram", "sendVenue")]
    assert venues and len({c.params["title"] for c in venues}) == len(venues)


def test_a_platform_down_longer_than_the_retries_is_finished_later(
    client: httpx.Client, stand: StandIns
) -> None:
    """Parts sent before the outage are not sent again when the inbox retries the update."""
    ready_person(client, stand, 8103)
    stand.fail_next("telegram", status=502, times=5, method="sendVenue")  # all five attempts
    response = post_telegram(client, tg_message(8103, location=MOSCOW))
    assert response.status_code == 200  # recorded in the inbox: the platform need not resend
    stand.wait_for(  # the last message of the turn carries the menu button
        lambda calls: any(c.sent and "'menu'" in str(c.params.get("reply_markup")) for c in calls),
        timeout=30,
    )
    time.sleep(0.5)
    seen = texts(stand)
    assert not [t for t, n in Counter(seen).items() if n > 1], seen


def test_whatsapp_5xx_on_the_first_message_is_retried_once_more(
    client: httpx.Client, stand: StandIns
) -> None:
    stand.fail_next("twilio", status=500, times=1)
    me = "whatsapp:+79990000707"
    assert post_twilio(client, "/webhooks/whatsapp", twilio_form(me, "hi")).status_code == 200
    sent = stand.wait_sent("twilio", 1)
    assert len(stand.sent("twilio")) == 1 and "Choose your language" in sent[0].params["Body"]


def post_at_once(posts: list[Any]) -> list[httpx.Response]:
    results: list[httpx.Response] = []
    barrier = threading.Barrier(len(posts))

    def run(post: Any) -> None:
        barrier.wait()
        results.append(post())

    threads = [threading.Thread(target=run, args=(p,)) for p in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_duplicates_across_two_processes_are_answered_once(
    standins: StandIns, shared_env: dict[str, str], tmp_path: Path
) -> None:
    with (
        serve_process(shared_env, tmp_path / "a") as one,
        serve_process(shared_env, tmp_path / "b") as two,
        httpx.Client(base_url=one.url, timeout=30) as a,
        httpx.Client(base_url=two.url, timeout=30) as b,
    ):
        form = twilio_form("whatsapp:+79990000808", "salom")
        responses = post_at_once(
            [
                lambda: post_twilio(a, "/webhooks/whatsapp", form),
                lambda: post_twilio(b, "/webhooks/whatsapp", form),
            ]
        )
        assert [r.status_code for r in responses] == [200, 200]
        standins.wait_sent("twilio", 1)
        time.sleep(1.0)
        assert len(standins.sent("twilio")) == 1

        person = 8201
        for step in (
            tg_message(person, "/start"),
            tg_button(person, "lang:en"),
            tg_button(person, "services"),
            tg_button(person, "svc:legal_aid"),
        ):
            post_telegram(a, step)
        time.sleep(0.5)
        standins.clear()
        # The cards go through the API after the list rode inline; a slow first card keeps the
        # first process busy, so the twin always arrives while the update is being answered.
        standins.slow_next("telegram", 3.0, times=1, method="sendVenue")
        update = tg_message(person, location=MOSCOW)
        responses = post_at_once(
            [lambda: post_telegram(a, update), lambda: post_telegram(b, update)]
        )
        assert [r.status_code for r in responses] == [200, 200]
        inline = [r.json() for r in responses if r.content]
        standins.wait_sent("telegram", 1)
        time.sleep(4.0)
        seen = inline + [{"method": c.method, **c.params} for c in standins.sent("telegram")]
        shown = Counter((c["method"], c.get("text") or c.get("title")) for c in seen)
        assert ("sendVenue" in {method for method, _ in shown}) and len(inline) == 1
        assert all(count == 1 for count in shown.values()), shown


def test_a_crash_mid_delivery_is_finished_by_the_next_process(
    standins: StandIns, shared_env: dict[str, str], tmp_path: Path
) -> None:
    me = "whatsapp:+79990000909"
    with (
        serve_process(shared_env, tmp_path / "a") as first,
        httpx.Client(base_url=first.url, timeout=30) as a,
    ):
        for step in ({"Body": "hi"}, {"Body": "7"}, {"ButtonPayload": "services"}):
            post_twilio(a, "/webhooks/whatsapp", twilio_form(me, **step))
        post_twilio(a, "/webhooks/whatsapp", twilio_form(me, ButtonPayload="svc:legal_aid"))
        standins.wait_sent("twilio", 4)
        standins.clear()
        standins.slow_next("twilio", 5.0, times=1)  # the first of the cards' messages hangs...
        shared = twilio_form(me, Latitude="55.7558", Longitude="37.6173")
        threading.Thread(
            target=lambda: post_twilio(a, "/webhooks/whatsapp", shared), daemon=True
        ).start()
        standins.wait_for(lambda calls: len(calls) >= 1)
        time.sleep(0.3)
        first.crash()  # ...and the process dies while it hangs
    before = [c.params["Body"] for c in standins.sent("twilio")]
    settings = Settings.model_validate({**shared_env, "data_dir": tmp_path / "data"})
    timings = ReceiverTimings(sweep_seconds=0.2, retry_pause_seconds=0.5, lease_seconds=2)
    for _server in run_server(settings, timings=timings):
        standins.wait_for(
            lambda calls: any("Menu" in str(c.params.get("Body")) for c in calls if c.sent),
            timeout=30,
        )
        time.sleep(0.5)
    bodies = [c.params["Body"] for c in standins.sent("twilio")]
    assert len(bodies) >= 4, bodies
    assert len(set(bodies)) == len(bodies)  # each part once, including what went out before
    assert set(before) <= set(bodies)


def test_ready_says_what_answers(live_server: LiveServer) -> None:
    response = httpx.get(f"{live_server.url}/readyz", timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok" and body["redis"] in ("ok", "not used")


def test_an_outage_is_a_503_so_the_platform_sends_again(stand: StandIns, tmp_path: Path) -> None:
    """Redis down: the update cannot be recorded, so it must not be acknowledged."""
    env = channel_settings(stand.telegram_base, stand.twilio_base, stand.viber_base)
    dead_redis = "redis://127.0.0.1:1/0"
    settings = Settings.model_validate(
        {"data_dir": tmp_path / "data", "redis_url": dead_redis, **env}
    )
    for server in run_server(settings):
        with httpx.Client(base_url=server.url, timeout=30) as http:
            refused = post_telegram(http, tg_message(8301, "/start"))
            assert refused.status_code == 503
            form = twilio_form("whatsapp:+79990000999", "hi")
            assert post_twilio(http, "/webhooks/whatsapp", form).status_code == 503
            ready = http.get("/readyz")
            assert ready.status_code == 503 and "Connection" in ready.json()["reason"]
    assert stand.calls("telegram") == [] and stand.calls("twilio") == []
