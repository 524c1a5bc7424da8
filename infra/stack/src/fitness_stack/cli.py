"""`python -m fitness_stack up|down|status|logs [name]|migrate|admin EMAIL|backup|restore`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from fitness_stack import backup
from fitness_stack.admin import grant_admin
from fitness_stack.endpoints import Endpoints, redact
from fitness_stack.fleet import discover
from fitness_stack.migrations import repo_root
from fitness_stack.processes import StackError, tail
from fitness_stack.stack import BACKING, Stack
from fitness_stack.state import SERVICES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fitness_stack", description=__doc__)
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help="state folder (default: <repo>/.local/dev)",
    )
    parser.add_argument(
        "--port-offset",
        type=int,
        default=None,
        help="shift every port by this much (default: the last `up`'s offset, else 0)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start backing services, migrate, start the fleet")
    up.add_argument("--no-fleet", action="store_true", help="backing services only")
    up.add_argument(
        "--kafka-storage",
        choices=["s3", "memory"],
        default=None,
        help="tansu's storage (default memory: relays replay the outbox into a fresh broker)",
    )
    up.add_argument(
        "--services",
        default=None,
        help="comma-separated services to run (default: every built one; the gateway always)",
    )
    sub.add_parser("down", help="stop everything this state folder started")
    sub.add_parser("status", help="what runs, and where")
    logs = sub.add_parser("logs", help="list logs, or print the tail of one")
    logs.add_argument("name", nargs="?")
    logs.add_argument("-n", "--lines", type=int, default=50)
    logs.add_argument("-f", "--follow", action="store_true")
    sub.add_parser("migrate", help="run every service's Alembic migrations")
    admin = sub.add_parser("admin", help="grant role admin to a registered user")
    admin.add_argument("email")
    dump = sub.add_parser("backup", help="pg_dump database fitness into <state>/backups")
    dump.add_argument(
        "--keep",
        type=int,
        default=backup.DEFAULT_KEEP,
        help=f"keep the newest N backups (default {backup.DEFAULT_KEEP})",
    )
    dump.add_argument(
        "--schema",
        action="append",
        default=[],
        help="only this schema (repeatable; default: the whole database)",
    )
    dump.add_argument("--dir", type=Path, default=None, help="default: <state>/backups")
    load = sub.add_parser("restore", help="restore a backup (default: the newest)")
    load.add_argument("file", nargs="?", type=Path, help="a .dump file (default: the newest)")
    load.add_argument(
        "--into",
        default=None,
        help="restore into this new database instead of replacing the objects in fitness",
    )
    load.add_argument("--list", action="store_true", help="list the backups and exit")
    load.add_argument(
        "--force",
        action="store_true",
        help="restore into fitness even while services of this stack are running",
    )
    load.add_argument("--dir", type=Path, default=None, help="default: <state>/backups")
    return parser


def make_stack(args: argparse.Namespace) -> Stack:
    state_dir = args.state_dir or repo_root() / ".local" / "dev"
    kwargs: dict[str, object] = {"output": sys.stdout}
    if args.port_offset is not None:
        kwargs["port_offset"] = args.port_offset
    if getattr(args, "kafka_storage", None):
        kwargs["kafka_storage"] = args.kafka_storage
    elif args.command == "up":
        # `up` picks the storage each time (default memory: the outbox is the durable log);
        # `down`/`status` use what the last `up` saved.
        kwargs["kafka_storage"] = "memory"
    if getattr(args, "services", None):
        chosen = [s.strip() for s in args.services.split(",") if s.strip()]
        unknown = sorted(set(chosen) - set(SERVICES))
        if unknown:
            build_parser().error(f"unknown service(s): {', '.join(unknown)}")
        kwargs["services"] = chosen
    if getattr(args, "no_fleet", False):
        kwargs["start_fleet"] = False
    elif args.command == "up":
        kwargs["start_fleet"] = True
    return Stack.from_state(state_dir, **kwargs)


def print_urls(stack: Stack, ep: Endpoints) -> None:
    built = {p.service for p in discover(stack.ports.services)}
    chosen = {p.service for p in stack.fleet()}
    rows: list[tuple[str, str]] = []
    gw = "" if "gateway" in built else "   (gateway not built yet)"
    rows.append(("Gateway Swagger UI", f"{ep.gateway_url}/docs{gw}"))
    for name, url in ep.service_urls.items():
        if name not in built:
            note = "   (not built yet: the gateway answers 503)"
        elif name not in chosen:
            note = "   (left out by --services)"
        else:
            note = ""
        rows.append((name, f"{url}/docs{note}"))
    secrets_file = stack.state.root / "secrets.json"
    rows += [
        ("PostgreSQL (admin)", f"{redact(ep.pg_admin_url)}   (passwords: {secrets_file})"),
        ("Redis", ep.redis_url),
        ("Kafka bootstrap", ep.kafka_bootstrap),
        ("S3", f"{ep.s3_endpoint}   (access key {ep.s3_access_key})"),
        ("SMTP", f"{ep.smtp_host}:{ep.smtp_port}"),
    ]
    if ep.smtp_maildir is not None:
        rows.append(("SMTP maildir", str(ep.smtp_maildir)))
    rows.append(("Logs", str(stack.state.logs)))
    width = max(len(label) for label, _ in rows)
    print()
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")


def report_failure(stack: Stack, exc: StackError) -> int:
    print("FAILED", file=sys.stdout)
    print(f"\n{exc}", file=sys.stderr)
    log = exc.log or stack.state.log(exc.name)
    if log.exists():
        print(f"--- last lines of {log} ---", file=sys.stderr)
        print(tail(log, 30), file=sys.stderr)
        print(f"--- full log: {log}", file=sys.stderr)
    print("(what did start is still running: `make down` stops it)", file=sys.stderr)
    return 1


def cmd_up(stack: Stack) -> int:
    started = time.monotonic()
    try:
        ep = stack.up()
    except StackError as exc:
        return report_failure(stack, exc)
    except KeyboardInterrupt:
        print("\ninterrupted: what did start is still running (`make down` stops it)")
        return 130
    print(f"\nstack up in {time.monotonic() - started:.1f}s")
    print_urls(stack, ep)
    return 0


def cmd_down(stack: Stack) -> int:
    stopped = stack.down()
    print(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")
    return 0


def cmd_status(stack: Stack) -> int:
    status = stack.status()
    if not status:
        print(f"nothing started from {stack.state.root}")
        return 0
    for name, state in status.items():
        print(f"  {name.ljust(20)} {state}")
    print_urls(stack, stack.endpoints)
    return 0 if all(s.startswith("running") for s in status.values()) else 1


def cmd_logs(stack: Stack, name: str | None, lines: int, follow: bool) -> int:
    logs_dir = stack.state.logs
    if name is None:
        for log in sorted(logs_dir.glob("*.log")):
            print(f"  {log.stem.ljust(20)} {log}  ({log.stat().st_size} bytes)")
        return 0
    log = stack.state.log(name)
    if not log.exists():
        names = ", ".join(sorted(p.stem for p in logs_dir.glob("*.log")))
        print(f"no log named {name!r}; known: {names or 'none'}", file=sys.stderr)
        return 1
    print(tail(log, lines))
    if follow:
        with open(log, errors="replace") as fh:
            fh.seek(0, 2)
            try:
                while True:
                    chunk = fh.read()
                    if chunk:
                        print(chunk, end="", flush=True)
                    else:
                        time.sleep(0.3)
            except KeyboardInterrupt:
                return 0
    return 0


def cmd_migrate(stack: Stack) -> int:
    try:
        done = stack.migrate()
    except StackError as exc:
        return report_failure(stack, exc)
    print(f"migrated: {', '.join(done) or 'no service has alembic.ini yet'}")
    return 0


def cmd_admin(stack: Stack, email: str) -> int:
    try:
        print(grant_admin(stack.endpoints.pg_admin_url, email))
    except LookupError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except Exception as exc:
        print(f"cannot reach the identity database: {exc} (is the stack up?)", file=sys.stderr)
        return 1
    return 0


def backups_dir(stack: Stack, given: Path | None) -> Path:
    return given if given is not None else stack.state.root / "backups"


def cmd_backup(stack: Stack, args: argparse.Namespace) -> int:
    try:
        made = backup.backup(
            stack.endpoints.pg_admin_url,
            backups_dir(stack, args.dir),
            schemas=args.schema,
            keep=args.keep,
        )
    except (backup.BackupError, ValueError) as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 1
    kept = backup.list_backups(made.path.parent)
    print(f"backup: {made.path} ({made.size} bytes); {len(kept)} kept (newest {args.keep})")
    return 0


def cmd_restore(stack: Stack, args: argparse.Namespace) -> int:
    folder = backups_dir(stack, args.dir)
    if args.list:
        found = backup.list_backups(folder)
        for item in found:
            print(f"  {item.taken_at:%Y-%m-%d %H:%M:%S}Z  {item.path}  ({item.size} bytes)")
        if not found:
            print(f"no backups in {folder}")
        return 0
    running = [
        name
        for name, state in stack.status().items()
        if name not in BACKING and state.startswith("running")
    ]
    if args.into is None and running and not args.force:
        print(
            f"services are running ({', '.join(running)}): they would write during the restore "
            "and hold locks it waits for. Stop them first (`make down`, then "
            "`python3 infra/bootstrap.py up --no-fleet`), restore into a new database with "
            "--into NAME, or pass --force.",
            file=sys.stderr,
        )
        return 2
    try:
        dump = args.file or backup.latest(folder).path
        database = backup.restore(stack.endpoints.pg_admin_url, dump, into=args.into)
    except (backup.BackupError, ValueError, OSError) as exc:
        print(f"restore failed: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # psycopg errors creating the target database
        print(f"restore failed: {exc} (is the stack up?)", file=sys.stderr)
        return 1
    print(f"restored {dump} into database {database}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    stack = make_stack(args)
    if args.command == "up":
        return cmd_up(stack)
    if args.command == "down":
        return cmd_down(stack)
    if args.command == "status":
        return cmd_status(stack)
    if args.command == "logs":
        return cmd_logs(stack, args.name, args.lines, args.follow)
    if args.command == "migrate":
        return cmd_migrate(stack)
    if args.command == "backup":
        return cmd_backup(stack, args)
    if args.command == "restore":
        return cmd_restore(stack, args)
    return cmd_admin(stack, args.email)
