"""`make seed-events` / `make bench-events`: the local event log under load and at rest.

Subcommands (each against a running stack's state folder, default ``.local/dev``):

- ``seed --events N``: inserts N outbox rows (valid contract payloads for random users) into the
  services' own ``outbox`` tables, spread over ``identity.user``, ``nutrition.intake`` and
  ``nutrition.targets``, and waits until the **real relays** have published them all;
- ``idle --seconds 60``: CPU seconds of every process of the stack (and their children, e.g.
  PostgreSQL's backends) over the window, read from ``/proc/<pid>/stat`` (utime + stime): the
  machine is shared, so per-process CPU time is what is compared, not wall-clock load;
- ``latency --samples 40``: commit of a write → the consuming service's effect visible:
  ``POST /auth/register`` on identity (its commit precedes the response) → nutrition's profile
  read model row (``nutrition.user_profiles``) exists; nearest-rank p50/p95/max;
- ``fresh-group --topic T``: a new consumer group reads ``T`` from the earliest offset until the
  end offset; checks every offset arrives once and in order, reports the time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

SEED_TOPICS = ("identity.user", "nutrition.intake", "nutrition.targets")


# --- state folder --------------------------------------------------------------------------


def stack_info(state_dir: Path) -> dict[str, Any]:
    from fitness_stack.endpoints import External, resolve
    from fitness_stack.ports import Ports
    from fitness_stack.state import StateDir

    saved = json.loads((state_dir / "stack.json").read_text())
    state = StateDir(state_dir.absolute())
    ep = resolve(
        Ports.for_offset(saved.get("port_offset", 0)),
        External.from_environ({}),
        state.secrets(),
        state.maildir,
        state.logs,
    )
    return {"endpoints": ep, "saved": saved}


# --- CPU per process -----------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, float] | None:
    """(ppid, utime+stime seconds) of a process, None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks


def stack_processes(state_dir: Path) -> dict[int, str]:
    """pid → name for the stack's processes (pid files) and all their descendants."""
    roots: dict[int, str] = {}
    for f in sorted((state_dir / "pids").glob("*.pid")):
        try:
            roots[int(f.read_text().strip())] = f.stem
        except ValueError:
            continue
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (st := _stat(int(entry.name))) is not None:
            children.setdefault(st[0], []).append(int(entry.name))
    out: dict[int, str] = {}
    todo = list(roots.items())
    while todo:
        pid, name = todo.pop()
        out[pid] = name
        todo.extend((c, name) for c in children.get(pid, ()))
    return out


def measure_idle(state_dir: Path, seconds: float) -> dict[str, Any]:
    procs = stack_processes(state_dir)
    before = {pid: st[1] for pid in procs if (st := _stat(pid)) is not None}
    start = time.monotonic()
    time.sleep(seconds)  # the measurement window itself, not synchronisation
    wall = time.monotonic() - start
    per_name: dict[str, float] = {}
    for pid, cpu0 in before.items():
        st = _stat(pid)
        if st is not None:
            name = procs[pid]
            per_name[name] = per_name.get(name, 0.0) + st[1] - cpu0
    total = sum(per_name.values())
    broker = per_name.get("kafka", 0.0) + per_name.get("s3", 0.0)
    return {
        "window_s": round(wall, 1),
        "cpu_seconds": {k: round(v, 2) for k, v in sorted(per_name.items())},
        "total_pct_of_one_core": round(100 * total / wall, 2),
        "broker_and_storage_pct": round(100 * broker / wall, 2),
    }


# --- seeding through the relays ------------------------------------------------------------


def _payload(topic: str, user: uuid.UUID, now: datetime) -> tuple[str, dict[str, Any]]:
    from fitness_contracts.identity import UserLoggedInV1
    from fitness_contracts.nutrition import IntakeLoggedV1, TargetsCalculatedV1

    event: Any
    if topic == "identity.user":
        event = UserLoggedInV1(user_id=user, at=now)
    elif topic == "nutrition.intake":
        event = IntakeLoggedV1.model_validate(
            {
                "userId": str(user),
                "entryId": str(uuid.uuid4()),
                "day": date.today().isoformat(),
                "dayTotals": {"kcal": 2100.0, "proteinG": 120, "fatG": 70, "carbsG": 230},
                "loggedAt": now.isoformat(),
            }
        )
    else:
        event = TargetsCalculatedV1.model_validate(
            {
                "userId": str(user),
                "calculationId": str(uuid.uuid4()),
                "bmr": 1700.0,
                "tdee": 2500.0,
                "dailyCalories": 2100.0,
                "macros": {"proteinG": 150, "fatG": 70, "carbsG": 210},
                "fiberG": 30.0,
                "reason": "manual",
                "calculatedAt": now.isoformat(),
            }
        )
    return event.event_type, event.model_dump(mode="json", by_alias=True)


