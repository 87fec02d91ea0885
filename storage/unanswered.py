"""Questions the bot could not answer, kept (scrubbed, ownerless) for staff to review.

The engine's ``UnansweredSink`` on the database. The same question asked again is counted in one
statement (``INSERT … ON CONFLICT DO UPDATE``, which SQLite and PostgreSQL both have), so two
people asking it at the same moment give one row asked twice, never a duplicate or a lost count.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from .models import UnansweredQuestion
from .scrub import has_words, normal_form, scrub

MAX_TEXT_CHARS = 500


class UnansweredQuestions:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def keep(
        self,
        *,
        text: str,
        language: str,
        band: str,
        best_topic: str | None,
        score: float,
    ) -> None:
        """Count one asking of ``text``; nothing is kept when only numbers were in it."""
        scrubbed = scrub(text)[:MAX_TEXT_CHARS].strip()
        if not has_words(scrubbed):
            return
        now = datetime.now(UTC)
        row: dict[str, Any] = {
            "key": hashlib.sha256(normal_form(scrubbed).encode()).hexdigest(),
            "text": scrubbed,
            "language": language[:8],
            "band": band,
            "best_topic": best_topic,
            "score": round(score, 4),
            "times": 1,
            "asked_at": now,
            "last_asked_at": now,
        }
        await asyncio.to_thread(self._upsert, row)

    def _upsert(self, row: dict[str, Any]) -> None:
        table = UnansweredQuestion.metadata.tables[UnansweredQuestion.__tablename__]
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            insert: Any = postgresql.insert(table)
        elif dialect == "sqlite":
            insert = sqlite.insert(table)
        else:
            raise RuntimeError(f"unanswered questions need SQLite or PostgreSQL, not {dialect}")
        statement = insert.values(**row)
        latest = statement.excluded  # the newest asking's text, language and guess win
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "times": table.c.times + 1,
                "last_asked_at": latest.last_asked_at,
                "text": latest.text,
                "language": latest.language,
                "band": latest.band,
                "best_topic": latest.best_topic,
                "score": latest.score,
            },
        )
        with self.engine.begin() as connection:
            connection.execute(statement)

    async def most_asked(
        self,
        *,
        limit: int = 50,
        since: datetime | None = None,
        language: str | None = None,
    ) -> list[UnansweredQuestion]:
        """The most asked first (then the most recent): what is worth teaching first."""
        return await asyncio.to_thread(self._most_asked, limit, since, language)

    def _most_asked(
        self, limit: int, since: datetime | None, language: str | None
    ) -> list[UnansweredQuestion]:
        query = select(UnansweredQuestion)
        if since is not None:
            query = query.where(col(UnansweredQuestion.last_asked_at) >= since)
        if language:
            query = query.where(UnansweredQuestion.language == language)
        query = query.order_by(
            col(UnansweredQuestion.times).desc(),
            col(UnansweredQuestion.last_asked_at).desc(),
            col(UnansweredQuestion.id),
        ).limit(limit)
        with Session(self.engine) as session:
            return list(session.exec(query).all())

    async def dismiss(self, ids: Sequence[int]) -> int:
        """Remove reviewed questions; returns how many there were."""
        return await asyncio.to_thread(self._delete, col(UnansweredQuestion.id).in_(list(ids)))

    async def prune(self, older_than: timedelta) -> int:
        """Delete questions nobody has asked for ``older_than`` (the centre's retention)."""
        cutoff = datetime.now(UTC) - older_than
        return await asyncio.to_thread(
            self._delete, col(UnansweredQuestion.last_asked_at) < cutoff
        )

    def _delete(self, condition: Any) -> int:
        with Session(self.engine) as session:
            result = session.exec(delete(UnansweredQuestion).where(condition))
            session.commit()
            return int(result.rowcount)


__all__ = ["MAX_TEXT_CHARS", "UnansweredQuestions"]
