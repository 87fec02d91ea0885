"""``musofir worker``: sends alerts from the queue; one of the workers also runs the scheduler.

Every worker consumes the queue. One at a time holds the scheduler lease in Redis and runs
APScheduler with its job store in the database: a job per scheduled alert (so a time set for
next week survives restarts), and a tick that picks up alerts created since, finishes putting a
started alert on the queue after a crash, and sends due reminders. When the lease holder dies,
the lease expires and another worker takes over the same job store: it is never shared by two
schedulers at once.

A worker announces itself with a heartbeat key. Entries taken by a worker whose heartbeat has
stopped are claimed by a live worker: a recipient still ``queued`` is sent, one found
``sending`` (the platform may or may not have taken it) is marked ``uncertain`` and never sent
again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from redis.asyncio import Redis
from sqlalchemy import Engine

from .book import AlertBook, Claimed
from .queue import GROUP, STREAM, Entry, SendQueue, entries_of
from .reminders import DueReminder, ReminderBook

log = logging.getLogger(__name__)

LEASE_KEY = "alerts:scheduler"
HEARTBEAT_PREFIX = "alerts:worker:"
ENQUEUE_BATCH = 1000

SendAlert = Callable[[Claimed], Awaitable[tuple[str, str]]]
"""Send one recipient their alert; returns (final status, detail)."""
SendReminder = Callable[[DueReminder], Awaitable[str]]

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


@dataclass(frozen=True, slots=True)
class WorkerTimings:
    lease_ms: int = 15_000
    heartbeat_ms: int = 10_000
    tick_seconds: float = 5.0
    reclaim_seconds: float = 2.0
    batch: int = 50  # entries taken at once; sent concurrently, within the rate limits
    block_ms: int = 1000


_current: AlertWorker | None = None


async def fire_alert_job(alert_id: int) -> None:
    """APScheduler's job for a scheduled alert (a module-level name: the job store keeps it)."""
    if _current is not None:
        await _current.fire(alert_id)


async def tick_job() -> None:
    if _current is not None:
        await _current.tick()


