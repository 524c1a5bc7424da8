"""pytest plugin (registered by the root conftest): real backing services for a test session.

At configure time the plugin picks free ports and credentials and exports FITNESS_TEST_*
(so even module-level code sees them); the processes start lazily, once, the first time a test
that is not under a `unit/` folder runs (autouse session fixture `backing`).
`FITNESS_TEST_BACKING=always|never|auto` overrides that choice. `fleet` starts a whole second
stack (backing + migrations + services + gateway) for e2e tests; `FITNESS_TEST_FLEET_SERVICES`
(comma-separated) limits its services.
"""

from __future__ import annotations

import atexit
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from fitness_stack.endpoints import Endpoints
from fitness_stack.migrations import repo_root
from fitness_stack.ports import free_port_offset
from fitness_stack.processes import StackError, pid_alive, tail
from fitness_stack.stack import Stack

_BACKING_KEY = pytest.StashKey["Backing"]()
_FAILED_KEY = pytest.StashKey[bool]()


class Backing:
    """The session's backing services; started at most once, stopped at the end."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.stack = Stack(
            state_dir,
            port_offset=free_port_offset(backing_only=True),
            kafka_storage="memory",
            start_fleet=False,
            durable=False,
            environ={},  # never run tests against whatever DATABASE_URL the shell has
        )
        self.started = False

    @property
    def endpoints(self) -> Endpoints:
        return self.stack.endpoints

    def ensure_up(self) -> None:
        if self.started:
            return
        self.started = True
        try:
            self.stack.up()
        except BaseException:
            self.stop()
            raise

    def stop_kafka(self) -> None:
        """Kafka outage for tests: the broker process stops; `start_kafka()` restarts it
        on the same port (memory storage: topics and offsets start empty again)."""
        self.ensure_up()
        self.stack.stop_kafka()

    def start_kafka(self) -> None:
        self.ensure_up()
        self.stack.start_kafka()

    def stop(self) -> None:
        if self.started:
            self.started = False
            self.stack.down()


def cleanup(state_dir: Path, *, keep_logs: bool) -> None:
    """Remove a test state folder; keep only its logs when the session had failures."""
    if not state_dir.exists():
        return
    if keep_logs and (state_dir / "logs").exists():
        for child in state_dir.iterdir():
            if child.name != "logs":
                _remove(child)
    else:
        _remove(state_dir)


def _remove(path: Path) -> None:
    if path.is_symlink():
        target = path.resolve()
        path.unlink()
        shutil.rmtree(target, ignore_errors=True)
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _wants_backing(items: list[pytest.Item]) -> bool:
    mode = os.environ.get("FITNESS_TEST_BACKING", "auto")
    if mode in ("always", "never"):
        return mode == "always"
    return any("unit" not in item.path.parts for item in items)


def reap_stale(local_dir: Path, keep: int = 5) -> None:
    """Stop what killed test sessions left running; keep only the newest `keep` leftovers
    (failed sessions keep their logs for reading)."""
    stale = []
    for path in [*local_dir.glob("test-*"), *local_dir.glob("e2e-*")]:
        owner = path.name.partition("-")[2]
        if not owner.isdigit() or pid_alive(int(owner)):
            continue
        if any((path / "pids").glob("*.pid")):
            Stack.from_state(path, environ={}).down()
        stale.append(path)
    stale.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for path in stale[keep:]:
        _remove(path)


def pytest_configure(config: pytest.Config) -> None:
    local_dir = repo_root() / ".local"
    if local_dir.is_dir():
        reap_stale(local_dir)
    state_dir = local_dir / f"test-{os.getpid()}"
    backing = Backing(state_dir)
    config.stash[_BACKING_KEY] = backing
    os.environ.update(backing.endpoints.test_env())
    # Backstop for an interpreter exit that skips pytest's teardown.
    atexit.register(backing.stop)


def pytest_unconfigure(config: pytest.Config) -> None:
    backing = config.stash.get(_BACKING_KEY, None)
    if backing is not None:
        backing.stop()
        cleanup(backing.state_dir, keep_logs=config.stash.get(_FAILED_KEY, False))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config.stash[_FAILED_KEY] = exitstatus not in (0, 5)


def _start_or_fail(stack_name: str, start: Callable[[], object], *, fatal: bool) -> None:
    """Start, turning a StackError into a readable test error with the log's tail.

    `fatal` ends the session (nothing works without backing services); otherwise only the
    tests using the fixture error (pytest caches a session fixture's failure)."""
    try:
        start()
    except StackError as exc:
        log = exc.log
        detail = f"\n--- {log} ---\n{tail(log)}" if log is not None and log.exists() else ""
        message = f"{stack_name} failed to start: {exc}{detail}"
        if fatal:
            pytest.exit(message, returncode=3)
        pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def backing(request: pytest.FixtureRequest) -> Iterator[Backing]:
    """Real PostgreSQL, Redis, tansu (memory storage), nanio and SMTP sink for the session."""
    handle: Backing = request.config.stash[_BACKING_KEY]
    if _wants_backing(request.session.items):
        _start_or_fail("backing services", handle.ensure_up, fatal=True)
    try:
        yield handle
    finally:
        handle.stop()


# Settings the test fleet's processes run with (they inherit the environment). Every test
# registers and logs in from 127.0.0.1, so the per-IP limits are raised; the per-account login
# limit is low so the e2e 429 test is quick.
FLEET_LOGIN_PER_ACCOUNT = 3
FLEET_TEST_ENV = {
    "GATEWAY_RATE_LOGIN_PER_ACCOUNT": f"{FLEET_LOGIN_PER_ACCOUNT}/60",
    "GATEWAY_RATE_LOGIN_PER_IP": "1000/60",
    "GATEWAY_RATE_REGISTER_PER_IP": "1000/60",
    "GATEWAY_RATE_REGISTER_PER_ACCOUNT": "10/60",
}


@pytest.fixture(scope="session")
def fleet(request: pytest.FixtureRequest) -> Iterator[Endpoints]:
    """The whole fleet (own backing services, migrations, services, gateway) for e2e tests."""
    saved = {k: os.environ.get(k) for k in FLEET_TEST_ENV}
    os.environ.update(FLEET_TEST_ENV)
    state_dir = repo_root() / ".local" / f"e2e-{os.getpid()}"
    only = os.environ.get("FITNESS_TEST_FLEET_SERVICES")
    stack = Stack(
        state_dir,
        port_offset=free_port_offset(),
        kafka_storage="memory",
        start_fleet=True,
        durable=False,
        environ={},
        services=[s.strip() for s in only.split(",") if s.strip()] if only else None,
    )
    try:
        _start_or_fail("fleet", stack.up, fatal=False)
        yield stack.endpoints
    finally:
        stack.down()
        cleanup(state_dir, keep_logs=request.session.testsfailed > 0)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
