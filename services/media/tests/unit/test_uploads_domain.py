"""Size limits per kind, file names, server-chosen keys."""

from __future__ import annotations

import uuid

import pytest

from media.domain.content_types import ContentType
from media.domain.uploads import (
    SizeLimits,
    bytes_mismatch,
    filename_problem,
    metadata_mismatch,
    object_key,
    parse_key,
    user_prefix,
)

MIB = 1024 * 1024


def test_limit_by_kind() -> None:
    limits = SizeLimits(image_bytes=10 * MIB, video_bytes=200 * MIB)
    assert limits.for_type(ContentType.JPEG) == 10 * MIB
    assert limits.for_type(ContentType.HEIC) == 10 * MIB
    assert limits.for_type(ContentType.MP4) == 200 * MIB


@pytest.mark.parametrize("name", ["me.jpg", "IMG 0001.HEIC", "ünïcode.png", "a" * 200, "..x.jpg"])
def test_plain_names_pass(name: str) -> None:
    assert filename_problem(name) is None


@pytest.mark.parametrize(
    "name", ["", "../x.jpg", "a/b.jpg", "..\\x.jpg", "C:\\x.jpg", ".", "..", "a\x00.jpg", "a" * 201]
)
def test_unsafe_names_fail(name: str) -> None:
    assert filename_problem(name) is not None


def test_keys_are_user_prefixed_and_parse_back() -> None:
    user, asset = uuid.uuid4(), uuid.uuid4()
    key = object_key(user, asset)
    assert key.startswith(user_prefix(user))
    assert parse_key(key) == (user, asset)
    assert parse_key("not-a-key") is None
    assert parse_key(f"{user}/x.jpg") is None


def test_metadata_mismatch() -> None:
    ok = {"declared_type": ContentType.PNG, "declared_size": 100}
    assert metadata_mismatch(**ok, size=100, stored_type="image/png") is None
    assert metadata_mismatch(**ok, size=100, stored_type="Image/PNG; charset=binary") is None
    size = metadata_mismatch(**ok, size=101, stored_type="image/png")
    assert size is not None
    assert (size.field, size.reason) == ("sizeBytes", "size_mismatch")
    kind = metadata_mismatch(**ok, size=100, stored_type="text/html")
    assert kind is not None
    assert (kind.field, kind.reason) == ("contentType", "content_type_mismatch")
    missing = metadata_mismatch(**ok, size=100, stored_type=None)
    assert missing is not None
    assert "unknown" in missing.message


def test_bytes_mismatch_names_what_was_found() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00"
    assert bytes_mismatch(declared_type=ContentType.PNG, head=png) is None
    found = bytes_mismatch(declared_type=ContentType.JPEG, head=png)
    assert found is not None
    assert (found.field, found.reason) == ("bytes", "magic_mismatch")
    assert "image/png" in found.message
    empty = bytes_mismatch(declared_type=ContentType.JPEG, head=b"")
    assert empty is not None
    assert "not an allowed type" in empty.message
