"""`python -m e2e.bench_consumers`: CPU milliseconds per event of each consumer process.

Against a running stack's state folder (default ``.local/dev``; use your own, e.g.
``python -m fitness_stack --state-dir /tmp/x --port-offset -200 up``):

1. measures the consumer processes' idle CPU rate for ``--idle-s`` seconds (subtracted later);
2. writes ``--events`` events of each type (a profile update, a workout, an intake, targets and a
   weigh-in, valid contract payloads for ``--users`` random users) as rows of the producing
   services' own ``outbox`` tables, so the **real relays** publish them and the real consumers
   handle them; ``--mode bulk`` inserts them all at once (consumers see large fetches),
   ``--mode trickle`` one row per commit at ``--rate`` rows/s (each write its own relay batch,
   like single API writes at a moderate rate);
3. waits until every consuming service's inbox holds a row for each (consumer, event) pair it
   should (polling with a deadline), then reads each process's CPU time (utime + stime of the
   process and its children from ``/proc``) and reports, per process, CPU ms per event it handled
   with the idle share removed. PostgreSQL (all backends) and the relays are reported as totals.

The machine is shared: CPU time per event, not wall time, is the figure to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from e2e.bench_events import _stat, stack_info, stack_processes

# Producer schema of each benched topic, and how many inbox consumers each service keeps for it
# (one inbox ``consumer`` value per handler, whatever the number of Kafka groups).
TOPICS: dict[str, str] = {
    "identity.user": "identity",
    "training.workout": "training",
    "nutrition.intake": "nutrition",
    "nutrition.targets": "nutrition",
    "progress.weight": "progress",
}
INBOX_CONSUMERS: dict[str, dict[str, int]] = {
    "identity.user": {
        "identity": 1,
        "nutrition": 2,
        "training": 1,
        "progress": 1,
        "goals": 1,
        "media": 1,
    },
    "training.workout": {"identity": 1, "progress": 1, "goals": 1},
    "nutrition.intake": {"identity": 1, "progress": 1, "goals": 1},
    "nutrition.targets": {"identity": 1, "progress": 1, "goals": 1},
    "progress.weight": {"identity": 1, "training": 1, "goals": 1},
}
# pid-file name of the process that runs each service's consumers.
CONSUMER_PROCESS = {
    "identity": "identity-consumer",
    "nutrition": "nutrition-worker",
    "training": "training-consumer",
    "progress": "progress-worker",
    "goals": "goals-consumer",
    "media": "media-worker",
}


def _event(topic: str, user: uuid.UUID, i: int, now: datetime) -> Any:
    from fitness_contracts.identity import ProfileSnapshot, UserProfileUpdatedV1
    from fitness_contracts.nutrition import IntakeLoggedV1, TargetsCalculatedV1
    from fitness_contracts.progress import WeightRecordedV1
    from fitness_contracts.training import WorkoutCreatedV1, WorkoutSnapshot

    day = date.today() - timedelta(days=i % 5)
    if topic == "identity.user":
        return UserProfileUpdatedV1(
            user_id=user,
            profile=ProfileSnapshot.model_validate(
                {
                    "name": "Bench",
                    "birthDate": "1990-05-01",
                    "gender": "female",
                    "heightCm": 170.0,
                    "weightKg": 60.0 + i % 20,
                    "activityLevel": "moderate",
                    "goal": "maintain",
                    "timezone": "Europe/Berlin",
                }
            ),
            changed_fields=["weightKg"],
            updated_at=now + timedelta(milliseconds=i),
        )
    if topic == "training.workout":
        return WorkoutCreatedV1(
            workout=WorkoutSnapshot(
                workout_id=uuid.uuid4(),
                user_id=user,
                title="Run",
                started_at=now - timedelta(days=i % 5),
                local_date=day,
                duration_min=30,
                calories_burned=340.0,
                calories_source="estimated",
                exercise_categories=["cardio"],
            ),
            created_at=now,
        )
    if topic == "nutrition.intake":
        return IntakeLoggedV1.model_validate(
            {
                "userId": str(user),
                "entryId": str(uuid.uuid4()),
                "day": day.isoformat(),
                "dayTotals": {"kcal": 2100.0, "proteinG": 120, "fatG": 70, "carbsG": 230},
                "loggedAt": now.isoformat(),
            }
        )
    if topic == "nutrition.targets":
        return TargetsCalculatedV1.model_validate(
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
    return WeightRecordedV1(user_id=user, date=day, weight_kg=60.0 + i % 20, recorded_at=now)


def _rows(events: int, users: int) -> list[tuple[str, tuple[Any, ...]]]:
    """(schema, outbox row) in publishing order: the topics interleaved, as a mixed load."""
    from psycopg.types.json import Jsonb

    user_ids = [uuid.uuid4() for _ in range(users)]
    now = datetime.now(UTC)
    rows: list[tuple[str, tuple[Any, ...]]] = []
    for i in range(events):
        for topic, schema in TOPICS.items():
            user = random.choice(user_ids)
            event = _event(topic, user, i, now)
            payload = event.model_dump(mode="json", by_alias=True)
            row = (uuid.uuid4(), topic, str(user), event.event_type, str(user), Jsonb(payload))
            rows.append((schema, row))
    return rows


def _cpu(pids: dict[int, str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for pid, name in pids.items():
        st = _stat(pid)
        if st is not None:
            out[name] = out.get(name, 0.0) + st[1]
    return out


INSERT = (
    "INSERT INTO {schema}.outbox (event_id, topic, key, event_type, subject, payload, headers) "
    "VALUES (%s, %s, %s, %s, %s, %s, '{{}}'::jsonb)"
)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    import psycopg

    state_dir = Path(args.state_dir)
    info = stack_info(state_dir)
    admin = info["endpoints"].pg_admin_url.replace("postgresql+psycopg://", "postgresql://")
    pids = stack_processes(state_dir)
    watched = {pid: n for pid, n in pids.items() if n in CONSUMER_PROCESS.values()}
    others = {pid: n for pid, n in pids.items() if n == "postgres" or n.endswith("-relay")}
    missing = set(CONSUMER_PROCESS.values()) - set(watched.values())
    if missing:
        raise SystemExit(f"consumer processes not running: {sorted(missing)}")
    rows = _rows(args.events, args.users)
    ids_by_schema: dict[str, list[uuid.UUID]] = {}
    expected: dict[str, int] = {}
    handled: dict[str, int] = {name: 0 for name in CONSUMER_PROCESS.values()}
    for _schema, row in rows:
        topic = row[1]
        for consumer_schema, n in INBOX_CONSUMERS[topic].items():
            ids_by_schema.setdefault(consumer_schema, []).append(row[0])
            expected[consumer_schema] = expected.get(consumer_schema, 0) + n
            handled[CONSUMER_PROCESS[consumer_schema]] += 1

    # Idle rate of each watched process (its long polls, lag loops, heartbeats).
    cpu0 = _cpu(watched | others)
    idle_start = time.monotonic()
    await asyncio.sleep(args.idle_s)  # the measurement window itself, not synchronisation
    idle_wall = time.monotonic() - idle_start
    cpu1 = _cpu(watched | others)
    idle_rate = {k: (cpu1[k] - cpu0.get(k, cpu1[k])) / idle_wall for k in cpu1}

    started = time.monotonic()
    async with await psycopg.AsyncConnection.connect(admin, autocommit=True) as conn:
        if args.mode == "bulk":
            async with conn.transaction():
                for schema in dict.fromkeys(TOPICS.values()):
                    batch = [r for s, r in rows if s == schema]
                    if batch:
                        async with conn.cursor() as cur:
                            await cur.executemany(INSERT.format(schema=schema), batch)
        else:
            interval = 1.0 / args.rate
            next_at = time.monotonic()
            for schema, row in rows:
                await conn.execute(INSERT.format(schema=schema), row)
                next_at += interval
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))  # pacing, not sync
        inserted = time.monotonic() - started
        deadline = time.monotonic() + args.timeout_s
        while True:
            left: dict[str, int] = {}
            for schema, ids in ids_by_schema.items():
                cur = await conn.execute(
                    f"SELECT count(*) FROM {schema}.inbox WHERE event_id = ANY(%s)",  # noqa: S608
                    (ids,),
                )
                have = (await cur.fetchone() or (0,))[0]
                if have < expected[schema]:
                    left[schema] = expected[schema] - have
            if not left:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"inbox rows still missing after {args.timeout_s:.0f} s: {left}")
            await asyncio.sleep(0.1)
    wall = time.monotonic() - started
    cpu2 = _cpu(watched | others)
    report: dict[str, Any] = {
        "mode": args.mode,
        "events_per_type": args.events,
        "events_total": len(rows),
        "insert_s": round(inserted, 2),
        "all_handled_after_s": round(wall, 2),
        "consumers": {},
        "others": {},
    }
    for name in sorted(cpu2):
        busy = cpu2[name] - cpu1.get(name, cpu2[name])
        net = max(0.0, busy - idle_rate.get(name, 0.0) * wall)
        entry = {
            "cpu_s": round(busy, 3),
            "idle_pct_of_core": round(100 * idle_rate.get(name, 0.0), 2),
        }
        if name in handled:
            entry["events"] = handled[name]
            entry["cpu_ms_per_event"] = round(1000 * net / max(1, handled[name]), 3)
            # Without the idle share removed: robust when a periodic job ran in the idle window.
            entry["gross_cpu_ms_per_event"] = round(1000 * busy / max(1, handled[name]), 3)
            report["consumers"][name] = entry
        else:
            entry["cpu_ms_per_event_written"] = round(1000 * net / len(rows), 3)
            report["others"][name] = entry
    total = sum(
        e["cpu_ms_per_event"] * e["events"] / len(rows) for e in report["consumers"].values()
    )
    report["consumers_cpu_ms_per_event_written"] = round(total, 3)
    report["consumers_gross_cpu_ms_per_event_written"] = round(
        1000 * sum(e["cpu_s"] for e in report["consumers"].values()) / len(rows), 3
    )
    return report


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"mode {report['mode']}, {report['events_total']} events "
        f"({report['events_per_type']} per type), all handled after "
        f"{report['all_handled_after_s']} s",
        "",
        "| process | events handled | CPU s | idle % of a core | CPU ms / event (idle removed)"
        " | gross CPU ms / event |",
        "|---|---|---|---|---|---|",
    ]
    for name, e in report["consumers"].items():
        lines.append(
            f"| {name} | {e['events']} | {e['cpu_s']} | {e['idle_pct_of_core']} | "
            f"{e['cpu_ms_per_event']} | {e['gross_cpu_ms_per_event']} |"
        )
    lines.append(
        f"| **all consumers, per event written** | | | | "
        f"**{report['consumers_cpu_ms_per_event_written']}** | "
        f"**{report['consumers_gross_cpu_ms_per_event_written']}** |"
    )
    for name, e in report["others"].items():
        lines.append(
            f"| {name} (per event written) | | {e['cpu_s']} | {e['idle_pct_of_core']} | "
            f"{e['cpu_ms_per_event_written']} | |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m e2e.bench_consumers", description=__doc__)
    p.add_argument("--state-dir", default=".local/dev")
    p.add_argument("--events", type=int, default=200, help="events of each of the five types")
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--mode", choices=("bulk", "trickle"), default="bulk")
    p.add_argument("--rate", type=float, default=50.0, help="trickle: outbox rows per second")
    p.add_argument("--idle-s", type=float, default=10.0)
    p.add_argument("--timeout-s", type=float, default=300.0)
    p.add_argument("--json", help="also write the report as JSON to this file")
    args = p.parse_args(argv)
    report = asyncio.run(run(args))
    print(markdown(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
