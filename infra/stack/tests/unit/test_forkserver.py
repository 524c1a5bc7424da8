"""The fleet's fork server: a forked child is the process `python -m <module> <args>` would be."""

import os
import sys
from pathlib import Path

from fitness_stack.forkserver import module_argv
from fitness_stack.processes import ForkServer, ProcessManager, pid_alive, wait_until
from fitness_stack.state import StateDir

PROBE = """
import json, os, sys, time
import sqlalchemy  # preloaded by the server: already in sys.modules before this line
print(json.dumps({
    "argv": sys.argv[1:], "cwd": os.getcwd(), "env": os.environ.get("PROBE_VALUE"),
    "other": os.environ.get("NOT_PASSED"), "sid": os.getsid(0) == os.getpid(),
    "name": __name__,
}), flush=True)
time.sleep(60)
"""


def test_module_argv_accepts_only_module_commands() -> None:
    assert module_argv([sys.executable, "-m", "x.relay", "--a"]) == ("x.relay", ["--a"])
    assert module_argv([sys.executable, "-c", "pass"]) is None
    assert module_argv(["/bin/redis-server"]) is None


def test_a_forked_child_gets_its_argv_env_cwd_log_and_session(
    tmp_path: Path,
) -> None:
    pkg = tmp_path / "probepkg"  # importable through the server's own sys.path (its cwd)
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "probe.py").write_text(PROBE)
    workdir = tmp_path / "work"
    workdir.mkdir()
    state = StateDir(tmp_path / "state")
    procs = ProcessManager(state)
    forker = ForkServer(state.log("forkserver"), cwd=tmp_path)
    env = {**os.environ, "PROBE_VALUE": "42"}
    env.pop("NOT_PASSED", None)
    os.environ["NOT_PASSED"] = "launcher only"
    try:
        assert forker.ready()
        pid = procs.start(
            "probe",
            [sys.executable, "-m", "probepkg.probe", "--flag", "x"],
            env=env,
            cwd=workdir,
            forker=forker,
        )
    finally:
        del os.environ["NOT_PASSED"]
        forker.close()  # the server exits; the child runs on
    try:
        assert state.pidfile("probe").read_text().strip() == str(pid)
        assert wait_until(lambda: '"argv"' in state.log("probe").read_text(), timeout=30)
        assert procs.running("probe")
        line = state.log("probe").read_text().splitlines()[-1]
        assert line == (
            '{"argv": ["--flag", "x"], "cwd": "' + str(workdir) + '", "env": "42", '
            '"other": null, "sid": true, "name": "__main__"}'
        )
    finally:
        assert procs.stop("probe") is True
    assert not pid_alive(pid)


def test_a_command_that_cannot_be_forked_is_spawned_plainly(tmp_path: Path) -> None:
    state = StateDir(tmp_path)
    procs = ProcessManager(state)
    forker = ForkServer(state.log("forkserver"), cwd=tmp_path)
    try:
        argv = [sys.executable, "-c", "print('plain', flush=True); import time; time.sleep(60)"]
        procs.start("plain", argv, cwd=tmp_path, forker=forker)
    finally:
        forker.close()
    try:
        assert wait_until(lambda: "plain" in state.log("plain").read_text(), timeout=30)
    finally:
        assert procs.stop("plain") is True
