"""Local stack launcher: backing services from PyPI wheels plus the service fleet.

`python -m fitness_stack up|down|status|logs|migrate|admin` is the CLI; tests use `Stack`.
"""

from fitness_stack.ports import Ports, free_port_offset
from fitness_stack.stack import Endpoints, Stack, StackError

__all__ = ["Endpoints", "Ports", "Stack", "StackError", "free_port_offset"]
