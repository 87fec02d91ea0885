"""One Redis connection per event loop, shared by every task, its commands written back to back.

Why not redis-py on the hot path: with 32 requests at once its asyncio client spends about
200 µs of CPU per call on this machine (pool checkout, retry and observability wrappers, a
timeout per read), and a webhook makes six calls: more than matching the question. Redis answers
the commands of one connection in the order they were written, so tasks can share one connection
without taking turns: each queues its command and awaits a future that the reply fills, and
the commands of one turn of the event loop leave in one write: 10-35 µs per call
(``bench/redis_calls.py`` prints both). hiredis, which redis-py uses too, reads the replies.

Only short commands belong here: a blocking command would hold up everyone behind it, so
blocking pops, pub/sub and scans stay on redis-py. Errors are redis-py's own exception types, so
an outage is recognised (and answered 503) the same way wherever it happens.
"""

from __future__ import annotations

import asyncio
import hashlib
import ssl
import time
import weakref
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, cast

import hiredis
from redis.asyncio import Redis
from redis.asyncio.connection import SSLConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

Arg = str | bytes | int | float
Command = Sequence[Arg]


@dataclass(frozen=True, slots=True)
class Address:
    """Where the server is and how to log in; read from a redis-py client's settings."""

    host: str = "127.0.0.1"
    port: int = 6379
    path: str | None = None  # a Unix socket instead of host and port
    db: int = 0
    username: str | None = None
    password: str | None = None
    tls: bool = False
    connect_timeout_seconds: float = 5.0
    reply_timeout_seconds: float = 10.0

    @classmethod
    def of(cls, redis: Redis) -> Address:
        pool = redis.connection_pool
        settings = pool.connection_kwargs
        return cls(
            host=settings.get("host") or "127.0.0.1",
            port=int(settings.get("port") or 6379),
            path=settings.get("path"),
            db=int(settings.get("db") or 0),
            username=settings.get("username"),
            password=settings.get("password"),
            tls=issubclass(pool.connection_class, SSLConnection),
            connect_timeout_seconds=float(settings.get("socket_connect_timeout") or 5.0),
            reply_timeout_seconds=float(settings.get("socket_timeout") or 10.0),
        )


class _Replies(asyncio.Protocol):
    """Matches replies to waiting futures in write order; fails them all if the line drops."""

    def __init__(self, reply_timeout_seconds: float) -> None:
        self.reader = hiredis.Reader(
            replyError=ResponseError, encoding="utf-8", notEnoughData=False
        )
        self.waiting: deque[tuple[asyncio.Future[Any], float]] = deque()
        self.transport: asyncio.Transport | None = None
        self.loop = asyncio.get_running_loop()
        self.reply_timeout_seconds = reply_timeout_seconds
        self._watchdog: asyncio.TimerHandle | None = None
        self._outgoing: list[bytes] = []
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        waiting = self.waiting
        while (reply := self.reader.gets()) is not False:
            future, _ = waiting.popleft()
            if not future.done():  # its caller may have been cancelled meanwhile
                future.set_result(reply)

    def connection_lost(self, error: Exception | None) -> None:
        self._fail(RedisConnectionError(f"the connection to Redis was lost: {error or 'closed'}"))

    def send_one(self, command: tuple[Arg, ...]) -> asyncio.Future[Any]:
        """Write one command; the future of its reply. The hot path, so kept short."""
        if self.closed or self.transport is None:
            raise RedisConnectionError("the connection to Redis is closed")
        self._queue(_pack(command))
        future = self.loop.create_future()
        self.waiting.append((future, time.monotonic()))
        if self._watchdog is None:
            self._watchdog = self.loop.call_later(self.reply_timeout_seconds, self._check)
        return future

    def send(self, commands: Sequence[Command]) -> list[asyncio.Future[Any]]:
        """Write the commands in one piece; futures for their replies, in order."""
        if self.closed or self.transport is None:
            raise RedisConnectionError("the connection to Redis is closed")
        self._queue(b"".join(_pack(tuple(c)) for c in commands))
        now = time.monotonic()
        futures = [self.loop.create_future() for _ in commands]
        self.waiting.extend((future, now) for future in futures)
        if self._watchdog is None:
            self._watchdog = self.loop.call_later(self.reply_timeout_seconds, self._check)
        return futures

    def _queue(self, data: bytes) -> None:
        """Commands written in one turn of the event loop leave in one write: one system call
        (and one read for Redis) for the dozens of requests that run at once."""
        if not self._outgoing:
            self.loop.call_soon(self._write_out)
        self._outgoing.append(data)

    def _write_out(self) -> None:
        if self._outgoing and self.transport is not None and not self.closed:
            self.transport.write(b"".join(self._outgoing))
        self._outgoing.clear()

    def _check(self) -> None:
        """A reply overdue means the server or the line hangs: drop it, so callers hear."""
        self._watchdog = None
        if not self.waiting:
            return
        overdue = time.monotonic() - self.waiting[0][1] - self.reply_timeout_seconds
        if overdue >= 0:
            self._fail(RedisTimeoutError("Redis did not answer in time"))
            return
        self._watchdog = self.loop.call_later(-overdue, self._check)

    def _fail(self, error: Exception) -> None:
        self.closed = True
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        if self.transport is not None:
            self.transport.abort()
        while self.waiting:
            future, _ = self.waiting.popleft()
            if not future.done():
                future.set_exception(error)

    def close(self) -> None:
        self._fail(RedisConnectionError("the connection to Redis was closed"))


