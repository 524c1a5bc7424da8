"""uvicorn as the launcher runs it: ``python -m fitness_stack.quiet_uvicorn <uvicorn args>``.

The same CLI and options; only the server's main loop ticks once a second instead of ten times.
uvicorn's ``Server.main_loop`` wakes every 0.1 s to look for a shutdown request and to refresh
the Date header (once a second anyway): seven idle API processes of `make up` woke 70 times a
second for nothing, ~1 % of a core of this machine (issue 8). With a 1 s tick the Date header
still changes every second and SIGTERM is answered within a second. Images and Helm run plain
uvicorn (a pod's ten wake-ups a second do not matter there).
"""

from __future__ import annotations

import asyncio
import importlib

import uvicorn.server

TICK_S = 1.0
# uvicorn's on_tick counts tenths of a second (its own tick): ours advances ten at a time.
_TENTHS_PER_TICK = round(TICK_S * 10)


class QuietServer(uvicorn.server.Server):
    async def main_loop(self) -> None:
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + _TENTHS_PER_TICK) % 864000
            await asyncio.sleep(TICK_S)
            should_exit = await self.on_tick(counter)


def main() -> None:
    # The module, not the `uvicorn.main` attribute (the package re-exports the CLI under it).
    cli = importlib.import_module("uvicorn.main")
    setattr(cli, "Server", QuietServer)  # what uvicorn.main.run() builds  # noqa: B010
    cli.main()


if __name__ == "__main__":
    main()
