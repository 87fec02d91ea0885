"""Conversation state per person, behind a small store interface (after aiogram's ``BaseStorage``).

The engine takes the per-person lock *before* it loads state and writes state through on every
turn, so two messages arriving at once can never both read the same old state.
"""

from __future__ import annotations

import asyncio
import json
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Option:
    """A button last shown, remembered so that typing its number picks it on text-only channels."""

    title: str
    payload: str


@dataclass(slots=True)
class Conversation:
    """Everything the engine remembers about one person between messages."""

    language: str | None = None
    flow: str | None = None
    step: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    flow_data: dict[str, Any] = field(default_factory=dict)  # dropped when the flow changes
    options: list[Option] = field(default_factory=list)
    turns: int = 0
    pseudonym: str | None = None
    last_inbound_at: float | None = None  # epoch seconds: WhatsApp's 24-hour window starts here
    unreachable: str | None = None  # why the last delivery failed for good (blocked, unsubscribed)
    script: str | None = None  # "Cyrl" for an Uzbek speaker who writes in Cyrillic

    def to_json(self) -> dict[str, Any]:
        # By hand rather than ``asdict``: it deep-copies, and this runs on every message.
        return {
            "language": self.language,
            "flow": self.flow,
            "step": self.step,
            "slots": self.slots,
            "flow_data": self.flow_data,
            "options": [{"title": o.title, "payload": o.payload} for o in self.options],
            "turns": self.turns,
            "pseudonym": self.pseudonym,
            "last_inbound_at": self.last_inbound_at,
            "unreachable": self.unreachable,
            "script": self.script,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Conversation:
        options = [Option(**o) for o in data.get("options", [])]
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "options"}
        return cls(**known, options=options)

    def enter(self, flow: str | None, step: str | None = None) -> None:
        if flow != self.flow:
            self.flow_data = {}  # e.g. a shared location is kept only while its results are paged
        self.flow, self.step = flow, step


@dataclass(slots=True)
class TurnRecord:
    """What a turn starts from, and what it leaves to be written when it ends.

    ``finished`` marks the message handled and drops its journal; ``keep`` are values written
    in the same step (such as the call that rode in a webhook response).
    """

    conversation: Conversation
    journal: str | None
    done: bool
    finished: bool = False
    keep: list[tuple[str, str, int]] = field(default_factory=list)


