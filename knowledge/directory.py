"""The service directory: free legal, medical and social services, from CSV files staff edit.

One row a service. An entry is real only with the official ``source`` it was taken from and a
``verified_on`` date; every other entry must say ``sample=true``, and its card tells the reader.
Rows are validated one by one and every error names its row, so an import is all or nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from .geo import PointIndex
from .hours import HoursError, OpeningHours, parse_hours, zone
from .validate import KNOWN_LANGUAGES as LANGUAGES

CATEGORIES = (
    "legal_aid",
    "migration_centre",
    "medical_clinic",
    "testing",  # HIV, TB and STI testing
    "emergency_hospital",
    "consulate",
    "ngo_centre",
    "employment_centre",
    "shelter",
    "language_courses",
)
COLUMNS = (
    "id",
    "category",
    "name_ru",
    "name_uz",
    "name_tg",
    "name_ky",
    "name_az",
    "name_hy",
    "name_en",
    "address",
    "latitude",
    "longitude",
    "phone",
    "hours",
    "timezone",
    "free",
    "anonymous",
    "no_documents",
    "languages",
    "website",
    "verified_on",
    "source",
    "sample",
)
REQUIRED_COLUMNS = ("id", "category", "name_ru", "address", "latitude", "longitude", "hours")
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,47}$")  # short enough for a 64-byte button payload
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,20}$")
_URL = re.compile(r"^https?://\S+$")
_TRUE = {"true", "yes", "1", "да", "ha"}
_FALSE = {"false", "no", "0", "нет", "yo'q", ""}


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    category: str
    names: dict[str, str]
    address: str
    latitude: float
    longitude: float
    phone: str
    hours: OpeningHours
    timezone: ZoneInfo
    free: bool
    anonymous: bool
    no_documents: bool
    languages: tuple[str, ...]
    website: str
    verified_on: date | None
    source: str
    sample: bool

    def name(self, language: str | None) -> str:
        return self.names.get(language or "ru") or self.names["ru"]


@dataclass(frozen=True, slots=True)
class RowError:
    file: str
    row: int  # the line in the file, header being line 1
    message: str

    def __str__(self) -> str:
        return f"{self.file}: row {self.row}: {self.message}"


def _flag(value: str, column: str) -> bool:
    folded = value.strip().casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValueError(f"{column} must be true or false, not {value!r}")


def _coordinate(value: str, column: str, limit: float) -> float:
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        raise ValueError(f"{column} must be a number, not {value!r}") from None
    if not -limit <= number <= limit:
        raise ValueError(f"{column} {number} is out of range (±{limit:g})")
    return number


def parse_row(row: dict[str, str], today: date) -> Service:
    """One CSV row as a service, or ValueError saying what to fix."""
    get = {k: (v or "").strip() for k, v in row.items() if k}
    for column in REQUIRED_COLUMNS:
        if not get.get(column):
            raise ValueError(f"{column} is empty")
    if not _ID.match(get["id"]):
        raise ValueError(f"id {get['id']!r}: use lowercase letters, digits, '-', '.', '_'")
    if get["category"] not in CATEGORIES:
        raise ValueError(
            f"unknown category {get['category']!r}; use one of: {', '.join(CATEGORIES)}"
        )
    latitude = _coordinate(get["latitude"], "latitude", 90)
    longitude = _coordinate(get["longitude"], "longitude", 180)
    if latitude == 0 and longitude == 0:
        raise ValueError("coordinates 0, 0 are a missing location, not a place in Russia")
    try:
        hours = parse_hours(get["hours"])
        timezone = zone(get.get("timezone") or "Europe/Moscow")
    except HoursError as error:
        raise ValueError(str(error)) from None
    phone = get.get("phone", "")
    if phone and not _PHONE.match(phone):
        raise ValueError(f"phone {phone!r}: digits, spaces, (), - and a leading + only")
    for column in ("website", "source"):
        if get.get(column) and not _URL.match(get[column]):
            raise ValueError(f"{column} must be a web address starting with http(s)://")
    verified_on = None
    if get.get("verified_on"):
        try:
            verified_on = date.fromisoformat(get["verified_on"])
        except ValueError:
            raise ValueError("verified_on must be a date like 2026-11-22") from None
        if verified_on > today:
            raise ValueError(f"verified_on {verified_on} is in the future")
    sample = _flag(get.get("sample", ""), "sample")
    if not sample and not (get.get("source") and verified_on):
        raise ValueError(
            "a real entry needs source (the official page) and verified_on; "
            "otherwise mark it sample=true"
        )
    languages = tuple(code for code in re.split(r"[\s,;]+", get.get("languages", "")) if code)
    unknown = [code for code in languages if code not in LANGUAGES]
    if unknown:
        raise ValueError(f"unknown language code(s) {', '.join(unknown)}")
    names = {lang: get[f"name_{lang}"] for lang in LANGUAGES if get.get(f"name_{lang}")}
    return Service(
        id=get["id"],
        category=get["category"],
        names=names,
        address=get["address"],
        latitude=latitude,
        longitude=longitude,
        phone=phone,
        hours=hours,
        timezone=timezone,
        free=_flag(get.get("free", ""), "free"),
        anonymous=_flag(get.get("anonymous", ""), "anonymous"),
        no_documents=_flag(get.get("no_documents", ""), "no_documents"),
        languages=languages,
        website=get.get("website", ""),
        verified_on=verified_on,
        source=get.get("source", ""),
        sample=sample,
    )


def read_rows(text: str, name: str) -> tuple[list[dict[str, str]], list[RowError]]:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c and c not in COLUMNS]
    errors = []
    if missing:
        errors.append(RowError(name, 1, f"missing column(s): {', '.join(missing)}"))
    if unknown:
        errors.append(RowError(name, 1, f"unknown column(s): {', '.join(unknown)}"))
    return (list(reader) if not errors else []), errors


def parse_services(
    rows: Iterable[dict[str, str]], name: str, today: date, seen: dict[str, str] | None = None
) -> Iterator[Service | RowError]:
    """Each row as a Service or a RowError, in file order (so a progress bar can follow)."""
    seen = {} if seen is None else seen
    for number, row in enumerate(rows, start=2):
        if None in row:
            yield RowError(name, number, "more cells than columns: check for an unquoted comma")
            continue
        try:
            service = parse_row(row, today)
        except ValueError as error:
            yield RowError(name, number, str(error))
            continue
        earlier = seen.setdefault(service.id, f"{name} row {number}")
        if earlier != f"{name} row {number}":
            yield RowError(name, number, f"duplicate id {service.id!r} (first in {earlier})")
            continue
        yield service


def load_files(paths: Iterable[Path], today: date) -> tuple[list[Service], list[RowError]]:
    services: list[Service] = []
    errors: list[RowError] = []
    seen: dict[str, str] = {}
    for path in paths:
        rows, header_errors = read_rows(path.read_text(encoding="utf-8-sig"), str(path))
        errors.extend(header_errors)
        for item in parse_services(rows, str(path), today, seen):
            (errors if isinstance(item, RowError) else services).append(item)  # type: ignore[arg-type]
    return services, errors


class DirectoryError(RuntimeError):
    """The service files have errors; the server refuses to start, listing them by row."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        listing = "\n".join(str(e) for e in errors)
        super().__init__(f"the service directory has {len(errors)} error(s):\n{listing}")


