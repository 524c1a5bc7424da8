"""Route table: which upstream serves a path, which paths are public, which need ``admin``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

# Paths the gateway answers itself (never proxied, never need a token).
GATEWAY_PATHS: frozenset[str] = frozenset(
    {"/health/live", "/health/ready", "/metrics", "/openapi.json", "/docs"}
)


class RateRule(StrEnum):
    """Which rate-limit family a request falls into."""

    LOGIN = "login"
    REGISTER = "register"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a rule name
    DEFAULT = "default"


@dataclass(frozen=True, slots=True)
class Route:
    prefix: str
    service: str


def _normalise_prefix(prefix: str) -> str:
    # "/auth/" and "/auth" mean the same: "/auth" itself and everything below it.
    return prefix.rstrip("/") or "/"


def is_safe_path(path: str) -> bool:
    """Refuse paths whose meaning an upstream (or yarl) could change after our checks.

    ``/auth/../admin/users`` would match the ``/auth`` route here and ``/admin/users`` upstream
    once dot segments are resolved; empty segments and backslashes are refused for the same reason.
    """
    if not path.startswith("/") or "\\" in path or "\x00" in path or "//" in path:
        return False
    return all(segment not in (".", "..") for segment in path.split("/"))


class RouteTable:
    """Longest-prefix match on whole path segments (``/goals`` matches ``/goals/1``, not ``/goalsX``)."""

    def __init__(self, routes: Mapping[str, str], public_routes: Iterable[str], admin_prefix: str):
        self._routes = sorted(
            (Route(_normalise_prefix(p), s) for p, s in routes.items()),
            key=lambda r: len(r.prefix),
            reverse=True,
        )
        self._public: frozenset[tuple[str, str]] = frozenset(
            (method.upper(), _normalise_prefix(path))
            for method, _, path in (entry.partition(" ") for entry in public_routes)
        )
        self._admin_prefix = _normalise_prefix(admin_prefix)

    @property
    def routes(self) -> list[Route]:
        return list(self._routes)

    def match(self, path: str) -> Route | None:
        for route in self._routes:
            p = route.prefix
            if path == p or (path.startswith(p) and path[len(p)] == "/") or p == "/":
                return route
        return None

    def is_public(self, method: str, path: str) -> bool:
        return (method.upper(), _normalise_prefix(path)) in self._public

    def needs_admin(self, path: str) -> bool:
        p = self._admin_prefix
        return path == p or path.startswith(p + "/")


def rate_rule(method: str, path: str) -> RateRule:
    """The sensitive auth endpoints get their own per-IP and per-account limits (DESIGN §4)."""
    if method == "POST":
        if path == "/auth/login":
            return RateRule.LOGIN
        if path == "/auth/register":
            return RateRule.REGISTER
        if path.startswith("/auth/password-reset/"):
            return RateRule.PASSWORD_RESET
    return RateRule.DEFAULT
