"""CLI argument handling (no services started)."""

import subprocess
import sys
from pathlib import Path


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fitness_stack", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_status_of_an_empty_state_dir(tmp_path: Path) -> None:
    result = cli("--state-dir", str(tmp_path), "status")
    assert result.returncode == 0
    assert "nothing started" in result.stdout


def test_down_with_nothing_running(tmp_path: Path) -> None:
    result = cli("--state-dir", str(tmp_path / "none"), "down")
    assert result.returncode == 0
    assert "nothing was running" in result.stdout


def test_unknown_log_name_lists_known_ones(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "redis.log").write_text("hello\n")
    result = cli("--state-dir", str(tmp_path), "logs", "nope")
    assert result.returncode == 1
    assert "known: redis" in result.stderr
    shown = cli("--state-dir", str(tmp_path), "logs", "redis")
    assert shown.stdout.strip() == "hello"


def test_unknown_service_is_a_usage_error(tmp_path: Path) -> None:
    result = cli("--state-dir", str(tmp_path), "up", "--services", "identity,bogus")
    assert result.returncode == 2
    assert "unknown service(s): bogus" in result.stderr
