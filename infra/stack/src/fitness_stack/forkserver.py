"""A fork server for the fleet: import the libraries every fleet process needs once, then fork.

Each of the ~20 fleet processes spends nearly all of its start-up importing the same libraries
(FastAPI, SQLAlchemy, aiokafka, psycopg, pydantic, the platform): ~1.5-5 CPU-s each, so `make
up` was bound by CPU on a 2-core machine. Forked from a process that holds them imported, a
child only imports its own service's modules. Local stack only (production runs one image per
process); a child is otherwise the process `python -m <module> <args>` would be: own session,
its env and cwd, output appended to its log. Trade-off: the children share one hash seed.

Protocol (stdin/stdout of `python -m fitness_stack.forkserver`, one JSON object per line):
the server prints ``{"ready": true}`` once preloaded; each request
``{"argv": [...], "env": {...}, "cwd": "...", "log": "..."}`` is answered with ``{"pid": N}``
(or ``{"error": "..."}``). The child is a grandchild (double fork), so nobody but the init
process has to reap it and the server may exit (at EOF) while the fleet runs on.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import runpy
import signal
import sys
import threading
import traceback
from typing import Any

# What the fleet's processes import (APIs, relays, workers, consumers); a missing one is skipped.
PRELOAD = (
    "uvicorn.main",
    "fitness_stack.quiet_uvicorn",
    "uvicorn.loops.uvloop",
    "uvicorn.protocols.http.httptools_impl",
    "uvicorn.protocols.websockets.auto",
    "uvicorn.lifespan.on",
    "fitness_platform.app",
    "fitness_platform.db",
    "fitness_platform.events",
    "fitness_platform.inbox",
    "fitness_platform.outbox",
    "fitness_platform.worker",
    "fitness_platform.health",
    "fitness_platform.redis",
    "fitness_platform.auth",
    "fitness_platform.middleware",
    "fitness_platform.projections",
    "fitness_contracts",
    "sqlalchemy.dialects.postgresql.psycopg",
)


def module_argv(argv: list[str]) -> tuple[str, list[str]] | None:
    """`[python, "-m", module, *args]` → (module, args); None for anything else."""
    if len(argv) >= 3 and argv[1] == "-m":
        return argv[2], argv[3:]
    return None


def preload() -> list[str]:
    loaded = []
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: S112  # nosec B112 - a module the fleet lacks: its children import it
            continue
        loaded.append(name)
    return loaded


def _child(module: str, args: list[str], env: dict[str, str], cwd: str, log: str) -> None:
    """In the grandchild: become `python -m module args`; never returns."""
    code = 1
    try:
        os.setsid()
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for extra in (fd, null):
            if extra > 2:
                os.close(extra)
        for sig in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        sys.path.insert(0, cwd)  # what `python -m` puts first
        gc.unfreeze()
        sys.argv = [module, *args]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # exiting anyway
                stream.flush()
        os._exit(code)


def spawn(request: dict[str, Any]) -> int:
    parsed = module_argv(list(request["argv"]))
    if parsed is None:
        raise ValueError("only `python -m <module>` commands can be forked")
    module, args = parsed
    env = dict(request["env"])
    if any(env.get(k) != os.environ.get(k) for k in {*env, *os.environ} if k.startswith("PYTHON")):
        # PYTHONPATH, PYTHONHASHSEED, …: read at interpreter start, so a fork cannot honour them.
        raise ValueError("PYTHON* variables differ from the server's: spawn plainly")
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    first = os.fork()
    if first == 0:  # the intermediate child: fork the real one, report its PID, leave
        os.close(read_end)
        try:
            pid = os.fork()
            if pid == 0:
                os.close(write_end)
                _child(module, args, env, str(request["cwd"]), request["log"])
            os.write(write_end, str(pid).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(first, 0)
    if not data:
        raise RuntimeError("fork failed")
    return int(data)


def serve() -> None:
    out = sys.stdout
    preload()
    if threading.active_count() != 1:  # forking a threaded process is unsafe
        out.write(json.dumps({"error": "a preloaded module started a thread"}) + "\n")
        out.flush()
        return
    gc.collect()
    gc.freeze()  # preloaded objects stay out of the children's GC: fewer copied pages
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply: dict[str, Any] = {"pid": spawn(json.loads(line))}
        except Exception as exc:
            reply = {"error": repr(exc)}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    serve()
