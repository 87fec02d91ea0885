"""The production state store on Redis (redis-py asyncio), shared by every server process."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.lock import Lock

from . import json_text
from .redis_pipe import RedisPipe
from .state import Conversation, KeyedLocks, StateStore, TurnRecord


def connect(url: str, *, max_connections: int = 64, wait_seconds: float = 20.0) -> Redis:
    """A client whose pool makes callers wait for a free connection instead of failing.

    redis-py's default pool raises "Too many connections" under a burst of people; a blocking
    pool turns the burst into a short queue. One client is shared by everything in a process.
    """
    pool = BlockingConnectionPool.from_url(
        url, max_connections=max_connections, timeout=wait_seconds, decode_responses=True
    )
    return Redis(connection_pool=pool)


@dataclass(frozen=True, slots=True)
class KeyBuilder:
    """Turns logical keys into Redis keys, so the layout can change without touching the store."""

    prefix: str = "musofir"

    def state(self, key: str) -> str:
        return f"{self.prefix}:state:{key}"

    def lock(self, key: str) -> str:
        return f"{self.prefix}:lock:{key}"

    def done(self, message_key: str) -> str:
        return f"{self.prefix}:done:{message_key}"

    def value(self, name: str) -> str:
        return f"{self.prefix}:value:{name}"


# KEYS: lock, state, journal, done. ARGV: token, lock ms. Take the lock if free; then read.
_BEGIN = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
return redis.call('MGET', KEYS[2], KEYS[3], KEYS[4])
"""

