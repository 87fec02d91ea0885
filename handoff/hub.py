"""Everything the handoff side holds, built once per process and shared by the desk and console."""

from __future__ import annotations

from dataclasses import dataclass

from musofir.dialogs.desk import CentrePlace
from redis.asyncio import Redis
from sqlalchemy import Engine

from musofir.settings import Settings

from .audit import AuditLog, CentreSettings
from .cases import CaseStore
from .centre import CentreHours, centre_place
from .events import EventBus, RedisEventBus
from .presence import Presence, RedisPresence
from .visits import VisitBook


@dataclass(frozen=True, slots=True)
class HandoffHub:
    engine: Engine
    cases: CaseStore
    visits: VisitBook
    audit: AuditLog
    settings: CentreSettings
    events: EventBus
    presence: Presence
    hours: CentreHours
    centre: CentrePlace

    @classmethod
    def build(cls, settings: Settings, engine: Engine, redis: Redis | None) -> HandoffHub:
        return cls(
            engine=engine,
            cases=CaseStore(engine),
            visits=VisitBook(engine),
            audit=AuditLog(engine),
            settings=CentreSettings(
                engine, {CentreSettings.RETENTION_DAYS: str(settings.retention_days)}
            ),
            events=RedisEventBus(redis) if redis is not None else EventBus(),
            presence=RedisPresence(redis) if redis is not None else Presence(),
            hours=CentreHours.from_settings(settings),
            centre=centre_place(settings),
        )


__all__ = ["HandoffHub"]
