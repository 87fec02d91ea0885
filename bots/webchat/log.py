"""The web chat's conversation log: every message both ways, with ids a browser can resume from.

A reload shows the conversation again, a dropped connection picks up after the last event id it
saw (EventSource sends ``Last-Event-ID`` by itself), and messages the server starts (a
specialist's reply, an alert) are appended here like any other. On Redis the log is a stream:
XADD appends, XRANGE replays and XREAD BLOCK waits, which is exactly this interface.
"""

from __future__ import annotations

import asyncio
import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, cast

from redis.asyncio import Redis

MAX_EVENTS = 200
"""A conversation keeps its last 200 events; older ones fall off."""

IDLE_TTL_SECONDS = 30 * 24 * 3600
"""A conversation nobody touches for 30 days is deleted."""


_STREAM_ID = re.compile(r"\d{1,20}-\d{1,20}")

Entries = list[tuple[str, dict[str, str]]]
"""Stream entries as redis-py returns them with ``decode_responses=True``."""


@dataclass(frozen=True, slots=True)
class LogEvent:
    id: str
    role: str  # "user" or "bot"
    message: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "role": self.role, "message": self.message}


class ChatLog(ABC):
    @abstractmethod
    async def append(self, key: str, role: str, message: dict[str, Any]) -> LogEvent: ...

    @abstractmethod
    async def since(self, key: str, after: str | None) -> list[LogEvent]:
        """Events after the id ``after`` (all of them when None), oldest first."""

    @abstractmethod
    async def wait(self, key: str, after: str | None, wait_seconds: float) -> list[LogEvent]:
        """Like ``since``, but waits up to ``wait_seconds`` for something new (a long poll)."""

    @abstractmethod
    async def erase(self, key: str) -> None: ...

    async def close(self) -> None:  # noqa: B027  (optional hook: memory backends hold nothing)
        """Release connections; the in-memory log has none."""


class MemoryChatLog(ChatLog):
    def __init__(self) -> None:
        self._events: dict[str, list[LogEvent]] = {}
        self._counter = 0
        self._changed: dict[str, asyncio.Event] = {}

    async def append(self, key: str, role: str, message: dict[str, Any]) -> LogEvent:
        self._counter += 1
        event = LogEvent(str(self._counter), role, json.loads(json.dumps(message)))
        events = self._events.setdefault(key, [])
        events.append(event)
        del events[:-MAX_EVENTS]
        self._changed.pop(key, asyncio.Event()).set()
        return event

    async def since(self, key: str, after: str | None) -> list[LogEvent]:
        events = self._events.get(key, [])
        if not after or not after.isdigit():
            return list(events)
        return [e for e in events if int(e.id) > int(after)]

    async def wait(self, key: str, after: str | None, wait_seconds: float) -> list[LogEvent]:
        found = await self.since(key, after)
        if found:
            return found
        changed = self._changed.setdefault(key, asyncio.Event())
        try:
            await asyncio.wait_for(changed.wait(), wait_seconds)
        except TimeoutError:
            return []
        return await self.since(key, after)

    async def erase(self, key: str) -> None:
        self._events.pop(key, None)


class RedisChatLog(ChatLog):
    def __init__(self, redis: Redis, prefix: str = "musofir:webchat") -> None:
        self.redis = redis
        self.prefix = prefix

    def _key(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    async def append(self, key: str, role: str, message: dict[str, Any]) -> LogEvent:
        stream = self._key(key)
        fields = {"role": role, "message": json.dumps(message, ensure_ascii=False)}
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(stream, fields, maxlen=MAX_EVENTS, approximate=False)  # type: ignore[arg-type]
            pipe.expire(stream, IDLE_TTL_SECONDS)
            event_id, _ = await pipe.execute()
        return LogEvent(str(event_id), role, message)

    async def since(self, key: str, after: str | None) -> list[LogEvent]:
        start = f"({after}" if after and after != "0" else "-"
        try:
            entries = cast(Entries, await self.redis.xrange(self._key(key), min=start, max="+"))
        except Exception as error:  # a malformed id from a client: replay everything
            if "Invalid stream ID" not in str(error):
                raise
            entries = cast(Entries, await self.redis.xrange(self._key(key), min="-", max="+"))
        return [self._event(entry_id, fields) for entry_id, fields in entries]

    async def wait(self, key: str, after: str | None, wait_seconds: float) -> list[LogEvent]:
        found = await self.since(key, after)
        if found:
            return found
        # Read from the newest id we know of, never from "$": an entry appended between the
        # replay above and this call would otherwise wait for the next one to be seen.
        if after and _STREAM_ID.fullmatch(after):
            start = after
        else:
            newest = cast(Entries, await self.redis.xrevrange(self._key(key), count=1))
            start = newest[0][0] if newest else "0-0"
        reply = cast(
            list[tuple[str, Entries]],
            await self.redis.xread(
                {self._key(key): start}, block=int(wait_seconds * 1000), count=50
            ),
        )
        return [
            self._event(entry_id, fields) for _, entries in reply for entry_id, fields in entries
        ]

    async def erase(self, key: str) -> None:
        await self.redis.delete(self._key(key))

    async def close(self) -> None:
        await self.redis.aclose()  # shared with the state store; closing twice is harmless

    @staticmethod
    def _event(entry_id: str, fields: dict[str, str]) -> LogEvent:
        return LogEvent(entry_id, fields["role"], json.loads(fields["message"]))


__all__ = ["ChatLog", "LogEvent", "MemoryChatLog", "RedisChatLog"]
