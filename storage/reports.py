"""Reports that a service card is wrong: closed, moved, turned people away, asked for documents."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from .models import ServiceReport


@dataclass(frozen=True, slots=True)
class ReportSummary:
    service_id: str
    reasons: dict[str, int]
    last: datetime


class ServiceReports:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def report(self, *, service_id: str, reason: str, language: str | None) -> None:
        await asyncio.to_thread(self._add, service_id, reason, language)

    def _add(self, service_id: str, reason: str, language: str | None) -> None:
        with Session(self.engine) as session:
            session.add(ServiceReport(service_id=service_id, reason=reason, language=language))
            session.commit()

    def summary(self) -> list[ReportSummary]:
        """Reports per service, most reported first: what staff check first."""
        with Session(self.engine) as session:
            rows = session.exec(select(ServiceReport)).all()
        grouped: dict[str, list[ServiceReport]] = {}
        for row in rows:
            grouped.setdefault(row.service_id, []).append(row)
        summaries = [
            ReportSummary(
                service_id,
                dict(Counter(r.reason for r in reports).most_common()),
                max(r.created_at for r in reports),
            )
            for service_id, reports in grouped.items()
        ]
        return sorted(summaries, key=lambda s: (-sum(s.reasons.values()), s.service_id))


__all__ = ["ReportSummary", "ServiceReports"]
