"""The root conftest's `backing` fixture: FITNESS_TEST_* point at live services."""

import os

import psycopg
import redis

from fitness_stack.kafka import listening
from fitness_stack.pytest_plugin import Backing


def test_exported_env_reaches_live_services(backing: Backing) -> None:
    env = os.environ
    with psycopg.connect(env["FITNESS_TEST_PG_ADMIN_URL"]) as conn:
        (is_super,) = conn.execute(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone()  # type: ignore[misc]
        (db,) = conn.execute("SELECT current_database()").fetchone()  # type: ignore[misc]
    assert is_super is True
    assert db == "fitness"
    client = redis.Redis.from_url(env["FITNESS_TEST_REDIS_URL"])
    try:
        assert client.ping()
    finally:
        client.close()
    host, _, port = env["FITNESS_TEST_KAFKA_BOOTSTRAP"].partition(":")
    assert listening(int(port), host)
    assert os.path.isdir(env["FITNESS_TEST_SMTP_MAILDIR"])
    assert backing.endpoints.kafka_bootstrap == env["FITNESS_TEST_KAFKA_BOOTSTRAP"]
