"""`up --no-fleet`, `status`, `down` through the CLI, as `make up` runs it."""

import subprocess
import sys
from pathlib import Path

import pytest

from fitness_stack import free_port_offset

pytestmark = pytest.mark.timeout(180)


def cli(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fitness_stack", "--state-dir", str(state), *args],
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
        env={"PATH": "/usr/bin:/bin"},  # no DATABASE_URL & co. from the test environment
    )


def test_up_status_down(tmp_path: Path) -> None:
    state = tmp_path / "state"
    offset = str(free_port_offset(backing_only=True))
    try:
        up = cli(state, "--port-offset", offset, "up", "--no-fleet", "--kafka-storage", "memory")
        assert up.returncode == 0, up.stdout + up.stderr
        assert "[1/6] starting postgres … ok (new cluster)" in up.stdout
        assert "[6/6] starting smtp sink … ok" in up.stdout
        urls = up.stdout.split("stack up in", 1)[1]
        rows = [line.strip() for line in urls.splitlines()[1:] if line.strip()]
        assert rows[0].startswith("Gateway Swagger UI")  # first, as README promises
        assert "***@" in urls  # the superuser password is not printed
        status = cli(state, "status")  # offset remembered from `up`
        assert status.returncode == 0, status.stdout + status.stderr
        for name in ("postgres", "redis", "s3", "kafka", "smtp"):
            assert f"{name}" in status.stdout
        assert status.stdout.count("running (pid") == 5
    finally:
        down = cli(state, "down")
    assert down.returncode == 0
    assert down.stdout.startswith("stopped: smtp, kafka, s3, redis, postgres")
