"""Questions the bot could not answer, kept (scrubbed, ownerless) for staff to review.

The engine's ``UnansweredSink`` on the database. Counting is batched, because it is a side duty
that was too dear inline: one upsert per unanswered question, run in a worker thread and awaited
within the person's turn, cost about 13% of the whole server's CPU under the webhook benchmark
(wrk, 32 connections, one message in eight unanswered) in the thread hop, GIL contention and
SQLAlchemy statement building, and the turn waited on it. So:

- ``keep`` only counts the asking in memory, by the same key as the table (the scrubbed normal
  form): the count goes up, the newest asking's wording, language, band and guess win, the first
  asking's time stays. It returns at once.
- The first pending asking arms a timer; ``FLUSH_SECONDS`` later everything pending is written in
  one transaction in a worker thread, never two writes at once (per database, per process). The
  upsert adds the batch's count (``times = times + excluded.times``, ``INSERT … ON CONFLICT DO
  UPDATE``, which SQLite and PostgreSQL both have), so people asking at the same moment, in this
  process or in another, give one row counted up, never a duplicate or a lost count. Rows are
  written in key order, so two processes' batches lock the same rows in the same order.
- A failed write (the database away for a moment) is logged by the error's kind only (its message
  would carry question texts) and its rows stay pending for the next try, ``RETRY_SECONDS``
  later. At most ``MAX_PENDING`` distinct questions wait; askings of new ones beyond that are
  dropped, with a log line.
- ``flush`` writes what is pending now (after a write under way). The server calls it on
  shutdown, and every read here (``most_asked``, ``dismiss``, ``prune``) calls it first, so what
  staff see includes this process's latest. The pending askings are shared by every
  ``UnansweredQuestions`` on the same engine in a process (the upkeep loop prunes through its own).

The trade: a hard crash (the process killed, not stopped) loses at most the last half second's
counts, or those pending while the database was away. That is acceptable for a learning aid for
staff, and nothing personal is at risk: a row holds the scrubbed question and the matcher's guess,
never a user, chat, pseudonym or channel, in memory as in the table.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from .models import UnansweredQuestion
from .scrub import has_words, normal_form, scrub

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 500
FLUSH_SECONDS = 0.5  # a write starts at most this long after the first pending asking
RETRY_SECONDS = 5.0  # after a failed write: the database is given time to come back
MAX_PENDING = 5_000  # distinct questions waiting to be written; new ones beyond are dropped

Row = dict[str, Any]


@dataclass(eq=False)
class _Pending:
    """The askings of one database not written yet, and the write under way (one event loop)."""

    rows: dict[str, Row] = field(default_factory=dict)  # by key
    loop: asyncio.AbstractEventLoop | None = None
    timer: asyncio.TimerHandle | None = None
    writing: asyncio.Task[bool] | None = None
    dropped: int = 0  # askings not kept since the last good write, the queue being full


# Shared by every UnansweredQuestions on an engine, and gone with the engine.
_PENDING: weakref.WeakKeyDictionary[Engine, _Pending] = weakref.WeakKeyDictionary()


class UnansweredQuestions:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pending = _PENDING.setdefault(engine, _Pending())
        self._statement: Any = None

    async def keep(
        self,
        *,
        text: str,
        language: str,
        band: str,
        best_topic: str | None,
        score: float,
    ) -> None:
        """Count one asking of ``text``; nothing is kept when only numbers were in it.

        Counted in memory, written with the next batch (see the module's docstring).
        """
        scrubbed = scrub(text)[:MAX_TEXT_CHARS].strip()
        if not has_words(scrubbed):
            return
        if self._statement is None:
            self._statement = self._upsert_statement()  # refuses another database at once
        pending = self._here()
        now = datetime.now(UTC)
        key = hashlib.sha256(normal_form(scrubbed).encode()).hexdigest()
        seen = pending.rows.get(key)
        if seen is not None:  # the newest asking's wording and guess win; the first time stays
            seen["times"] += 1
            seen["text"], seen["language"], seen["band"] = scrubbed, language[:8], band
            seen["best_topic"], seen["score"] = best_topic, round(score, 4)
            seen["last_asked_at"] = now
        elif len(pending.rows) >= MAX_PENDING:
            if not pending.dropped:
                log.warning(
                    "%d unanswered questions wait to be written: new ones are not kept until "
                    "the database takes them",
                    len(pending.rows),
                )
            pending.dropped += 1
            return
        else:
            pending.rows[key] = {
                "key": key,
                "text": scrubbed,
                "language": language[:8],
                "band": band,
                "best_topic": best_topic,
                "score": round(score, 4),
                "times": 1,
                "asked_at": now,
                "last_asked_at": now,
            }
        self._arm(pending, FLUSH_SECONDS)

    async def flush(self) -> bool:
        """Write what is pending now, after the write under way if there is one.

        True when everything was written; a failed write is logged and its rows stay pending.
        """
        pending = self._here()
        while pending.writing is not None:
            await asyncio.shield(pending.writing)  # a cancelled caller does not cancel the write
        if not pending.rows:
            return True
        return await asyncio.shield(self._start_write(pending))

    def _here(self) -> _Pending:
        """The pending askings, bound to the running event loop.

        A new loop (a test's, a command's ``asyncio.run``) takes over: a timer or a write of
        a loop that has ended would never finish.
        """
        pending = self._pending
        loop = asyncio.get_running_loop()
        if pending.loop is not loop:
            if pending.timer is not None:
                pending.timer.cancel()
            pending.loop, pending.timer, pending.writing = loop, None, None
        return pending

    def _arm(self, pending: _Pending, delay: float) -> None:
        if pending.timer is None and pending.writing is None and pending.loop is not None:
            pending.timer = pending.loop.call_later(delay, self._start_write, pending)

    def _start_write(self, pending: _Pending) -> asyncio.Task[bool]:
        if pending.timer is not None:
            pending.timer.cancel()
            pending.timer = None
        batch, pending.rows = pending.rows, {}
        assert pending.loop is not None and pending.writing is None
        pending.writing = pending.loop.create_task(self._write(pending, batch))
        return pending.writing

    async def _write(self, pending: _Pending, batch: dict[str, Row]) -> bool:
        rows = sorted(batch.values(), key=itemgetter("key"))  # the same lock order everywhere
        try:
            await asyncio.to_thread(self._upsert, rows)
        except Exception as error:  # the kind only: the message would carry question texts
            log.warning(
                "%d unanswered questions were not written (%s); they wait for the next try",
                len(rows),
                type(error).__name__,
            )
            self._put_back(pending, batch)
            written = False
        else:
            written = True
            if pending.dropped:
                log.warning(
                    "%d unanswered askings were not kept, too many waited", pending.dropped
                )
                pending.dropped = 0
        finally:
            pending.writing = None
        if pending.rows:
            self._arm(pending, FLUSH_SECONDS if written else RETRY_SECONDS)
        return written

    @staticmethod
    def _put_back(pending: _Pending, batch: dict[str, Row]) -> None:
        """Rows of a failed write go back under the askings counted since (older, they lose)."""
        for key, older in batch.items():
            newer = pending.rows.get(key)
            if newer is not None:
                newer["times"] += older["times"]
                newer["asked_at"] = older["asked_at"]
            elif len(pending.rows) < MAX_PENDING:
                pending.rows[key] = older
            else:
                pending.dropped += older["times"]

    def _upsert_statement(self) -> Any:
        table = UnansweredQuestion.metadata.tables[UnansweredQuestion.__tablename__]
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            insert: Any = postgresql.insert(table)
        elif dialect == "sqlite":
            insert = sqlite.insert(table)
        else:
            raise RuntimeError(f"unanswered questions need SQLite or PostgreSQL, not {dialect}")
        latest = insert.excluded  # the batch's count; its newest wording, language and guess
        return insert.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "times": table.c.times + latest.times,
                "last_asked_at": latest.last_asked_at,
                "text": latest.text,
                "language": latest.language,
                "band": latest.band,
                "best_topic": latest.best_topic,
                "score": latest.score,
            },
        )

    def _upsert(self, rows: list[Row]) -> None:
        """One transaction for the whole batch (in a worker thread)."""
        if self._statement is None:
            self._statement = self._upsert_statement()
        with self.engine.begin() as connection:
            connection.execute(self._statement, rows)

    async def most_asked(
        self,
        *,
        limit: int = 50,
        since: datetime | None = None,
        language: str | None = None,
    ) -> list[UnansweredQuestion]:
        """The most asked first (then the most recent): what is worth teaching first."""
        await self.flush()
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
        await self.flush()
        return await asyncio.to_thread(self._delete, col(UnansweredQuestion.id).in_(list(ids)))

    async def prune(self, older_than: timedelta) -> int:
        """Delete questions nobody has asked for ``older_than`` (the centre's retention)."""
        await self.flush()
        cutoff = datetime.now(UTC) - older_than
        return await asyncio.to_thread(
            self._delete, col(UnansweredQuestion.last_asked_at) < cutoff
        )

    def _delete(self, condition: Any) -> int:
        with Session(self.engine) as session:
            result = session.exec(delete(UnansweredQuestion).where(condition))
            session.commit()
            return int(result.rowcount)


__all__ = [
    "FLUSH_SECONDS",
    "MAX_PENDING",
    "MAX_TEXT_CHARS",
    "RETRY_SECONDS",
    "UnansweredQuestions",
]
