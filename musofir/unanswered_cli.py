"""``musofir nlu unanswered``: the questions the bot could not answer, for staff to teach it.

musofir nlu unanswered [--limit N] [--language L] [--since YYYY-MM-DD] [--json]
    the most asked first: times, last asked, language, band, best guess and score, text
musofir nlu unanswered --yaml
    grouped by best-guess topic, as ``questions:`` lines for knowledge/topics/<id>.yaml
musofir nlu unanswered --dismiss ID [ID ...]
    remove the ones reviewed
"""

from __future__ import annotations

import argparse
import asyncio
from collections import defaultdict
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import yaml

from musofir.output import emit_json
from musofir.settings import Settings

if TYPE_CHECKING:  # the storage models import SQLAlchemy: only a command that reads them pays
    from musofir.storage.models import UnansweredQuestion

_NO_GUESS = ""


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        message = f"--since takes a date as YYYY-MM-DD, not {value!r}"
        raise argparse.ArgumentTypeError(message) from error


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"--limit takes a number from 1 up, not {value!r}")
    return int(value)


def cmd_unanswered(args: argparse.Namespace) -> int:
    from musofir.storage import open_storage

    settings = Settings()
    storage = open_storage(settings)
    try:
        if args.dismiss:
            wanted = sorted(set(args.dismiss))
            gone = asyncio.run(storage.unanswered.dismiss(wanted))
            missing = f"; {len(wanted) - gone} were not there" if gone < len(wanted) else ""
            print(f"dismissed {gone} question(s){missing}")
            return 0
        # A day starts at midnight where the centre is, as staff read their calendar.
        since = (
            datetime.combine(args.since, time(0), ZoneInfo(settings.centre_timezone))
            if args.since
            else None
        )
        rows = asyncio.run(
            storage.unanswered.most_asked(limit=args.limit, since=since, language=args.language)
        )
    finally:
        storage.close()
    if args.json:
        emit_json([_as_json(row) for row in rows])
    elif args.yaml:
        print(render_yaml(rows), end="")
    else:
        print(render_table(rows))
    return 0


def _as_json(row: UnansweredQuestion) -> dict[str, Any]:
    return {
        "id": row.id,
        "times": row.times,
        "last_asked_at": row.last_asked_at.isoformat(),
        "asked_at": row.asked_at.isoformat(),
        "language": row.language,
        "band": row.band,
        "best_topic": row.best_topic,
        "score": row.score,
        "text": row.text,
    }


def render_table(rows: list[UnansweredQuestion]) -> str:
    if not rows:
        return "No unanswered questions kept."
    header = ("ID", "TIMES", "LAST ASKED (UTC)", "LANG", "BAND", "BEST GUESS", "TEXT")
    lines = [
        (
            str(row.id),
            str(row.times),
            row.last_asked_at.strftime("%Y-%m-%d %H:%M"),
            row.language,
            row.band,
            f"{row.best_topic} {row.score:.2f}" if row.best_topic else "—",
            row.text,
        )
        for row in rows
    ]
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header) - 1)]
    numeric = {0, 1}  # right-aligned
    out = []
    for cells in [header, *lines]:
        padded = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(cells[:-1])
        ]
        out.append("  ".join([*padded, cells[-1]]))
    return "\n".join(out)


class _IndentedDumper(yaml.SafeDumper):
    """Indents list items under their key, as the topic files are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def render_yaml(rows: list[UnansweredQuestion]) -> str:
    """One YAML document per guessed topic, indented as in its file: paste the ``- …`` lines
    under ``languages: <lang>: questions:`` of knowledge/topics/<id>.yaml (after checking)."""
    if not rows:
        return "# No unanswered questions kept.\n"
    groups: dict[str, dict[str, list[UnansweredQuestion]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        groups[row.best_topic or _NO_GUESS][row.language].append(row)

    def weight(topic: str) -> tuple[bool, int, str]:
        asked = sum(r.times for by_language in groups[topic].values() for r in by_language)
        return (topic == _NO_GUESS, -asked, topic)

    documents = []
    for topic in sorted(groups, key=weight):
        if topic == _NO_GUESS:
            header = "# no topic guessed: choose one, or write a new topic"
        else:
            header = f"# knowledge/topics/{topic}.yaml"
        languages = {
            language: {"questions": [r.text for r in sorted(found, key=lambda r: -r.times)]}
            for language, found in sorted(groups[topic].items())
        }
        body = yaml.dump(
            {"languages": languages},
            Dumper=_IndentedDumper,
            allow_unicode=True,
            sort_keys=False,
            default_flow_style=False,
            width=1000,
        )
        documents.append(f"{header}\n{body}")
    return "---\n".join(documents)


def register(nlu: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """Adds ``unanswered`` to the ``musofir nlu`` subcommands."""
    unanswered = nlu.add_parser(
        "unanswered", help="questions the bot was unsure of, most asked first"
    )
    unanswered.add_argument("--limit", type=_positive, default=50, help="at most N (default 50)")
    unanswered.add_argument("--language", help="only questions in this language, e.g. ru")
    unanswered.add_argument("--since", type=_day, help="only asked since this day (YYYY-MM-DD)")
    output = unanswered.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true")
    output.add_argument(
        "--yaml", action="store_true", help="grouped by guessed topic, as questions: lines"
    )
    output.add_argument(
        "--dismiss", type=int, nargs="+", metavar="ID", help="remove reviewed questions"
    )
    unanswered.set_defaults(handler=cmd_unanswered)


__all__ = ["register", "render_table", "render_yaml"]
