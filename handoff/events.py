"""Live console updates: a small event (which case changed, and how) published to every process.

With Redis, events go through pub/sub, so a case opened by the process that took the webhook
appears in a console served by another. Each process keeps one subscription and fans events
out to its own browser streams; a slow browser drops events rather than slowing the others (the
page reloads its lists on every event, so a dropped one costs nothing but a moment).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import Redis

log = logging.getLogger(__name__)

CHANNEL = "musofir:console"
_QUEUE_SIZE = 256


class EventBus:
    """In-process fan-out; the Redis flavour feeds it from pub/sub."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[dict[str, Any]]] = set()

    async def publish(self, event: dict[str, Any]) -> None:
        self._fan_out(event)

    def _fan_out(self, event: dict[str, Any]) -> None:
        for queue in list(self._queues):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(_QUEUE_SIZE)
        self._queues.add(queue)
        await self._started()
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    async def _started(self) -> None:
        return None

    async def close(self) -> None:
        return None


class RedisEventBus(EventBus):
    def __init__(self, redis: Redis) -> None:
        super().__init__()
        self.redis = redis
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def publish(self, event: dict[str, Any]) -> None:
        await self.redis.publish(CHANNEL, json.dumps(event))

    async def _started(self) -> None:
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen())
        await asyncio.wait_for(self._ready.wait(), 10)

    async def _listen(self) -> None:
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    self._ready.set()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._fan_out(json.loads(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("console events: the Redis subscription failed; retrying")
                await asyncio.sleep(1)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)


__all__ = ["CHANNEL", "EventBus", "RedisEventBus"]