class AlertWorker:
    def __init__(
        self,
        redis: Redis,
        engine: Engine,
        book: AlertBook,
        reminders: ReminderBook,
        send: SendAlert,
        remind: SendReminder,
        *,
        timings: WorkerTimings | None = None,
        name: str | None = None,
    ) -> None:
        self.redis = redis
        self.engine = engine
        self.book = book
        self.reminders = reminders
        self.send = send
        self.remind = remind
        self.timings = timings or WorkerTimings()
        self.name = name or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
        self.queue = SendQueue(redis)
        self.scheduler: AsyncIOScheduler | None = None
        self._renew = redis.register_script(_RENEW)

    # Running ----------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        global _current
        _current = self
        await self.queue.ensure_group()
        log.info("alert worker %s started", self.name)
        tasks = [
            asyncio.create_task(self._heartbeat(stop)),
            asyncio.create_task(self._consume(stop)),
            asyncio.create_task(self._reclaim(stop)),
            asyncio.create_task(self._lead(stop)),
        ]
        try:
            await stop.wait()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._stop_scheduler()
            await self.redis.delete(HEARTBEAT_PREFIX + self.name)
            with contextlib.suppress(Exception):
                await self._release_lease()

    async def _heartbeat(self, stop: asyncio.Event) -> None:
        key = HEARTBEAT_PREFIX + self.name
        while not stop.is_set():
            await self.redis.set(key, "1", px=self.timings.heartbeat_ms)
            await asyncio.sleep(self.timings.heartbeat_ms / 3000)

    async def _consume(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                entries = await self.queue.take(
                    self.name, self.timings.batch, self.timings.block_ms
                )
                if entries:
                    await self._process(entries)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("alert worker: a batch failed; going on")
                await asyncio.sleep(1)

    async def _process(self, entries: list[Entry], *, abandoned: bool = False) -> None:
        """Claim the batch in one statement, send concurrently, record the results in one go."""
        ids = [e.delivery_id for e in entries]
        if abandoned:
            found = await asyncio.gather(*(asyncio.to_thread(self.book.abandoned, i) for i in ids))
            ids = [i for i, status in zip(ids, found, strict=True) if status == "queued"]
        claimed = await asyncio.to_thread(self.book.claim_many, ids)
        results = await asyncio.gather(*(self._send(c) for c in claimed))
        await asyncio.to_thread(self.book.finish_many, list(results))
        await self.queue.done(entries)
        if len(entries) < self.timings.batch:  # the queue ran dry: perhaps an alert is done
            for alert_id in {c.alert_id for c in claimed}:
                await asyncio.to_thread(self.book.finish_if_done, alert_id)

    async def _send(self, claimed: Claimed) -> tuple[int, str, str]:
        try:
            status, detail = await self.send(claimed)
        except Exception as error:  # it failed before or at the platform: not uncertain
            log.exception("alert %s: a send failed", claimed.alert_id)
            status, detail = "failed", type(error).__name__
        return claimed.delivery_id, status, detail

    async def _reclaim(self, stop: asyncio.Event) -> None:
        """Claim the entries of workers whose heartbeat stopped."""
        while not stop.is_set():
            await asyncio.sleep(self.timings.reclaim_seconds)
            try:
                await self.reclaim_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("alert worker: reclaiming failed; trying again")

    async def reclaim_once(self) -> int:
        consumers = await self.redis.xinfo_consumers(STREAM, GROUP)
        taken = 0
        for consumer in consumers:
            name = consumer["name"]
            name = name.decode() if isinstance(name, bytes) else str(name)
            if name == self.name or await self.redis.exists(HEARTBEAT_PREFIX + name):
                continue
            while True:
                pending = await self.redis.xpending_range(
                    STREAM, GROUP, min="-", max="+", count=100, consumername=name
                )
                if not pending:
                    await self.redis.xgroup_delconsumer(STREAM, GROUP, name)
                    break
                ids: list[Any] = [p["message_id"] for p in pending]
                claimed: Any = await self.redis.xclaim(STREAM, GROUP, self.name, 0, ids)
                entries = entries_of(claimed)
                kept = {c[0] for c in claimed if c[1]}
                missing = [i for i in ids if i not in kept]
                if missing:  # deleted from the stream already: just acknowledge
                    await self.redis.xack(STREAM, GROUP, *missing)
                log.warning("worker %s stopped; taking %d of its entries", name, len(entries))
                await self._process(entries, abandoned=True)
                taken += len(entries)
        return taken

    # The scheduler, under a lease --------------------------------------------------------------

    async def _lead(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                if self.scheduler is None:
                    got = await self.redis.set(
                        LEASE_KEY, self.name, nx=True, px=self.timings.lease_ms
                    )
                    if got:
                        self._start_scheduler()
                else:
                    kept = await self._renew(
                        keys=[LEASE_KEY], args=[self.name, self.timings.lease_ms]
                    )
                    if not kept:
                        log.warning("worker %s lost the scheduler lease", self.name)
                        self._stop_scheduler()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("scheduler lease: Redis failed; stopping the scheduler to be safe")
                self._stop_scheduler()
            await asyncio.sleep(self.timings.lease_ms / 3000)

    async def _release_lease(self) -> None:
        if await self.redis.get(LEASE_KEY) in (self.name, self.name.encode()):
            await self.redis.delete(LEASE_KEY)

    @property
    def leading(self) -> bool:
        return self.scheduler is not None

    def _start_scheduler(self) -> None:
        scheduler = AsyncIOScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine)},
            job_defaults={"coalesce": True, "misfire_grace_time": 7 * 24 * 3600},
            timezone=UTC,
        )
        scheduler.start()
        scheduler.add_job(
            tick_job,
            "interval",
            seconds=self.timings.tick_seconds,
            id="alerts:tick",
            replace_existing=True,
            next_run_time=datetime.now(UTC),
        )
        self.scheduler = scheduler
        log.info("worker %s runs the scheduler", self.name)

    def _stop_scheduler(self) -> None:
        if self.scheduler is not None:
            with contextlib.suppress(Exception):
                self.scheduler.shutdown(wait=False)
            self.scheduler = None

    async def tick(self) -> None:
        """Jobs for new scheduled alerts; finish enqueueing; due reminders; finished alerts."""
        scheduler = self.scheduler
        if scheduler is None:
            return
        for alert in await asyncio.to_thread(self.book.scheduled):
            job_id = f"alert:{alert.id}"
            if scheduler.get_job(job_id) is None:
                scheduler.add_job(
                    fire_alert_job,
                    "date",
                    run_date=alert.send_at or datetime.now(UTC),
                    args=[alert.id],
                    id=job_id,
                    replace_existing=True,
                )
        for alert in await asyncio.to_thread(self.book.sending):
            await self._enqueue_rest(alert.id or 0, alert.enqueued_upto)
            await asyncio.to_thread(self.book.finish_if_done, alert.id or 0)
        for due in await asyncio.to_thread(self.reminders.claim_due, datetime.now(UTC)):
            try:
                result = await self.remind(due)
                log.info("reminder %d (%s): %s", due.id, due.kind, result)
            except Exception:
                log.exception("reminder %d could not be sent", due.id)

    async def fire(self, alert_id: int) -> None:
        total = await asyncio.to_thread(self.book.start, alert_id)
        if total is None:
            return  # not scheduled any more (cancelled, or fired already)
        log.info("alert %d: sending to %d people", alert_id, total)
        await self._enqueue_rest(alert_id, 0)
        await asyncio.to_thread(self.book.finish_if_done, alert_id)

    async def _enqueue_rest(self, alert_id: int, after: int) -> None:
        while True:
            ids = await asyncio.to_thread(self.book.next_batch, alert_id, after, ENQUEUE_BATCH)
            if not ids:
                return
            await self.queue.put(ids)
            after = ids[-1]
            await asyncio.to_thread(self.book.mark_enqueued, alert_id, after)


__all__ = ["AlertWorker", "SendAlert", "SendReminder", "WorkerTimings", "fire_alert_job"]
