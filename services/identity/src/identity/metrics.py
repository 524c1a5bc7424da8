"""Business metrics of identity (DESIGN §8), exported on /metrics by the platform."""

from __future__ import annotations

from prometheus_client import Counter

REGISTRATIONS = Counter("identity_registrations", "Accounts created")
LOGINS = Counter(
    "identity_logins", "Login attempts by outcome (ok, invalid_credentials, blocked)", ["result"]
)
REFRESHES = Counter(
    "identity_token_refreshes",
    "Refresh attempts by outcome (ok, invalid, reuse_detected)",
    ["result"],
)
LOGOUTS = Counter("identity_logouts", "Sessions ended by logout")
