"""The service directory: rows staff write, hours in local time, the nearest services."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from musofir.knowledge.directory import RowError, ServiceDirectory, parse_row, parse_services
from musofir.knowledge.hours import HoursError, parse_hours, status
from musofir.knowledge.places import Gazetteer
from musofir.knowledge.services_setup import open_directory, topic_links

TODAY = date(2026, 11, 22)
GOOD = {
    "id": "kzn-legal-1", "category": "legal_aid", "name_ru": "Юридическая помощь",
    "address": "ул. Образцовая, 1", "latitude": "55.79", "longitude": "49.12",
    "hours": "Mo-Fr 09:00-18:00", "timezone": "Europe/Moscow", "free": "true",
    "source": "https://example.gov.ru/page", "verified_on": "2026-11-01", "sample": "false",
}  # fmt: skip


def test_a_real_row_needs_its_source_and_date() -> None:
    assert parse_row(GOOD, TODAY).sample is False
    for missing in ("source", "verified_on"):
        with pytest.raises(ValueError, match="otherwise mark it sample=true"):
            parse_row({**GOOD, missing: ""}, TODAY)
    assert parse_row({**GOOD, "source": "", "sample": "true"}, TODAY).sample is True


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"latitude": "91"}, "latitude 91.0 is out of range"),
        ({"longitude": "east"}, "longitude must be a number"),
        ({"latitude": "0", "longitude": "0"}, "0, 0 are a missing location"),
        ({"category": "sauna"}, "unknown category 'sauna'"),
        ({"hours": "weekdays 9 to 6"}, "unknown day"),
        ({"hours": "Mo-Fr 9-18"}, "bad time span"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"phone": "call me"}, "phone"),
        ({"verified_on": "2030-01-01"}, "in the future"),
        ({"free": "maybe"}, "free must be true or false"),
        ({"name_ru": ""}, "name_ru is empty"),
        ({"id": "Bad Id"}, "id 'Bad Id'"),
    ],
)
def test_bad_rows_say_what_to_fix(change: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_row({**GOOD, **change}, TODAY)


def test_errors_name_their_row_and_duplicates_their_first_place() -> None:
    rows = [GOOD, {**GOOD, "latitude": "200"}, GOOD]
    found = list(parse_services(rows, "city.csv", TODAY))
    assert [str(f) for f in found if isinstance(f, RowError)] == [
        "city.csv: row 3: latitude 200.0 is out of range (±90)",
        "city.csv: row 4: duplicate id 'kzn-legal-1' (first in city.csv row 2)",
    ]


@pytest.mark.parametrize(
    ("text", "moment", "open_now", "next_open"),
    [
        ("Mo-Fr 09:00-18:00", "2026-11-23T10:00", True, None),  # Monday morning
        ("Mo-Fr 09:00-18:00", "2026-11-23T08:30", False, "2026-11-23T09:00"),
        ("Mo-Fr 09:00-18:00", "2026-11-21T12:00", False, "2026-11-23T09:00"),  # Saturday
        ("Mo-Fr 09:00-13:00,14:00-18:00", "2026-11-23T13:30", False, "2026-11-23T14:00"),
        ("Fr 22:00-02:00", "2026-11-28T01:00", True, None),  # Saturday 01:00, past midnight
        ("24/7", "2026-11-22T03:00", True, None),
        ("Mo-Fr 09:00-18:00; We off", "2026-11-25T10:00", False, "2026-11-26T09:00"),
    ],
)
def test_opening_hours_in_local_time(
    text: str, moment: str, open_now: bool, next_open: str | None
) -> None:
    tz = ZoneInfo("Europe/Moscow")
    state = status(parse_hours(text), datetime.fromisoformat(moment).replace(tzinfo=tz), tz)
    assert state.open_now is open_now
    expected = datetime.fromisoformat(next_open).replace(tzinfo=tz) if next_open else None
    assert state.next_open == expected


def test_open_now_uses_the_services_own_time_zone() -> None:
    hours = parse_hours("Mo-Fr 09:00-18:00")
    moment = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # 08:00 in Moscow, 12:00 in Novosibirsk
    assert not status(hours, moment, ZoneInfo("Europe/Moscow")).open_now
    assert status(hours, moment, ZoneInfo("Asia/Novosibirsk")).open_now


def test_empty_hours_are_refused() -> None:
    with pytest.raises(HoursError, match="empty"):
        parse_hours("  ")


def test_the_shipped_samples_cover_five_cities_and_say_they_are_samples() -> None:
    directory, errors = open_directory(None, TODAY)
    assert errors == []
    assert all(s.sample and not s.phone for s in directory.services)
    gazetteer = Gazetteer.load()
    towns = {gazetteer.nearest(s.latitude, s.longitude).name for s in directory.services}  # type: ignore[union-attr]
    assert {"Kazan", "Moscow", "Saint Petersburg", "Yekaterinburg", "Novosibirsk"} <= towns


def test_nearest_first_with_a_category_filter_and_a_radius() -> None:
    directory, _ = open_directory(None, TODAY)
    found = directory.near(55.7887, 49.1221, category="testing", limit=5)
    assert [f.service.category for f in found] == ["testing"] * 5
    assert [f.distance_km for f in found] == sorted(f.distance_km for f in found)
    assert found[0].distance_km < 15 and "kazan" in found[0].service.id
    assert directory.near(68.97, 33.07, category="testing", limit=5, max_km=100) == []  # Murmansk
    assert ServiceDirectory([]).near(55.0, 49.0) == []


def test_topic_links_point_at_known_kinds() -> None:
    links = topic_links()
    assert links["health.hiv_testing"] == "testing"
    assert links["patent.obtain"] == "migration_centre"


@pytest.mark.parametrize(
    ("typed", "town"),
    [
        ("Qozon", "Kazan"), ("Казань", "Kazan"), ("Kazan", "Kazan"), ("Қазон", "Kazan"),
        ("Маскав", "Moscow"), ("г. Москва", "Moscow"), ("Moskva", "Moscow"),
        ("Sankt-Peterburg", "Saint Petersburg"), ("Питер", "Saint Petersburg"),
        ("Ekaterinburg", "Yekaterinburg"), ("Yekaterinburg shahri", "Yekaterinburg"),
        ("Новосибирск", "Novosibirsk"),
    ],
)  # fmt: skip
def test_a_typed_town_is_found_in_any_script(typed: str, town: str) -> None:
    found = Gazetteer.load().find(typed)
    assert found is not None and found.name == town


def test_an_unknown_town_gets_close_names() -> None:
    gazetteer = Gazetteer.load()
    assert gazetteer.find("Kazn") is None
    assert gazetteer.suggest("Kazn")[0].name == "Kazan"
    assert gazetteer.suggest("Екатеринбурк")[0].name == "Yekaterinburg"
    assert gazetteer.suggest("qwertyuiop") == []
