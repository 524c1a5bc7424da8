from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from fitness_platform.health import health_router
from fitness_platform.problems import install_problem_handlers
from fitness_platform.settings import ServiceSettings

SAFE_PROD = {
    "environment": "prod",
    "database_url": "postgresql+psycopg://svc:pw@db.internal:5432/fitness",
    "db_schema": "nutrition",
    "redis_url": "redis://cache.internal:6379/0",
    "jwks_url": "http://identity/.well-known/jwks.json",
    "kafka_bootstrap_servers": "kafka:9092",
}


def test_dev_defaults_are_fine() -> None:
    assert ServiceSettings(environment="dev").is_local


def test_prod_accepts_explicit_settings() -> None:
    assert not ServiceSettings(**SAFE_PROD).is_local


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("database_url", "postgresql+psycopg://postgres@127.0.0.1:5432/fitness"),
        ("redis_url", "redis://127.0.0.1:6379/0"),
        ("jwks_url", None),
        ("kafka_bootstrap_servers", None),
        ("db_schema", "public"),
    ],
)
def test_prod_refuses_unsafe_defaults(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match="unsafe settings"):
        ServiceSettings(**{**SAFE_PROD, field: value})


def test_subclass_reads_its_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic_settings import SettingsConfigDict

    class NutritionSettings(ServiceSettings):
        model_config = SettingsConfigDict(env_prefix="NUTRITION_", frozen=True, extra="ignore")

    monkeypatch.setenv("NUTRITION_DB_SCHEMA", "nutrition")
    monkeypatch.setenv("NUTRITION_KAFKA_ENABLE_IDEMPOTENCE", "true")
    s = NutritionSettings()
    assert s.db_schema == "nutrition"
    assert s.kafka_enable_idempotence is True


async def test_ready_names_the_failing_check() -> None:
    async def ok() -> None:
        return None

    async def down() -> None:
        raise ConnectionError("nope")

    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(health_router({"db": ok, "redis": down}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/health/live")).status_code == 200
        resp = await client.get("/health/ready")
    assert resp.status_code == 503
    assert resp.headers["content-type"] == "application/problem+json"
    body = resp.json()
    assert body["failing"] == ["redis"]
    assert "redis" in body["detail"]
    assert "nope" not in resp.text


def test_background_processes_lower_their_priority_from_the_environment() -> None:
    """FITNESS_PROCESS_NICE (set by the local launcher for relays, workers, consumers) is
    applied once at start; malformed or unset changes nothing. In a child: niceness sticks."""
    import os
    import subprocess
    import sys

    code = (
        "import os; from fitness_platform.process import lower_priority_from_env as f;"
        "print(f(), os.nice(0))"
    )
    base = os.nice(0)
    for value, added in (("3", 3), ("", 0), ("x", 0), ("99", 19)):
        env = {**os.environ, "FITNESS_PROCESS_NICE": value}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout.split()
        assert out == [str(added), str(min(19, base + added))], (value, out)
