"""Security matrix over the whole fleet (issue 14, "Security and supply chain").

1. BOLA: every operation of the merged OpenAPI whose path takes an id of a user-owned object is
   called by user B on user A's object → 404 problem+json, the same answer as for an id that does
   not exist, and A reads the object unchanged afterwards. A route the table below does not know
   fails `test_bola_table_covers_every_id_route`.
2. Admin routes (`/admin/...`): a normal user's token → 403 problem+json, through the gateway and
   straight at the owning service; an admin token gets past the check (a control).
3. Tokens: on one authenticated GET route per service, straight at the service and through the
   gateway, a token for another audience or issuer, an expired one, a tampered one, `alg=none`,
   HS256 keyed with the public key, one from an unknown key → 401 problem+json. The tokens with
   valid signatures are signed with the fleet's real dev key (identity's `IDENTITY_KEYS_DIR`,
   the state folder's `keys/`); the same key with correct claims answers 200 (a control).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import uuid
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey

from e2e.accounts import Account, register_and_login
from fitness_platform.testing import TokenFactory
from fitness_stack.endpoints import Endpoints

PROBLEM = "application/problem+json"
METHODS = ("get", "put", "post", "patch", "delete")
ADMIN_PREFIX = "/admin"

# A past week (Monday..Sunday) where A's weigh-in, diary entry and weekly report live.
WEEK_START = "2026-01-05"
DAY = "2026-01-06"

# --- 1. BOLA --------------------------------------------------------------------------------

# Id-taking operations that are NOT on a user-owned object (so not in the BOLA matrix):
NOT_USER_OWNED: frozenset[tuple[str, str]] = frozenset(
    {
        # The food catalogue (integer catalogue ids), the same for everybody.
        ("GET", "/nutrition/foods/{food_id}"),
        # Workout templates are catalogue content (admins edit them under /admin).
        ("GET", "/workouts/template/{template_id}"),
        # Starts a catalogue template: creates a workout of the *caller*; no one else's object.
        ("POST", "/workouts/template/{template_id}/start"),
    }
)
# Every path under /admin is admin-only: a normal user gets 403 there whatever the id
# (test_admin_routes_refuse_a_normal_user covers each of them), so they are not in the table.

# (method, path template) → the resource of user A that B calls it on.
BOLA_ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/users/{user_id}"): "user",  # A's profile is private (the default): 404 to others
    ("PUT", "/users/{user_id}"): "user",
    ("DELETE", "/users/{user_id}"): "user",
    ("GET", "/workouts/{workout_id}"): "workout",
    ("PUT", "/workouts/{workout_id}"): "workout",
    ("DELETE", "/workouts/{workout_id}"): "workout",
    ("GET", "/goals/{goal_id}"): "goal",
    ("PATCH", "/goals/{goal_id}"): "goal",
    ("DELETE", "/goals/{goal_id}"): "goal",
    ("GET", "/media/{asset_id}"): "media",
    ("POST", "/media/{asset_id}/confirm"): "media",
    ("DELETE", "/media/{asset_id}"): "media",
    ("GET", "/progress/weight/{day}"): "weight",
    ("DELETE", "/progress/weight/{day}"): "weight",
    ("GET", "/progress/weekly-reports/{report_id}"): "report",
    ("GET", "/nutrition/diary/{entry_id}"): "diary",
    ("DELETE", "/nutrition/diary/{entry_id}"): "diary",
    ("GET", "/nutrition/calculations/{calculation_id}"): "calculation",
    ("GET", "/nutrition/personal-plan/{plan_id}"): "plan",
}

WORKOUT = {
    "title": "A's run",
    "startedAt": "2026-01-06T07:00:00+00:00",
    "durationMin": 30,
    "caloriesBurned": 300,
}
# Bodies B sends on writes (valid ones, so only ownership can refuse them).
BOLA_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PUT", "/users/{user_id}"): {"name": "Hijacked"},
    ("PUT", "/workouts/{workout_id}"): {**WORKOUT, "title": "Hijacked"},
    ("PATCH", "/goals/{goal_id}"): {"title": "Hijacked"},
}


async def _created(r: httpx.Response, key: str = "id") -> str:
    assert r.status_code == 201, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    return str(r.json()[key])


async def _make_user(gw: httpx.AsyncClient, a: Account) -> str:
    return a.id


async def _make_workout(gw: httpx.AsyncClient, a: Account) -> str:
    return await _created(await gw.post("/workouts", headers=a.auth, json=WORKOUT))


async def _make_goal(gw: httpx.AsyncClient, a: Account) -> str:
    body = {"type": "workouts_per_week", "workoutsPerWeek": 14, "title": "A's goal"}
    return await _created(await gw.post("/goals", headers=a.auth, json=body))


async def _make_media(gw: httpx.AsyncClient, a: Account) -> str:
    # Left pending: a confirm by B would visibly turn it "ready".
    body = {
        "filename": "a.png",
        "contentType": "image/png",
        "sizeBytes": 1024,
        "purpose": "progress_photo",
    }
    return await _created(await gw.post("/media/upload", headers=a.auth, json=body))


async def _make_weight(gw: httpx.AsyncClient, a: Account) -> str:
    body = {"date": DAY, "weightKg": 70.5}
    return await _created(await gw.post("/progress/weight", headers=a.auth, json=body), "date")


async def _make_report(gw: httpx.AsyncClient, a: Account) -> str:
    # Needs the weigh-in of that week (RESOURCES creates "weight" first).
    r = await gw.post("/progress/weekly-report", headers=a.auth, json={"weekStart": WEEK_START})
    return await _created(r)


async def _make_diary(gw: httpx.AsyncClient, a: Account) -> str:
    item = {"name": "Pasta", "grams": 300, "kcal": 500, "proteinG": 20, "fatG": 10, "carbsG": 80}
    body = {"date": DAY, "mealSlot": "lunch", "customItem": item}
    return await _created(await gw.post("/nutrition/diary", headers=a.auth, json=body))


async def _make_calculation(gw: httpx.AsyncClient, a: Account) -> str:
    body = {
        "gender": "female",
        "age": 35,
        "heightCm": 168,
        "weightKg": 64,
        "activityLevel": "moderate",
    }
    return await _created(await gw.post("/nutrition/save", headers=a.auth, json=body))


async def _make_plan(gw: httpx.AsyncClient, a: Account) -> str:
    targets = {"kcal": 2000, "proteinG": 120, "fatG": 70, "carbsG": 220}
    body = {"targets": targets, "seed": 7, "startDate": DAY}
    return await _created(await gw.post("/nutrition/personal-plan", headers=a.auth, json=body))


@dataclass(frozen=True)
class Resource:
    make: Callable[[httpx.AsyncClient, Account], Awaitable[str]]
    read: str  # the template A reads it back with
    # Fields that may change without anyone touching the object (presigned URLs, progress
    # recomputed from A's own events); everything else must stay equal.
    volatile: frozenset[str] = frozenset()


# Creation order matters: the weekly report needs the weigh-in.
RESOURCES: dict[str, Resource] = {
    "user": Resource(_make_user, "/users/{user_id}"),
    "workout": Resource(
        _make_workout,
        "/workouts/{workout_id}",
        frozenset({"caloriesBurned", "calorieEstimate", "caloriesSource", "updatedAt"}),
    ),
    "goal": Resource(
        _make_goal,
        "/goals/{goal_id}",
        frozenset({"progressPct", "currentValue", "evaluatedAt", "achievedAt", "updatedAt"}),
    ),
    "media": Resource(_make_media, "/media/{asset_id}", frozenset({"downloadUrl"})),
    "weight": Resource(_make_weight, "/progress/weight/{day}"),
    "report": Resource(_make_report, "/progress/weekly-reports/{report_id}", frozenset({"chart"})),
    "diary": Resource(_make_diary, "/nutrition/diary/{entry_id}"),
    "calculation": Resource(_make_calculation, "/nutrition/calculations/{calculation_id}"),
    "plan": Resource(_make_plan, "/nutrition/personal-plan/{plan_id}"),
}

_PARAM = re.compile(r"\{[^}]+\}")


def _fill(template: str, value: str) -> str:
    return _PARAM.sub(value, template)


def _operations(spec: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in METHODS
    }


def _unused_value(spec: dict[str, Any], method: str, template: str) -> str:
    """An id of the path parameter's type that names no object."""
    op = spec["paths"][template][method.lower()]
    (param,) = [p for p in op.get("parameters", []) if p["in"] == "path"]
    schema = param.get("schema", {})
    if schema.get("format") == "date":
        return "2001-02-03"
    if schema.get("type") == "integer":
        return "987654321"
    return str(uuid.uuid4())