class StateStore(ABC):
    """Where conversations live. Implementations must return copies, never shared objects."""

    @abstractmethod
    async def get(self, key: str) -> dict[str, Any] | None: ...

    @abstractmethod
    async def set(self, key: str, data: dict[str, Any]) -> None: ...

    @abstractmethod
    async def delete(self, key: str) -> None: ...

    @abstractmethod
    def lock(self, key: str) -> AbstractAsyncContextManager[None]:
        """An async context manager that serialises everything done for one key."""

    @abstractmethod
    async def is_done(self, message_key: str) -> bool:
        """Whether a message with this key was already handled (platforms redeliver webhooks)."""

    @abstractmethod
    async def mark_done(self, message_key: str, ttl_seconds: int) -> None: ...

    @abstractmethod
    async def put_value(self, name: str, value: str, ttl_seconds: int) -> None:
        """Keep a small value for a while: reply journals, delivery marks, pending SMS parts."""

    @abstractmethod
    async def get_value(self, name: str) -> str | None: ...

    @abstractmethod
    async def take_value(self, name: str) -> str | None:
        """Read and delete in one step, so two processes can never both take the same value."""

    async def are_done(self, message_keys: Sequence[str]) -> list[bool]:
        """``is_done`` for several keys in one step (a reply's parts already delivered)."""
        return [await self.is_done(k) for k in message_keys]

    async def recall(
        self, key: str, message_key: str, journal_name: str
    ) -> tuple[Conversation, str | None, bool]:
        """A person's state, a message's reply journal and whether it was handled, in one step."""
        journal, done = await self.get_value(journal_name), await self.is_done(message_key)
        return await self.load(key), journal, done

    async def finish(self, message_key: str, ttl_seconds: int, journal_name: str) -> None:
        """Mark a message handled and drop its journal (delivery is complete)."""
        await self.mark_done(message_key, ttl_seconds)
        await self.take_value(journal_name)

    @asynccontextmanager
    async def turn(
        self, key: str, message_key: str, journal_name: str, done_ttl_seconds: int
    ) -> AsyncIterator[TurnRecord]:
        """Hold the person's lock, load what a turn needs, and write what it leaves at the end.

        Redis does each end in one round trip; this default composes the smaller methods.
        """
        async with self.lock(key):
            conversation, journal, done = await self.recall(key, message_key, journal_name)
            record = TurnRecord(conversation, journal, done)
            yield record
            for value in record.keep:
                await self.put_value(*value)
            if record.finished:
                await self.finish(message_key, done_ttl_seconds, journal_name)

    async def save_turn(
        self, key: str, conversation: Conversation, journal: tuple[str, str, int] | None
    ) -> None:
        """Save state and the turn's reply journal ``(name, value, ttl)`` together.

        Backends that can make this atomic must: a crash between the two would route the retried
        message again on the new state instead of delivering the replies already decided.
        """
        await self.save(key, conversation)
        if journal is not None:
            await self.put_value(*journal)

    async def ping(self) -> None:  # noqa: B027  (optional hook: memory always answers)
        """Raise if the backend cannot answer (readiness checks); memory always answers."""

    async def close(self) -> None:  # noqa: B027  (optional hook: memory backends hold nothing)
        """Release connections; the in-memory store has none."""

    async def load(self, key: str) -> Conversation:
        data = await self.get(key)
        return Conversation.from_json(data) if data else Conversation()

    async def save(self, key: str, conversation: Conversation) -> None:
        await self.set(key, conversation.to_json())


class KeyedLocks:
    """In-process FIFO locks per key that forget a key once nobody holds or waits for it.

    ``asyncio.Lock`` wakes waiters in arrival order, which is what keeps one person's messages in
    the order they arrived.
    """

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


class MemoryStateStore(StateStore):
    """The default store: nothing to set up, gone when the process stops."""

    def __init__(self) -> None:
        self._data: dict[str, str] = {}
        self._done: dict[str, float] = {}
        self._values: dict[str, tuple[str, float]] = {}
        self._locks = KeyedLocks()

    async def get(self, key: str) -> dict[str, Any] | None:
        raw = self._data.get(key)
        return json.loads(raw) if raw is not None else None

    async def set(self, key: str, data: dict[str, Any]) -> None:
        self._data[key] = json.dumps(data)  # serialised, so callers never share our objects

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    def lock(self, key: str) -> AbstractAsyncContextManager[None]:
        return self._locks.hold(key)

    async def is_done(self, message_key: str) -> bool:
        expires = self._done.get(message_key)
        return expires is not None and expires > time.monotonic()

    async def mark_done(self, message_key: str, ttl_seconds: int) -> None:
        now = time.monotonic()
        if len(self._done) > 10_000:
            self._done = {k: t for k, t in self._done.items() if t > now}
        self._done[message_key] = now + ttl_seconds

    async def put_value(self, name: str, value: str, ttl_seconds: int) -> None:
        now = time.monotonic()
        if len(self._values) > 10_000:
            self._values = {k: v for k, v in self._values.items() if v[1] > now}
        self._values[name] = (value, now + ttl_seconds)

    async def get_value(self, name: str) -> str | None:
        found = self._values.get(name)
        return found[0] if found is not None and found[1] > time.monotonic() else None

    async def take_value(self, name: str) -> str | None:
        value = await self.get_value(name)
        self._values.pop(name, None)
        return value


__all__ = ["Conversation", "KeyedLocks", "MemoryStateStore", "Option", "StateStore"]
