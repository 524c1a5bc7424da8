"""Size limits per kind, file names, server-chosen keys."""

from __future__ import annotations

import uuid

import pytest

from media.domain.content_types import ContentType
from media.domain.uploads import SizeLimits, filename_problem, object_key, parse_key, user_prefix

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