def _stable(body: dict[str, Any], volatile: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in volatile}


@dataclass(frozen=True)
class Owned:
    id: str
    read: str  # A's read-back path
    snapshot: dict[str, Any]
    volatile: frozenset[str]


@dataclass(frozen=True)
class World:
    alice: Account
    bob: Account
    owned: dict[str, Owned]


@pytest.fixture(scope="module")
async def gateway(e2e: Endpoints) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=e2e.gateway_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
async def spec(gateway: httpx.AsyncClient) -> dict[str, Any]:
    r = await gateway.get("/openapi.json")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


@pytest.fixture(scope="module")
async def world(gateway: httpx.AsyncClient) -> World:
    alice = await register_and_login(gateway, name="Alice BOLA")
    bob = await register_and_login(gateway, name="Bob BOLA")
    owned: dict[str, Owned] = {}
    for name, res in RESOURCES.items():
        object_id = await res.make(gateway, alice)
        read = _fill(res.read, object_id)
        r = await gateway.get(read, headers=alice.auth)
        assert r.status_code == 200, f"A reads {read}: {r.status_code} {r.text}"
        owned[name] = Owned(object_id, read, _stable(r.json(), res.volatile), res.volatile)
    return World(alice, bob, owned)


async def test_bola_table_covers_every_id_route(spec: dict[str, Any]) -> None:
    in_spec = {
        (m, p)
        for m, p in _operations(spec)
        if "{" in p and not p.startswith(ADMIN_PREFIX + "/") and (m, p) not in NOT_USER_OWNED
    }
    assert set(BOLA_ROUTES) == in_spec, (
        f"not in the BOLA table: {sorted(in_spec - set(BOLA_ROUTES))}; "
        f"in the table but gone from the spec: {sorted(set(BOLA_ROUTES) - in_spec)}"
    )
    assert _operations(spec) >= NOT_USER_OWNED, "an excluded route left the spec: drop it"
    assert {RESOURCES[r].read for r in BOLA_ROUTES.values()} <= {p for _, p in BOLA_ROUTES}


