"""ASGI entry: ``uvicorn identity.main:create_app --factory``."""

from __future__ import annotations

from fastapi import FastAPI

from fitness_platform.app import create_service_app
from fitness_platform.auth import CachedTokenVerifier, JWKSCache, TokenVerifier
from identity.activity.router import router as metrics_router
from identity.admin.router import router as admin_router
from identity.auth.router import jwks_router
from identity.auth.router import router as auth_router
from identity.keys import load_keyring
from identity.passwords import Argon2Params, PasswordHashing
from identity.settings import IdentitySettings, get_settings
from identity.users.router import router as users_router


def create_app(settings: IdentitySettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = create_service_app(
        settings,
        title="Identity",
        description="Accounts, credentials and tokens of the fitness backend.",
        routers=[auth_router, users_router, jwks_router, admin_router, metrics_router],
        read_pool=True,
    )
    # Loaded now, not lazily: a bad key or an unwritable key folder fails the start.
    keyring = load_keyring(settings)
    app.state.keyring = keyring
    # Identity verifies its own tokens with the platform verifier, fed its public keys directly.
    app.state.token_verifier = CachedTokenVerifier(
        TokenVerifier(
            JWKSCache(jwks=keyring.public_jwks()),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
        ),
        ttl_s=settings.token_cache_s,
    )
    app.state.passwords = PasswordHashing(
        Argon2Params(
            memory_cost_kib=settings.argon2_memory_cost_kib,
            time_cost=settings.argon2_time_cost,
            parallelism=settings.argon2_parallelism,
        ),
        max_concurrency=settings.argon2_max_concurrency,
    )
    return app
