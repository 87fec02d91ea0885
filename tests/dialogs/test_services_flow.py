"""Services near me, as a person on a phone uses it, in every language."""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from musofir.bots.server import Runtime, build_runtime
from musofir.dialogs import LANGUAGES, Catalogs, DialogEngine, Inbound, Location
from musofir.knowledge.directory import COLUMNS, ServiceDirectory
from musofir.knowledge.geo import distance_km
from utils.chat import Chat

from musofir.settings import Settings

KAZAN = Location(55.7887, 49.1221)
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))
SUNDAY_12 = datetime(2026, 11, 22, 12, 0, tzinfo=ZoneInfo("Europe/Moscow"))


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    """The demo directory plus seven legal-aid offices in Kazan, enough to page through."""
    imported = tmp_path / "data" / "services"
    imported.mkdir(parents=True)
    with (imported / "kazan-extra.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for n in range(7):
            writer.writerow({
                "id": f"kzn-extra-{n}", "category": "legal_aid", "name_ru": f"Юрист {n}",
                "address": f"Образец адреса {n}", "latitude": f"{55.79 + n * 0.004:.4f}",
                "longitude": "49.12", "hours": "Mo-Fr 10:00-18:00", "timezone": "Europe/Moscow",
                "free": "true", "anonymous": "true", "no_documents": "true", "sample": "true",
            })  # fmt: skip
    built = build_runtime(Settings(data_dir=tmp_path / "data"), memory_state=True)
    yield built
    await built.store.close()
    built.storage.close()


def near_kazan(latitude: float, longitude: float) -> bool:
    return distance_km(latitude, longitude, KAZAN.latitude, KAZAN.longitude) < 20


async def start(engine: DialogEngine, language: str) -> Chat:
    chat = Chat(engine, user=f"u-{language}")
    await chat.send("/start")
    await chat.tap(f"lang:{language}")
    return chat


@pytest.mark.parametrize("language", LANGUAGES)
async def test_kind_then_location_then_cards(
    runtime: Runtime, catalogs: Catalogs, language: str
) -> None:
    chat = await start(runtime.engine, language)
    await chat.tap("services")
    assert chat.text == catalogs.text(language, "services.choose_kind")
    assert len(chat.payloads) == 11 and chat.payloads[3] == "svc:testing"
    await chat.tap("svc:testing")
    assert chat.text == catalogs.text(language, "services.ask_location")
    await chat.send(location=KAZAN, at=MONDAY_10)
    cards = [r for r in chat.replies if r.venue is not None]
    assert len(cards) == 2  # two testing points in the Kazan samples
    first = cards[0]
    assert first.venue is not None
    assert near_kazan(first.venue.latitude, first.venue.longitude)
    assert "openstreetmap.org/?mlat=" in first.text and "yandex.ru/maps/?pt=" in first.text
    assert catalogs.text(language, "services.sample") in first.text
    assert catalogs.text(language, "services.open_now") in first.text
    assert catalogs.text(language, "services.flag_anonymous") in first.text
    assert [b.payload for b in first.buttons] == ["report:sample-kazan-testing-1"]
    assert chat.replies[-1].text == catalogs.text(
        language, "services.shown", kind=catalogs.text(language, "service.testing")
    )


async def test_closed_services_say_when_they_open_in_the_readers_language(
    runtime: Runtime, catalogs: Catalogs
) -> None:
    chat = await start(runtime.engine, "ru")
    await chat.tap("services")
    await chat.tap("svc:testing")
    await chat.send(location=KAZAN, at=SUNDAY_12)
    monday = catalogs.text("ru", "services.opens_on", day="понедельник", time="09:00")
    assert monday in chat.replies[1].text  # after the thanks for the location


async def test_results_page_with_more_until_there_are_no_more(
    runtime: Runtime, catalogs: Catalogs
) -> None:
    chat = await start(runtime.engine, "uz")
    await chat.tap("services")
    await chat.tap("svc:legal_aid")
    await chat.send(location=KAZAN)
    seen = [r.venue.title for r in chat.replies if r.venue]
    assert len(seen) == 3 and "more" in chat.payloads
    await chat.tap("more")
    seen += [r.venue.title for r in chat.replies if r.venue]
    await chat.tap("more")
    seen += [r.venue.title for r in chat.replies if r.venue]
    assert len(seen) == len(set(seen)) == 9  # 7 imported + 2 samples, none twice
    assert "more" not in chat.payloads
    await chat.send(payload="more")
    assert chat.text == catalogs.text(
        "uz", "services.no_more", kind=catalogs.text("uz", "service.legal_aid")
    )


@pytest.mark.parametrize(
    ("language", "typed"),
    [("uz", "Qozon"), ("ru", "Казань"), ("en", "Kazan"), ("tg", "Қазон"), ("ky", "Казань шаары")],
)
async def test_a_typed_town_works_in_any_script(
    runtime: Runtime, catalogs: Catalogs, language: str, typed: str
) -> None:
    chat = await start(runtime.engine, language)
    await chat.tap("services")
    await chat.tap("svc:ngo_centre")
    await chat.send(typed)
    venues = [r.venue for r in chat.replies if r.venue]
    assert venues and all(near_kazan(v.latitude, v.longitude) for v in venues)


async def test_an_unknown_town_offers_close_names(runtime: Runtime, catalogs: Catalogs) -> None:
    chat = await start(runtime.engine, "en")
    await chat.tap("services")
    await chat.tap("svc:ngo_centre")
    await chat.send("Kazn")
    assert chat.text == catalogs.text("en", "services.unknown_town", town="Kazn")
    assert chat.payloads[0].startswith("place:")
    await chat.send("1")  # the first suggestion, by number
    assert any(r.venue for r in chat.replies)
    await chat.tap("menu")  # leaving the flow forgets the place
    await chat.tap("services")
    await chat.tap("svc:ngo_centre")
    await chat.send("qwertyuiop")
    assert chat.text == catalogs.text("en", "services.unknown_town_none", town="qwertyuiop")


async def test_a_location_of_zero_zero_is_refused(runtime: Runtime, catalogs: Catalogs) -> None:
    chat = await start(runtime.engine, "ky")
    await chat.tap("services")
    await chat.tap("svc:testing")
    await chat.send(location=Location(0.0, 0.0))
    assert chat.text == catalogs.text("ky", "services.bad_location")


async def test_far_from_everything_names_the_nearest_and_its_town(
    runtime: Runtime, catalogs: Catalogs
) -> None:
    chat = await start(runtime.engine, "ru")
    await chat.tap("services")
    await chat.tap("svc:consulate")
    await chat.send(location=Location(68.97, 33.07))  # Murmansk: no sample there
    note = chat.replies[1].text  # after the thanks for the location
    assert "100" in note and "Санкт-Петербург" in note  # the nearest consulate sample
    assert chat.replies[2].venue is not None


async def test_an_empty_kind_says_so(runtime: Runtime, catalogs: Catalogs) -> None:
    services = dataclasses.replace(runtime.engine.services, directory=ServiceDirectory([]))
    engine = DialogEngine(services, runtime.store)
    chat = await start(engine, "tg")
    await chat.tap("services")
    await chat.tap("svc:shelter")
    await chat.send(location=KAZAN)
    assert chat.replies[-1].text == catalogs.text(
        "tg", "services.empty_kind", kind=catalogs.text("tg", "service.shelter")
    )


async def test_a_location_shared_first_asks_the_kind_then_answers(runtime: Runtime) -> None:
    chat = await start(runtime.engine, "az")
    await chat.send(location=KAZAN)
    assert "svc:testing" in chat.payloads
    await chat.tap("svc:testing")
    assert any(r.venue for r in chat.replies)


async def test_the_location_is_dropped_when_the_person_leaves(runtime: Runtime) -> None:
    chat = await start(runtime.engine, "ru")
    await chat.tap("services")
    await chat.tap("svc:testing")
    await chat.send(location=KAZAN)
    key = runtime.engine.user_key(chat_inbound(chat))
    state = await runtime.store.get(key)
    assert state is not None and state["flow_data"]["latitude"] == 55.789  # rounded
    await chat.tap("menu")
    state = await runtime.store.get(key)
    assert state is not None and state["flow_data"] == {}


async def test_a_person_reports_a_wrong_card(runtime: Runtime, catalogs: Catalogs) -> None:
    chat = await start(runtime.engine, "hy")
    await chat.tap("services")
    await chat.tap("svc:testing")
    await chat.send(location=KAZAN)
    report = next(p for p in chat.payloads if p.startswith("report:"))
    await chat.tap(report)
    assert len(chat.payloads) == 5 and all(p.startswith("reported:") for p in chat.payloads[:4])
    await chat.tap(chat.payloads[3])  # asked for documents
    assert chat.text == catalogs.text("hy", "services.report_thanks")
    summary = runtime.storage.reports.summary()
    assert [(s.service_id, s.reasons) for s in summary] == [
        (report.split(":", 1)[1], {"asked_documents": 1})
    ]


async def test_an_answer_offers_where_to_go(runtime: Runtime, catalogs: Catalogs) -> None:
    chat = await start(runtime.engine, "en")
    await chat.send(payload="topic:health.hiv_testing")
    assert "svc:testing" in chat.payloads
    await chat.tap("svc:testing")
    assert chat.text == catalogs.text("en", "services.ask_location")


def chat_inbound(chat: Chat) -> Inbound:
    return Inbound(chat.channel, chat.user, chat.user, "probe")