def _shape(r: httpx.Response, replace: str) -> tuple[int, str, str, str]:
    body = r.json()
    detail = str(body.get("detail", "")).replace(replace, "<id>")
    return r.status_code, r.headers.get("content-type", ""), str(body.get("title")), detail


@pytest.mark.parametrize(
    ("method", "template"), list(BOLA_ROUTES), ids=[f"{m} {p}" for m, p in BOLA_ROUTES]
)
async def test_user_b_cannot_reach_user_a_object(
    gw: httpx.AsyncClient, spec: dict[str, Any], world: World, method: str, template: str
) -> None:
    owned = world.owned[BOLA_ROUTES[(method, template)]]
    body = BOLA_BODIES.get((method, template))
    bob = world.bob

    r = await gw.request(method, _fill(template, owned.id), headers=bob.auth, json=body)
    assert r.status_code == 404, f"B {method} {r.request.url.path}: {r.status_code} {r.text[:300]}"
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["status"] == 404

    # Indistinguishable from an id that names nothing (no existence oracle).
    unused = _unused_value(spec, method, template)
    missing = await gw.request(method, _fill(template, unused), headers=bob.auth, json=body)
    assert _shape(r, owned.id) == _shape(missing, unused)

    # A's object is untouched.
    again = await gw.get(owned.read, headers=world.alice.auth)
    assert again.status_code == 200, f"A lost {owned.read}: {again.status_code} {again.text[:300]}"
    assert _stable(again.json(), owned.volatile) == owned.snapshot


async def test_public_profile_shows_others_only_public_fields(gw: httpx.AsyncClient) -> None:
    # GET /users/{id} is by design readable by others for a public profile: public fields only.
    carol = await register_and_login(gw, name="Carol Public")
    r = await gw.put(f"/users/{carol.id}", headers=carol.auth, json={"profileVisibility": "public"})
    assert r.status_code == 200, r.text
    dave = await register_and_login(gw, name="Dave")
    seen = await gw.get(f"/users/{carol.id}", headers=dave.auth)
    assert seen.status_code == 200, seen.text
    assert set(seen.json()) == {"id", "name", "createdAt"}
    assert seen.json()["name"] == "Carol Public"


# --- 2. Admin routes ------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def service_specs(e2e: Endpoints) -> dict[str, dict[str, Any]]:
    specs: dict[str, dict[str, Any]] = {}
    for name, url in e2e.service_urls.items():
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            r = await client.get("/openapi.json")
            assert r.status_code == 200, f"{name}: {r.status_code}"
            specs[name] = r.json()
    return specs


