"""``musofir services …``: staff import the directory, and see what the bot would send."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from musofir.arguments import readable_file
from musofir.knowledge.directory import CATEGORIES, RowError, Service, parse_services, read_rows
from musofir.knowledge.hours import status
from musofir.knowledge.services_setup import open_directory, packaged_services_dir, service_files
from musofir.output import emit_json
from musofir.settings import Settings


def imported_dir(settings: Settings) -> Path:
    return settings.data_dir / "services"


def cmd_import(args: argparse.Namespace) -> int:
    """Validate every row; write nothing unless all of them are right."""
    settings = Settings()
    source: Path = args.file
    target_name = f"{args.name or source.stem}.csv"
    text = source.read_text(encoding="utf-8-sig")
    rows, errors = read_rows(text, str(source))
    # Ids must be unique across every file the server will load, except the one being replaced.
    others = [
        p
        for p in service_files(packaged_services_dir(), imported_dir(settings))
        if p.name != target_name
    ]
    seen: dict[str, str] = {}
    for path in others:
        other_rows, _ = read_rows(path.read_text(encoding="utf-8-sig"), str(path))
        for number, row in enumerate(other_rows, start=2):
            seen.setdefault((row.get("id") or "").strip(), f"{path} row {number}")
    services: list[Service] = []
    progress = tqdm(
        parse_services(rows, str(source), date.today(), seen),
        total=len(rows),
        desc="checking rows",
        unit="row",
        file=sys.stderr,
        disable=args.quiet,
    )
    for item in progress:
        if isinstance(item, RowError):
            errors.append(item)
        else:
            services.append(item)
    for error in errors:
        sys.stderr.write(f"{error}\n")
    if errors:
        sys.stderr.write(f"import refused: {len(errors)} error(s); nothing was imported\n")
        return 1
    folder = imported_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    # Write beside the target, then rename: the server never sees half a file.
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=folder, delete=False, suffix=".tmp"
    ) as handle:
        handle.write(text)
    os.replace(handle.name, folder / target_name)
    samples = sum(s.sample for s in services)
    sys.stderr.write(
        f"imported {len(services)} services ({samples} samples) into {folder / target_name}; "
        "restart the server to serve them\n"
    )
    return 0


def _coordinates(args: argparse.Namespace) -> str | None:
    if not (-90 <= args.latitude <= 90 and -180 <= args.longitude <= 180):
        return f"coordinates out of range: {args.latitude}, {args.longitude}"
    if args.latitude == 0 and args.longitude == 0:
        return "coordinates 0, 0 are a missing location, not a place"
    return None


def cmd_near(args: argparse.Namespace) -> int:
    problem = _coordinates(args)
    if problem:
        sys.stderr.write(f"musofir services near: {problem}\n")
        return 2
    directory, errors = open_directory(imported_dir(Settings()), date.today())
    if errors:
        for error in errors:
            sys.stderr.write(f"{error}\n")
        return 1
    now = datetime.now(UTC)
    found = directory.near(args.latitude, args.longitude, category=args.category, limit=args.limit)
    rows = [
        {
            "id": f.service.id,
            "name": f.service.name(args.lang),
            "category": f.service.category,
            "distance_km": round(f.distance_km, 3),
            "open_now": status(f.service.hours, now, f.service.timezone).open_now,
            "address": f.service.address,
            "sample": f.service.sample,
        }
        for f in found
    ]
    if args.json:
        emit_json(rows)
    else:
        for row in rows:
            state = "open" if row["open_now"] else "closed"
            print(f"{row['distance_km']:8.2f} km  {state:6}  {row['category']:18} {row['name']}")
    return 0


def cmd_stale(args: argparse.Namespace) -> int:
    directory, _errors = open_directory(imported_dir(Settings()), date.today())
    stale = directory.stale(date.today(), months=args.months)
    rows = [
        {
            "id": s.id,
            "name": s.name("ru"),
            "category": s.category,
            "verified_on": s.verified_on.isoformat() if s.verified_on else None,
            "sample": s.sample,
        }
        for s in stale
    ]
    if args.json:
        emit_json(rows)
    else:
        for row in rows:
            print(f"{row['verified_on'] or 'never':10}  {row['id']:48} {row['name']}")
        print(
            f"{len(rows)} of {len(directory.services)} cards not verified in {args.months} months"
        )
    return 0


def cmd_reports(args: argparse.Namespace) -> int:
    from musofir.storage import open_storage

    storage = open_storage(Settings())
    try:
        summary = storage.reports.summary()
    finally:
        storage.close()
    rows: list[dict[str, Any]] = [
        {"service_id": s.service_id, "reasons": s.reasons, "last": s.last.isoformat()}
        for s in summary
    ]
    if args.json:
        emit_json(rows)
    else:
        for row in rows:
            reasons = ", ".join(f"{k} ×{v}" for k, v in row["reasons"].items())
            print(f"{row['service_id']:48} {reasons}  (last {row['last'][:10]})")
    return 0


def register(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    services = commands.add_parser("services", help="the service directory").add_subparsers(
        dest="services_command", required=True, parser_class=parser_class
    )
    imp = services.add_parser("import", help="check a CSV of services and import all or nothing")
    imp.add_argument("file", type=readable_file)
    imp.add_argument("--name", help="file name to keep it under (default: the CSV's name)")
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
    imp.set_defaults(handler=cmd_import)

    near = services.add_parser("near", help="the services the bot would send, nearest first")
    near.add_argument("latitude", type=float)
    near.add_argument("longitude", type=float)
    near.add_argument("--category", choices=CATEGORIES)
    near.add_argument("--limit", type=_positive, default=5)
    near.add_argument("--lang", default="ru", choices=("ru", "uz", "tg", "ky", "az", "hy", "en"))
    near.add_argument("--json", action="store_true")
    near.set_defaults(handler=cmd_near)

    stale = services.add_parser("stale", help="cards not verified for months")
    stale.add_argument("--months", type=_positive, default=6)
    stale.add_argument("--json", action="store_true")
    stale.set_defaults(handler=cmd_stale)

    reports = services.add_parser("reports", help="what people reported wrong, per service")
    reports.add_argument("--json", action="store_true")
    reports.set_defaults(handler=cmd_reports)


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {value!r}")
    return int(value)


__all__ = ["register"]
