"""Head revisions read statically from version files (the launcher's skip-at-head check)."""

from pathlib import Path

from fitness_stack.migrations import repo_root, script_heads
from fitness_stack.state import SERVICES


def versions(root: Path, files: dict[str, str]) -> Path:
    folder = root / "services" / "svc" / "migrations" / "versions"
    folder.mkdir(parents=True)
    (root / "services" / "svc" / "alembic.ini").write_text("[alembic]\n")
    for name, body in files.items():
        (folder / name).write_text(body)
    return root


def test_a_linear_chain_has_its_last_revision_as_head(tmp_path: Path) -> None:
    root = versions(
        tmp_path,
        {
            "a.py": 'revision = "0001"\ndown_revision = None\n',
            "b.py": 'revision: str = "0002"\ndown_revision: str | None = "0001"\n',
        },
    )
    assert script_heads("svc", root) == {"0002"}


def test_branches_and_a_merge(tmp_path: Path) -> None:
    files = {
        "a.py": 'revision = "a"\ndown_revision = None\n',
        "b.py": 'revision = "b"\ndown_revision = "a"\n',
        "c.py": 'revision = "c"\ndown_revision = "a"\n',
    }
    assert script_heads("svc", versions(tmp_path / "two", files)) == {"b", "c"}
    files["m.py"] = 'revision = "m"\ndown_revision = ("b", "c")\n'
    assert script_heads("svc", versions(tmp_path / "merged", files)) == {"m"}


def test_anything_not_plain_means_ask_alembic(tmp_path: Path) -> None:
    dynamic = versions(tmp_path / "dyn", {"a.py": 'revision = "00" + "01"\ndown_revision = None\n'})
    assert script_heads("svc", dynamic) is None
    dangling = versions(tmp_path / "dangling", {"b.py": 'revision = "b"\ndown_revision = "a"\n'})
    assert script_heads("svc", dangling) is None
    assert script_heads("svc", versions(tmp_path / "empty", {})) is None


def test_every_service_of_the_repo_has_one_readable_head() -> None:
    root = repo_root()
    for service in SERVICES:
        if (root / "services" / service / "alembic.ini").is_file():
            heads = script_heads(service, root)
            assert heads is not None, service
            assert len(heads) == 1, service
