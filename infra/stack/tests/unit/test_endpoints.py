import stat
from pathlib import Path

from fitness_stack.endpoints import External, redact, resolve
from fitness_stack.ports import Ports
from fitness_stack.postgres import service_url, to_sqlalchemy, with_database
from fitness_stack.state import SERVICES, Secrets


def test_secrets_are_generated_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    first = Secrets.load_or_create(path)
    second = Secrets.load_or_create(path)
    assert first == second
    assert set(first.service_roles) == set(SERVICES)
    assert len(set(first.service_roles.values())) == len(SERVICES)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_external_reads_the_documented_variables() -> None:
    ext = External.from_environ(
        {
            "DATABASE_URL": "postgresql+psycopg://admin:pw@db:5432/postgres",
            "REDIS_URL": "redis://r:6379/0",
            "KAFKA_BOOTSTRAP_SERVERS": "k:9092",
            "S3_ENDPOINT": "http://s3:9000",
            "S3_ACCESS_KEY": "a",
            "S3_SECRET_KEY": "b",
            "SMTP_HOST": "mail",
        }
    )
    assert ext.database_url == "postgresql://admin:pw@db:5432/postgres"
    assert ext.smtp_port == 25
    assert ext.kafka_bootstrap == "k:9092"
    assert External.from_environ({}) == External()


def test_resolve_own_services(tmp_path: Path) -> None:
    secrets = Secrets.load_or_create(tmp_path / "s.json")
    ep = resolve(Ports.for_offset(10), External(), secrets, tmp_path / "m", tmp_path / "l")
    assert ep.pg_admin_url == (
        f"postgresql://postgres:{secrets.postgres_superuser}@127.0.0.1:55442/fitness"
    )
    assert ep.redis_url == "redis://127.0.0.1:56389/0"
    assert ep.kafka_bootstrap == "127.0.0.1:59102"
    assert ep.s3_endpoint == "http://127.0.0.1:59010"
    assert ep.gateway_url == "http://127.0.0.1:8010"
    assert ep.service_urls["media"] == "http://127.0.0.1:8016"
    assert "gateway" not in ep.service_urls
    goals = ep.service_database_urls["goals"]
    assert goals.startswith("postgresql+psycopg://goals_svc:")
    assert goals.endswith("@127.0.0.1:55442/fitness")
    env = ep.test_env()
    assert env["FITNESS_TEST_SMTP_PORT"] == str(51035)
    assert env["FITNESS_TEST_SMTP_MAILDIR"] == str(tmp_path / "m")
    assert set(env) == {
        "FITNESS_TEST_PG_ADMIN_URL",
        "FITNESS_TEST_REDIS_URL",
        "FITNESS_TEST_KAFKA_BOOTSTRAP",
        "FITNESS_TEST_S3_ENDPOINT",
        "FITNESS_TEST_S3_ACCESS_KEY",
        "FITNESS_TEST_S3_SECRET_KEY",
        "FITNESS_TEST_SMTP_HOST",
        "FITNESS_TEST_SMTP_PORT",
        "FITNESS_TEST_SMTP_MAILDIR",
    }


def test_resolve_external_services_win(tmp_path: Path) -> None:
    secrets = Secrets.load_or_create(tmp_path / "s.json")
    ext = External(
        database_url="postgresql://admin:pw@db:6000/postgres",
        redis_url="redis://r/1",
        smtp_host="mail",
        smtp_port=2525,
    )
    ep = resolve(Ports.for_offset(0), ext, secrets, tmp_path / "m", tmp_path / "l")
    assert ep.pg_admin_url == "postgresql://admin:pw@db:6000/fitness"
    assert ep.service_database_urls["identity"].startswith("postgresql+psycopg://identity_svc:")
    assert "@db:6000/fitness" in ep.service_database_urls["identity"]
    assert ep.redis_url == "redis://r/1"
    assert (ep.smtp_host, ep.smtp_port, ep.smtp_maildir) == ("mail", 2525, None)


def test_url_helpers() -> None:
    assert redact("postgresql://u:secret@h:1/d") == "postgresql://u:***@h:1/d"
    assert redact("redis://h:1/0") == "redis://h:1/0"
    assert (
        with_database("postgresql://u:p@h:1/postgres", "fitness") == "postgresql://u:p@h:1/fitness"
    )
    assert to_sqlalchemy("postgresql://u:p@h/d") == "postgresql+psycopg://u:p@h/d"
    url = service_url("postgresql://admin:x@h:7/postgres", "media", "p/w")
    assert url == "postgresql+psycopg://media_svc:p%2Fw@h:7/fitness"
