"""The audit log: who opened or answered which case, and when; never what was said.

Entries have no foreign key to the case, so they outlive the case when retention deletes it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from musofir.storage.models import AuditEntry, CentreSetting
from sqlalchemy import Engine
from sqlmodel import Session, col, select


@dataclass(frozen=True, slots=True)
class AuditLine:
    at: datetime
    staff: str
    action: str
    case_id: int | None
    detail: str


class AuditLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(
        self, staff: str, action: str, case_id: int | None = None, detail: str = ""
    ) -> None:
        with Session(self.engine) as session:
            session.add(
                AuditEntry(
                    staff_username=staff, action=action, case_id=case_id, detail=detail[:120]
                )
            )
            session.commit()

    async def arecord(
        self, staff: str, action: str, case_id: int | None = None, detail: str = ""
    ) -> None:
        await asyncio.to_thread(self.record, staff, action, case_id, detail)

    def recent(self, limit: int = 200, *, staff: str | None = None) -> list[AuditLine]:
        with Session(self.engine) as session:
            query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)
            if staff:
                query = query.where(AuditEntry.staff_username == staff)
            return [
                AuditLine(e.at, e.staff_username, e.action, e.case_id, e.detail)
                for e in session.exec(query).all()
            ]


class CentreSettings:
    """Values an admin changes in the console; the environment gives the default."""

    RETENTION_DAYS = "retention_days"

    def __init__(self, engine: Engine, defaults: dict[str, str]) -> None:
        self.engine = engine
        self.defaults = defaults

    def get(self, name: str) -> str:
        with Session(self.engine) as session:
            row = session.get(CentreSetting, name)
            return row.value if row else self.defaults[name]

    def set(self, name: str, value: str) -> None:
        with Session(self.engine) as session:
            row = session.get(CentreSetting, name) or CentreSetting(name=name, value=value)
            row.value = value
            session.add(row)
            session.commit()

    def retention_days(self) -> int:
        return int(self.get(self.RETENTION_DAYS))


__all__ = ["AuditLine", "AuditLog", "CentreSettings"]