@dataclass(frozen=True, slots=True)
class Found:
    service: Service
    distance_km: float


def _index_of(services: list[Service]) -> PointIndex:
    return PointIndex.build([s.latitude for s in services], [s.longitude for s in services])


@dataclass
class ServiceDirectory:
    services: list[Service]
    _by_category: dict[str | None, tuple[list[Service], PointIndex]] = field(default_factory=dict)
    _by_id: dict[str, Service] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_id = {s.id: s for s in self.services}
        groups: dict[str | None, list[Service]] = {None: list(self.services)}
        for service in self.services:
            groups.setdefault(service.category, []).append(service)
        self._by_category = {key: (members, _index_of(members)) for key, members in groups.items()}

    def near(
        self,
        latitude: float,
        longitude: float,
        *,
        category: str | None = None,
        limit: int = 5,
        offset: int = 0,
        max_km: float | None = None,
    ) -> list[Found]:
        members, index = self._by_category.get(category, ([], PointIndex(None, 0)))
        found = index.nearest(latitude, longitude, offset + limit, max_km)[offset:]
        return [Found(members[i], km) for i, km in found]

    def count(self, category: str | None = None) -> int:
        return len(self._by_category.get(category, ([], None))[0])

    def get(self, service_id: str) -> Service | None:
        return self._by_id.get(service_id)

    def stale(self, today: date, months: int = 6) -> list[Service]:
        """Cards nobody has verified for ``months``: samples and old checks alike."""
        limit = today.toordinal() - months * 30
        return [
            s for s in self.services if s.verified_on is None or s.verified_on.toordinal() < limit
        ]


__all__ = [
    "CATEGORIES",
    "COLUMNS",
    "DirectoryError",
    "Found",
    "RowError",
    "Service",
    "ServiceDirectory",
    "load_files",
    "parse_row",
    "parse_services",
    "read_rows",
]
