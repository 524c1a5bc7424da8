"""The pure rules behind SyncSafetyMiddleware: key syntax, record scope, ETag comparisons."""

from __future__ import annotations

import pytest

from fitness_platform.etags import (
    etag_of,
    is_single_object,
    match_hit,
    none_match_hit,
    valid_condition,
)
from fitness_platform.idempotency import InvalidKeyError, parse_key, record_key


@pytest.mark.parametrize(
    ("raw", "key"),
    [(b"abc", "abc"), (b'"8e03978e-40d5"', "8e03978e-40d5"), (b"  a b  ", "a b"),
     (b"x" * 255, "x" * 255)],
)  # fmt: skip
def test_valid_keys(raw: bytes, key: str) -> None:
    assert parse_key([raw]) == key


@pytest.mark.parametrize("raw", [b"", b'""', b"x" * 256, b"caf\xc3\xa9", b"a\tb", b"\x7f"])
def test_invalid_keys(raw: bytes) -> None:
    with pytest.raises(InvalidKeyError):
        parse_key([raw])


def test_two_key_headers_are_refused() -> None:
    with pytest.raises(InvalidKeyError):
        parse_key([b"a", b"b"])


def test_record_scope() -> None:
    base = {"service": "s", "method": "POST", "path": "/x", "key": "k"}
    user = record_key(principal="u1", body=b"1", **base)
    assert user == record_key(principal="u1", body=b"2", **base)  # body checked, not scoped
    assert user != record_key(principal="u2", body=b"1", **base)
    assert user != record_key(principal="u1", body=b"1", **{**base, "path": "/y"})
    anon = record_key(principal=None, body=b"1", **base)
    assert anon != record_key(principal=None, body=b"2", **base)  # anonymous: body is the scope


def test_etag_comparisons() -> None:
    tag = etag_of(b'{"a":1}').encode()
    assert tag.startswith(b'"')
    assert len(tag) == 34
    assert tag != etag_of(b'{"a":2}').encode()
    assert none_match_hit(b'"x", ' + tag, tag)
    assert none_match_hit(b"W/" + tag, tag)
    assert none_match_hit(b"*", tag)
    assert not none_match_hit(b'"x"', tag)
    assert match_hit(tag, tag)
    assert match_hit(b"*", tag)
    assert not match_hit(b"W/" + tag, tag)  # If-Match is strong
    assert not match_hit(b'"x"', tag)


@pytest.mark.parametrize(
    ("template", "single"),
    [("/workouts/{workout_id:uuid}", True), ("/users/me", True), ("/nutrition/me", True),
     ("/progress/weight/{day}", True), ("/workouts", False), ("/workouts/template", False),
     ("/progress/summary", False)],
)  # fmt: skip
def test_single_object_routes(template: str, single: bool) -> None:
    assert is_single_object(template) is single


@pytest.mark.parametrize(
    ("value", "ok"),
    [(b"*", True), (b'"abc"', True), (b'W/"a", "b"', True), (b"", False), (b"abc", False),
     (b'"a', False), (b'"a" "b"', False)],
)  # fmt: skip
def test_if_match_syntax(value: bytes, ok: bool) -> None:
    assert valid_condition(value) is ok
