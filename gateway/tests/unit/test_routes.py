from __future__ import annotations

import pytest

from gateway.routes import RateRule, RouteTable, is_safe_path, rate_rule
from gateway.settings import DEFAULT_PUBLIC_ROUTES, DEFAULT_ROUTES


@pytest.fixture
def table() -> RouteTable:
    return RouteTable(DEFAULT_ROUTES, DEFAULT_PUBLIC_ROUTES, "/admin")


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/auth/login", "identity"),
        ("/auth", "identity"),
        ("/users/123/profile", "identity"),
        ("/admin/users", "identity"),
        ("/admin/users/5", "identity"),
        ("/admin/metrics", "identity"),
        ("/admin/audit", "identity"),
        ("/.well-known/jwks.json", "identity"),
        ("/nutrition/calculate", "nutrition"),
        ("/admin/content/foods/9", "nutrition"),
        ("/admin/content/meal-templates", "nutrition"),
        ("/workouts", "training"),
        ("/workouts/42", "training"),
        ("/admin/content/workout-templates/1", "training"),
        ("/progress/weight", "progress"),
        ("/goals", "goals"),
        ("/goals/1/progress", "goals"),
        ("/media/assets", "media"),
    ],
)
def test_route_matching(table: RouteTable, path: str, service: str) -> None:
    route = table.match(path)
    assert route is not None
    assert route.service == service


@pytest.mark.parametrize(
    "path",
    ["/", "/workoutsX", "/goalsfoo", "/admin", "/admin/content", "/admin/usersX", "/authz", "/x"],
)
def test_unmatched_paths(table: RouteTable, path: str) -> None:
    assert table.match(path) is None


def test_longest_prefix_wins() -> None:
    table = RouteTable({"/admin": "a", "/admin/users": "b"}, [], "/admin")
    assert table.match("/admin/users/1").service == "b"  # type: ignore[union-attr]
    assert table.match("/admin/other").service == "a"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("method", "path", "public"),
    [
        ("POST", "/auth/register", True),
        ("POST", "/auth/login", True),
        ("POST", "/auth/refresh", True),
        ("POST", "/auth/password-reset/request", True),
        ("POST", "/auth/password-reset/confirm", True),
        ("POST", "/auth/verify-email", True),
        ("post", "/auth/login/", True),  # method case and a trailing slash don't matter
        ("GET", "/.well-known/jwks.json", True),
        ("GET", "/auth/login", False),  # only the listed method
        ("POST", "/auth/logout", False),
        ("POST", "/auth/login/extra", False),  # exact paths, not prefixes
        ("GET", "/users/me", False),
        ("GET", "/workouts", False),
    ],
)
def test_public_route_classification(
    table: RouteTable, method: str, path: str, public: bool
) -> None:
    assert table.is_public(method, path) is public


@pytest.mark.parametrize(
    ("path", "admin"),
    [
        ("/admin/users", True),
        ("/admin/content/foods", True),
        ("/admin", True),
        ("/administrator", False),
        ("/users/admin", False),
    ],
)
def test_admin_paths(table: RouteTable, path: str, admin: bool) -> None:
    assert table.needs_admin(path) is admin


@pytest.mark.parametrize(
    ("path", "safe"),
    [
        ("/workouts/1", True),
        ("/workouts/", True),
        ("/auth/../admin/users", False),
        ("/auth/./login", False),
        ("/auth/..", False),
        ("/workouts//1", False),
        ("/workouts\\1", False),
        ("/a\x00b", False),
        ("relative", False),
        ("/files/a..b", True),  # dots inside a segment are just a name
    ],
)
def test_safe_paths(path: str, safe: bool) -> None:
    assert is_safe_path(path) is safe


@pytest.mark.parametrize(
    ("method", "path", "rule"),
    [
        ("POST", "/auth/login", RateRule.LOGIN),
        ("POST", "/auth/register", RateRule.REGISTER),
        ("POST", "/auth/password-reset/request", RateRule.PASSWORD_RESET),
        ("POST", "/auth/password-reset/confirm", RateRule.PASSWORD_RESET),
        ("GET", "/auth/login", RateRule.DEFAULT),
        ("POST", "/auth/refresh", RateRule.DEFAULT),
        ("GET", "/workouts", RateRule.DEFAULT),
    ],
)
def test_rate_rule(method: str, path: str, rule: RateRule) -> None:
    assert rate_rule(method, path) is rule


def test_settings_refuse_bad_values() -> None:
    from pydantic import ValidationError

    from gateway.settings import GatewaySettings

    with pytest.raises(ValidationError, match="http"):
        GatewaySettings(upstreams={"identity": "127.0.0.1:8001"})
    with pytest.raises(ValidationError, match="start with"):
        GatewaySettings(routes={"goals": "goals"})
    with pytest.raises(ValidationError, match="N/SECONDS"):
        GatewaySettings(rate_login_per_ip="ten per minute")
    with pytest.raises(ValidationError, match="unsafe settings"):
        GatewaySettings(environment="prod")


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from gateway.settings import GatewaySettings

    monkeypatch.setenv("GATEWAY_UPSTREAMS", '{"identity": "http://127.0.0.1:9001"}')
    monkeypatch.setenv("GATEWAY_ROUTES", '{"/auth": "identity"}')
    monkeypatch.setenv("GATEWAY_RATE_LOGIN_PER_IP", "7/30")
    monkeypatch.setenv("GATEWAY_JWKS_URL", "http://127.0.0.1:9001/.well-known/jwks.json")
    settings = GatewaySettings()
    assert settings.upstreams == {"identity": "http://127.0.0.1:9001"}
    assert settings.rate_login_per_ip == "7/30"
    assert settings.jwks_url is not None
