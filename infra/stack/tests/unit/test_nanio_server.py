"""nanio's listings must not show uploads still in flight (tansu parses every listed name)."""

import asyncio
from pathlib import Path

from fitness_stack import s3
from fitness_stack.nanio_server import hide_in_flight_uploads


def _keys(storage: object, bucket: str, prefix: str) -> list[str]:
    result = storage.list_objects(bucket, prefix=prefix)  # type: ignore[attr-defined]
    return [obj.key for obj in result.contents]


def test_in_flight_upload_files_are_not_listed(tmp_path: Path) -> None:
    from nanio.storage.filesystem import FilesystemStorage

    storage = FilesystemStorage(tmp_path)
    storage.create_bucket("tansu")
    prefix = "clusters/c/topics/t/partitions/0000000000/records/"

    async def put(key: str) -> None:
        async def body():  # type: ignore[no-untyped-def]
            yield b"batch"

        await storage.put_object("tansu", key, body())

    asyncio.run(put(prefix + "00000000000000000000.batch"))
    records = next((tmp_path / "tansu").rglob("00000000000000000000.batch")).parent
    # What nanio leaves while a PUT is being written: <dir>/.tmp.<hex>, renamed at the end.
    (records / ".tmp.0123456789abcdef0123456789abcdef").write_bytes(b"half a batch")

    from nanio.storage import filesystem

    if not getattr(filesystem.is_internal_name, "hides_in_flight", False):
        # Plain nanio 0.1.7 lists it: the bug this wrapper exists for.
        assert len(_keys(storage, "tansu", prefix)) == 2
    hide_in_flight_uploads()
    hide_in_flight_uploads()  # idempotent
    assert _keys(storage, "tansu", prefix) == [prefix + "00000000000000000000.batch"]


def test_the_stack_starts_nanio_through_the_wrapper(tmp_path: Path) -> None:
    argv = s3.server_argv(59000, tmp_path)
    assert argv[1:3] == ["-m", "fitness_stack.nanio_server"]
    assert argv[3] == "serve"