class RedisPipe:
    """Commands pipelined on one connection per event loop; opened on first use, reopened
    after a failure (the failed calls raise ``redis.exceptions.ConnectionError``)."""

    _shared: ClassVar[weakref.WeakKeyDictionary[Redis, RedisPipe]] = weakref.WeakKeyDictionary()

    def __init__(self, address: Address) -> None:
        self.address = address
        self._links: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Replies] = (
            weakref.WeakKeyDictionary()
        )
        self._opening: dict[asyncio.AbstractEventLoop, asyncio.Future[_Replies]] = {}
        self._last: _Replies | None = None  # the link used last: nearly always the one wanted

    @classmethod
    def like(cls, redis: Redis) -> RedisPipe:
        """The pipe to the server ``redis`` talks to; one per client, so one per process."""
        pipe = cls._shared.get(redis)
        if pipe is None:
            pipe = cls._shared[redis] = cls(Address.of(redis))
        return pipe

    async def call(self, *command: Arg) -> Any:
        """One command's reply; an error reply raises ``ResponseError``."""
        link = self._last
        if link is None or link.closed or link.loop is not asyncio.get_running_loop():
            link = await self._link()
        reply = await link.send_one(command)
        if type(reply) is ResponseError:
            raise reply
        return reply

    async def batch(self, commands: Sequence[Command]) -> list[Any]:
        """Several commands in one write, their replies in order (not atomic: see transaction)."""
        futures = (await self._link()).send(commands)
        return [_checked(await future) for future in futures]

    async def transaction(self, commands: Sequence[Command]) -> list[Any]:
        """MULTI, the commands, EXEC in one write: all of them or none, nothing in between."""
        futures = (await self._link()).send([("MULTI",), *commands, ("EXEC",)])
        for future in futures[:-1]:
            _checked(await future)  # an error while queueing also makes EXEC fail
        results = _checked(await futures[-1])
        return [_checked(result) for result in results]

    def script(self, source: str) -> PipeScript:
        return PipeScript(self, source)

    async def aclose(self) -> None:
        """Close this loop's connection; a later call opens a new one."""
        link = self._links.pop(asyncio.get_running_loop(), None)
        if link is not None:
            link.close()

    async def _link(self) -> _Replies:
        loop = asyncio.get_running_loop()
        link = self._links.get(loop)
        if link is not None and not link.closed:
            self._last = link
            return link
        opening = self._opening.get(loop)
        if opening is None:  # the first caller opens; the others wait for the same connection
            opening = self._opening[loop] = loop.create_task(self._open())
            opening.add_done_callback(lambda _: self._opening.pop(loop, None))
        link = await asyncio.shield(opening)
        self._links[loop] = self._last = link
        return link

    async def _open(self) -> _Replies:
        address = self.address
        loop = asyncio.get_running_loop()
        timeout = address.reply_timeout_seconds
        try:
            async with asyncio.timeout(address.connect_timeout_seconds):
                if address.path is not None:
                    _, link = await loop.create_unix_connection(
                        lambda: _Replies(timeout), address.path
                    )
                else:
                    tls = ssl.create_default_context() if address.tls else None
                    _, link = await loop.create_connection(
                        lambda: _Replies(timeout), address.host, address.port, ssl=tls
                    )
        except (OSError, TimeoutError) as error:
            raise RedisConnectionError(f"cannot reach Redis: {error}") from error
        hello: list[Command] = []
        if address.username is not None and address.password is not None:
            hello.append(("AUTH", address.username, address.password))
        elif address.password is not None:
            hello.append(("AUTH", address.password))
        if address.db:
            hello.append(("SELECT", address.db))
        for future in link.send(hello):
            _checked(await future)
        return link


class PipeScript:
    """A Lua script run by its SHA; sent in full once if the server does not know it yet."""

    def __init__(self, pipe: RedisPipe, source: str) -> None:
        self.pipe = pipe
        self.source = source
        self.sha = hashlib.sha1(source.encode()).hexdigest()

    async def __call__(self, keys: Sequence[Arg] = (), args: Sequence[Arg] = ()) -> Any:
        try:
            return await self.pipe.call("EVALSHA", self.sha, len(keys), *keys, *args)
        except ResponseError as error:
            if not str(error).startswith("NOSCRIPT"):
                raise
        return await self.pipe.call("EVAL", self.source, len(keys), *keys, *args)


def _pack(command: tuple[Arg, ...]) -> bytes:
    # hiredis's stub declares a one-element tuple; it takes a command of any length.
    return hiredis.pack_command(command)  # type: ignore[arg-type]


def _checked(reply: Any) -> Any:
    if isinstance(reply, ResponseError):
        raise reply
    return reply


__all__ = ["Address", "PipeScript", "RedisPipe"]
