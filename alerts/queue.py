"""The fan-out queue: a Redis Stream read by a consumer group of ``musofir worker`` processes.

Why Streams and not arq, rq or taskiq: each recipient is one tiny entry (a delivery id), and
what we need most is to know, after a worker is killed, exactly which entries it had taken.
A consumer group keeps that list (the pending entries) in Redis itself, and ``XCLAIM``
hands a dead worker's entries to a live one; the job libraries either re-run such jobs
(a second message) or need their own result store. redis-py is already a dependency.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

STREAM = "alerts:outbox"
GROUP = "workers"


@dataclass(frozen=True, slots=True)
class Entry:
    entry_id: str
    delivery_id: int


def entries_of(raw: Any) -> list[Entry]:
    """Entries from redis-py's answer: (id, fields) pairs; a deleted entry has no fields."""
    found = []
    for entry_id, fields in raw or []:
        if not fields:
            continue
        value = fields.get(b"d", fields.get("d"))
        if value is None:
            continue
        name = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
        found.append(Entry(name, int(value)))
    return found


class SendQueue:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def ensure_group(self) -> None:
        try:
            await self.redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    async def put(self, delivery_ids: list[int]) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            for delivery_id in delivery_ids:
                pipe.xadd(STREAM, {"d": delivery_id})
            await pipe.execute()

    async def take(self, consumer: str, count: int, block_ms: int) -> list[Entry]:
        answer: Any = await self.redis.xreadgroup(
            GROUP, consumer, {STREAM: ">"}, count=count, block=block_ms
        )
        return [e for _, raw in answer or [] for e in entries_of(raw)]

    async def done(self, entries: list[Entry]) -> None:
        if entries:
            ids = [e.entry_id for e in entries]
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.xack(STREAM, GROUP, *ids)
                pipe.xdel(STREAM, *ids)
                await pipe.execute()


__all__ = ["GROUP", "STREAM", "Entry", "SendQueue", "entries_of"]
