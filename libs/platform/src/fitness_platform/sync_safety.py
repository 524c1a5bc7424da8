"""``SyncSafetyMiddleware``: Idempotency-Key on POSTs, ETags on GETs, If-Match on writes.

One pure-ASGI layer, added by ``create_service_app`` inside ``RequestContextMiddleware`` (so the
body limit, correlation id and access log apply to it), for every service with no per-router
code. The rules themselves live in ``idempotency.py`` and ``etags.py``; this module is the HTTP
plumbing around them. A GET pays one header scan and, for single-object routes, one hash of the
body bytes already serialised; requests without the headers behave as before.

If-Match is race-free through a per-object Redis lock (``SET NX PX``) that *every* PUT/PATCH/
DELETE of the object takes, with or without If-Match: the current ETag is read (an internal GET
of the same path) and the write runs while the lock is held, so no other writer can change the
object between the comparison and the write. A same-transaction check would need each service
to hash its own representation; the lock needs none of that. Redis down: conditional writes are
a 503 (never an unchecked write), unconditional ones proceed as before without the lock.
A conditional write's answer carries the object's new ETag (one more internal GET, under the
lock), so a client can chain conditional writes without reading in between.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from typing import Any

from fastapi import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fitness_platform.auth import get_token_verifier, is_revoked
from fitness_platform.etags import (
    ETAG_HEADER,
    IF_MATCH,
    IF_NONE_MATCH,
    etag_of,
    is_single_object,
    match_hit,
    none_match_hit,
    valid_condition,
)
from fitness_platform.idempotency import (
    IDEMPOTENCY_HEADER,
    REPLAYED_HEADER,
    Claim,
    IdempotencyStore,
    InvalidKeyError,
    Outcome,
    StoredResponse,
    fingerprint,
    parse_key,
    record_key,
)
from fitness_platform.problems import allowed_methods, problem_response

log = logging.getLogger("fitness_platform.sync_safety")

_WRITES = frozenset({"PUT", "PATCH", "DELETE"})
# Kept on a 304 (RFC 9110 §15.4.5); the rest describes a body that is not sent.
_KEEP_ON_304 = frozenset({b"cache-control", b"content-location", b"expires", b"vary"})
_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end"


def _headers(scope: Scope, name: bytes) -> list[bytes]:
    return [v for k, v in scope["headers"] if k == name]


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


async def principal(scope: Scope) -> str | None:
    """The verified, unrevoked caller's user id, or None (no, bad or revoked token).

    The handler verifies the token again (a cache hit: ``CachedTokenVerifier``); here it only
    scopes records and locks, and an unverified ``sub`` would let anyone read another user's
    kept answer.
    """
    auth = _header(scope, b"authorization")
    if auth is None or auth[:7].lower() != b"bearer ":
        return None
    request = Request(scope)
    try:
        claims = await get_token_verifier(request).verify(auth[7:].decode("latin-1").strip())
        redis = getattr(request.app.state, "redis", None)
        if redis is not None and await is_revoked(redis, claims):
            return None
    except Exception:
        return None  # the handler answers 401/503 itself
    return str(claims.sub)


async def _send_problem(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    detail: str,
    *,
    slug: str,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    response = problem_response(
        status,
        detail=detail,
        type_slug=slug,
        instance=scope.get("path"),
        headers=headers,
        extra=extra,
    )
    await response(scope, receive, send)


class SyncSafetyMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        service: str,
        idempotency_ttl_s: int,
        idempotency_lock_s: int,
        write_lock_ttl_s: float,
        write_lock_wait_s: float,
    ) -> None:
        self.app = app
        self.service = service
        self.idempotency_ttl_s = idempotency_ttl_s
        self.idempotency_lock_s = idempotency_lock_s
        self.write_lock_ms = int(write_lock_ttl_s * 1000)
        self.write_lock_wait_s = write_lock_wait_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "GET":
            await self._get(scope, receive, send)
        elif method == "POST" and (keys := _headers(scope, IDEMPOTENCY_HEADER)):
            await self._keyed_post(scope, receive, send, keys)
        elif method in _WRITES:
            await self._write(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    # --- GET: ETag and If-None-Match -------------------------------------------------------

    async def _get(self, scope: Scope, receive: Receive, send: Send) -> None:
        held: Message | None = None
        done = False

        async def send_tagged(message: Message) -> None:
            nonlocal held, done
            if done:
                await send(message)
                return
            if held is None:
                route = scope.get("route")
                template = getattr(route, "path", None)
                if message["status"] == 200 and template and is_single_object(template):
                    held = message  # wait for the body to hash it
                    return
                done = True
                await send(message)
                return
            done = True
            start, held = held, None
            if message.get("more_body"):  # streamed: no single body to hash
                await send(start)
                await send(message)
                return
            headers = list(start.get("headers", ()))
            etag = next((v for k, v in headers if k == ETAG_HEADER), None)
            if etag is None:
                etag = etag_of(message.get("body", b"")).encode()
                headers.append((ETAG_HEADER, etag))
            condition = _header(scope, IF_NONE_MATCH)
            if condition is not None and none_match_hit(condition, etag):
                kept = [(k, v) for k, v in headers if k in _KEEP_ON_304 or k == ETAG_HEADER]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({**start, "headers": headers})
            await send(message)

        await self.app(scope, receive, send_tagged)

    # --- POST with Idempotency-Key ---------------------------------------------------------

    async def _keyed_post(
        self, scope: Scope, receive: Receive, send: Send, values: list[bytes]
    ) -> None:
        try:
            key = parse_key(values)
        except InvalidKeyError as exc:
            await _send_problem(scope, receive, send, 400, str(exc), slug="invalid-idempotency-key")
            return
        redis = getattr(scope["app"].state, "redis", None)
        if redis is None:
            await _send_problem(
                scope,
                receive,
                send,
                503,
                "Idempotency-Key needs Redis, which is not configured.",
                slug="idempotency-unavailable",
            )
            return
        try:
            body = await _read_body(receive)
        except HTTPException as exc:  # the body limit, raised while streaming
            await _send_problem(
                scope, receive, send, exc.status_code, str(exc.detail), slug="payload-too-large"
            )
            return
        if body is None:
            return  # the client left before sending its body: nothing ran
        fp = fingerprint(body)
        rkey = record_key(
            service=self.service,
            principal=await principal(scope),
            method="POST",
            path=scope["path"],
            key=key,
            body=body,
        )
        store = IdempotencyStore(
            redis, ttl_s=self.idempotency_ttl_s, lock_s=self.idempotency_lock_s
        )
        try:
            claim = await store.claim(rkey, fp)
        except Exception:
            log.warning("idempotency store unavailable", exc_info=True)
            await _send_problem(
                scope,
                receive,
                send,
                503,
                "The idempotency store is unavailable; the request was not run. Retry later.",
                slug="idempotency-unavailable",
                headers={"Retry-After": "1"},
            )
            return
        if claim.outcome is Outcome.REPLAY:
            assert claim.stored is not None
            stored = claim.stored
            await send(
                {
                    "type": "http.response.start",
                    "status": stored.status,
                    "headers": [*stored.headers, REPLAYED_HEADER],
                }
            )
            await send({"type": "http.response.body", "body": stored.body})
        elif claim.outcome is Outcome.IN_PROGRESS:
            await _send_problem(
                scope,
                receive,
                send,
                409,
                "A request with this Idempotency-Key is still being processed; retry later.",
                slug="idempotency-key-in-use",
                headers={"Retry-After": "1"},
            )
        elif claim.outcome is Outcome.MISMATCH:
            await _send_problem(
                scope,
                receive,
                send,
                422,
                "This Idempotency-Key was used with a different request body.",
                slug="idempotency-key-reused",
                extra={
                    "errors": [
                        {
                            "path": "header.Idempotency-Key",
                            "message": "key already used with another body",
                            "type": "idempotency_key_reused",
                        }
                    ]
                },
            )
        else:
            await self._run_and_keep(scope, receive, send, store, rkey, claim, fp, body)

    async def _run_and_keep(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        store: IdempotencyStore,
        rkey: str,
        claim: Claim,
        fp: str,
        body: bytes,
    ) -> None:
        body_sent = False

        async def replay_receive() -> Message:
            nonlocal body_sent
            if not body_sent:
                body_sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        status = 0
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        complete = False

        async def keep_send(message: Message) -> None:
            nonlocal status, headers, complete
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                complete = not message.get("more_body", False)
            try:
                await send(message)
            except Exception:  # the client is gone; the answer is kept for its retry
                log.info("client left before the response", extra={"path": scope["path"]})

        try:
            await self.app(scope, replay_receive, keep_send)
        except BaseException:
            await store.abandon(rkey, claim)
            raise
        if complete:
            await store.complete(rkey, claim, fp, StoredResponse(status, headers, b"".join(chunks)))
        else:
            await store.abandon(rkey, claim)

    # --- PUT/PATCH/DELETE: per-object lock and If-Match ------------------------------------

    async def _write(self, scope: Scope, receive: Receive, send: Send) -> None:
        condition = _header(scope, IF_MATCH)
        allowed = allowed_methods(scope["app"], scope["path"]) or ""
        caller = await principal(scope)
        # No user or a method the path does not have: the handler/router answers 401/405 first.
        if caller is None or scope["method"] not in allowed.split(", "):
            await self.app(scope, receive, send)
            return
        if condition is not None and not valid_condition(condition):
            await _send_problem(
                scope,
                receive,
                send,
                400,
                'If-Match must be "*" or a list of entity tags such as "abc".',
                slug="invalid-if-match",
            )
            return
        redis = getattr(scope["app"].state, "redis", None)
        if redis is None:
            if condition is None:
                await self.app(scope, receive, send)
            else:
                await _send_problem(
                    scope,
                    receive,
                    send,
                    503,
                    "If-Match needs Redis, which is not configured.",
                    slug="precondition-unavailable",
                )
            return
        path = scope["path"].rstrip("/")
        if path.endswith("/me"):
            # "/users/me" is the caller's "/users/{id}": both spellings take one lock, so a
            # write through one cannot slip between another's If-Match check and its write.
            path = f"{path[:-3]}/{caller}"
        lock = f"wlock:{self.service}:{path}"
        token = secrets.token_hex(8)
        try:
            acquired = await self._acquire(redis, lock, token)
        except Exception:
            if condition is None:
                log.warning("write lock unavailable; unconditional write goes on", exc_info=True)
                await self.app(scope, receive, send)
            else:
                log.warning("write lock unavailable; conditional write refused", exc_info=True)
                await _send_problem(
                    scope,
                    receive,
                    send,
                    503,
                    "If-Match cannot be checked right now; nothing was changed. Retry later.",
                    slug="precondition-unavailable",
                    headers={"Retry-After": "1"},
                )
            return
        if not acquired:
            await _send_problem(
                scope,
                receive,
                send,
                409,
                "The object is being changed by another request.",
                slug="object-busy",
                headers={"Retry-After": "1"},
            )
            return
        try:
            if condition is not None:
                status, current = await self._current_etag(scope)
                # Not 200 (missing, another user's, no GET at this path): the handler answers.
                if status == 200 and not match_hit(condition, current):
                    await _send_problem(
                        scope,
                        receive,
                        send,
                        412,
                        "The object changed since it was read (If-Match); nothing was changed.",
                        slug="precondition-failed",
                        headers={"ETag": current.decode("latin-1")},
                    )
                    return
                await self._write_tagged(scope, receive, send)
            else:
                await self.app(scope, receive, send)
        finally:
            try:
                await redis.eval(_RELEASE, 1, lock, token)
            except Exception:  # expires by itself after write_lock_ttl_s
                log.warning("write lock not released", exc_info=True)

    async def _write_tagged(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run a conditional write and give its 2xx answer the object's new ``ETag``.

        A client that writes with If-Match needs the new tag for its next write; without it, it
        would have to GET again. The tag comes from a GET of the path while the write lock is
        still held, so it is the state this write left. Unconditional writes skip that GET.
        """
        start: Message | None = None
        chunks: list[Message] = []

        async def hold(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message)
            else:
                await send(message)

        await self.app(scope, receive, hold)
        if start is None:
            return
        if 200 <= start["status"] < 300 and start["status"] != 204:
            status, etag = await self._current_etag(scope)
            if status == 200:
                headers = [(k, v) for k, v in start.get("headers", ()) if k != ETAG_HEADER]
                start = {**start, "headers": [*headers, (ETAG_HEADER, etag)]}
        await send(start)
        for chunk in chunks:
            await send(chunk)

    async def _acquire(self, redis: Any, lock: str, token: str) -> bool:
        deadline = time.monotonic() + self.write_lock_wait_s
        pause = 0.005
        while True:
            if await redis.set(lock, token, nx=True, px=self.write_lock_ms):
                return True
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(pause)  # another writer of this object holds it: back off
            pause = min(pause * 2, 0.1)

    async def _current_etag(self, scope: Scope) -> tuple[int, bytes]:
        """The object's current status and ETag, by a GET of the same path through the app."""
        drop = {
            b"content-length",
            b"content-type",
            b"if-match",
            b"if-none-match",
            b"transfer-encoding",
            IDEMPOTENCY_HEADER,
        }
        sub: Scope = {
            **scope,
            "method": "GET",
            "query_string": b"",
            "headers": [(k, v) for k, v in scope["headers"] if k not in drop],
        }
        status = 0
        etag: bytes | None = None
        chunks: list[bytes] = []

        async def no_body() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def capture(message: Message) -> None:
            nonlocal status, etag
            if message["type"] == "http.response.start":
                status = message["status"]
                etag = next((v for k, v in message.get("headers", ()) if k == ETAG_HEADER), None)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(sub, no_body, capture)
        return status, etag if etag is not None else etag_of(b"".join(chunks)).encode()


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body (already bounded by the body limit), or None on a disconnect."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)
