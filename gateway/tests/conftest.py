"""Gateway test fixtures: a real upstream under uvicorn, a token signer, the gateway under uvicorn.

Both servers run in background threads with their own event loops, so requests go over real
sockets through the real proxy (aiohttp pool, streaming, timeouts).
"""

from __future__ import annotations

import sys

from fitness_platform.testing import free_port

# pytest's importlib mode names this file "gateway.tests.conftest" and, before running it,
# imports the parent "gateway" from the member folder /work/main/gateway as a namespace package
# — shadowing the real `gateway` package (gateway/src/gateway). Drop the stand-in here; the
# `import gateway` below (after the other imports) then loads the real package.
if getattr(sys.modules.get("gateway"), "__file__", None) is None:
    sys.modules.pop("gateway", None)
import asyncio
import base64
import os
import socket
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from joserfc import jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey
from pydantic import BaseModel

import gateway as _gateway_package  # noqa: F401
from fitness_platform.problems import install_problem_handlers, problem_responses

ISSUER = "fitness-identity"
AUDIENCE = "fitness-api"
SLOW_SECONDS = 3.0
GATEWAY_TIMEOUT = 0.5
LOGIN_PER_ACCOUNT = 3
STREAM_CHUNKS = 40
STREAM_CHUNK = b"x" * 8192
STREAM_GATE = threading.Event()


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise TimeoutError(f"timed out waiting for {what}")


class ServerThread:
    """uvicorn in a daemon thread (its own loop); stopped via ``should_exit``."""

    def __init__(self, app: Any, port: int) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", loop="asyncio"
        )
        self.server = uvicorn.Server(config)
        self.url = f"http://127.0.0.1:{port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        wait_until(lambda: self.server.started, what=f"server at {self.url}")
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@dataclass
class Signer:
    key: OKPKey
    other_key: OKPKey  # same kid, not in the JWKS: a forged signature

    def jwks(self) -> dict[str, Any]:
        public = dict(self.key.as_dict(private=False))
        public.update({"alg": "EdDSA", "use": "sig"})
        return {"keys": [public]}

    def token(
        self,
        *,
        sub: str | None = None,
        roles: list[str] | None = None,
        jti: str | None = None,
        exp_in: int = 900,
        key: OKPKey | None = None,
        **overrides: Any,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": sub or str(uuid.uuid4()),
            "roles": roles if roles is not None else ["user"],
            "jti": jti or uuid.uuid4().hex,
            "iat": now,
            "exp": now + exp_in,
            **overrides,
        }
        header = {"alg": "EdDSA", "kid": self.key.kid, "typ": "JWT"}
        with warnings.catch_warnings():  # identity signs "EdDSA" too (RFC 9864 renames it)
            warnings.simplefilter("ignore", SecurityWarning)
            return jwt.encode(header, claims, key or self.key, algorithms=["EdDSA"])

    def unsigned_token(self, **claims: Any) -> str:
        """``alg: none`` — must never be accepted."""

        def b64(data: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(orjson.dumps(data)).rstrip(b"=").decode()

        now = int(time.time())
        body = {"iss": ISSUER, "aud": AUDIENCE, "sub": str(uuid.uuid4()), "roles": ["admin"]}
        body |= {"jti": uuid.uuid4().hex, "iat": now, "exp": now + 900, **claims}
        return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(body)}."


@pytest.fixture(scope="session")
def signer() -> Signer:
    key = OKPKey.generate_key("Ed25519", parameters={"kid": "test-key-1"})
    other = OKPKey.generate_key("Ed25519", parameters={"kid": "test-key-1"})
    return Signer(key, other)


class FoodOut(BaseModel):
    id: int
    name: str


class LoginIn(BaseModel):
    email: str
    password: str


