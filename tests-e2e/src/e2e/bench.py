"""`make bench`: load through the gateway of a running fleet (`make up` first).

Two modes per scenario:
- closed loop: N connections, each sends its next request when the previous one answers
  (throughput at a stated concurrency);
- open loop at a fixed rate (``--rate``): requests are *scheduled* at 1/rate intervals and latency is
  measured from the scheduled time, not from the send time, so a stalled server shows up as latency
  instead of silently lowering the offered load (no coordinated-omission blind spot).

Before each scenario the bench waits until the fleet is quiet (work left by set-up or the previous
scenario is not charged to it) and runs 2 s of unmeasured warm-up at the same concurrency.

Each key read (``KEY_READS``) also runs straight at its service right after its gateway run, and
the report gives the ratio (how much the gateway costs). After the load scenarios the bench
measures event latency, commit → the consuming service's effect visible (``EVENT_FLOWS``), as
p50/p95 (``--event-samples 0`` skips it).

Results: ``bench-results/<timestamp>.json`` and a Markdown summary beside it (req/s, p50/p90/p99,
errors, CPU seconds and CPU ms per request of every fleet process read from /proc, gateway vs
direct, event latency). The load generator shares the machine's two cores with the fleet; its
own CPU is reported too (``loadgen``).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import math
import os
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp

Request = Callable[[aiohttp.ClientSession, "Client"], Awaitable[int]]


@dataclass
class Client:
    """One virtual user: its own account, so per-user rate limits and token rotation stay realistic."""

    email: str
    password: str
    user_id: str = ""
    access: str = ""
    refresh: str = ""

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}


@dataclass
class Result:
    scenario: str
    mode: str
    concurrency: int
    target_rate: float | None
    duration_s: float
    requests: int
    errors: int
    status_counts: dict[str, int]
    rps: float
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    cpu_seconds: dict[str, float] = field(default_factory=dict)


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(q / 100 * len(sorted_values))))
    return sorted_values[rank - 1]


def summarise(
    scenario: str,
    mode: str,
    concurrency: int,
    rate: float | None,
    duration: float,
    latencies: list[float],
    statuses: list[int],
) -> Result:
    lat = sorted(latencies)
    counts: dict[str, int] = {}
    for s in statuses:
        counts[str(s)] = counts.get(str(s), 0) + 1
    errors = sum(1 for s in statuses if s == 0 or s >= 400)
    return Result(
        scenario=scenario,
        mode=mode,
        concurrency=concurrency,
        target_rate=rate,
        duration_s=round(duration, 2),
        requests=len(statuses),
        errors=errors,
        status_counts=counts,
        rps=round(len(statuses) / duration, 1) if duration else 0.0,
        p50_ms=round(percentile(lat, 50) * 1000, 2),
        p90_ms=round(percentile(lat, 90) * 1000, 2),
        p95_ms=round(percentile(lat, 95) * 1000, 2),
        p99_ms=round(percentile(lat, 99) * 1000, 2),
        max_ms=round(lat[-1] * 1000, 2) if lat else float("nan"),
    )


# The key reads, each also measured straight at its service: scenario → service.
KEY_READS: dict[str, str] = {
    "GET /users/me": "identity",
    "GET /nutrition/me": "nutrition",
    "GET /workouts": "training",
    "GET /progress/weight": "progress",
    "GET /goals": "goals",
}
DIRECT_SUFFIX = " (direct)"


def direct_name(scenario: str) -> str:
    return scenario + DIRECT_SUFFIX


def cpu_ms_per_request(result: Result) -> dict[str, float]:
    """CPU milliseconds per request of each process during the scenario (0 requests: empty)."""
    if not result.requests:
        return {}
    return {
        name: round(1000 * seconds / result.requests, 3)
        for name, seconds in sorted(result.cpu_seconds.items())
        if seconds > 0
    }


def gateway_vs_direct(results: list[Result]) -> list[dict[str, Any]]:
    """Pairs each key read through the gateway with its direct twin of the same run.

    ``ratio`` = gateway req/s ÷ direct req/s; ``fewer_pct`` = how many fewer req/s the gateway
    path gave, in % of direct (the issue's target: ≤ 25).
    """
    by_name = {r.scenario: r for r in results}
    out: list[dict[str, Any]] = []
    for r in results:
        direct = by_name.get(direct_name(r.scenario))
        if direct is None or not direct.rps:
            continue
        ratio = r.rps / direct.rps
        out.append(
            {
                "scenario": r.scenario,
                "gateway_rps": r.rps,
                "direct_rps": direct.rps,
                "ratio": round(ratio, 3),
                "fewer_pct": round(100 * (1 - ratio), 1),
                "gateway_p99_ms": r.p99_ms,
                "direct_p99_ms": direct.p99_ms,
                "gateway_cpu_ms": cpu_ms_per_request(r).get("gateway", 0.0),
            }
        )
    return out


def latency_summary(samples_s: list[float], timeouts: int = 0) -> dict[str, Any]:
    """Nearest-rank p50/p95/max in ms of commit → effect delays (seconds in)."""
    ms = sorted(v * 1000 for v in samples_s)
    return {
        "samples": len(ms),
        "timeouts": timeouts,
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "max_ms": round(ms[-1], 1) if ms else float("nan"),
    }


# --- CPU per process -------------------------------------------------------------------------


def fleet_pids(state_dir: Path) -> dict[str, int]:
    pids: dict[str, int] = {}
    for f in sorted((state_dir / "pids").glob("*.pid")):
        try:
            pids[f.stem] = int(f.read_text().strip())
        except ValueError:
            continue
    pids["loadgen"] = os.getpid()
    return pids


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


class CpuMeter:
    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.start = {name: cpu_seconds(pid) for name, pid in pids.items()}

    def used(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for name, pid in self.pids.items():
            before, after = self.start.get(name), cpu_seconds(pid)
            if before is not None and after is not None:
                out[name] = round(after - before, 2)
        return out


async def settle(
    pids: dict[str, int], *, idle_cores: float = 0.2, window_s: float = 1.0, deadline_s: float = 30
) -> float:
    """Wait until the fleet is quiet (below ``idle_cores`` over ``window_s``); returns seconds.

    Set-up and earlier scenarios leave work behind (outbox relays publishing login events,
    consumers reading them, the local Kafka's S3 listings): measured inside the next scenario
    it would be charged to an endpoint that did not cause it. Gives up after ``deadline_s``
    and measures anyway (the report's CPU table then shows who was busy).
    """
    fleet = {k: v for k, v in pids.items() if k != "loadgen"}
    start = time.perf_counter()
    while time.perf_counter() - start < deadline_s:
        meter = CpuMeter(fleet)
        await asyncio.sleep(window_s)  # a measurement window, not synchronisation
        if sum(meter.used().values()) / window_s < idle_cores:
            break
    return time.perf_counter() - start


# --- load loops ------------------------------------------------------------------------------


async def closed_loop(
    session: aiohttp.ClientSession,
    clients: list[Client],
    request: Request,
    seconds: float,
    concurrency: int,
) -> tuple[float, list[float], list[int]]:
    latencies: list[float] = []
    statuses: list[int] = []
    deadline = time.perf_counter() + seconds

    async def worker(own: list[Client]) -> None:
        i = 0
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            status = await safe(request, session, own[i % len(own)])
            latencies.append(time.perf_counter() - t0)
            statuses.append(status)
            i += 1

    t0 = time.perf_counter()
    # Each connection owns a disjoint slice of the accounts (token rotation stays sequential).
    await asyncio.gather(*(worker(clients[w::concurrency]) for w in range(concurrency)))
    return time.perf_counter() - t0, latencies, statuses


async def open_loop(
    session: aiohttp.ClientSession,
    clients: list[Client],
    request: Request,
    seconds: float,
    rate: float,
) -> tuple[float, list[float], list[int]]:
    """Fixed arrival rate; latency counted from each request's *scheduled* start."""
    latencies: list[float] = []
    statuses: list[int] = []
    total = int(seconds * rate)
    start = time.perf_counter()
    tasks = []

    async def one(i: int, scheduled: float) -> None:
        status = await safe(request, session, clients[i % len(clients)])
        latencies.append(time.perf_counter() - scheduled)
        statuses.append(status)

    for i in range(total):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)  # pacing the generator, not test synchronisation
        tasks.append(asyncio.create_task(one(i, scheduled)))
    await asyncio.gather(*tasks)
    return time.perf_counter() - start, latencies, statuses


async def safe(request: Request, session: aiohttp.ClientSession, client: Client) -> int:
    try:
        return await request(session, client)
    except (aiohttp.ClientError, TimeoutError):
        return 0


# --- scenarios -------------------------------------------------------------------------------


def scenarios(base: str, direct: str) -> dict[str, Request]:
    """``direct`` (identity itself) serves login and refresh: through the gateway one load
    generator on one IP would only measure the per-IP limits on those public routes."""

    async def users_me(s: aiohttp.ClientSession, c: Client) -> int:
        async with s.get(f"{base}/users/me", headers=c.auth()) as r:
            await r.read()
            return r.status

    async def put_profile(s: aiohttp.ClientSession, c: Client) -> int:
        body = {
            "name": "Bench User",
            "heightCm": 178,
            "weightKg": 79.5,
            "activityLevel": "moderate",
        }
        async with s.put(f"{base}/users/{c.user_id}", json=body, headers=c.auth()) as r:
            await r.read()
            return r.status

    async def refresh(s: aiohttp.ClientSession, c: Client) -> int:
        async with s.post(f"{direct}/auth/refresh", json={"refreshToken": c.refresh}) as r:
            data = await r.json(content_type=None)
            if r.status == 200:
                c.access, c.refresh = data["accessToken"], data["refreshToken"]
            return r.status

    async def login(s: aiohttp.ClientSession, c: Client) -> int:
        async with s.post(
            f"{direct}/auth/login", json={"email": c.email, "password": c.password}
        ) as r:
            await r.read()
            return r.status

    async def calculate(s: aiohttp.ClientSession, c: Client) -> int:
        body = CALCULATION
        async with s.post(f"{base}/nutrition/calculate", json=body, headers=c.auth()) as r:
            await r.read()
            return r.status

    async def nutrition_me(s: aiohttp.ClientSession, c: Client) -> int:
        async with s.get(f"{base}/nutrition/me", headers=c.auth()) as r:
            await r.read()
            return r.status

    async def diary_write(s: aiohttp.ClientSession, c: Client) -> int:
        body = {
            "date": datetime.now(UTC).date().isoformat(),
            "mealSlot": "lunch",
            "foodId": 5062,
            "grams": 150,
        }
        async with s.post(f"{base}/nutrition/diary", json=body, headers=c.auth()) as r:
            await r.read()
            return r.status

    def plan_options() -> dict[str, Any]:
        return {
            "meals": 4,
            "seed": uuid.uuid4().int % 10_000,
            "targets": {"kcal": 2200, "proteinG": 140, "fatG": 70, "carbsG": 255},
        }

    async def meal_suggestion(s: aiohttp.ClientSession, c: Client) -> int:
        url = f"{base}/nutrition/meal-suggestion"
        async with s.post(url, json=plan_options(), headers=c.auth()) as r:
            await r.read()
            return r.status

    async def personal_plan(s: aiohttp.ClientSession, c: Client) -> int:
        # Seven days of the same planner, stored (issue 13: p95 ≤ 3 s at c=2).
        url = f"{base}/nutrition/personal-plan"
        async with s.post(url, json=plan_options(), headers=c.auth()) as r:
            await r.read()
            return r.status

    return {
        "GET /users/me": users_me,
        "PUT /users/{id}": put_profile,
        "POST /auth/refresh (identity direct)": refresh,
        "POST /auth/login (identity direct)": login,
        "POST /nutrition/calculate": calculate,
        "GET /nutrition/me": nutrition_me,
        "POST /nutrition/diary": diary_write,
        "POST /nutrition/meal-suggestion": meal_suggestion,
        "POST /nutrition/personal-plan": personal_plan,
    }


CALCULATION = {
    "gender": "male",
    "age": 30,
    "heightCm": 180,
    "weightKg": 80,
    "activityLevel": "moderate",
    "goal": "lose",
    "targetRateKgPerWeek": 0.5,
}

WARMUP_S = 2.0
SETUP_SETTLE_S = 120.0
# Scenario → (concurrency, seconds); login and the MILP are slow on purpose and measured apart.
PLAN: dict[str, tuple[int, float]] = {
    "GET /users/me": (16, 10),
    "PUT /users/{id}": (16, 8),
    "POST /auth/refresh (identity direct)": (16, 8),
    "POST /auth/login (identity direct)": (4, 6),
    "POST /nutrition/calculate": (16, 8),
    "GET /nutrition/me": (16, 8),
    "POST /nutrition/diary": (16, 8),
    "POST /nutrition/meal-suggestion": (2, 8),
    "POST /nutrition/personal-plan": (2, 10),
}


# Each service adds its scenarios in ``e2e/bench_<service>.py``: ``scenarios(base) -> {name:
# Request}``, ``PLAN = {name: (concurrency, seconds)}`` and optionally
# ``async def prepare(session, base, clients)`` (unmeasured set-up, e.g. a workout to read).
SERVICE_BENCHES = ("training", "progress", "goals", "media")


def service_benches() -> list[ModuleType]:
    found = []
    for service in SERVICE_BENCHES:
        try:
            found.append(importlib.import_module(f"e2e.bench_{service}"))
        except ModuleNotFoundError:
            continue
    return found


async def make_clients(session: aiohttp.ClientSession, base: str, n: int) -> list[Client]:
    """Accounts for the run, created at ``base`` (identity directly: set-up is not measured, and
    the gateway's per-IP registration limit is meant for real clients)."""
    clients = []
    for _ in range(n):
        c = Client(email=f"bench-{uuid.uuid4().hex[:12]}@example.com", password=uuid.uuid4().hex)
        async with session.post(
            f"{base}/auth/register",
            json={"email": c.email, "password": c.password, "name": "Bench"},
        ) as r:
            body = await r.json(content_type=None)
            if r.status != 201:
                raise SystemExit(f"register failed: {r.status} {body}")
            c.user_id = body["id"]
        async with session.post(
            f"{base}/auth/login", json={"email": c.email, "password": c.password}
        ) as r:
            body = await r.json(content_type=None)
            if r.status != 200:
                raise SystemExit(f"login failed: {r.status} {body}")
            c.access, c.refresh = body["accessToken"], body["refreshToken"]
        clients.append(c)
    return clients


# --- event latency: commit → the consuming service's effect ------------------------------------

# Each flow: what is written (through the gateway) → what is polled (straight at the consumer).
EVENT_FLOWS = (
    "profile update → nutrition recalculation",
    "workout → progress summary",
    "workout → goal progress",
)
EVENT_TIMEOUT_S = 15.0
EVENT_POLL_S = 0.005
EVENT_PROFILE = {
    "birthDate": "1990-04-12",
    "gender": "female",
    "heightCm": 170,
    "weightKg": 70.0,
    "activityLevel": "moderate",
    "goal": "lose",
    "targetRateKgPerWeek": 0.5,
    "timezone": "UTC",
}


async def _call(
    session: aiohttp.ClientSession, method: str, url: str, client: Client, body: Any = None
) -> tuple[int, Any]:
    async with session.request(method, url, json=body, headers=client.auth()) as r:
        return r.status, await r.json(content_type=None)


async def _until(check: Callable[[], Awaitable[bool]], started: float) -> float | None:
    """Seconds from ``started`` until ``check()`` holds; None after ``EVENT_TIMEOUT_S``."""
    while True:
        if await check():
            return time.perf_counter() - started
        if time.perf_counter() - started > EVENT_TIMEOUT_S:
            return None
        await asyncio.sleep(EVENT_POLL_S)  # the effect's polling interval


async def profile_to_nutrition(
    session: aiohttp.ClientSession, base: str, nutrition: str, client: Client, samples: int
) -> dict[str, Any]:
    """PUT /users/{id} with a new weight (identity commits before it answers) → nutrition's
    ``GET /nutrition/me`` shows a ``profile_change`` calculation with that weight."""
    status, body = await _call(
        session, "PUT", f"{base}/users/{client.user_id}", client, EVENT_PROFILE
    )
    if status != 200:
        raise SystemExit(f"event latency set-up: PUT /users/{{id}} → {status} {body}")
    delays: list[float] = []
    lost = 0
    for i in range(samples):
        weight = round(EVENT_PROFILE["weightKg"] + 0.1 * (i + 1), 1)  # type: ignore[operator]
        status, body = await _call(
            session, "PUT", f"{base}/users/{client.user_id}", client, {"weightKg": weight}
        )
        committed = time.perf_counter()
        if status != 200:
            raise SystemExit(f"event latency: PUT /users/{{id}} → {status} {body}")

        async def recalculated(weight: float = weight) -> bool:
            code, me = await _call(session, "GET", f"{nutrition}/nutrition/me", client)
            return (
                code == 200
                and me.get("reason") == "profile_change"
                and me.get("input", {}).get("weightKg") == weight
            )

        delay = await _until(recalculated, committed)
        if delay is None:
            lost += 1
        else:
            delays.append(delay)
        await asyncio.sleep(0.3 * random.random())  # spread over the consumers' polls
    return latency_summary(delays, lost)


async def workout_to_progress_and_goals(
    session: aiohttp.ClientSession,
    base: str,
    urls: dict[str, str],
    client: Client,
    samples: int,
) -> dict[str, dict[str, Any]]:
    """POST /workouts (training commits before it answers) → progress's weekly summary counts
    it, and goals re-evaluates the user's active-minutes goal (its ``evaluatedAt`` moves)."""
    progress, goals = urls.get("progress"), urls.get("goals")
    goal_id: str | None = None
    if goals is not None:
        # A goal the samples never complete (a reached goal is closed and no longer evaluated).
        body = {"type": "weekly_active_minutes", "minutesPerWeek": 3000}
        status, created = await _call(session, "POST", f"{base}/goals", client, body)
        goal_id = created["id"] if status == 201 else None
    delays: dict[str, list[float]] = {"progress": [], "goals": []}
    lost = {"progress": 0, "goals": 0}

    async def summary_count() -> int:
        code, body = await _call(session, "GET", f"{progress}/progress/summary", client)
        return int(body["workouts"]["count"]) if code == 200 else -1

    async def evaluated_at() -> Any:
        code, body = await _call(session, "GET", f"{goals}/goals/{goal_id}", client)
        return body.get("evaluatedAt") if code == 200 else None

    for i in range(samples):
        before_count = await summary_count() if progress else None
        before_eval = await evaluated_at() if goal_id else None
        started = datetime.now(UTC) - timedelta(minutes=15)
        workout = {
            "title": f"Latency {i}",
            "startedAt": started.isoformat(),
            "durationMin": 10,
            "exercises": [{"exerciseId": 9, "durationMin": 10}],
        }
        status, body = await _call(session, "POST", f"{base}/workouts", client, workout)
        committed = time.perf_counter()
        if status != 201:
            raise SystemExit(f"event latency: POST /workouts → {status} {body}")
        waits: dict[str, Awaitable[float | None]] = {}
        if progress is not None:

            async def counted(before: Any = before_count) -> bool:
                return await summary_count() > before

            waits["progress"] = _until(counted, committed)
        if goal_id is not None:

            async def evaluated(before: Any = before_eval) -> bool:
                return await evaluated_at() not in (None, before)

            waits["goals"] = _until(evaluated, committed)
        for name, delay in zip(waits, await asyncio.gather(*waits.values()), strict=True):
            if delay is None:
                lost[name] += 1
            else:
                delays[name].append(delay)
        await asyncio.sleep(0.3 * random.random())  # spread over the consumers' polls
    out: dict[str, dict[str, Any]] = {}
    if progress is not None:
        out[EVENT_FLOWS[1]] = latency_summary(delays["progress"], lost["progress"])
    if goal_id is not None:
        out[EVENT_FLOWS[2]] = latency_summary(delays["goals"], lost["goals"])
    return out


async def event_latency(
    session: aiohttp.ClientSession,
    base: str,
    urls: dict[str, str],
    client: Client,
    samples: int,
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    if "nutrition" in urls:
        out[EVENT_FLOWS[0]] = await profile_to_nutrition(
            session, base, urls["nutrition"], client, samples
        )
    if "training" in urls and ("progress" in urls or "goals" in urls):
        out.update(await workout_to_progress_and_goals(session, base, urls, client, samples))
    return out


def service_urls(state_dir: Path, overrides: list[str] | None = None) -> dict[str, str]:
    """Each service's own URL (for the direct runs and the event effects): from the launcher's
    port offset in ``<state>/stack.json``, then ``--service-url name=url`` overrides."""
    urls: dict[str, str] = {}
    try:
        from fitness_stack.ports import SERVICE_PORTS

        offset = int(json.loads((state_dir / "stack.json").read_text()).get("port_offset", 0))
        urls = {name: f"http://127.0.0.1:{port + offset}" for name, port in SERVICE_PORTS.items()}
    except (OSError, ValueError, ImportError):
        pass
    for item in overrides or ():
        name, sep, url = item.partition("=")
        if not sep:
            raise SystemExit(f"--service-url wants name=url, got {item!r}")
        urls[name] = url.rstrip("/")
    return urls


async def measure(
    args: argparse.Namespace,
    session: aiohttp.ClientSession,
    clients: list[Client],
    pids: dict[str, int],
    name: str,
    request: Request,
    conc: int,
    seconds: float,
) -> Result:
    waited = await settle(pids)
    # Unmeasured warm-up at the same concurrency: connection pools and caches fill here.
    await closed_loop(session, clients, request, WARMUP_S * args.scale, conc)
    await settle(pids)
    print(f"{name:40} settled in {waited:.1f} s; warmed up", flush=True)
    meter = CpuMeter(pids)
    if args.rate and name not in (
        "POST /auth/login (identity direct)",
        "POST /nutrition/meal-suggestion",
        "POST /nutrition/personal-plan",
    ):
        dur, lat, st = await open_loop(session, clients, request, seconds, args.rate)
        res = summarise(name, "open", conc, args.rate, dur, lat, st)
    else:
        dur, lat, st = await closed_loop(session, clients, request, seconds, conc)
        res = summarise(name, "closed", conc, None, dur, lat, st)
    res.cpu_seconds = meter.used()
    per_request = cpu_ms_per_request(res)
    busiest = sorted(per_request.items(), key=lambda kv: -kv[1])[:4]
    print(
        f"{name:40} {res.mode:6} c={conc:<3} {res.rps:8.1f} req/s  p50 {res.p50_ms:7.1f} ms  "
        f"p90 {res.p90_ms:7.1f}  p95 {res.p95_ms:7.1f}  p99 {res.p99_ms:7.1f}  "
        f"errors {res.errors}/{res.requests}  CPU ms/req "
        + ", ".join(f"{k} {v:.2f}" for k, v in busiest),
        flush=True,
    )
    return res


async def run(args: argparse.Namespace) -> tuple[list[Result], dict[str, Any]]:
    urls = service_urls(Path(args.state_dir), args.service_url)
    base = (args.base_url or urls.get("gateway") or "http://127.0.0.1:8000").rstrip("/")
    setup = (args.setup_url or urls.get("identity") or "http://127.0.0.1:8001").rstrip("/")
    connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=300)
    timeout = aiohttp.ClientTimeout(total=30)
    results: list[Result] = []
    events: dict[str, Any] = {}
    pids = fleet_pids(Path(args.state_dir))
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        clients = await make_clients(session, setup, args.accounts)
        if not args.only or any("nutrition" in o for o in args.only):
            # GET /nutrition/me reads the latest saved targets: give every account one.
            for c in clients:
                async with session.post(
                    f"{base}/nutrition/save", json=CALCULATION, headers=c.auth()
                ) as r:
                    await r.read()
        table = scenarios(base, setup)
        plan = dict(PLAN)
        # Where each key read's direct twin comes from: the same scenario built on its service.
        direct_builders: dict[str, Callable[[str], dict[str, Request]]] = {
            n: partial(scenarios, direct=setup) for n in table if n in KEY_READS
        }
        for module in service_benches():
            extra: dict[str, Request] = module.scenarios(base)
            wanted = [n for n in extra if not args.only or any(o in n for o in args.only)]
            if not wanted:
                continue
            if hasattr(module, "prepare"):
                await module.prepare(session, base, clients)
            table.update(extra)
            plan.update({n: module.PLAN[n] for n in extra})
            direct_builders.update({n: module.scenarios for n in extra if n in KEY_READS})
        # Set-up left the most work behind (every registration and login is an event each
        # consumer handles): let it drain before the first scenario, for longer than between two.
        await settle(pids, deadline_s=SETUP_SETTLE_S)
        for name, (conc, seconds) in plan.items():
            if args.only and not any(o in name for o in args.only):
                continue
            seconds = seconds * args.scale
            results.append(
                await measure(args, session, clients, pids, name, table[name], conc, seconds)
            )
            service = KEY_READS.get(name)
            if service in urls and name in direct_builders and not args.no_direct:
                direct = direct_builders[name](urls[service])[name]
                twin = direct_name(name)
                results.append(
                    await measure(args, session, clients, pids, twin, direct, conc, seconds)
                )
        if args.event_samples > 0 and (not args.only or "events" in args.only):
            await settle(pids)
            # A fresh account: its own goal and profile, no backlog from the load scenarios.
            [probe] = await make_clients(session, setup, 1)
            events = await event_latency(session, base, urls, probe, args.event_samples)
            for flow, summary in events.items():
                print(
                    f"event latency {flow}: p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} "
                    f"ms, max {summary['max_ms']} ms ({summary['samples']} samples, "
                    f"{summary['timeouts']} timed out)",
                    flush=True,
                )
    return results, events


def write_report(
    results: list[Result], out_dir: Path, events: dict[str, Any] | None = None
) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    meta: dict[str, Any] = {"at": stamp, "cores": os.cpu_count()}
    ratios = gateway_vs_direct(results)
    (out_dir / f"{stamp}.json").write_text(
        json.dumps(
            {
                "meta": meta,
                "results": [
                    {**asdict(r), "cpu_ms_per_request": cpu_ms_per_request(r)} for r in results
                ],
                "gateway_vs_direct": ratios,
                "event_latency": events or {},
            },
            indent=2,
        )
    )
    lines = [
        f"# Benchmark {stamp} ({os.cpu_count()} cores, load generator on the same machine)",
        "",
        "| scenario | mode | conc | req/s | p50 ms | p90 ms | p95 ms | p99 ms | errors | statuses |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.scenario} | {r.mode} | {r.concurrency} | {r.rps} | {r.p50_ms} | {r.p90_ms} "
            f"| {r.p95_ms} | {r.p99_ms} | {r.errors}/{r.requests} | {r.status_counts} |"
        )
    if ratios:
        lines += [
            "",
            "## Gateway vs direct (same run)",
            "",
            "| key read | gateway req/s | direct req/s | gateway ÷ direct | fewer through the "
            "gateway | gateway p99 ms | direct p99 ms | gateway CPU ms/req |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for x in ratios:
            lines.append(
                f"| {x['scenario']} | {x['gateway_rps']} | {x['direct_rps']} | {x['ratio']} "
                f"| {x['fewer_pct']} % | {x['gateway_p99_ms']} | {x['direct_p99_ms']} "
                f"| {x['gateway_cpu_ms']} |"
            )
    if events:
        lines += [
            "",
            "## Event latency: commit → the consumer's effect visible",
            "",
            "| flow | samples | timed out | p50 ms | p95 ms | max ms |",
            "|---|---|---|---|---|---|",
        ]
        for flow, x in events.items():
            lines.append(
                f"| {flow} | {x['samples']} | {x['timeouts']} | {x['p50_ms']} | {x['p95_ms']} "
                f"| {x['max_ms']} |"
            )
    lines += ["", "## CPU ms per request, per process (loadgen = this load generator)", ""]
    for r in results:
        cpu = ", ".join(
            f"{k} {v}"
            for k, v in sorted(cpu_ms_per_request(r).items(), key=lambda kv: -kv[1])
            if v >= 0.01
        )
        lines.append(f"- {r.scenario}: {cpu}")
    lines += ["", "## CPU seconds per process during each scenario", ""]
    for r in results:
        cpu = ", ".join(f"{k} {v}" for k, v in sorted(r.cpu_seconds.items()) if v > 0)
        lines.append(f"- {r.scenario}: {cpu}")
    md = out_dir / f"{stamp}.md"
    md.write_text("\n".join(lines) + "\n")
    return md


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--base-url",
        default=os.environ.get("BENCH_BASE_URL"),
        help="the gateway (default: from the state folder's port offset, else :8000)",
    )
    p.add_argument(
        "--setup-url", default=None, help="identity, for creating accounts (default: as above)"
    )
    p.add_argument(
        "--service-url",
        action="append",
        metavar="NAME=URL",
        help="a service's own URL for the direct runs and event effects (repeatable)",
    )
    p.add_argument("--accounts", type=int, default=64, help="accounts shared by the connections")
    p.add_argument("--state-dir", default=".local/dev", help="launcher state (for PIDs, ports)")
    p.add_argument("--rate", type=float, default=0.0, help="open-loop requests/s (0 = closed)")
    p.add_argument("--scale", type=float, default=1.0, help="multiply every duration")
    p.add_argument(
        "--only", nargs="*", help="run only scenarios containing these strings ('events' too)"
    )
    p.add_argument("--no-direct", action="store_true", help="skip the key reads' direct twins")
    p.add_argument(
        "--event-samples", type=int, default=20, help="commits per event flow (0 = skip)"
    )
    p.add_argument("--out", default="bench-results")
    args = p.parse_args()
    try:
        import uvloop

        results, events = uvloop.run(run(args))
    except ImportError:
        results, events = asyncio.run(run(args))
    print(f"report: {write_report(results, Path(args.out), events)}")


if __name__ == "__main__":
    main()
