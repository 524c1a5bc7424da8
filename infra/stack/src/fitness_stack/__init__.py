"""Local stack launcher: backing services from PyPI wheels plus the service fleet.

`python -m fitness_stack up|down|status|logs|migrate|admin` is the CLI; tests use `Stack`.
Exports are resolved lazily so `python -m fitness_stack.smtp_sink` starts without importing
psycopg, minio and the rest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fitness_stack.endpoints import Endpoints
    from fitness_stack.ports import Ports, free_port_offset
    from fitness_stack.processes import StackError
    from fitness_stack.stack import Stack

_EXPORTS = {
    "Endpoints": "fitness_stack.endpoints",
    "Ports": "fitness_stack.ports",
    "free_port_offset": "fitness_stack.ports",
    "Stack": "fitness_stack.stack",
    "StackError": "fitness_stack.processes",
}

__all__ = ["Endpoints", "Ports", "Stack", "StackError", "free_port_offset"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'fitness_stack' has no attribute {name!r}")
