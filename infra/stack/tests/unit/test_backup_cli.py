"""`restore` refuses to replace data under a running fleet (no database is touched)."""

from pathlib import Path

import pytest

from fitness_stack import backup, cli
from fitness_stack.stack import Stack


@pytest.fixture
def running_fleet(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    calls: list[tuple[str, object]] = []
    monkeypatch.setattr(
        Stack,
        "status",
        lambda self: {"postgres": "running (pid 10)", "identity": "running (pid 11)"},
    )

    def fake_restore(admin_url: str, dump: Path, *, into: str | None = None) -> str:
        calls.append((str(dump), into))
        return into or "fitness"

    monkeypatch.setattr(backup, "restore", fake_restore)
    return calls


def _dump(state: Path) -> Path:
    folder = state / "backups"
    folder.mkdir(parents=True)
    path = folder / "fitness-20261201T030000Z.dump"
    path.write_bytes(b"PGDMP")
    return path


def test_in_place_restore_is_refused_while_services_run(
    tmp_path: Path, running_fleet: list[tuple[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    _dump(tmp_path)
    assert cli.main(["--state-dir", str(tmp_path), "restore"]) == 2
    assert "services are running (identity)" in capsys.readouterr().err
    assert running_fleet == []


def test_into_a_new_database_or_forced_goes_ahead(
    tmp_path: Path, running_fleet: list[tuple[str, object]]
) -> None:
    dump = _dump(tmp_path)
    assert cli.main(["--state-dir", str(tmp_path), "restore", "--into", "check"]) == 0
    assert cli.main(["--state-dir", str(tmp_path), "restore", "--force"]) == 0
    assert running_fleet == [(str(dump), "check"), (str(dump), None)]
