"""``RedisPipe``: the hot path's multiplexed Redis connection, against the session's real Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError

from fitness_platform.redis import RedisPipe
from fitness_platform.testing import free_port, wait_until


@pytest.fixture
async def pipe(redis_url: str, redis_client: Any) -> AsyncIterator[RedisPipe]:
    p = RedisPipe(redis_url, client_name=f"pipe-test-{uuid.uuid4().hex[:8]}")
    yield p
    await p.aclose()


async def test_concurrent_callers_each_get_their_own_reply(
    pipe: RedisPipe, redis_client: Any
) -> None:
    await redis_client.mset({f"k{i}": f"v{i}" for i in range(300)})
    replies = await asyncio.gather(*(pipe.execute("GET", f"k{i}") for i in range(300)))
    assert replies == [f"v{i}" for i in range(300)]
    assert await pipe.execute("MGET", "k1", "missing", "k2") == ["v1", None, "v2"]


async def test_uses_the_database_of_the_url(pipe: RedisPipe, redis_client: Any) -> None:
    await pipe.execute("SET", "written-by-pipe", 42)
    assert await redis_client.get("written-by-pipe") == "42"


async def test_error_replies_raise_and_the_connection_stays_usable(pipe: RedisPipe) -> None:
    with pytest.raises(NoScriptError):
        await pipe.execute("EVALSHA", "0" * 40, 0)
    with pytest.raises(ResponseError):
        await pipe.execute("INCR", "a", "b")
    assert await pipe.execute("EVAL", "return ARGV[1]", 0, "ok") == "ok"


async def test_a_killed_connection_is_redialled_for_the_next_call(
    pipe: RedisPipe, redis_client: Any
) -> None:
    assert await pipe.execute("PING") == "PONG"
    name = pipe._setup[-1][2]

    async def pipe_client_ids() -> list[str]:
        return [c["id"] for c in await redis_client.client_list() if c.get("name") == name]

    [first] = await pipe_client_ids()
    await redis_client.client_kill_filter(_id=first)
    # Like redis-py's retry of a stale pooled socket: the caller sees no error (Redis restarts).
    assert await pipe.execute("PING") == "PONG"
    [second] = await pipe_client_ids()
    assert second != first


async def test_unreachable_redis_is_a_redis_error() -> None:
    pipe = RedisPipe(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(RedisConnectionError):
        await pipe.execute("PING")


async def test_a_hung_server_times_out_and_a_stalled_connection_is_replaced() -> None:
    accepted: list[asyncio.StreamWriter] = []

    async def silent(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)  # reads nothing, answers nothing: a hung Redis

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    pipe = RedisPipe(f"redis://127.0.0.1:{port}/0", timeout_s=None, stall_s=0.05)
    try:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2):
                await pipe.execute("PING")
        await wait_until(lambda: len(accepted) == 1, timeout=5, message="first connection")
        # Its reply is overdue by more than stall_s: the next call drops it and dials again.
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2):
                await pipe.execute("PING")
        await wait_until(lambda: len(accepted) == 2, timeout=5, message="a second connection")
    finally:
        await pipe.aclose()
        for w in accepted:
            w.close()
        server.close()
        await server.wait_closed()


async def test_closed_pipe_refuses(redis_url: str) -> None:
    pipe = RedisPipe(redis_url)
    assert await pipe.execute("PING") == "PONG"
    await pipe.aclose()
    with pytest.raises(RedisConnectionError):
        await pipe.execute("PING")


async def test_create_redis_closes_its_pipe_with_the_client(redis_url: str) -> None:
    from fitness_platform.redis import create_redis, hot_pipe

    client = create_redis(redis_url, socket_timeout=0.5)
    pipe = hot_pipe(client)
    assert pipe is not None
    assert await pipe.execute("PING") == "PONG"
    await client.aclose()
    with pytest.raises(RedisConnectionError):
        await pipe.execute("PING")
    assert hot_pipe(create_redis("rediss://127.0.0.1:1/0")) is None  # TLS: redis-py only


def test_works_on_uvloop_as_the_services_run(redis_url: str) -> None:
    # uvicorn runs every process on uvloop, whose transports differ from asyncio's.
    import uvloop

    async def main() -> list[Any]:
        pipe = RedisPipe(redis_url)
        try:
            return list(await asyncio.gather(*(pipe.execute("ECHO", f"m{i}") for i in range(50))))
        finally:
            await pipe.aclose()

    assert uvloop.run(main()) == [f"m{i}" for i in range(50)]
