"""Argon2id password hashing, always off the event loop.

Parameters: OWASP Password Storage Cheat Sheet, Argon2id "m=19456 (19 MiB), t=2, p=1"
(https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html).
One hash or verify costs ~20 ms of CPU here (DESIGN §10), so it runs in worker threads, and a
capacity limiter bounds how many run at once (each holds 19 MiB and a core).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import anyio
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

OWASP_MEMORY_COST_KIB = 19 * 1024
OWASP_TIME_COST = 2
OWASP_PARALLELISM = 1


@dataclass(frozen=True, slots=True)
class Argon2Params:
    memory_cost_kib: int = OWASP_MEMORY_COST_KIB
    time_cost: int = OWASP_TIME_COST
    parallelism: int = OWASP_PARALLELISM


class PasswordHashing:
    """Hash, verify and decide on rehash; every CPU-heavy call goes to a thread."""

    def __init__(self, params: Argon2Params | None = None, *, max_concurrency: int = 4) -> None:
        self.params = params or Argon2Params()
        self._hasher = PasswordHasher(
            time_cost=self.params.time_cost,
            memory_cost=self.params.memory_cost_kib,
            parallelism=self.params.parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        self._limiter = anyio.CapacityLimiter(max_concurrency)
        self._dummy_hash: str | None = None

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hasher.hash, password, limiter=self._limiter)

    async def verify(self, password_hash: str, password: str) -> bool:
        """True when ``password`` matches; a malformed stored hash counts as a mismatch."""
        return await anyio.to_thread.run_sync(
            self._verify_sync, password_hash, password, limiter=self._limiter
        )

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the stored hash was made with other parameters than the current ones."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except (InvalidHashError, ValueError):
            return True

    async def dummy_verify(self, password: str) -> None:
        """Spend the same time as a real verify, so an unknown email is not told apart by timing."""
        if self._dummy_hash is None:
            self._dummy_hash = await self.hash(secrets.token_urlsafe(16))
        await self.verify(self._dummy_hash, password)

    def _verify_sync(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
