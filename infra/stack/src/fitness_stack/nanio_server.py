"""nanio (S3 on a folder) as the stack runs it: ``python -m fitness_stack.nanio_server serve …``.

nanio 0.1.7 writes an object to ``<dir>/.tmp.<hex>`` and renames it into place, and its listings
show those in-flight files as objects. tansu's S3 storage parses every listed record name as an
offset: one upload in flight during a fetch or ``ListOffsets`` fails the whole request
(``ParseInt(InvalidDigit)``), which is how a fresh consumer group on a busy topic received
nothing. Real S3 never lists an object before its upload completed; this wrapper hides the
in-flight files the same way nanio already hides its own ``.nanio*`` bookkeeping.
"""

from __future__ import annotations

import sys

IN_FLIGHT_PREFIX = ".tmp."


def hide_in_flight_uploads() -> None:
    """Make nanio's listings skip ``.tmp.<hex>`` files (idempotent)."""
    from nanio.storage import filesystem, paths

    original = paths.is_internal_name
    if getattr(filesystem.is_internal_name, "hides_in_flight", False):
        return

    def is_internal_or_in_flight(name: str) -> bool:
        return original(name) or name.startswith(IN_FLIGHT_PREFIX)

    is_internal_or_in_flight.hides_in_flight = True  # type: ignore[attr-defined]
    filesystem.is_internal_name = is_internal_or_in_flight


def main(argv: list[str] | None = None) -> int:
    hide_in_flight_uploads()
    from nanio.cli import main as nanio_main

    return int(nanio_main(argv) or 0)


if __name__ == "__main__":
    sys.exit(main())
