"""Idempotency-Key (IETF draft ``httpapi-idempotency-key-header``) for POSTs, kept in Redis.

A retried POST (the phone lost the answer) must not repeat its effect. The first request with a
key claims a Redis record with ``SET NX`` (shared by every replica); its response is kept for
``idempotency_ttl_s``; a retry with the same key and body gets that response again with
``Idempotent-Replayed: true``. ``SyncSafetyMiddleware`` (``middleware.py``) drives it.

Failure modes, chosen so that an effect is never repeated silently:
- Redis down when a keyed request arrives: 503 problem, the request is not run.
- Redis lost after the effect (the response cannot be kept): the in-flight record stays until
  ``idempotency_lock_s`` ends (a retry meanwhile is a 409); logged as an error.
- A 5xx (or a crash) is not kept: the record is removed so the client may retry.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from enum import Enum
from typing import Any

import orjson

IDEMPOTENCY_HEADER = b"idempotency-key"
REPLAYED_HEADER = (b"idempotent-replayed", b"true")
# Visible ASCII and inner spaces (the draft's sf-string); a quoted value is unquoted first.
_KEY_RE = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?")
# Transient answers a retry should run again rather than replay.
_NOT_KEPT = frozenset({408, 425, 429})

log = logging.getLogger("fitness_platform.idempotency")

# Claim release/completion only while the record is still this request's claim: a request that
# outlived its claim must not overwrite or delete the record of the retry that took over.
_FINISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then return redis.call('DEL', KEYS[1]) end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
"""


class InvalidKeyError(ValueError):
    """The header is not 1–255 printable ASCII characters (or is sent twice)."""


def parse_key(values: list[bytes]) -> str:
    if len(values) != 1:
        raise InvalidKeyError("Send exactly one Idempotency-Key header.")
    text = values[0].decode("latin-1").strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    if not _KEY_RE.fullmatch(text):
        raise InvalidKeyError("Idempotency-Key must be 1 to 255 printable ASCII characters.")
    return text


def record_key(
    *, service: str, principal: str | None, method: str, path: str, key: str, body: bytes
) -> str:
    """Redis key of one (caller, method, path, key).

    Anonymous POSTs (login, refresh, register, password reset) have no user: their scope is the
    key *and* the body (which holds the credentials), so nobody can fetch another client's
    stored answer (tokens) without already knowing what was sent; a different body is then a
    different request, never a 422.
    """
    digest = hashlib.sha256(f"{method}\x00{path}\x00{key}".encode())
    if principal is None:
        digest.update(b"\x00")
        digest.update(body)
        scope = "anon"
    else:
        scope = principal
    return f"idem:{service}:{scope}:{digest.hexdigest()}"


def fingerprint(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class Outcome(Enum):
    RUN = "run"  # first time: run it, then ``complete``/``abandon``
    REPLAY = "replay"
    IN_PROGRESS = "in-progress"  # → 409
    MISMATCH = "mismatch"  # same key, another body → 422


@dataclass(slots=True)
class StoredResponse:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


@dataclass(slots=True)
class Claim:
    outcome: Outcome
    marker: str = ""
    stored: StoredResponse | None = None


class IdempotencyStore:
    def __init__(self, redis: Any, *, ttl_s: int, lock_s: int) -> None:
        self.redis = redis
        self.ttl_s = ttl_s
        self.lock_s = lock_s

    async def claim(self, key: str, fp: str) -> Claim:
        """Claim ``key`` for this request or say what to answer instead. Raises on Redis errors."""
        marker = orjson.dumps({"s": "running", "f": fp, "t": secrets.token_hex(8)}).decode()
        for _ in range(3):  # the record may expire between SET NX and GET: claim again
            if await self.redis.set(key, marker, nx=True, ex=self.lock_s):
                return Claim(Outcome.RUN, marker=marker)
            raw = await self.redis.get(key)
            if raw is None:
                continue
            record = orjson.loads(raw)
            if record["f"] != fp:
                return Claim(Outcome.MISMATCH)
            if record["s"] == "running":
                return Claim(Outcome.IN_PROGRESS)
            stored = StoredResponse(
                status=record["status"],
                headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in record["h"]],
                body=base64.b64decode(record["b"]),
            )
            return Claim(Outcome.REPLAY, stored=stored)
        return Claim(Outcome.IN_PROGRESS)  # pragma: no cover - three expiries in a row

    async def complete(self, key: str, claim: Claim, fp: str, response: StoredResponse) -> None:
        """Keep the answer (not a 5xx, not a transient 4xx; those release the claim instead)."""
        if response.status >= 500 or response.status in _NOT_KEPT:
            await self.abandon(key, claim)
            return
        record = orjson.dumps(
            {
                "s": "done",
                "f": fp,
                "status": response.status,
                "h": [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers],
                "b": base64.b64encode(response.body).decode(),
            }
        ).decode()
        try:
            await self.redis.eval(_FINISH, 1, key, claim.marker, record, self.ttl_s)
        except Exception:
            # The effect happened; the claim blocks retries (409) until it expires.
            log.error("idempotency: response not kept", exc_info=True, extra={"key": key})

    async def abandon(self, key: str, claim: Claim) -> None:
        try:
            await self.redis.eval(_FINISH, 1, key, claim.marker, "", 0)
        except Exception:
            log.warning("idempotency: claim not released", exc_info=True, extra={"key": key})
