from __future__ import annotations

import uuid

import pytest

from gateway.auth import bearer_token
from gateway.headers import (
    downstream_response_headers,
    request_id,
    traceparent,
    upstream_request_headers,
)


def _upstream(headers: list[tuple[bytes, bytes]], **kw: object) -> dict[str, list[str]]:
    args: dict[str, object] = {
        "user_id": "u-1",
        "roles": ("user", "admin"),
        "request_id": "rid-1",
        "traceparent": "00-" + "a" * 32 + "-" + "b" * 16 + "-01",
        "keep_tracestate": True,
        "client_ip": "203.0.113.9",
        "scheme": "https",
    }
    args.update(kw)
    out: dict[str, list[str]] = {}
    for name, value in upstream_request_headers(headers, **args):  # type: ignore[arg-type]
        out.setdefault(name, []).append(value)
    return out


def test_client_identity_headers_are_replaced() -> None:
    seen = _upstream(
        [
            (b"x-user-id", b"forged"),
            (b"X-User-Roles", b"admin"),
            (b"x-user-email", b"a@b.c"),
            (b"authorization", b"Bearer t"),
            (b"accept", b"application/json"),
        ]
    )
    assert seen["x-user-id"] == ["u-1"]
    assert seen["x-user-roles"] == ["user,admin"]
    assert "x-user-email" not in seen
    assert seen["authorization"] == ["Bearer t"]
    assert seen["accept"] == ["application/json"]


def test_anonymous_request_gets_no_identity_headers() -> None:
    seen = _upstream([(b"x-user-id", b"forged")], user_id=None, roles=())
    assert "x-user-id" not in seen
    assert "x-user-roles" not in seen


def test_hop_by_hop_and_gateway_owned_headers_are_dropped() -> None:
    seen = _upstream(
        [
            (b"connection", b"keep-alive, X-Custom-Hop"),
            (b"x-custom-hop", b"1"),
            (b"keep-alive", b"timeout=5"),
            (b"transfer-encoding", b"chunked"),
            (b"te", b"trailers"),
            (b"upgrade", b"websocket"),
            (b"proxy-authorization", b"Basic x"),
            (b"host", b"api.example.com"),
            (b"content-length", b"12"),
            (b"x-forwarded-for", b"1.2.3.4"),
            (b"x-request-id", b"client-id"),
            (b"traceparent", b"00-bad"),
            (b"tracestate", b"k=v"),
        ]
    )
    for gone in (
        "connection",
        "x-custom-hop",
        "keep-alive",
        "transfer-encoding",
        "te",
        "upgrade",
        "proxy-authorization",
        "content-length",
    ):
        assert gone not in seen, gone
    assert seen["host"] == ["api.example.com"]  # the public host, for upstream-built URLs
    assert seen["x-forwarded-for"] == ["203.0.113.9"]
    assert seen["x-forwarded-host"] == ["api.example.com"]
    assert seen["x-forwarded-proto"] == ["https"]
    assert seen["x-request-id"] == ["rid-1"]
    assert seen["traceparent"] == ["00-" + "a" * 32 + "-" + "b" * 16 + "-01"]
    assert seen["tracestate"] == ["k=v"]


def test_tracestate_dropped_with_a_new_trace() -> None:
    seen = _upstream([(b"tracestate", b"k=v")], keep_tracestate=False)
    assert "tracestate" not in seen


def test_response_headers_filtered() -> None:
    out = downstream_response_headers(
        [
            (b"Content-Type", b"application/json"),
            (b"Connection", b"close, X-Hop"),
            (b"X-Hop", b"1"),
            (b"Transfer-Encoding", b"chunked"),
            (b"Date", b"Mon"),
            (b"Server", b"uvicorn"),
            (b"Set-Cookie", b"a=1"),
            (b"Set-Cookie", b"b=2"),
        ]
    )
    assert out == [
        (b"content-type", b"application/json"),
        (b"set-cookie", b"a=1"),
        (b"set-cookie", b"b=2"),
    ]


@pytest.mark.parametrize("value", [b"abc-123", b"a.b:c@d+e=f/g_h", b"x" * 128])
def test_sane_request_id_is_kept(value: bytes) -> None:
    assert request_id(value) == value.decode()


@pytest.mark.parametrize("value", [None, b"", b"has space", b"x" * 129, b"new\nline", b"\xe9"])
def test_insane_request_id_is_replaced(value: bytes | None) -> None:
    rid = request_id(value)
    assert uuid.UUID(rid).version == 4


def test_traceparent_continued_with_new_parent() -> None:
    incoming = b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"
    header, trace_id, span_id, continued = traceparent(incoming)
    assert continued
    assert trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert header == f"00-{trace_id}-{span_id}-00"
    assert span_id != "00f067aa0ba902b7"


@pytest.mark.parametrize(
    "value",
    [
        None,
        b"garbage",
        b"00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        b"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        b"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        b"00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
    ],
)
def test_traceparent_created_when_missing_or_invalid(value: bytes | None) -> None:
    header, trace_id, span_id, continued = traceparent(value)
    assert not continued
    assert header == f"00-{trace_id}-{span_id}-01"
    assert len(trace_id) == 32
    assert trace_id != "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.mark.parametrize(
    ("value", "token"),
    [
        (b"Bearer abc.def.ghi", "abc.def.ghi"),
        (b"bearer abc", "abc"),
        (b"BEARER  abc ", "abc"),
        (b"Basic dXNlcjpwdw==", None),
        (b"Bearer", None),
        (b"Bearer a b", None),
        (b"", None),
        (None, None),
    ],
)
def test_bearer_token(value: bytes | None, token: str | None) -> None:
    assert bearer_token(value) == token