# KEYS: lock, done, journal, then keep keys. ARGV: token, finished, done ttl, then (value, ttl)
# per keep key. Write what the turn left, then release the lock only if it is still ours.
_END = """
for i = 4, #KEYS do
  redis.call('SET', KEYS[i], ARGV[2 * i - 4], 'EX', ARGV[2 * i - 3])
end
if ARGV[2] == '1' then
  redis.call('SET', KEYS[2], '1', 'EX', ARGV[3])
  redis.call('DEL', KEYS[3])
end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""


class RedisStateStore(StateStore):
    """State with an idle expiry, a Redis lock per person and dedupe marks with a TTL.

    A turn's commands go through the shared ``RedisPipe`` (they are the hot path); the lock
    used outside turns is redis-py's ``Lock``.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        keys: KeyBuilder | None = None,
        state_ttl_seconds: int = 90 * 24 * 3600,
        lock_timeout_seconds: float = 60.0,
    ) -> None:
        self.redis = redis
        self.keys = keys or KeyBuilder()
        self.state_ttl_seconds = state_ttl_seconds
        self.lock_timeout_seconds = lock_timeout_seconds
        self._local = KeyedLocks()
        self.pipe = RedisPipe.like(redis)
        self._begin = self.pipe.script(_BEGIN)
        self._end = self.pipe.script(_END)

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> RedisStateStore:
        return cls(connect(url), **kwargs)

    async def get(self, key: str) -> dict[str, Any] | None:
        raw = await self.pipe.call("GET", self.keys.state(key))
        return json_text.loads(raw) if raw else None

    async def set(self, key: str, data: dict[str, Any]) -> None:
        state = json_text.dumps(data)
        await self.pipe.call("SET", self.keys.state(key), state, "EX", self.state_ttl_seconds)

    async def delete(self, key: str) -> None:
        await self.pipe.call("DEL", self.keys.state(key))

    @asynccontextmanager
    async def lock(self, key: str) -> AsyncIterator[None]:
        # The in-process lock first keeps this process's messages in arrival order (asyncio locks
        # are FIFO); the Redis lock then excludes other processes. The timeout frees a lock whose
        # holder died, so a crash cannot wedge a person's conversation.
        async with self._local.hold(key):
            lock = Lock(self.redis, self.keys.lock(key), timeout=self.lock_timeout_seconds)
            async with lock:
                yield

    @asynccontextmanager
    async def turn(
        self, key: str, message_key: str, journal_name: str, done_ttl_seconds: int
    ) -> AsyncIterator[TurnRecord]:
        """The lock and the reads in one round trip, the writes and the release in another.

        A turn is the hot path: separately, lock, read, finish and release cost four round
        trips. Another process holding the lock means waiting, with a short backoff.
        """
        async with self._local.hold(key):
            token = uuid.uuid4().hex
            keys = [
                self.keys.lock(key),
                self.keys.state(key),
                self.keys.value(journal_name),
                self.keys.done(message_key),
            ]
            lock_ms = int(self.lock_timeout_seconds * 1000)
            pause = 0.005
            while (found := await self._begin(keys=keys, args=[token, lock_ms])) is None:
                await asyncio.sleep(pause)
                pause = min(pause * 2, 0.1)
            state, journal, done = found
            conversation = (
                Conversation.from_json(json_text.loads(state)) if state else Conversation()
            )
            record = TurnRecord(conversation, journal, done is not None)
            finished = False
            try:
                yield record
                finished = record.finished
            finally:
                end_keys = [keys[0], keys[3], keys[2]]
                args: list[str | int] = [token, "1" if finished else "0", done_ttl_seconds]
                for name, value, ttl in record.keep:
                    end_keys.append(self.keys.value(name))
                    args += [value, ttl]
                await self._end(keys=end_keys, args=args)

    async def is_done(self, message_key: str) -> bool:
        return bool(await self.pipe.call("EXISTS", self.keys.done(message_key)))

    async def mark_done(self, message_key: str, ttl_seconds: int) -> None:
        await self.pipe.call("SET", self.keys.done(message_key), "1", "EX", ttl_seconds)

    async def put_value(self, name: str, value: str, ttl_seconds: int) -> None:
        await self.pipe.call("SET", self.keys.value(name), value, "EX", ttl_seconds)

    async def get_value(self, name: str) -> str | None:
        value = await self.pipe.call("GET", self.keys.value(name))
        return str(value) if value is not None else None

    async def take_value(self, name: str) -> str | None:
        value = await self.pipe.call("GETDEL", self.keys.value(name))
        return str(value) if value is not None else None

    async def save_turn(
        self, key: str, conversation: Conversation, journal: tuple[str, str, int] | None
    ) -> None:
        state = json_text.dumps(conversation.to_json())
        writes: list[tuple[str | int, ...]] = [
            ("SET", self.keys.state(key), state, "EX", self.state_ttl_seconds)
        ]
        if journal is not None:
            name, value, ttl = journal
            writes.append(("SET", self.keys.value(name), value, "EX", ttl))
        await self.pipe.transaction(writes)  # MULTI/EXEC: both or neither

    async def are_done(self, message_keys: Sequence[str]) -> list[bool]:
        if not message_keys:
            return []
        found = await self.pipe.call("MGET", *(self.keys.done(k) for k in message_keys))
        return [value is not None for value in found]

    async def recall(
        self, key: str, message_key: str, journal_name: str
    ) -> tuple[Conversation, str | None, bool]:
        state, journal, done = await self.pipe.call(
            "MGET",
            self.keys.state(key),
            self.keys.value(journal_name),
            self.keys.done(message_key),
        )
        conversation = Conversation.from_json(json_text.loads(state)) if state else Conversation()
        return conversation, (str(journal) if journal is not None else None), done is not None

    async def finish(self, message_key: str, ttl_seconds: int, journal_name: str) -> None:
        await self.pipe.transaction(
            [
                ("SET", self.keys.done(message_key), "1", "EX", ttl_seconds),
                ("DEL", self.keys.value(journal_name)),
            ]
        )

    async def ping(self) -> None:
        await self.pipe.call("PING")

    async def close(self) -> None:
        await self.pipe.aclose()
        await self.redis.aclose()


__all__ = ["KeyBuilder", "RedisStateStore", "connect"]
