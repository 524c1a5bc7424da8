"""The hot path: a pure ASGI app that checks, limits and forwards one request upstream.

One pooled ``aiohttp.ClientSession`` carries every upstream call (DESIGN §10: httpx's pool caps a
Python proxy near 520 req/s on 2 cores, aiohttp ~4,800). Request bodies are read into memory —
bounded by ``max_body_bytes`` (1 MiB), counted chunk by chunk — so the login email can be read
and the same bytes re-sent; response bodies stream back chunk by chunk.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson
from starlette.types import Message, Receive, Scope, Send
from yarl import URL

from fitness_platform.logging import correlation_id_var, user_id_var
from fitness_platform.problems import PROBLEM_MEDIA_TYPE, problem_body
from gateway import metrics
from gateway.auth import Authenticator, AuthError, Principal
from gateway.headers import (
    downstream_response_headers,
    request_id,
    traceparent,
    upstream_request_headers,
)
from gateway.ratelimit import (
    ALLOW,
    Decision,
    Rate,
    RateLimiter,
    RedisError,
    account_email,
    build_limits,
)
from gateway.routes import RateRule, RouteTable, is_safe_path, rate_rule
from gateway.tracing import end_span, start_span

log = logging.getLogger("gateway.proxy")
access_log = logging.getLogger("gateway.access")

# Idempotent methods may be retried once when a pooled keep-alive connection turns out dead.
_RETRYABLE = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Small responses with a known length are read whole and sent in one ASGI message.
_SMALL_BODY = 64 * 1024
_SKIP_AUTO = frozenset({"User-Agent", "Accept-Encoding", "Content-Type"})


@dataclass(slots=True)
class ProxyConfig:
    upstreams: dict[str, str]
    max_body_bytes: int
    rates: dict[tuple[RateRule, str], Rate | None]
    denylist_fail_open: bool
    # An exported OpenTelemetry span per proxied request (only when an OTLP endpoint is set;
    # otherwise the gateway just continues the W3C trace context by hand, at no cost).
    tracing: bool = False


class _Refusal(Exception):
    def __init__(
        self,
        status: int,
        detail: str,
        *,
        headers: list[tuple[bytes, bytes]] | None = None,
        type_slug: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or []
        self.type_slug = type_slug
        self.extra = extra


class ProxyApp:
    def __init__(
        self,
        *,
        config: ProxyConfig,
        table: RouteTable,
        session: aiohttp.ClientSession,
        authenticator: Authenticator,
        limiter: RateLimiter,
    ) -> None:
        self.config = config
        self.table = table
        self.session = session
        self.authenticator = authenticator
        self.limiter = limiter
        self._bases = {name: url.rstrip("/") for name, url in config.upstreams.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            headers.setdefault(name, value)
        rid = request_id(headers.get(b"x-request-id"))
        cid_token = correlation_id_var.set(rid)
        uid_token = user_id_var.set(None)
        tp, trace_id, span_id, continued = traceparent(headers.get(b"traceparent"))
        span = None
        if self.config.tracing:
            span, tp, trace_id, span_id = start_span(scope, headers)
        state: dict[str, Any] = {"status": 500, "service": None}
        try:
            await self._handle(scope, receive, send, headers, rid, tp, continued, state)
        except _Refusal as exc:
            state["status"] = exc.status
            await _send_problem(send, scope, rid, exc)
        except Exception:
            log.exception("proxy failure", extra={"path": scope.get("path")})
            if not state.get("started"):
                state["status"] = 500
                await _send_problem(
                    send,
                    scope,
                    rid,
                    _Refusal(
                        500,
                        "An unexpected error occurred; quote the correlationId when reporting it.",
                    ),
                )
        finally:
            service = state["service"] or "none"
            metrics.count_proxied(service, scope["method"], str(state["status"]))
            access_log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": state.get("route") or "unmatched",
                    "path": scope["path"],
                    "status": state["status"],
                    "upstream": state["service"],
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "trace_id": trace_id,
                    "span_id": span_id,
                },
            )
            if span is not None:
                end_span(span, scope["method"], state)
            user_id_var.reset(uid_token)
            correlation_id_var.reset(cid_token)

    async def _handle(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: dict[bytes, bytes],
        rid: str,
        tp: str,
        continued: bool,
        state: dict[str, Any],
    ) -> None:
        method: str = scope["method"]
        path: str = scope["path"]
        if not is_safe_path(path):
            raise _Refusal(400, "The request path is not in canonical form.")
        route = self.table.match(path)
        if route is None:
            raise _Refusal(404, "No API route matches this path.")
        state["service"] = route.service
        state["route"] = route.prefix

        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                raise _Refusal(400, "Invalid Content-Length header.") from None
            if length > self.config.max_body_bytes:
                raise self._too_large()

        try:
            principal = await self.authenticator.authenticate(
                method, path, headers.get(b"authorization")
            )
        except AuthError as exc:
            metrics.AUTH_FAILURES.labels(exc.reason).inc()
            raise _Refusal(
                exc.status,
                exc.detail,
                headers=[(k.lower().encode(), v.encode()) for k, v in exc.headers.items()],
            ) from exc
        if principal is not None:
            user_id_var.set(principal.user_id)

        body = await self._read_body(receive)
        if body is None:  # client went away
            state["status"] = 499
            return

        client_ip = _client_ip(scope)
        decision = await self._rate_limit(method, path, body, headers, client_ip, principal)
        rl_headers = decision.headers()

        upstream_headers = upstream_request_headers(
            scope["headers"],
            user_id=principal.user_id if principal else None,
            roles=principal.roles if principal else (),
            request_id=rid,
            traceparent=tp,
            keep_tracestate=continued,
            client_ip=client_ip,
            scheme=scope.get("scheme", "http"),
        )
        raw_path: bytes = scope.get("raw_path") or path.encode()
        base = self._bases.get(route.service)
        if base is None:
            metrics.UPSTREAM_ERRORS.labels(route.service, "unconfigured").inc()
            raise _Refusal(
                503,
                f"The {route.service} service is unavailable.",
                headers=[(b"retry-after", b"5")],
                extra={"service": route.service},
            )
        target = base + raw_path.decode("latin-1")
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        await self._forward(
            scope, send, method, URL(target, encoded=True), upstream_headers, body, rid,
            rl_headers, route.service, state,
        )  # fmt: skip

    def _too_large(self) -> _Refusal:
        return _Refusal(
            413, f"The request body exceeds the limit of {self.config.max_body_bytes} bytes."
        )

    async def _read_body(self, receive: Receive) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > self.config.max_body_bytes:
                    raise self._too_large()
                chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _rate_limit(
        self,
        method: str,
        path: str,
        body: bytes,
        headers: dict[bytes, bytes],
        client_ip: str,
        principal: Principal | None,
    ) -> Decision:
        rule = rate_rule(method, path)
        email = (
            account_email(body, headers.get(b"content-type"))
            if rule is not RateRule.DEFAULT
            else None
        )
        limits = build_limits(
            rule=rule,
            rates=self.config.rates,
            client_ip=client_ip,
            user_id=principal.user_id if principal else None,
            email=email,
        )
        try:
            decision = await self.limiter.check(limits, token=principal)
        except (TimeoutError, RedisError, OSError) as exc:
            # Rate limiting fails open: a Redis outage must not take the API down with it.
            # The denylist fails closed unless configured otherwise (a revoked token must not pass).
            metrics.RATE_LIMIT_BACKEND_ERRORS.inc()
            log.warning("rate-limit backend unavailable", extra={"error": repr(exc)})
            if principal is not None and not self.config.denylist_fail_open:
                metrics.AUTH_FAILURES.labels("denylist_unavailable").inc()
                # Retry-After as on every other 503 here: clients back off instead of hammering.
                raise _Refusal(
                    503,
                    "Token revocation status is unavailable.",
                    headers=[(b"retry-after", b"1")],
                ) from exc
            return ALLOW
        if decision.denied:
            metrics.AUTH_FAILURES.labels("revoked").inc()
            raise _Refusal(
                401,
                "Token has been revoked.",
                headers=[(b"www-authenticate", b'Bearer error="invalid_token"')],
            )
        if not decision.allowed:
            assert decision.limit is not None
            metrics.RATE_LIMITED.labels(rule.value, decision.limit.scope).inc()
            raise _Refusal(
                429,
                f"Too many requests; retry after {decision.retry_after_s} s.",
                headers=decision.headers(),
            )
        return decision

    async def _forward(
        self,
        scope: Scope,
        send: Send,
        method: str,
        url: URL,
        headers: list[tuple[str, str]],
        body: bytes,
        rid: str,
        extra_headers: list[tuple[bytes, bytes]],
        service: str,
        state: dict[str, Any],
    ) -> None:
        sent_at = time.perf_counter()
        attempts = 2 if method in _RETRYABLE else 1
        for attempt in range(attempts):
            try:
                async with self.session.request(
                    method,
                    url,
                    headers=headers,
                    data=body or None,
                    allow_redirects=False,
                    skip_auto_headers=_SKIP_AUTO,
                ) as resp:
                    metrics.observe_upstream_latency(service, time.perf_counter() - sent_at)
                    await self._relay(send, resp, rid, extra_headers, state)
                    return
            except (aiohttp.ConnectionTimeoutError, aiohttp.ClientConnectorError) as exc:
                self._unavailable(service, exc)
            except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
                if state.get("started"):
                    raise  # mid-body: nothing left to answer; the access log has the status
                metrics.UPSTREAM_ERRORS.labels(service, "timeout").inc()
                raise _Refusal(
                    504,
                    f"The {service} service did not answer in time.",
                    extra={"service": service},
                ) from exc
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
                if state.get("started"):
                    raise
                if attempt + 1 < attempts:
                    continue
                metrics.UPSTREAM_ERRORS.labels(service, "broken").inc()
                raise _Refusal(
                    502, f"The {service} service closed the connection.", extra={"service": service}
                ) from exc

    def _unavailable(self, service: str, exc: Exception) -> None:
        metrics.UPSTREAM_ERRORS.labels(service, "unavailable").inc()
        log.warning("upstream unavailable", extra={"upstream": service, "error": repr(exc)})
        raise _Refusal(
            503,
            f"The {service} service is unavailable.",
            headers=[(b"retry-after", b"5")],
            extra={"service": service},
        ) from exc

    async def _relay(
        self,
        send: Send,
        resp: aiohttp.ClientResponse,
        rid: str,
        extra_headers: list[tuple[bytes, bytes]],
        state: dict[str, Any],
    ) -> None:
        out_headers = downstream_response_headers(resp.raw_headers)
        out_headers.append((b"x-request-id", rid.encode()))
        out_headers.extend(extra_headers)
        length = resp.content_length
        small = length is not None and length <= _SMALL_BODY
        # Read a small body before starting the response, so a failure can still be a problem.
        first = await resp.read() if small else b""
        state["status"] = resp.status
        state["started"] = True
        await send({"type": "http.response.start", "status": resp.status, "headers": out_headers})
        if small:
            await send({"type": "http.response.body", "body": first, "more_body": False})
            return
        async for chunk in resp.content.iter_any():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def _client_ip(scope: Scope) -> str:
    # uvicorn has already applied X-Forwarded-For from trusted proxies (FORWARDED_ALLOW_IPS).
    client = scope.get("client")
    return client[0] if client else "unknown"


async def _send_problem(send: Send, scope: Scope, rid: str, exc: _Refusal) -> None:
    body = orjson.dumps(
        problem_body(
            exc.status,
            detail=exc.detail,
            type_slug=exc.type_slug,
            instance=scope.get("path"),
            extra=exc.extra,
        )
    )
    headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"x-request-id", rid.encode()),
        *exc.headers,
    ]
    message: Message = {"type": "http.response.start", "status": exc.status, "headers": headers}
    await send(message)
    await send({"type": "http.response.body", "body": body, "more_body": False})
