from __future__ import annotations

import pytest

from gateway.ratelimit import (
    Decision,
    Limit,
    Rate,
    account_digest,
    account_email,
    build_limits,
    parse_rate,
)
from gateway.routes import RateRule

RATES = {
    (RateRule.LOGIN, "ip"): Rate(10, 60),
    (RateRule.LOGIN, "account"): Rate(5, 60),
    (RateRule.REGISTER, "ip"): Rate(3, 3600),
    (RateRule.REGISTER, "account"): None,  # "off"
    (RateRule.DEFAULT, "user"): Rate(600, 60),
    (RateRule.DEFAULT, "ip"): Rate(120, 60),
}


def test_login_counts_per_ip_and_per_account() -> None:
    limits = build_limits(
        rule=RateRule.LOGIN, rates=RATES, client_ip="198.51.100.7", user_id=None, email="a@b.io"
    )
    assert [(lim.key, lim.scope) for lim in limits] == [
        ("rl:login:ip:198.51.100.7", "ip"),
        (f"rl:login:account:{account_digest('a@b.io')}", "account"),
    ]


def test_account_key_is_normalised_and_hashed() -> None:
    assert account_digest("  Alice@Example.COM ") == account_digest("alice@example.com")
    assert "alice" not in account_digest("alice@example.com")
    assert account_digest("a@b.io") != account_digest("b@b.io")


def test_login_without_email_counts_per_ip_only() -> None:
    limits = build_limits(
        rule=RateRule.LOGIN, rates=RATES, client_ip="10.0.0.1", user_id=None, email=None
    )
    assert [lim.scope for lim in limits] == ["ip"]


def test_disabled_limit_is_skipped() -> None:
    limits = build_limits(
        rule=RateRule.REGISTER, rates=RATES, client_ip="10.0.0.1", user_id=None, email="x@y.z"
    )
    assert [lim.scope for lim in limits] == ["ip"]


def test_default_is_per_user_when_authenticated_else_per_ip() -> None:
    user = build_limits(
        rule=RateRule.DEFAULT, rates=RATES, client_ip="10.0.0.1", user_id="u1", email=None
    )
    anon = build_limits(
        rule=RateRule.DEFAULT, rates=RATES, client_ip="10.0.0.1", user_id=None, email=None
    )
    assert [lim.key for lim in user] == ["rl:default:user:u1"]
    assert [lim.key for lim in anon] == ["rl:default:ip:10.0.0.1"]


@pytest.mark.parametrize(
    ("text", "rate"),
    [("10/60", Rate(10, 60)), (" 5/1.5 ", Rate(5, 1.5)), ("off", None), ("0", None)],
)
def test_parse_rate(text: str, rate: Rate | None) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["10", "ten/60", "10/0", "-1/60", "10/-5", "10/9999999", ""])
def test_parse_rate_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="rate"):
        parse_rate(text)


def test_rate_interval_fits_the_burst() -> None:
    rate = Rate(3, 60)
    assert rate.interval_ms == 20_000
    assert rate.period_ms == 60_000


def test_decision_headers() -> None:
    limit = Limit("k", Rate(5, 60), "ip")
    ok = Decision(False, True, limit, 3, 24, 0).headers()
    assert dict(ok) == {
        b"ratelimit-limit": b"5",
        b"ratelimit-remaining": b"3",
        b"ratelimit-reset": b"24",
    }
    refused = dict(Decision(False, False, limit, 0, 60, 12).headers())
    assert refused[b"retry-after"] == b"12"


@pytest.mark.parametrize(
    ("body", "ctype", "email"),
    [
        (
            b'{"email": " Bob@Example.com ", "password": "x"}',
            b"application/json",
            "bob@example.com",
        ),
        (b'{"email": "a@b.c"}', b"application/json; charset=utf-8", "a@b.c"),
        (b'{"email": 5}', b"application/json", None),
        (b'["a@b.c"]', b"application/json", None),
        (b"not json", b"application/json", None),
        (b'{"email": "a@b.c"}', b"text/plain", None),
        (b"", b"application/json", None),
        (b'{"email": "' + b"a" * 400 + b'@b.c"}', b"application/json", None),
    ],
)
def test_email_from_body(body: bytes, ctype: bytes, email: str | None) -> None:
    assert account_email(body, ctype) == email
