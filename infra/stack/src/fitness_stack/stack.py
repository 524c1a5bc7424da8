"""`Stack`: bring the backing services and the fleet up and down under one state folder."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path
from typing import Literal, TextIO

from fitness_stack import kafka, migrations, postgres, redis, s3, smtp_sink
from fitness_stack.endpoints import Endpoints, External, redact, resolve
from fitness_stack.fleet import GATEWAY, FleetProcess, SharedEnv, discover, service_env
from fitness_stack.ports import Ports, port_is_free
from fitness_stack.processes import ForkServer, ProcessManager, StackError, python, wait_until
from fitness_stack.progress import Progress
from fitness_stack.state import SERVICES, StateDir

KafkaStorage = Literal["s3", "memory"]
BACKING = ("postgres", "redis", "s3", "kafka", "smtp")
# PostgreSQL: SIGINT is "fast shutdown"; SIGTERM would wait for every client to disconnect.
STOP_SIGNALS = {"postgres": signal.SIGINT}
# Niceness of relays, workers and consumers under the launcher (FITNESS_PROCESS_NICE overrides).
BACKGROUND_NICE = 5
STACK_FILE = "stack.json"

__all__ = ["Endpoints", "Stack", "StackError"]


class Stack:
    """A local stack under `state_dir`.

    `start_fleet=False` gives the backing services only (the test fixture). `durable=False`
    trades crash safety for speed (fsync off, no Redis snapshots) for throw-away stacks.
    `environ` supplies external URLs (DATABASE_URL, REDIS_URL, …); pass `{}` to ignore them.
    `services` limits the fleet to some services (e.g. while another one is half-built).
    """

    def __init__(
        self,
        state_dir: str | Path,
        port_offset: int = 0,
        kafka_storage: KafkaStorage = "memory",
        start_fleet: bool = True,
        *,
        durable: bool = True,
        environ: Mapping[str, str] | None = None,
        output: TextIO | None = None,
        ready_timeout: float = 90.0,
        services: Collection[str] | None = None,
    ) -> None:
        if kafka_storage not in ("s3", "memory"):
            raise ValueError(f"kafka_storage must be 's3' or 'memory', not {kafka_storage!r}")
        self.state = StateDir(Path(state_dir).absolute())
        self.port_offset = port_offset
        self.ports = Ports.for_offset(port_offset)
        self.kafka_storage: KafkaStorage = kafka_storage
        self.start_fleet = start_fleet
        self.durable = durable
        self.external = External.from_environ(os.environ if environ is None else environ)
        self.output = output
        self.ready_timeout = ready_timeout
        # None = every built service; else only these (the gateway always runs when built).
        self.services = None if services is None else frozenset(services)
        self.procs = ProcessManager(self.state)
        self.root = migrations.repo_root()
        self.timings: dict[str, float] = {}
        # Pieces spawned ahead of their step by `_prespawn` (None) or the error doing so.
        self._spawned: dict[str, StackError | None] = {}
        self._forker: ForkServer | None = None  # during `up` only

    @classmethod
    def from_state(cls, state_dir: str | Path, **kwargs: object) -> Stack:
        """The stack as last brought `up` in this folder (same offset and storage)."""
        saved: dict = {}
        path = Path(state_dir) / STACK_FILE
        if path.exists():
            saved = json.loads(path.read_text())
        for key in ("port_offset", "kafka_storage", "start_fleet", "durable"):
            if key in saved:
                kwargs.setdefault(key, saved[key])
        return cls(state_dir, **kwargs)  # type: ignore[arg-type]

    # --- public API -------------------------------------------------------------------

    @property
    def endpoints(self) -> Endpoints:
        return resolve(
            self.ports, self.external, self.state.secrets(), self.state.maildir, self.state.logs
        )

    def up(self) -> Endpoints:
        """Start whatever is not running yet, wait until everything answers."""
        self.state.create()
        with self._lock():
            return self._up()

    def _up(self) -> Endpoints:
        self._check_same_offset()
        self._save()
        steps: list[tuple[str, Callable[[], str]]] = [
            ("starting postgres", self._postgres),
            ("database, schemas and roles", self._provision),
            ("starting redis", self._redis),
            ("starting s3 (nanio)", self._s3),
            (f"starting kafka (tansu, {self.kafka_storage})", self._kafka),
            ("starting smtp sink", self._smtp),
        ]
        if self.start_fleet:
            steps += [
                ("migrations", self._migrate),
                ("starting services", self._fleet),
                ("waiting for /health/ready", self._ready),
            ]
        self._prespawn()
        progress = Progress(len(steps), self.output)
        try:
            for label, step in steps:
                progress.begin(label)
                status = step()
                self.timings[label] = progress.end(status)
        finally:
            if self._forker is not None:
                self._forker.close()
                self._forker = None
        return self.endpoints

    def down(self) -> list[str]:
        """Stop everything this state folder started, fleet first. Returns what was running."""
        if not self.state.root.exists():
            return []
        with self._lock():
            return self._down()

    def _down(self) -> list[str]:
        stopped: list[str] = []
        fleet_names = [n for n in self.procs.names() if n not in BACKING]
        for name in [*fleet_names, *reversed(BACKING)]:
            if self.procs.stop(name, sig=STOP_SIGNALS.get(name, signal.SIGTERM)):
                stopped.append(name)
        return stopped

    def stop_kafka(self) -> None:
        """Stop the broker (outage tests); `start_kafka()` brings it back on the same port."""
        self.stop_backing("kafka")

    def start_kafka(self) -> None:
        self.start_backing("kafka")

    def stop_backing(self, name: str) -> None:
        """Stop one backing service this stack started, as an outage looks to its clients
        (the same signal as `down`); `start_backing` brings it back on the same port."""
        if name not in BACKING:
            raise ValueError(f"not a backing service: {name!r}")
        self._require_own(name)
        self.procs.stop(name, sig=STOP_SIGNALS.get(name, signal.SIGTERM))

    def start_backing(self, name: str) -> str:
        """Start one backing service again with `up`'s own step (same port, same state)."""
        steps = {
            "postgres": self._postgres,
            "redis": self._redis,
            "s3": self._s3,
            "kafka": self._kafka,
            "smtp": self._smtp,
        }
        if name not in steps:
            raise ValueError(f"not a backing service: {name!r}")
        self._require_own(name)
        return steps[name]()

    def start_missing_fleet(self) -> str:
        """Start the fleet processes that are not running (what a pod restart does)."""
        return self._fleet()

    def migrate(self) -> list[str]:
        """Run every service's migrations that has an alembic.ini; returns their names."""
        services = migrations.migratable(self.root)
        self._upgrade(services)
        return services

    def status(self) -> dict[str, str]:
        result = {}
        for name in self.procs.names():
            rec = self.procs.record(name)
            alive = self.procs.running(name)
            result[name] = f"running (pid {rec.pid})" if alive and rec else "dead (stale pid file)"
        return result

    def fleet(self) -> list[FleetProcess]:
        return discover(self.ports.services, only=self.services)

    # --- backing services -------------------------------------------------------------

    def _postgres(self) -> str:
        if self.external.database_url:
            if not postgres.can_connect(self.external.database_url):
                raise StackError(
                    "postgres",
                    f"cannot connect to DATABASE_URL {redact(self.external.database_url)}",
                )
            return "external DATABASE_URL"
        secrets = self.state.secrets()
        server_url = postgres.libpq_url(
            postgres.SUPERUSER,
            secrets.postgres_superuser,
            "127.0.0.1",
            self.ports.postgres,
            "postgres",
        )
        if self.procs.running("postgres"):
            self._wait("postgres", lambda: postgres.can_connect(server_url), 30.0)
            return "already running"
        self._port_free("postgres", self.ports.postgres)
        layout = postgres.PgLayout.prepare(self.state.postgres)
        status = "ok (reused data)"
        if not layout.initialised:
            try:
                output = layout.initdb(secrets.postgres_superuser)
            except RuntimeError as exc:
                raise StackError("postgres", str(exc), self.state.log("postgres")) from exc
            self.state.log("postgres").write_text(output)
            status = "ok (new cluster)"
        self.procs.start(
            "postgres",
            layout.server_argv(self.ports.postgres, durable=self.durable),
            run_as=postgres.run_as_prefix(),
        )
        self._wait("postgres", lambda: postgres.can_connect(server_url), 60.0)
        return status

    def _provision(self) -> str:
        admin = self.endpoints.pg_admin_url
        server = postgres.with_database(admin, "postgres")
        if self.external.database_url:
            server = self.external.database_url
        postgres.provision(server, self.state.secrets().service_roles)
        return f"ok ({len(SERVICES)} schemas)"

    def _redis(self) -> str:
        if self.external.redis_url:
            return "external REDIS_URL"
        port = self.ports.redis
        if not self.procs.running("redis"):
            self._port_free("redis", port)
            self.state.redis.mkdir(parents=True, exist_ok=True)
            self.procs.start(
                "redis", redis.server_argv(port, self.state.redis, durable=self.durable)
            )
            self._wait("redis", lambda: redis.ping(port), 30.0)
            return "ok"
        self._wait("redis", lambda: redis.ping(port), 30.0)
        return "already running"

    def _prespawn(self) -> None:
        """Spawn the Python-based servers (slow imports) before the steps that wait for them,
        so their start-up overlaps PostgreSQL's. A failure is reported by its own step."""
        self._spawned = {}
        if self.start_fleet and any(not self.procs.running(p.name) for p in self.fleet()):
            # Preloads the fleet's libraries while PostgreSQL starts and migrations run.
            self._forker = ForkServer(self.state.log("forkserver"), cwd=self.root)
        for name, spawn in (("s3", self._spawn_s3), ("smtp", self._spawn_smtp)):
            try:
                if spawn():
                    self._spawned[name] = None
            except StackError as exc:
                self._spawned[name] = exc

    def _take_spawn(self, name: str, spawn: Callable[[], bool]) -> bool:
        """Whether this piece was (or is now) started by this `up` rather than found running."""
        if name in self._spawned:
            error = self._spawned.pop(name)
            if error is not None:
                raise error
            return True
        return spawn()

    def _spawn_s3(self) -> bool:
        if self.external.s3_endpoint or self.procs.running("s3"):
            return False
        self._port_free("s3", self.ports.s3)
        self.state.s3.mkdir(parents=True, exist_ok=True)
        secrets = self.state.secrets()
        env = {**os.environ, **s3.server_env(secrets.s3_access_key, secrets.s3_secret_key)}
        self.procs.start("s3", s3.server_argv(self.ports.s3, self.state.s3), env=env)
        return True

    def _s3(self) -> str:
        if self.external.s3_endpoint:
            return "external S3_ENDPOINT"
        started = self._take_spawn("s3", self._spawn_s3)
        endpoint = self.endpoints.s3_endpoint
        self._wait("s3", lambda: s3.answers(endpoint), 30.0)
        return "ok" if started else "already running"

    def _kafka(self) -> str:
        if self.external.kafka_bootstrap:
            return "external KAFKA_BOOTSTRAP_SERVERS"
        port = self.ports.kafka
        if self.procs.running("kafka"):
            self._wait("kafka", lambda: kafka.listening(port), 30.0)
            return "already running"
        self._port_free("kafka", port)
        env = dict(os.environ)
        if self.kafka_storage == "s3":
            ep = self.endpoints
            try:
                s3.ensure_bucket(ep.s3_endpoint, ep.s3_access_key, ep.s3_secret_key, kafka.BUCKET)
            except Exception as exc:
                raise StackError("kafka", f"cannot create bucket {kafka.BUCKET!r}: {exc}") from exc
            env.update(kafka.broker_env(ep.s3_endpoint, ep.s3_access_key, ep.s3_secret_key))
        self.procs.start("kafka", kafka.broker_argv(port, self.kafka_storage), env=env)
        self._wait("kafka", lambda: kafka.listening(port), 30.0)
        return "ok"

    def _spawn_smtp(self) -> bool:
        if self.external.smtp_host or self.procs.running("smtp"):
            return False
        port = self.ports.smtp
        self._port_free("smtp", port)
        argv = [
            python(),
            "-m",
            "fitness_stack.smtp_sink",
            "--port",
            str(port),
            "--maildir",
            str(self.state.maildir),
        ]
        self.procs.start("smtp", argv)
        return True

    def _smtp(self) -> str:
        if self.external.smtp_host:
            return "external SMTP_HOST"
        started = self._take_spawn("smtp", self._spawn_smtp)
        port = self.ports.smtp
        self._wait("smtp", lambda: smtp_sink.answers("127.0.0.1", port), 30.0)
        return "ok" if started else "already running"

    # --- fleet ------------------------------------------------------------------------

    def _migrate(self) -> str:
        built = {p.service for p in self.fleet()}
        todo = [s for s in migrations.migratable(self.root) if s in built]
        results = self._upgrade(todo)
        if not results:
            return "ok (none yet)"
        ran = [r.service for r in results if not r.skipped]
        return f"ok ({', '.join(ran) or 'none'}; {len(results) - len(ran)} at head)"

    def _upgrade(self, services: list[str]) -> list[migrations.MigrationResult]:
        urls = self.endpoints.service_database_urls
        self.state.logs.mkdir(parents=True, exist_ok=True)
        results = migrations.upgrade_all({s: urls[s] for s in services}, self.root)
        for result in results:
            self.state.log(f"migrate-{result.service}").write_text(result.output)
        for result in results:
            if not result.ok:
                name = f"migrate-{result.service}"
                raise StackError(name, "alembic upgrade head failed", self.state.log(name))
        return results

    def _fleet(self) -> str:
        fleet = self.fleet()
        if not fleet:
            return "none built yet"
        started = 0
        for proc in fleet:
            if self.procs.running(proc.name):
                continue
            if proc.port is not None:
                self._port_free(proc.name, proc.port)
            env = self._env_for(proc.service)
            if proc.kind != "api":
                # Background work yields the two cores to the APIs (fitness_platform.process).
                env.setdefault("FITNESS_PROCESS_NICE", str(BACKGROUND_NICE))
            self.procs.start(
                proc.name,
                proc.argv,
                env=env,
                cwd=self.root,
                forker=self._forker,
            )
            started += 1
        return f"ok ({started} started, {len(fleet) - started} already running)"

    def _ready(self) -> str:
        fleet = self.fleet()
        apis = [p for p in fleet if p.port is not None]
        pending = {p.name: f"http://127.0.0.1:{p.port}/health/ready" for p in apis}

        def check() -> bool:
            for name, url in list(pending.items()):
                if _http_ok(url):
                    del pending[name]
            return not pending

        def abort() -> str | None:
            for proc in fleet:
                if (reason := self.procs.exit_reason(proc.name)) is not None:
                    raise StackError(proc.name, reason, self.state.log(proc.name))
            return None

        if not wait_until(check, timeout=self.ready_timeout, interval=0.25, abort=abort):
            name = next(iter(pending))
            raise StackError(
                name,
                f"{pending[name]} not 200 after {self.ready_timeout:.0f}s",
                self.state.log(name),
            )
        abort()  # relays and workers must still be alive
        return f"ok ({len(apis)} APIs ready)"

    def _env_for(self, service: str) -> dict[str, str]:
        ep = self.endpoints
        shared = SharedEnv(
            redis_url=ep.redis_url,
            kafka_bootstrap=ep.kafka_bootstrap,
            s3_endpoint=ep.s3_endpoint,
            s3_access_key=ep.s3_access_key,
            s3_secret_key=ep.s3_secret_key,
            smtp_host=ep.smtp_host,
            smtp_port=ep.smtp_port,
            identity_url=ep.service_urls["identity"],
            tansu_storage=None if self.external.kafka_bootstrap else self.kafka_storage,
        )
        state_dir = self.state.service_dir(service)
        state_dir.mkdir(parents=True, exist_ok=True)
        extra = service_env(
            service,
            shared,
            state_dir=state_dir,
            database_url=ep.service_database_urls.get(service),
            keys_dir=self.state.keys if service == "identity" else None,
            upstreams=ep.service_urls if service == GATEWAY else None,
        )
        return {**os.environ, **extra}

    # --- helpers ----------------------------------------------------------------------

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """One `up`/`down` at a time per state folder (a second one waits)."""
        with open(self.state.root / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _check_same_offset(self) -> None:
        path = self.state.root / STACK_FILE
        if not path.exists():
            return
        saved = json.loads(path.read_text()).get("port_offset", 0)
        running = [n for n in self.procs.names() if self.procs.running(n)]
        if saved != self.port_offset and running:
            raise StackError(
                "stack",
                f"already running with port offset {saved} ({', '.join(running)}); "
                "run `down` first or use that offset",
            )

    def _wait(self, name: str, check: Callable[[], bool], timeout: float) -> None:
        def abort() -> str | None:
            reason = self.procs.exit_reason(name)
            if reason is not None:
                raise StackError(name, reason, self.state.log(name))
            return None

        if not wait_until(check, timeout=timeout, abort=abort):
            raise StackError(name, f"not answering after {timeout:.0f}s", self.state.log(name))

    def _port_free(self, name: str, port: int) -> None:
        if not port_is_free(port):
            raise StackError(
                name,
                f"port {port} is already in use by another program "
                "(stop it, use --port-offset, or point the matching *_URL variable at it)",
            )

    def _require_own(self, name: str) -> None:
        external = {
            "postgres": ("DATABASE_URL", self.external.database_url),
            "redis": ("REDIS_URL", self.external.redis_url),
            "s3": ("S3_ENDPOINT", self.external.s3_endpoint),
            "kafka": ("KAFKA_BOOTSTRAP_SERVERS", self.external.kafka_bootstrap),
            "smtp": ("SMTP_HOST", self.external.smtp_host),
        }
        variable, value = external[name]
        if value:
            raise StackError(name, f"external {variable}: not ours to stop or start")

    def _save(self) -> None:
        data = {
            "port_offset": self.port_offset,
            "kafka_storage": self.kafka_storage,
            "start_fleet": self.start_fleet,
            "durable": self.durable,
            "updated": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        (self.state.root / STACK_FILE).write_text(json.dumps(data, indent=2))


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2.0) as resp:  # noqa: S310 - our own URL
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False
