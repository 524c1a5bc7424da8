"""Header hygiene for both directions of the proxy: identity, correlation and trace headers."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterable

# RFC 9110 §7.6.1 hop-by-hop fields, plus the legacy ones proxies still see.
HOP_BY_HOP: frozenset[bytes] = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"trailers",
        b"transfer-encoding",
        b"upgrade",
    }
)

# Request headers the gateway sets itself; a client's copy is dropped, never merged.
# ``Host`` is kept on purpose (as nginx's ``proxy_set_header Host $host``): redirects and
# ``Location`` headers an upstream builds then point at the public host, not at 127.0.0.1:800x.
# ``Expect: 100-continue`` was already answered by our server; the body is sent whole upstream.
_GATEWAY_SET: frozenset[bytes] = frozenset(
    {
        b"expect",
        b"content-length",
        b"x-request-id",
        b"traceparent",
        b"tracestate",
        b"x-forwarded-for",
        b"x-forwarded-proto",
        b"x-forwarded-host",
        b"forwarded",
        b"x-real-ip",
    }
)

# Response headers uvicorn writes itself (a second copy would duplicate them).
_RESPONSE_DROP: frozenset[bytes] = frozenset({b"date", b"server", b"x-request-id"})

# Built once, not per request (the Connection header's own list is added when present).
_REQUEST_DROP = HOP_BY_HOP | _GATEWAY_SET
_DOWNSTREAM_DROP = HOP_BY_HOP | _RESPONSE_DROP

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:@+=/-]{1,128}$")
_TRACEPARENT_RE = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


# os.urandom, taken 4 KiB at a time: a request needs 40 random bytes (request id, trace id,
# span id) and three getrandom() system calls per request cost more than the ids themselves.
_entropy = bytearray()


def random_bytes(n: int) -> bytes:
    """``n`` bytes from the OS's CSPRNG (like ``os.urandom``), buffered."""
    if len(_entropy) < n:
        _entropy[:] = os.urandom(4096)
    out = bytes(_entropy[:n])
    del _entropy[:n]
    return out


# A forked child must not hand out the same bytes as its parent.
os.register_at_fork(after_in_child=_entropy.clear)


def connection_tokens(headers: Iterable[tuple[bytes, bytes]]) -> frozenset[bytes]:
    """Field names listed in ``Connection`` are hop-by-hop too (RFC 9110 §7.6.1)."""
    out: set[bytes] = set()
    for name, value in headers:
        if name.lower() == b"connection":
            out.update(t.strip().lower() for t in value.split(b",") if t.strip())
    return frozenset(out)


def request_id(value: bytes | None) -> str:
    """Accept a client's id if short and in a safe charset (it lands in logs); else a new one."""
    if value:
        text = value.decode("latin-1")
        if _REQUEST_ID_RE.fullmatch(text):
            return text
    return str(uuid.UUID(bytes=random_bytes(16), version=4))


def traceparent(value: bytes | None) -> tuple[str, str, str, bool]:
    """W3C Trace Context: keep the caller's trace id, add the gateway's own hop as parent.

    Returns ``(traceparent to send upstream, trace_id, span_id, continued)``; a missing or
    malformed header (all-zero ids, version ff) starts a new sampled trace.
    """
    span_id = random_bytes(8).hex()
    if value:
        m = _TRACEPARENT_RE.fullmatch(value.decode("latin-1").strip().lower())
        if m:
            version, trace_id, parent, flags = m.groups()
            if version != "ff" and trace_id != "0" * 32 and parent != "0" * 16:
                return f"00-{trace_id}-{span_id}-{flags}", trace_id, span_id, True
    trace_id = random_bytes(16).hex()
    return f"00-{trace_id}-{span_id}-01", trace_id, span_id, False


def upstream_request_headers(
    headers: Iterable[tuple[bytes, bytes]],
    *,
    user_id: str | None,
    roles: Iterable[str],
    request_id: str,
    traceparent: str,
    keep_tracestate: bool,
    client_ip: str,
    scheme: str,
) -> list[tuple[str, str]]:
    """What the upstream sees: the client's end-to-end headers (``Authorization`` included,
    services verify again) minus every ``X-User-*`` it sent, plus the gateway's own."""
    headers = list(headers)
    listed = connection_tokens(headers)
    drop = _REQUEST_DROP | listed if listed else _REQUEST_DROP
    out: list[tuple[str, str]] = []
    host: bytes | None = None
    tracestate: bytes | None = None
    for name, value in headers:
        lname = name.lower()
        if lname == b"host":
            host = value
        if lname == b"tracestate":
            tracestate = value
        if lname in drop or lname.startswith(b"x-user-"):
            continue
        out.append((lname.decode("latin-1"), value.decode("latin-1")))
    if user_id is not None:
        out.append(("x-user-id", user_id))
        out.append(("x-user-roles", ",".join(roles)))
    out.append(("x-request-id", request_id))
    out.append(("traceparent", traceparent))
    # W3C: tracestate only travels with the traceparent it belongs to.
    if tracestate is not None and keep_tracestate:
        out.append(("tracestate", tracestate.decode("latin-1")))
    out.append(("x-forwarded-for", client_ip))
    out.append(("x-forwarded-proto", scheme))
    if host is not None:
        out.append(("x-forwarded-host", host.decode("latin-1")))
    return out


def downstream_response_headers(raw: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Upstream response headers minus hop-by-hop ones and those uvicorn adds itself."""
    raw = list(raw)
    listed = connection_tokens(raw)
    drop = _DOWNSTREAM_DROP | listed if listed else _DOWNSTREAM_DROP
    return [(n.lower(), v) for n, v in raw if n.lower() not in drop]
