import json
import sys
from pathlib import Path

from fitness_stack.fleet import SharedEnv, discover, service_env
from fitness_stack.ports import Ports

PORTS = Ports.for_offset(0).services


def finder_for(*modules: str):
    def find(module: str) -> object | None:
        return object() if module in modules else None

    return find


def test_nothing_built_gives_an_empty_fleet() -> None:
    assert discover(PORTS, finder_for()) == []


def test_built_service_gets_api_and_only_its_existing_helpers() -> None:
    fleet = discover(
        PORTS,
        finder_for("identity.main", "identity.relay", "nutrition.main", "nutrition.worker"),
    )
    names = [p.name for p in fleet]
    assert names == ["identity", "identity-relay", "nutrition", "nutrition-worker"]
    api = fleet[0]
    assert api.kind == "api"
    assert api.port == 8001
    assert api.argv[:3] == (sys.executable, "-m", "fitness_stack.quiet_uvicorn")
    assert "identity.main:create_app" in api.argv
    assert api.argv[api.argv.index("--port") + 1] == "8001"
    for flag in ("--factory", "--no-access-log"):
        assert flag in api.argv
    assert api.argv[api.argv.index("--loop") + 1] == "uvloop"
    assert api.argv[api.argv.index("--http") + 1] == "httptools"
    assert fleet[1].argv == (sys.executable, "-m", "identity.relay")
    assert fleet[3].argv == (sys.executable, "-m", "nutrition.worker")


def test_gateway_comes_last_on_8000() -> None:
    fleet = discover(PORTS, finder_for("gateway.main", "media.main"))
    assert [p.name for p in fleet] == ["media", "gateway"]
    assert fleet[-1].port == 8000


def test_finder_errors_count_as_not_built() -> None:
    def broken(module: str) -> object | None:
        raise ImportError(module)

    assert discover(PORTS, broken) == []


SHARED = SharedEnv(
    redis_url="redis://127.0.0.1:1/0",
    kafka_bootstrap="127.0.0.1:2",
    s3_endpoint="http://127.0.0.1:3",
    s3_access_key="ak",
    s3_secret_key="sk",
    smtp_host="127.0.0.1",
    smtp_port=4,
    identity_url="http://127.0.0.1:8001",
)


def test_service_env_uses_the_service_prefix() -> None:
    env = service_env(
        "nutrition",
        SHARED,
        state_dir=Path("/s"),
        database_url="postgresql+psycopg://nutrition_svc:pw@h:5/fitness",
    )
    assert env["NUTRITION_ENVIRONMENT"] == "dev"
    assert env["NUTRITION_DATABASE_URL"].startswith("postgresql+psycopg://nutrition_svc:")
    assert env["NUTRITION_DB_SCHEMA"] == "nutrition"
    assert env["NUTRITION_JWKS_URL"] == "http://127.0.0.1:8001/.well-known/jwks.json"
    assert env["NUTRITION_JWT_ISSUER"] == "fitness-identity"
    assert env["NUTRITION_JWT_AUDIENCE"] == "fitness-api"
    assert env["NUTRITION_SMTP_PORT"] == "4"
    assert env["NUTRITION_STATE_DIR"] == "/s"
    assert all(key.startswith("NUTRITION_") for key in env)
    assert "NUTRITION_KEYS_DIR" not in env
    assert "NUTRITION_UPSTREAMS" not in env


def test_identity_gets_keys_dir_and_gateway_gets_upstreams_without_db() -> None:
    identity = service_env("identity", SHARED, state_dir=Path("/s"), keys_dir=Path("/k"))
    assert identity["IDENTITY_KEYS_DIR"] == "/k"
    upstreams = {"identity": "http://127.0.0.1:8001", "media": "http://127.0.0.1:8006"}
    gateway = service_env("gateway", SHARED, state_dir=Path("/g"), upstreams=upstreams)
    assert json.loads(gateway["GATEWAY_UPSTREAMS"]) == upstreams
    assert "GATEWAY_DATABASE_URL" not in gateway
    assert gateway["GATEWAY_REDIS_URL"] == SHARED.redis_url


def test_only_limits_services_but_keeps_the_gateway() -> None:
    finder = finder_for("identity.main", "nutrition.main", "nutrition.worker", "gateway.main")
    fleet = discover(PORTS, finder, only={"identity"})
    assert [p.name for p in fleet] == ["identity", "gateway"]


def test_event_log_settings_follow_the_brokers_storage() -> None:
    from dataclasses import replace

    memory = service_env("identity", replace(SHARED, tansu_storage="memory"), state_dir=Path("/s"))
    # The memory-backed broker's durable log is the outbox: relays replay it into a fresh one.
    assert memory["IDENTITY_OUTBOX_REPLAY_ON_BROKER_RESET"] == "true"
    assert memory["IDENTITY_OUTBOX_RETENTION_HOURS"] == "168"
    # tansu skips the rest of a batch fetched from its middle: step back by one relay batch.
    assert memory["IDENTITY_KAFKA_RESUME_REWIND"] == memory["IDENTITY_OUTBOX_BATCH_SIZE"]
    s3 = service_env("identity", replace(SHARED, tansu_storage="s3"), state_dir=Path("/s"))
    assert "IDENTITY_OUTBOX_REPLAY_ON_BROKER_RESET" not in s3
    assert s3["IDENTITY_KAFKA_RESUME_REWIND"] == "100"
    external = service_env("identity", SHARED, state_dir=Path("/s"))  # a real Kafka
    assert not any("REPLAY" in k or "REWIND" in k for k in external)
