"""Start, track (PID files) and stop the processes the launcher owns."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from fitness_stack.state import StateDir


class StackError(RuntimeError):
    """A piece of the stack failed to start or died; carries its log path."""

    def __init__(self, name: str, message: str, log: Path | None = None) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.log = log


def _start_ticks(pid: int) -> str:
    """Kernel start time of a process (Linux), used to tell a reused PID from ours."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    # Field 22; the command name (field 2) may contain spaces, so split after its ')'.
    return stat.rsplit(")", 1)[1].split()[19]


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return not _is_zombie(pid)


@dataclass(frozen=True)
class PidRecord:
    pid: int
    ticks: str

    def alive(self) -> bool:
        if not pid_alive(self.pid):
            return False
        return not self.ticks or _start_ticks(self.pid) in ("", self.ticks)


def tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def wait_until(
    check: Callable[[], bool],
    *,
    timeout: float,
    interval: float = 0.05,
    abort: Callable[[], str | None] | None = None,
) -> bool:
    """Poll `check` until true or the deadline; `abort` returns a reason to give up early."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if abort is not None and (reason := abort()) is not None:
            raise RuntimeError(reason)
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


class ForkServer:
    """Client of `fitness_stack.forkserver`: spawns `python -m …` commands from a process that
    has the fleet's libraries imported already (see that module for why)."""

    def __init__(self, log: Path, cwd: Path | None = None) -> None:
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "ab") as out:
            self.proc: subprocess.Popen[str] | None = subprocess.Popen(
                [python(), "-m", "fitness_stack.forkserver"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=out,
                cwd=cwd,
                text=True,
                start_new_session=True,
            )
        self._ready: bool | None = None

    def _request(self, payload: dict[str, object] | None) -> dict[str, object]:
        proc = self.proc
        if proc is None or proc.stdin is None or proc.stdout is None:
            raise RuntimeError("fork server is closed")
        if payload is not None:
            proc.stdin.write(json.dumps(payload) + "\n")
            proc.stdin.flush()
        line = proc.stdout.readline()  # EOF ("") when the server died
        if not line:
            raise RuntimeError(f"fork server exited (code {proc.poll()})")
        reply: dict[str, object] = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"fork server: {reply['error']}")
        return reply

    def ready(self) -> bool:
        """Waits for the preload; False (and closed) when the server cannot serve."""
        if self._ready is None:
            try:
                self._ready = bool(self._request(None).get("ready"))
            except (RuntimeError, OSError, ValueError):
                self._ready = False
            if not self._ready:
                self.close()
        return self._ready

    def spawn(self, argv: Sequence[str], env: Mapping[str, str], cwd: Path, log: Path) -> int:
        if not self.ready():
            raise RuntimeError("fork server is not available")
        reply = self._request(
            {"argv": list(argv), "env": dict(env), "cwd": str(cwd), "log": str(log)}
        )
        return int(str(reply["pid"]))

    def close(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            if proc.stdin is not None:
                proc.stdin.close()  # EOF: the server exits; its children run on
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        if proc.stdout is not None:
            proc.stdout.close()


class ProcessManager:
    """Processes under a state folder: `<state>/pids/<name>.pid`, `<state>/logs/<name>.log`."""

    def __init__(self, state: StateDir) -> None:
        self.state = state
        self._children: dict[str, subprocess.Popen[bytes]] = {}

    def record(self, name: str) -> PidRecord | None:
        path = self.state.pidfile(name)
        try:
            pid = int(path.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            ticks = path.with_suffix(".start").read_text().strip()
        except OSError:
            ticks = ""
        return PidRecord(pid, ticks)

    def running(self, name: str) -> bool:
        child = self._children.get(name)
        if child is not None:
            return child.poll() is None
        rec = self.record(name)
        return rec is not None and rec.alive()

    def names(self) -> list[str]:
        if not self.state.pids.exists():
            return []
        return sorted(p.stem for p in self.state.pids.glob("*.pid"))

    def start(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        run_as: Sequence[str] = (),
        forker: ForkServer | None = None,
    ) -> int:
        """Spawn `argv` in its own session, output appended to its log; record the PID.

        `run_as` is a prefix that execs the command under another user (setpriv), so the
        recorded PID is the server itself. With `forker`, a `python -m …` command is forked
        from that fork server (plain spawn when it cannot).
        """
        self.state.logs.mkdir(parents=True, exist_ok=True)
        self.state.pids.mkdir(parents=True, exist_ok=True)
        log_path = self.state.log(name)
        with open(log_path, "ab") as log:
            log.write(
                f"\n--- {time.strftime('%Y-%m-%dT%H:%M:%S')} start: {' '.join(argv)}\n".encode()
            )
            log.flush()
        if forker is not None and not run_as and cwd is not None:
            try:
                pid = forker.spawn(argv, dict(os.environ if env is None else env), cwd, log_path)
            except (RuntimeError, OSError, ValueError):
                pass  # e.g. not a `-m` command: spawned the plain way below
            else:
                self._children.pop(name, None)
                self._record(pid, name)
                return pid
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(
                [*run_as, *argv],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(env) if env is not None else None,
                cwd=cwd,
                # Own session: Ctrl-C in the terminal that ran `up` must not kill the stack,
                # and `down` can signal the whole group (a server and its helpers).
                start_new_session=True,
            )
        self._children[name] = proc
        self._record(proc.pid, name)
        return proc.pid

    def _record(self, pid: int, name: str) -> None:
        # A plain PID file (other tools read it); the start time beside it guards against a
        # recycled PID being taken for ours.
        pidfile = self.state.pidfile(name)
        pidfile.with_suffix(".start").write_text(_start_ticks(pid) + "\n")
        pidfile.write_text(f"{pid}\n")

    def exit_reason(self, name: str) -> str | None:
        """None while the process runs; otherwise why it is gone."""
        child = self._children.get(name)
        if child is not None:
            code = child.poll()
            return None if code is None else f"exited with code {code}"
        return None if self.running(name) else "is not running"

    def stop(self, name: str, *, sig: int = signal.SIGTERM, timeout: float = 15.0) -> bool:
        """Stop one process by its recorded PID: `sig`, then SIGKILL after `timeout` seconds.

        Returns True when something was running.
        """
        rec = self.record(name)
        child = self._children.pop(name, None)
        was_running = rec is not None and rec.alive()
        if rec is not None and was_running:
            _signal_group(rec.pid, sig)
            gone = wait_until(lambda: not _gone_check(rec, child), timeout=timeout)
            if not gone:
                _signal_group(rec.pid, signal.SIGKILL)
                wait_until(lambda: not _gone_check(rec, child), timeout=5.0)
        if child is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=1.0)
        self.state.pidfile(name).unlink(missing_ok=True)
        self.state.pidfile(name).with_suffix(".start").unlink(missing_ok=True)
        return was_running


def _gone_check(rec: PidRecord, child: subprocess.Popen[bytes] | None) -> bool:
    """True while the process still exists (reaping our own child so it is not a zombie)."""
    if child is not None and child.poll() is not None:
        return False
    return rec.alive()


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def python() -> str:
    return sys.executable
