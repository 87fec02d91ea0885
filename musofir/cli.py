"""The ``musofir`` command.

argparse rather than click: its errors can be made exactly one line with exit status 2, which
scripts calling ``--json`` commands rely on. Every ``--json`` command prints one JSON document on
standard output and nothing else there; logs go to standard error.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import secrets
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from musofir.arguments import readable_file
from musofir.output import emit_json
from musofir.settings import Settings

Handler = Callable[[argparse.Namespace], int]


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


def _fail(message: str, status: int = 2) -> int:
    sys.stderr.write(f"musofir: {message}\n")
    return status


def cmd_demo(args: argparse.Namespace) -> int:
    from .serving import serve

    settings = Settings()
    # Specialists answer around the clock in the demo, unless the environment says otherwise.
    always = {
        name: "24/7"
        for name in ("hours_lawyer", "hours_doctor", "hours_social_worker")
        if name not in settings.model_fields_set
    }
    settings = settings.model_copy(update=always)
    return serve(settings, host=args.host, port=args.port, memory_state=True, demo=True)


def cmd_serve(args: argparse.Namespace) -> int:
    from .serving import serve

    return serve(
        Settings(),
        host=args.host,
        port=args.port,
        memory_state=False,
        demo=False,
        telegram_polling=args.telegram_polling,
        workers=args.workers,
    )


def cmd_kb_check(args: argparse.Namespace) -> int:
    from musofir.knowledge import KnowledgeBase, Severity

    knowledge, problems = KnowledgeBase.check(args.dir or Settings().knowledge_dir)
    for problem in problems:
        sys.stderr.write(f"{problem}\n")
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    summary = f"{len(knowledge.topics)} topics, {errors} error(s), {warnings} warning(s)"
    sys.stderr.write(f"kb check: {summary}\n")
    return 1 if errors else 0


def cmd_kb_list(args: argparse.Namespace) -> int:
    from musofir.knowledge import KnowledgeBase

    knowledge = KnowledgeBase.load(args.dir or Settings().knowledge_dir)
    rows: list[dict[str, Any]] = [
        {
            "id": t.id,
            "category": t.category,
            "languages": sorted(t.languages),
            "needs_review": t.needs_review,
        }
        for t in sorted(knowledge.topics.values(), key=lambda t: t.id)
    ]
    if args.json:
        emit_json(rows)
    else:
        for row in rows:
            review = "  needs review" if row["needs_review"] else ""
            print(f"{row['id']:28} {row['category']:8} {','.join(row['languages'])}{review}")
    return 0


def cmd_kb_stats(args: argparse.Namespace) -> int:
    from musofir.knowledge import KnowledgeBase
    from musofir.knowledge.stats import coverage, render_table

    knowledge, _problems = KnowledgeBase.check(args.dir or Settings().knowledge_dir)
    report = coverage(knowledge)
    required = knowledge.catalog.required_languages
    if args.json:
        emit_json(
            {
                "topics": [
                    {
                        "id": r.id,
                        "category": r.category,
                        "examples": r.examples,
                        "needs_review": r.needs_review,
                        "reviewed_on": r.reviewed_on.isoformat(),
                    }
                    for r in report.rows
                ],
                "needing_review": report.needing_review,
                "oldest_review": report.oldest_review.isoformat()
                if report.oldest_review
                else None,
                "missing_ids": report.missing_ids,
                "short_cells": report.short_cells(required),
            }
        )
    else:
        print(render_table(report, required))
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from .faq import answer_for

    result = answer_for(args.text, language=args.lang, knowledge_dir=Settings().knowledge_dir)
    if args.json:
        emit_json(result)
    else:
        print(result["answer"] or f"(no confident answer; language {result['language']})")
    return 0


def cmd_nlu_eval(args: argparse.Namespace) -> int:
    from .faq import EvalFileError, evaluate_file, sweep_file

    try:
        if args.sweep:
            rows = sweep_file(args.file, knowledge_dir=Settings().knowledge_dir)
            if args.json:
                emit_json(rows)
            else:
                for row in rows:
                    print("  ".join(f"{k}={v}" for k, v in row.items()))
            return 0
        report = evaluate_file(args.file, knowledge_dir=Settings().knowledge_dir)
    except EvalFileError as error:
        return _fail(str(error))
    if args.json:
        emit_json(report)
        return 0
    keys = (
        "n",
        "in_scope_accuracy",
        "answered_accuracy",
        "wrong_answers",
        "out_of_scope_rejection",
        "language_accuracy",
    )
    print("all  " + "  ".join(f"{k}={report[k]}" for k in keys))
    for language, figures in report["by_language"].items():
        print(f"{language:4s} " + "  ".join(f"{k}={figures[k]}" for k in keys))
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    from musofir.storage import StaffRole, open_storage
    from musofir.storage.staff import StaffExistsError, add_staff

    shown = None
    if args.generate:
        password = shown = secrets.token_urlsafe(12)
    elif args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        try:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password again: ") != password:
                return _fail("the passwords differ")
        except (EOFError, OSError):
            return _fail("no terminal to ask for the password: use --password-stdin or --generate")
    if len(password) < 10:
        return _fail("the password must be at least 10 characters")
    storage = open_storage(Settings())
    try:
        member = add_staff(
            storage.engine,
            username=args.username,
            display_name=args.name or args.username,
            role=StaffRole(args.role),
            password=password,
        )
    except StaffExistsError as error:
        return _fail(str(error), 1)
    finally:
        storage.close()
    result: dict[str, Any] = member.model_dump(mode="json")
    if shown:
        result["password"] = shown  # shown once; only its hash is stored
    if args.json:
        emit_json(result)
    else:
        print(f"added {member.username} ({member.role.value})")
        if shown:
            print(f"password (shown once): {shown}")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    from musofir.storage import open_storage
    from musofir.storage.staff import list_staff

    storage = open_storage(Settings())
    try:
        members = [m.model_dump(mode="json") for m in list_staff(storage.engine)]
    finally:
        storage.close()
    if args.json:
        emit_json(members)
    else:
        for m in members:
            print(f"{m['username']:24} {m['role']:14} {m['display_name']}")
    return 0


def build_parser() -> OneLineParser:
    parser = OneLineParser(prog="musofir", description="A help desk for labour migrants.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more to standard error")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    for name, handler, about in (
        ("demo", cmd_demo, "try it: web chat, SQLite in ./musofir-data, in-memory state"),
        ("serve", cmd_serve, "run the server with the settings from the environment"),
    ):
        sub = commands.add_parser(name, help=about)
        sub.add_argument("--port", type=_port, default=8000)
        sub.add_argument("--host", default="127.0.0.1")
        sub.set_defaults(handler=handler, telegram_polling=False)
        if name == "serve":
            sub.add_argument(
                "--workers",
                type=_port,
                default=1,
                help="server processes sharing the port (needs REDIS_URL); default 1",
            )
            sub.add_argument(
                "--telegram-polling",
                action="store_true",
                help="fetch Telegram updates by long polling (development: no public URL)",
            )

    kb = commands.add_parser("kb", help="the knowledge base").add_subparsers(
        dest="kb_command", required=True, parser_class=OneLineParser
    )
    check = kb.add_parser("check", help="validate the topic files")
    check.add_argument("--dir", type=_directory, help="topic folder (default: the packaged one)")
    check.set_defaults(handler=cmd_kb_check)
    listing = kb.add_parser("list", help="list the topics")
    listing.add_argument("--dir", type=_directory)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_kb_list)

    stats = kb.add_parser("stats", help="topics × languages: examples, reviews, gaps")
    stats.add_argument("--dir", type=_directory)
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(handler=cmd_kb_stats)

    ask = commands.add_parser("ask", help="answer one question as the bot would")
    ask.add_argument("text")
    ask.add_argument("--lang", choices=("ru", "uz", "tg", "ky", "az", "hy", "en"))
    ask.add_argument("--json", action="store_true")
    ask.set_defaults(handler=cmd_ask)

    nlu = commands.add_parser("nlu", help="language understanding").add_subparsers(
        dest="nlu_command", required=True, parser_class=OneLineParser
    )
    evaluate = nlu.add_parser("eval", help="measure the FAQ matcher on a labelled JSONL file")
    evaluate.add_argument("file", type=readable_file)
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument(
        "--sweep", action="store_true", help="the figures at a range of band thresholds"
    )
    evaluate.set_defaults(handler=cmd_nlu_eval)

    from .rasa_cli import register as register_rasa

    register_rasa(nlu)
    from .unanswered_cli import register as register_unanswered

    register_unanswered(nlu, OneLineParser)

    from .services_cli import register as register_services

    register_services(commands, OneLineParser)

    from .alerts_cli import register as register_alerts

    register_alerts(commands, OneLineParser)

    from .webhooks_cli import register as register_webhooks

    register_webhooks(commands, OneLineParser)

    users = commands.add_parser("users", help="staff accounts").add_subparsers(
        dest="users_command", required=True, parser_class=OneLineParser
    )
    add = users.add_parser("add", help="add a staff member")
    add.add_argument("username")
    add.add_argument(
        "--role", required=True, choices=("lawyer", "doctor", "social_worker", "staff", "admin")
    )
    add.add_argument("--name", help="name shown to colleagues (never to migrants)")
    given = add.add_mutually_exclusive_group()
    given.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    given.add_argument(
        "--generate", action="store_true", help="make a random password and show it once"
    )
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=cmd_users_add)
    lst = users.add_parser("list", help="list staff members")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=cmd_users_list)
    return parser


def _port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"port must be a number from 1 to 65535, not {value!r}")
    return int(value)


def _directory(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{value!r} is not a folder")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration plugin
    handler: Handler = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        from musofir.knowledge import KnowledgeBaseError

        if isinstance(error, KnowledgeBaseError):
            return _fail(str(error), 1)
        raise


__all__ = ["build_parser", "main"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
