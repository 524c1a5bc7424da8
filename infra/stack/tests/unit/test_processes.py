"""Process tracking with real (tiny) processes: PID files, stop by PID, log capture."""

import os
import signal
import sys
from pathlib import Path

from fitness_stack.processes import PidRecord, ProcessManager, pid_alive, wait_until
from fitness_stack.state import StateDir

SLEEPER = [sys.executable, "-c", "import time; print('hello', flush=True); time.sleep(60)"]
STUBBORN = [
    sys.executable,
    "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print('ready', flush=True); time.sleep(60)",
]


def test_start_writes_plain_pid_file_and_log(tmp_path: Path) -> None:
    procs = ProcessManager(StateDir(tmp_path))
    pid = procs.start("sleeper", SLEEPER)
    try:
        assert procs.state.pidfile("sleeper").read_text().strip() == str(pid)
        assert procs.running("sleeper")
        assert wait_until(lambda: "hello" in procs.state.log("sleeper").read_text(), timeout=10)
        # A fresh manager (another CLI invocation) finds it through the PID file alone.
        assert ProcessManager(StateDir(tmp_path)).running("sleeper")
    finally:
        assert procs.stop("sleeper") is True
    assert not pid_alive(pid)
    assert procs.names() == []
    assert procs.stop("sleeper") is False


def test_stop_escalates_to_sigkill_after_the_deadline(tmp_path: Path) -> None:
    procs = ProcessManager(StateDir(tmp_path))
    pid = procs.start("stubborn", STUBBORN)
    assert wait_until(lambda: "ready" in procs.state.log("stubborn").read_text(), timeout=10)
    assert procs.stop("stubborn", sig=signal.SIGTERM, timeout=0.5) is True
    assert not pid_alive(pid)


def test_recycled_pid_is_not_taken_for_ours() -> None:
    # Our own PID with a start time that is not ours: a recycled PID.
    assert not PidRecord(os.getpid(), "1").alive()
    assert PidRecord(os.getpid(), "").alive()


def test_exit_reason_of_a_crashed_process(tmp_path: Path) -> None:
    procs = ProcessManager(StateDir(tmp_path))
    procs.start("crash", [sys.executable, "-c", "raise SystemExit(3)"])
    assert wait_until(lambda: procs.exit_reason("crash") is not None, timeout=10)
    assert procs.exit_reason("crash") == "exited with code 3"
