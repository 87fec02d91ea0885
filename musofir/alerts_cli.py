"""``musofir alerts …`` and ``musofir worker``: broadcasts from the terminal, for staff who script.

musofir alerts create --text ru="Текст" --text uz="Matn" [--languages ru,uz]
    [--regions Казань] [--topics law,health] [--channels telegram] [--at 2026-12-01T10:00]
musofir alerts status ID        a progress bar until the alert is sent
musofir alerts approve ID --by NAME
musofir alerts list
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tqdm import tqdm

from musofir.output import emit_json
from musofir.settings import Settings


def _open() -> tuple[Any, Settings]:
    from musofir.alerts.book import AlertBook
    from musofir.storage import open_storage

    settings = Settings()
    storage = open_storage(settings)
    return (AlertBook(storage.engine), storage), settings


def _texts(pairs: list[str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for pair in pairs:
        language, sep, text = pair.partition("=")
        if not sep or not language.strip():
            raise ValueError(f"--text takes LANG=TEXT, e.g. ru=Текст; got {pair!r}")
        texts[language.strip()] = text
    return texts


def _moment(text: str | None, settings: Settings) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:  # a time without an offset is the centre's own clock
        moment = moment.replace(tzinfo=ZoneInfo(settings.centre_timezone))
    return moment


def cmd_create(args: argparse.Namespace) -> int:
    from musofir.alerts.book import AlertError, Audience

    (book, storage), settings = _open()
    try:
        audience = Audience.parse(
            args.languages or "", args.regions or "", args.topics or "", args.channels or ""
        )
        alert = book.create(
            _texts(args.text),
            audience,
            created_by=args.by,
            send_at=_moment(args.at, settings),
            content_sid=args.content_sid,
            needs_approval=settings.alerts_approval,
        )
        count = book.count(audience)
    except (AlertError, ValueError) as error:
        sys.stderr.write(f"musofir: {error}\n")
        return 2
    finally:
        storage.close()
    result = {"id": alert.id, "audience": count, "status": alert.status}
    if args.json:
        emit_json(result)
    else:
        when = alert.send_at.isoformat() if alert.send_at else "now"
        print(f"alert {alert.id}: {count} people, {alert.status}, sending {when}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    (book, storage), _ = _open()
    try:
        alert = book.get(args.id)
        if alert is None:
            sys.stderr.write(f"musofir: no alert {args.id}\n")
            return 1
        if args.json or args.no_wait:
            counts = book.counts(args.id)
            result = {"id": alert.id, "status": alert.status, "audience": alert.audience, **counts}
            if args.json:
                emit_json(result)
            else:
                print(json.dumps(result))
            return 0
        return _progress(book, args.id)
    finally:
        storage.close()


def _progress(book: Any, alert_id: int) -> int:
    """A bar of recipients finished, with the counts per status beside it, until done."""
    bar: tqdm[Any] | None = None
    try:
        while True:
            alert = book.get(alert_id)
            counts = book.counts(alert_id)
            finished = sum(
                counts[s] for s in ("sent", "failed", "skipped", "blocked", "uncertain")
            )
            if alert.status in ("scheduled", "awaiting_approval", "draft"):
                when = alert.send_at.isoformat() if alert.send_at else "as soon as a worker runs"
                sys.stderr.write(f"\ralert {alert_id}: {alert.status}, sending {when}   ")
            else:
                if bar is None:
                    bar = tqdm(total=alert.audience, unit="msg", desc=f"alert {alert_id}")
                bar.n = finished
                bar.set_postfix({k: v for k, v in counts.items() if v}, refresh=True)
            if alert.status in ("done", "cancelled"):
                break
            time.sleep(0.5)
    finally:
        if bar is not None:
            bar.close()
    print(json.dumps({"id": alert_id, "status": alert.status, **counts}))
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    from sqlmodel import Session, select

    from musofir.alerts.book import AlertError
    from musofir.storage.models import StaffMember, StaffRole

    (book, storage), _ = _open()
    try:
        with Session(storage.engine) as session:
            member = session.exec(
                select(StaffMember).where(StaffMember.username == args.by)
            ).first()
        if member is None or member.role not in (StaffRole.STAFF, StaffRole.ADMIN):
            sys.stderr.write(
                f"musofir: {args.by!r} is not a staff member or admin who may approve alerts\n"
            )
            return 1
        book.approve(args.id, args.by)
    except AlertError as error:
        sys.stderr.write(f"musofir: {error}\n")
        return 1
    finally:
        storage.close()
    print(f"alert {args.id} approved by {args.by}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    (book, storage), _ = _open()
    try:
        rows = [
            {
                "id": a.id,
                "status": a.status,
                "audience": a.audience,
                "send_at": a.send_at.isoformat() if a.send_at else None,
                "created_by": a.created_by,
                **book.counts(a.id or 0),
            }
            for a in book.recent(args.limit)
        ]
    finally:
        storage.close()
    if args.json:
        emit_json(rows)
    else:
        for row in rows:
            print(
                f"{row['id']:5} {row['status']:18} {row['audience']:7} sent {row['sent']:7} "
                f"{row['send_at'] or 'now'}"
            )
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from .worker import run_worker

    return run_worker(Settings())


def register(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    alerts = commands.add_parser("alerts", help="broadcast alerts").add_subparsers(
        dest="alerts_command", required=True, parser_class=parser_class
    )
    create = alerts.add_parser("create", help="a new alert; prints its id and audience count")
    create.add_argument(
        "--text", action="append", required=True, metavar="LANG=TEXT",
        help="the text in one language; repeat per language (missing ones get Russian)",
    )  # fmt: skip
    create.add_argument("--languages", help="only people who use these, e.g. ru,uz")
    create.add_argument("--regions", help="only people in these towns, e.g. Казань,Москва")
    create.add_argument("--topics", help="law, health, centre, emergency (any of them)")
    create.add_argument("--channels", help="telegram, whatsapp, sms, viber, webchat")
    create.add_argument("--at", help="ISO time; without an offset, the centre's time zone")
    create.add_argument("--content-sid", help="approved WhatsApp template for people outside 24 h")
    create.add_argument("--by", default="terminal", help="who is sending it (for the record)")
    create.add_argument("--json", action="store_true")
    create.set_defaults(handler=cmd_create)

    status = alerts.add_parser("status", help="progress and counts per status")
    status.add_argument("id", type=int)
    status.add_argument("--no-wait", action="store_true", help="print the counts once")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=cmd_status)

    approve = alerts.add_parser("approve", help="approve an alert (when approval is on)")
    approve.add_argument("id", type=int)
    approve.add_argument("--by", required=True, help="the approving staff member")
    approve.set_defaults(handler=cmd_approve)

    listing = alerts.add_parser("list", help="recent alerts")
    listing.add_argument("--limit", type=int, default=20)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_list)

    worker = commands.add_parser("worker", help="send alerts and reminders (needs REDIS_URL)")
    worker.set_defaults(handler=cmd_worker)


__all__ = ["register"]
