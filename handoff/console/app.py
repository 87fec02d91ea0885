"""What the console's routes share: the hub, the actions, sessions, templates and suggestions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from fastapi.templating import Jinja2Templates
from musofir.dialogs import DialogEngine
from musofir.dialogs.desk import SPECIALIST_ROLES
from musofir.knowledge import format_sources

from ..actions import OUTCOMES, ConsoleActions
from ..cases import CaseSummary
from ..hub import HandoffHub
from .auth import LoginThrottle, Sessions

PACKAGE = resources.files("musofir.handoff.console")
TEMPLATES_DIR = Path(str(PACKAGE / "templates"))
STATIC_DIR = Path(str(PACKAGE / "static"))
CANNED_FILE = Path(str(resources.files("musofir.handoff") / "canned.yaml"))
ROLE_LABELS = {"lawyer": "Lawyer", "doctor": "Doctor", "social_worker": "Social worker"}


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive values for aware columns at times
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def summary_json(case: CaseSummary, my_id: int | None = None) -> dict[str, Any]:
    return {
        "id": case.id,
        "role": case.role,
        "language": case.language,
        "channel": case.channel,
        "region": case.region,
        "pseudonym": case.pseudonym,
        "summary": case.summary,
        "status": case.status,
        "assignee": case.assignee,
        "created_at": iso(case.created_at),
        "last_person_at": iso(case.last_person_at),
        "unread": case.unread,
        "waiting_window": case.waiting_window,
        "urgent": case.urgent,
        "expected_by": iso(case.expected_by),
        "outcome": case.outcome,
        "rating": case.rating,
        "closed_at": iso(case.closed_at),
        "mine": my_id is not None and case.assignee_id == my_id,
    }


@dataclass(frozen=True, slots=True)
class CannedReply:
    title: dict[str, str]
    text: dict[str, str]

    def localized(self, language: str) -> tuple[str, str]:
        def pick(table: dict[str, str]) -> str:
            return table.get(language) or table.get("ru") or table.get("en") or ""

        return pick(self.title), pick(self.text)


def load_canned(path: Path = CANNED_FILE) -> list[CannedReply]:
    data = yaml.safe_load(path.read_text("utf-8")) or []
    return [CannedReply(dict(item["title"]), dict(item["text"])) for item in data]


MediaFetch = Callable[[str, str], Awaitable[tuple[bytes, str] | None]]
"""(channel, the platform's media reference) → (content, content type), or None if it is gone."""


async def no_media(_channel: str, _reference: str) -> tuple[bytes, str] | None:
    return None


class Console:
    def __init__(
        self,
        hub: HandoffHub,
        actions: ConsoleActions,
        engine: DialogEngine,
        throttle: LoginThrottle,
        *,
        secure_cookie: bool,
        fetch_media: MediaFetch = no_media,
    ) -> None:
        self.fetch_media = fetch_media
        self.hub = hub
        self.actions = actions
        self.engine = engine
        self.sessions = Sessions(hub.engine)
        self.throttle = throttle
        self.secure_cookie = secure_cookie
        self.templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
        self.canned = load_canned()

    def page_context(self, **extra: Any) -> dict[str, Any]:
        return {
            "roles": [[r, ROLE_LABELS[r]] for r in SPECIALIST_ROLES],
            "outcomes": list(OUTCOMES),
            **extra,
        }

    async def suggestions(self, language: str, query: str) -> dict[str, Any]:
        """Knowledge-base answers and canned replies, in the person's language."""
        services = self.engine.services
        knowledge = services.knowledge
        answers = []
        if query.strip():
            result = await services.matcher.match(query[:500], language=language)
            for candidate in result.candidates[:3]:
                found = knowledge.localized(candidate.topic, language)
                if found is None:
                    continue
                sources = format_sources([(s.title, s.url) for s in found.topic.sources])
                text = "\n\n".join([*found.text.answer, sources])
                answers.append({"topic": candidate.topic, "title": found.text.title, "text": text})
        folded = query.casefold()
        canned = []
        for reply in self.canned:
            title, text = reply.localized(language)
            if not folded or folded in title.casefold() or folded in text.casefold():
                canned.append({"title": title, "text": text})
        return {"answers": answers, "canned": canned}


__all__ = ["STATIC_DIR", "Console", "iso", "summary_json"]
