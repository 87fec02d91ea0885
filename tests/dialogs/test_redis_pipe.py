"""The shared Redis connection: each caller gets its own reply; a failure is heard, not hung."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from musofir.bots.delivery.outage import is_outage
from musofir.dialogs.redis_pipe import Address, RedisPipe
from redis.asyncio import Redis
from redis.exceptions import ResponseError


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[Redis]:
    redis = Redis.from_url(redis_url, decode_responses=True)
    try:
        yield redis
    finally:
        await RedisPipe.like(redis).aclose()
        await redis.aclose()


async def test_many_callers_at_once_each_get_their_own_reply(client: Redis) -> None:
    pipe = RedisPipe.like(client)

    async def person(n: int) -> list[str]:
        seen = []
        for turn in range(20):
            await pipe.call("SET", f"person:{n}", f"{n}-{turn}-ёж")
            seen.append(await pipe.call("GET", f"person:{n}"))
        return seen

    results = await asyncio.gather(*(person(n) for n in range(64)))

    for n, seen in enumerate(results):
        assert seen == [f"{n}-{turn}-ёж" for turn in range(20)]
    assert await client.get("person:63") == "63-19-ёж"  # the same database as redis-py's


async def test_a_transaction_answers_every_command_and_an_error_is_raised(client: Redis) -> None:
    pipe = RedisPipe.like(client)

    assert await pipe.transaction([("SET", "n", "1"), ("INCR", "n"), ("GET", "n")]) == [
        "OK",
        2,
        "2",
    ]
    with pytest.raises(ResponseError):
        await pipe.transaction([("SET", "word", "a"), ("INCR", "word")])
    assert await pipe.call("GET", "n") == "2"  # the connection is still in step


async def test_a_script_the_server_forgot_is_sent_again(client: Redis) -> None:
    pipe = RedisPipe.like(client)
    double = pipe.script("return tonumber(ARGV[1]) * 2")
    assert await double(args=[21]) == 42

    await pipe.call("SCRIPT", "FLUSH")  # as after a Redis restart

    assert await double(args=[4]) == 8


async def test_a_cancelled_caller_does_not_shift_the_replies_of_the_others(
    client: Redis,
) -> None:
    pipe = RedisPipe.like(client)
    await pipe.call("SET", "a", "first")
    await pipe.call("SET", "b", "second")

    waiting = asyncio.ensure_future(pipe.call("GET", "a"))
    await asyncio.sleep(0)  # written, not yet answered
    waiting.cancel()

    assert await pipe.call("GET", "b") == "second"


async def test_a_dropped_connection_is_opened_again(client: Redis) -> None:
    pipe = RedisPipe.like(client)
    before = await pipe.call("CLIENT", "ID")

    await client.client_kill_filter(_id=before)
    await asyncio.sleep(0.2)  # the pipe hears the connection close

    assert await pipe.call("PING") == "PONG"
    assert await pipe.call("CLIENT", "ID") != before


async def test_an_unreachable_server_is_an_outage() -> None:
    silent = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1]
    silent.close()
    await silent.wait_closed()
    pipe = RedisPipe(Address(port=port, connect_timeout_seconds=1))

    with pytest.raises(Exception) as raised:
        await pipe.call("PING")

    assert is_outage(raised.value)


async def test_a_server_that_never_answers_times_out_instead_of_hanging() -> None:
    held: list[asyncio.StreamWriter] = []

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        await reader.read(1 << 16)  # reads the command, never answers

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    pipe = RedisPipe(Address(port=port, reply_timeout_seconds=0.2))
    try:
        with pytest.raises(Exception) as raised:
            await asyncio.wait_for(pipe.call("PING"), timeout=5)
        assert is_outage(raised.value)
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()