def echo_app(signer: Signer) -> FastAPI:
    """Stands in for every upstream service: echoes what it received."""
    app = FastAPI(title="echo")

    async def echo(request: Request) -> dict[str, Any]:
        body = await request.body()
        return {
            "method": request.method,
            "path": request.url.path,
            "query": request.url.query,
            "headers": [[k, v] for k, v in request.headers.items()],
            "body": body.decode("utf-8", "replace"),
        }

    @app.get("/.well-known/jwks.json")
    async def jwks() -> dict[str, Any]:
        return signer.jwks()

    @app.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics")
    async def fake_metrics() -> dict[str, str]:
        return {}

    @app.post("/auth/login", responses=problem_responses(400, 422))
    async def login(payload: LoginIn, request: Request) -> dict[str, Any]:
        return await echo(request)

    @app.get("/nutrition/foods", response_model=list[FoodOut], tags=["foods"])
    async def foods() -> list[FoodOut]:
        return [FoodOut(id=1, name="oats")]

    @app.get("/internal/debug")
    async def not_routed() -> dict[str, str]:
        return {}

    @app.get("/workouts/slow", include_in_schema=False)
    async def slow() -> dict[str, str]:
        await asyncio.sleep(SLOW_SECONDS)
        return {"status": "late"}

    @app.get("/progress/stream", include_in_schema=False)
    async def stream() -> StreamingResponse:
        async def chunks() -> Any:
            for _ in range(STREAM_CHUNKS):
                yield STREAM_CHUNK

        return StreamingResponse(chunks(), media_type="application/octet-stream")

    @app.get("/progress/gated", include_in_schema=False)
    async def gated() -> StreamingResponse:
        # The second chunk waits until the *client* has the first: only a streaming proxy passes.
        async def chunks() -> Any:
            yield b"first;"
            opened = await asyncio.to_thread(STREAM_GATE.wait, 10)
            yield b"gate-opened" if opened else b"gate-timed-out"

        return StreamingResponse(chunks(), media_type="text/plain")

    @app.api_route(
        "/{path:path}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    async def catch_all(request: Request) -> JSONResponse:
        allowed = declared.get(request.url.path)
        if allowed:  # a declared path with another method: 405 + Allow, like a real app
            return JSONResponse(
                {"detail": "Method Not Allowed"},
                status_code=405,
                headers={"Allow": ", ".join(sorted(allowed))},
            )
        return JSONResponse(await echo(request), headers={"Connection": "close, X-Secret-Hop"})

    declared: dict[str, set[str]] = {}
    for route in app.routes:
        path, methods = getattr(route, "path", ""), getattr(route, "methods", None) or set()
        if path != "/{path:path}":
            declared.setdefault(path, set()).update(methods)
    install_problem_handlers(app)  # like every real service: 422 problem for malformed JSON

    return app


@dataclass(frozen=True)
class Knobs:
    """The values the gateway under test is configured with, for assertions."""

    login_per_account: int = LOGIN_PER_ACCOUNT
    stream_bytes: int = STREAM_CHUNKS * len(STREAM_CHUNK)
    timeout_s: float = GATEWAY_TIMEOUT


@pytest.fixture
def stream_gate() -> Iterator[threading.Event]:
    STREAM_GATE.clear()
    yield STREAM_GATE
    STREAM_GATE.set()  # never leave the upstream waiting


@pytest.fixture(scope="session")
def knobs() -> Knobs:
    return Knobs()


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("FITNESS_TEST_REDIS_URL")
    if not url:
        pytest.fail("FITNESS_TEST_REDIS_URL is not set (the root conftest starts Redis)")
    return url


@pytest.fixture(scope="session")
def upstream(signer: Signer) -> Iterator[ServerThread]:
    with ServerThread(echo_app(signer), free_port()) as server:
        yield server


@pytest.fixture(scope="session")
def dead_url() -> str:
    # A port nobody listens on: connection refused.
    return f"http://127.0.0.1:{free_port()}"


def gateway_settings(upstream_url: str, dead_url: str, **overrides: Any) -> Any:
    from gateway.settings import GatewaySettings

    upstreams = {
        "identity": upstream_url,
        "nutrition": upstream_url,
        "training": upstream_url,
        "progress": upstream_url,
        "goals": upstream_url,
        "media": dead_url,
    }
    values: dict[str, Any] = {
        "environment": "test",
        "upstreams": upstreams,
        "jwks_url": f"{upstream_url}/.well-known/jwks.json",
        "upstream_timeout_s": GATEWAY_TIMEOUT,
        "rate_login_per_ip": "1000/60",
        "rate_login_per_account": f"{LOGIN_PER_ACCOUNT}/60",
        "rate_default_per_user": "100000/60",
        "rate_default_per_ip": "100000/60",
        "max_body_bytes": 4096,
        "openapi_cache_s": 0,
        "log_level": "WARNING",
    }
    values.update(overrides)
    return GatewaySettings(**values)


@pytest.fixture(scope="session")
def gateway(upstream: ServerThread, dead_url: str, redis_url: str) -> Iterator[ServerThread]:
    from gateway.main import create_app

    app = create_app(gateway_settings(upstream.url, dead_url, redis_url=redis_url))
    with ServerThread(app, free_port()) as server:
        yield server


@pytest.fixture(scope="session")
def rude_url() -> Iterator[str]:
    """An upstream that reads the request and closes the socket without answering."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return  # listener closed at teardown
            with conn:
                conn.recv(65536)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    listener.close()


@pytest.fixture(scope="session")
def make_gateway(
    upstream: ServerThread, dead_url: str, redis_url: str
) -> Iterator[Callable[..., str]]:
    """Start another gateway with some settings changed; returns its base URL."""
    from gateway.main import create_app

    servers: list[ServerThread] = []

    def make(**overrides: Any) -> str:
        overrides.setdefault("redis_url", redis_url)
        app = create_app(gateway_settings(upstream.url, dead_url, **overrides))
        server = ServerThread(app, free_port()).__enter__()
        servers.append(server)
        return server.url

    yield make
    for server in servers:
        server.__exit__()


@pytest.fixture
def client(gateway: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway.url, timeout=10) as c:
        yield c
