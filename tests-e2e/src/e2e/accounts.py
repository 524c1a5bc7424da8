"""Helpers the e2e tests and the benchmark share: accounts created through the public API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx


@dataclass
class Account:
    id: str
    email: str
    password: str
    access: str
    refresh: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}


async def register_and_login(client: httpx.AsyncClient, name: str = "E2E User") -> Account:
    """Register a fresh account and log in; fails loudly on any unexpected status."""
    email = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    password = f"pw-{uuid.uuid4().hex}"
    r = await client.post(
        "/auth/register", json={"email": email, "password": password, "name": name}
    )
    if r.status_code != 201:
        raise AssertionError(f"register: {r.status_code} {r.text}")
    user_id = r.json()["id"]
    r = await client.post("/auth/login", json={"email": email, "password": password})
    if r.status_code != 200:
        raise AssertionError(f"login: {r.status_code} {r.text}")
    tokens = r.json()
    return Account(user_id, email, password, tokens["accessToken"], tokens["refreshToken"])