async def seed(
    state_dir: Path,
    events: int,
    users: int,
    timeout_s: float,
    topics: tuple[str, ...] = SEED_TOPICS,
) -> dict[str, Any]:
    import psycopg
    from psycopg.types.json import Jsonb

    info = stack_info(state_dir)
    admin = info["endpoints"].pg_admin_url.replace("postgresql+psycopg://", "postgresql://")
    user_ids = [uuid.uuid4() for _ in range(users)]
    now = datetime.now(UTC)
    rows: dict[str, list[tuple[Any, ...]]] = {"identity": [], "nutrition": []}
    for i in range(events):
        topic = topics[i % len(topics)]
        user = random.choice(user_ids)
        event_type, payload = _payload(topic, user, now)
        schema = topic.split(".", 1)[0]
        rows[schema].append(
            (uuid.uuid4(), topic, str(user), event_type, str(user), Jsonb(payload), Jsonb({}))
        )
    started = time.monotonic()
    async with await psycopg.AsyncConnection.connect(admin, autocommit=False) as conn:
        for schema, batch in rows.items():
            async with conn.cursor() as cur:
                await cur.executemany(
                    f"INSERT INTO {schema}.outbox "  # noqa: S608 - fixed schema names
                    "(event_id, topic, key, event_type, subject, payload, headers) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    batch,
                )
            await conn.commit()
        inserted = time.monotonic() - started
        deadline = time.monotonic() + timeout_s
        while True:
            left = 0
            for schema in rows:
                cur = await conn.execute(
                    f"SELECT count(*) FROM {schema}.outbox WHERE published_at IS NULL"  # noqa: S608
                )
                left += (await cur.fetchone() or (0,))[0]
            await conn.commit()
            if left == 0:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"{left} outbox rows still unpublished after {timeout_s:.0f} s")
            await asyncio.sleep(0.5)
    return {
        "events": events,
        "insert_s": round(inserted, 1),
        "published_after_s": round(time.monotonic() - started, 1),
    }


# --- latency commit → effect ---------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


async def latency(state_dir: Path, samples: int, pause_s: float) -> dict[str, Any]:
    import httpx
    import psycopg

    info = stack_info(state_dir)
    ep = info["endpoints"]
    admin = ep.pg_admin_url.replace("postgresql+psycopg://", "postgresql://")
    base = ep.service_urls["identity"]
    out: list[float] = []
    async with (
        httpx.AsyncClient(base_url=base, timeout=10) as http,
        await psycopg.AsyncConnection.connect(admin, autocommit=True) as conn,
    ):
        for _ in range(samples):
            email = f"lat-{uuid.uuid4().hex[:12]}@example.com"
            resp = await http.post(
                "/auth/register", json={"email": email, "password": uuid.uuid4().hex, "name": "L"}
            )
            committed = time.monotonic()  # identity commits before it answers
            resp.raise_for_status()
            user_id = resp.json()["id"]
            deadline = committed + 30
            while True:
                cur = await conn.execute(
                    "SELECT 1 FROM nutrition.user_profiles WHERE user_id = %s", (user_id,)
                )
                if await cur.fetchone():
                    out.append(time.monotonic() - committed)
                    break
                if time.monotonic() > deadline:
                    raise SystemExit(f"no nutrition profile for {user_id} after 30 s")
                await asyncio.sleep(0.005)
            await asyncio.sleep(pause_s * random.random())  # spread over the consumers' polls
    ms = [v * 1000 for v in out]
    return {
        "samples": len(ms),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "max_ms": round(max(ms), 1),
    }


# --- a fresh group from the earliest offset ------------------------------------------------


async def fresh_group(state_dir: Path, topic: str, timeout_s: float) -> dict[str, Any]:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    info = stack_info(state_dir)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=info["endpoints"].kafka_bootstrap,
        group_id=f"bench-fresh-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=6000,
        heartbeat_interval_ms=1000,
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    started = time.monotonic()
    await consumer.start()
    try:
        parts = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        expected = {tp: 0 for tp in tps}
        received = 0
        problems = 0
        deadline = time.monotonic() + timeout_s
        while any(expected[tp] < ends[tp] for tp in tps):
            if time.monotonic() > deadline:
                break
            batch = await consumer.getmany(timeout_ms=500, max_records=5000)
            for tp, records in batch.items():
                for rec in records:
                    if rec.offset != expected[tp]:
                        problems += 1
                    expected[tp] = rec.offset + 1
                    received += 1
        return {
            "topic": topic,
            "end_offsets": sum(ends.values()),
            "received": received,
            "out_of_order_or_gaps": problems,
            "seconds": round(time.monotonic() - started, 1),
        }
    finally:
        await consumer.stop()


# --- CLI -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m e2e.bench_events")
    parser.add_argument("--state-dir", default=".local/dev", type=Path)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("seed")
    p.add_argument("--events", type=int, default=50_000)
    p.add_argument("--users", type=int, default=2_000)
    p.add_argument("--timeout", type=float, default=900)
    p.add_argument(
        "--topic", action="append", choices=SEED_TOPICS, help="only these topics (repeatable)"
    )
    p = sub.add_parser("idle")
    p.add_argument("--seconds", type=float, default=60)
    p = sub.add_parser("latency")
    p.add_argument("--samples", type=int, default=40)
    p.add_argument("--pause", type=float, default=0.5)
    p = sub.add_parser("fresh-group")
    p.add_argument("--topic", default="identity.user")
    p.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    result: dict[str, Any]
    if args.cmd == "seed":
        topics = tuple(args.topic) if args.topic else SEED_TOPICS
        result = asyncio.run(seed(args.state_dir, args.events, args.users, args.timeout, topics))
    elif args.cmd == "idle":
        result = measure_idle(args.state_dir, args.seconds)
    elif args.cmd == "latency":
        result = asyncio.run(latency(args.state_dir, args.samples, args.pause))
    else:
        result = asyncio.run(fresh_group(args.state_dir, args.topic, args.timeout))
    print(json.dumps({args.cmd: result}, indent=2))


if __name__ == "__main__":
    main()
