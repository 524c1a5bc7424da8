"""`make bench`: load through the gateway of a running fleet (`make up` first).

Two modes per scenario:
- closed loop: N connections, each sends its next request when the previous one answers
  (throughput at a stated concurrency);
- open loop at a fixed rate (``--rate``): requests are *scheduled* at 1/rate intervals and latency is
  measured from the scheduled time, not from the send time, so a stalled server shows up as latency
  instead of silently lowering the offered load (no coordinated-omission blind spot).

Before each scenario the bench waits until the fleet is quiet (work left by set-up or the previous
scenario is not charged to it) and runs 2 s of unmeasured warm-up at the same concurrency.

Results: ``bench-results/<timestamp>.json`` and a Markdown summary beside it (req/s, p50/p90/p99,
errors, CPU seconds per fleet process read from /proc). The load generator shares the machine's
two cores with the fleet; its own CPU is reported too.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import math
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
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

    async def meal_suggestion(s: aiohttp.ClientSession, c: Client) -> int:
        body = {
            "meals": 4,
            "seed": uuid.uuid4().int % 10_000,
            "targets": {"kcal": 2200, "proteinG": 140, "fatG": 70, "carbsG": 255},
        }
        async with s.post(f"{base}/nutrition/meal-suggestion", json=body, headers=c.auth()) as r:
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


async def run(args: argparse.Namespace) -> list[Result]:
    base = args.base_url.rstrip("/")
    connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=300)
    timeout = aiohttp.ClientTimeout(total=30)
    results: list[Result] = []
    pids = fleet_pids(Path(args.state_dir))
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        clients = await make_clients(session, args.setup_url.rstrip("/"), args.accounts)
        if not args.only or any("nutrition" in o for o in args.only):
            # GET /nutrition/me reads the latest saved targets: give every account one.
            for c in clients:
                async with session.post(
                    f"{base}/nutrition/save", json=CALCULATION, headers=c.auth()
                ) as r:
                    await r.read()
        table = scenarios(base, args.setup_url.rstrip("/"))
        plan = dict(PLAN)
        for module in service_benches():
            extra: dict[str, Request] = module.scenarios(base)
            wanted = [n for n in extra if not args.only or any(o in n for o in args.only)]
            if not wanted:
                continue
            if hasattr(module, "prepare"):
                await module.prepare(session, base, clients)
            table.update(extra)
            plan.update({n: module.PLAN[n] for n in extra})
        for name, (conc, seconds) in plan.items():
            if args.only and not any(o in name for o in args.only):
                continue
            seconds = seconds * args.scale
            waited = await settle(pids)
            # Unmeasured warm-up at the same concurrency: connection pools and caches fill here.
            await closed_loop(session, clients, table[name], WARMUP_S * args.scale, conc)
            await settle(pids)
            print(f"{name:34} settled in {waited:.1f} s; warmed up", flush=True)
            meter = CpuMeter(pids)
            if args.rate and name not in (
                "POST /auth/login (identity direct)",
                "POST /nutrition/meal-suggestion",
            ):
                dur, lat, st = await open_loop(session, clients, table[name], seconds, args.rate)
                res = summarise(name, "open", conc, args.rate, dur, lat, st)
            else:
                dur, lat, st = await closed_loop(session, clients, table[name], seconds, conc)
                res = summarise(name, "closed", conc, None, dur, lat, st)
            res.cpu_seconds = meter.used()
            results.append(res)
            print(
                f"{name:34} {res.mode:6} c={conc:<3} {res.rps:8.1f} req/s  p50 {res.p50_ms:7.1f} ms  "
                f"p90 {res.p90_ms:7.1f}  p95 {res.p95_ms:7.1f}  p99 {res.p99_ms:7.1f}  errors {res.errors}/{res.requests}",
                flush=True,
            )
    return results


def write_report(results: list[Result], out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    meta: dict[str, Any] = {"at": stamp, "cores": os.cpu_count()}
    (out_dir / f"{stamp}.json").write_text(
        json.dumps({"meta": meta, "results": [asdict(r) for r in results]}, indent=2)
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
    lines += ["", "## CPU seconds per process during each scenario", ""]
    for r in results:
        cpu = ", ".join(f"{k} {v}" for k, v in sorted(r.cpu_seconds.items()) if v > 0)
        lines.append(f"- {r.scenario}: {cpu}")
    md = out_dir / f"{stamp}.md"
    md.write_text("\n".join(lines) + "\n")
    return md


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--base-url", default=os.environ.get("BENCH_BASE_URL", "http://127.0.0.1:8000"))
    p.add_argument(
        "--setup-url", default="http://127.0.0.1:8001", help="identity, for creating accounts"
    )
    p.add_argument("--accounts", type=int, default=64, help="accounts shared by the connections")
    p.add_argument("--state-dir", default=".local/dev", help="launcher state (for PIDs)")
    p.add_argument("--rate", type=float, default=0.0, help="open-loop requests/s (0 = closed)")
    p.add_argument("--scale", type=float, default=1.0, help="multiply every duration")
    p.add_argument("--only", nargs="*", help="run only scenarios containing these strings")
    p.add_argument("--out", default="bench-results")
    args = p.parse_args()
    try:
        import uvloop

        results = uvloop.run(run(args))
    except ImportError:
        results = asyncio.run(run(args))
    print(f"report: {write_report(results, Path(args.out))}")


if __name__ == "__main__":
    main()