def _owner(service_specs: dict[str, dict[str, Any]], method: str, path: str) -> str:
    owners = [n for n, s in service_specs.items() if (method, path) in _operations(s)]
    assert len(owners) == 1, f"{method} {path} is served by {owners}"
    return owners[0]


@pytest.fixture(scope="module")
def admin_operations(spec: dict[str, Any]) -> list[tuple[str, str]]:
    ops = sorted((m, p) for m, p in _operations(spec) if p.startswith(ADMIN_PREFIX))
    assert ops, "the merged OpenAPI has no admin routes"
    return ops


async def test_admin_routes_refuse_a_normal_user(
    e2e: Endpoints,
    gw: httpx.AsyncClient,
    spec: dict[str, Any],
    service_specs: dict[str, dict[str, Any]],
    admin_operations: list[tuple[str, str]],
    world: World,
) -> None:
    user = world.alice.auth
    refused: list[str] = []
    for method, template in admin_operations:
        unused = _unused_value(spec, method, template) if "{" in template else ""
        path = _fill(template, unused)
        body = {} if method in ("POST", "PUT", "PATCH") else None
        owner = _owner(service_specs, method, template)
        async with httpx.AsyncClient(base_url=e2e.service_urls[owner], timeout=30) as direct:
            for where, client in (("gateway", gw), (owner, direct)):
                r = await client.request(method, path, headers=user, json=body)
                ok = (
                    r.status_code == 403
                    and r.headers.get("content-type", "").startswith(PROBLEM)
                    and r.json().get("status") == 403
                )
                if not ok:
                    refused.append(f"{where} {method} {path}: {r.status_code} {r.text[:200]}")
    assert refused == [], "\n".join(refused)


# --- 3. Token matrix ------------------------------------------------------------------------

# One authenticated GET route per service.
AUTH_GET: dict[str, str] = {
    "identity": "/users/me",
    "nutrition": "/nutrition/history",
    "training": "/workouts",
    "progress": "/progress/weight",
    "goals": "/goals",
    "media": "/media",
}
TARGETS = [(via, service) for via in ("direct", "gateway") for service in AUTH_GET]
TARGET_IDS = [f"{via}-{service}" for via, service in TARGETS]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _segments(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    head, payload, signature = token.split(".")
    return json.loads(_unb64(head)), json.loads(_unb64(payload)), signature


def _join(header: dict[str, Any], claims: dict[str, Any], signature: str) -> str:
    h = _b64(json.dumps(header).encode())
    p = _b64(json.dumps(claims).encode())
    return f"{h}.{p}.{signature}"


@dataclass(frozen=True)
class Signer:
    """The fleet's real signing key (identity's dev key in the state folder) and its kid."""

    key: OKPKey
    kid: str
    issuer: str
    audience: str

    def claims(self, sub: str, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": sub,
            "roles": ["user"],
            "jti": uuid.uuid4().hex,
            "iat": now,
            "exp": now + 600,
            "iss": self.issuer,
            "aud": self.audience,
        }
        claims.update(overrides)
        return claims

    def sign(self, claims: dict[str, Any]) -> str:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecurityWarning)  # "EdDSA" is identity's alg name
            return jwt.encode({"alg": "EdDSA", "kid": self.kid}, claims, self.key, ["EdDSA"])


@pytest.fixture(scope="module")
async def signer(e2e: Endpoints, gateway: httpx.AsyncClient, world: World) -> Signer:
    assert e2e.logs_dir is not None
    keys_dir = e2e.logs_dir.parent / "keys"  # the fleet's state folder: IDENTITY_KEYS_DIR
    pems = sorted(keys_dir.glob("ed25519-*.pem"), reverse=True)  # newest first signs
    assert pems, f"no identity dev key in {keys_dir}"
    key = OKPKey.import_key(pems[0].read_bytes())
    x = key.as_dict(private=False)["x"]
    jwks = (await gateway.get("/.well-known/jwks.json")).json()
    (kid,) = [k["kid"] for k in jwks["keys"] if k.get("x") == x]
    header, real, _ = _segments(world.alice.access)
    assert header["kid"] == kid, "identity signs with another key than the state folder's newest"
    return Signer(key, kid, real["iss"], real["aud"])


def _forge(case: str, signer: Signer, alice: Account) -> dict[str, str]:
    """Headers for one bad-credential case; every one must be refused with 401."""
    sub = alice.id
    if case == "no-token":
        return {}
    if case == "user-headers-without-token":
        return {"X-User-Id": sub, "X-User-Roles": "admin,user"}
    if case == "other-audience":
        token = signer.sign(signer.claims(sub, aud="fitness-admin-console"))
    elif case == "other-issuer":
        token = signer.sign(signer.claims(sub, iss="https://evil.example"))
    elif case == "expired":
        now = int(time.time())
        token = signer.sign(signer.claims(sub, iat=now - 7200, exp=now - 3600))
    elif case == "tampered-signature":
        header, claims, signature = _segments(alice.access)
        raw = bytearray(_unb64(signature))
        raw[0] ^= 0x01
        token = _join(header, claims, _b64(bytes(raw)))
    elif case == "tampered-claims":  # a real token whose payload gained the admin role
        header, claims, signature = _segments(alice.access)
        token = _join(header, {**claims, "roles": ["admin", "user"]}, signature)
    elif case == "alg-none":
        token = _join({"alg": "none", "typ": "JWT"}, signer.claims(sub), "")
    elif case == "alg-hs256-public-key":  # HMAC keyed with the public key (alg confusion)
        header = {"alg": "HS256", "typ": "JWT", "kid": signer.kid}
        signing_input = _join(header, signer.claims(sub), "")[:-1]
        public_pem = signer.key.as_pem(private=False)
        mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        token = f"{signing_input}.{_b64(mac)}"
    elif case == "unknown-key":
        token = TokenFactory(issuer=signer.issuer, audience=signer.audience, kid="rogue").issue(sub)
    elif case == "foreign-key-real-kid":  # another key claiming the fleet key's kid
        token = TokenFactory(issuer=signer.issuer, audience=signer.audience, kid=signer.kid).issue(
            sub
        )
    else:
        raise AssertionError(case)
    return {"Authorization": f"Bearer {token}"}


BAD_CREDENTIALS = [
    "no-token",
    "user-headers-without-token",
    "other-audience",
    "other-issuer",
    "expired",
    "tampered-signature",
    "tampered-claims",
    "alg-none",
    "alg-hs256-public-key",
    "unknown-key",
    "foreign-key-real-kid",
]


def _base(e2e: Endpoints, via: str, service: str) -> str:
    return e2e.gateway_url if via == "gateway" else e2e.service_urls[service]


@pytest.mark.parametrize(("via", "service"), TARGETS, ids=TARGET_IDS)
async def test_real_key_with_correct_claims_is_accepted(
    e2e: Endpoints, signer: Signer, world: World, via: str, service: str
) -> None:
    # The control: forging works, so the 401s below are the verifier's doing.
    token = signer.sign(signer.claims(world.alice.id))
    async with httpx.AsyncClient(base_url=_base(e2e, via, service), timeout=30) as client:
        r = await client.get(AUTH_GET[service], headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        r = await client.get(AUTH_GET[service], headers=world.alice.auth)
        assert r.status_code == 200, r.text


@pytest.mark.parametrize("case", BAD_CREDENTIALS)
@pytest.mark.parametrize(("via", "service"), TARGETS, ids=TARGET_IDS)
async def test_bad_credentials_are_401(
    e2e: Endpoints, signer: Signer, world: World, via: str, service: str, case: str
) -> None:
    headers = _forge(case, signer, world.alice)
    async with httpx.AsyncClient(base_url=_base(e2e, via, service), timeout=30) as client:
        r = await client.get(AUTH_GET[service], headers=headers)
    assert r.status_code == 401, f"{via} {service} {case}: {r.status_code} {r.text[:300]}"
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["status"] == 401


async def test_admin_token_passes_the_admin_check(
    e2e: Endpoints,
    signer: Signer,
    world: World,
    service_specs: dict[str, dict[str, Any]],
    admin_operations: list[tuple[str, str]],
) -> None:
    # Control for the 403s: the same routes let an admin through (list routes, no side effect).
    token = signer.sign(signer.claims(world.alice.id, roles=["admin", "user"]))
    auth = {"Authorization": f"Bearer {token}"}
    lists = [p for m, p in admin_operations if m == "GET" and "{" not in p]
    assert lists
    for path in lists:
        owner = _owner(service_specs, "GET", path)
        for base in (e2e.gateway_url, e2e.service_urls[owner]):
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                r = await client.get(path, headers=auth)
            assert r.status_code == 200, f"{base} GET {path}: {r.status_code} {r.text[:300]}"
