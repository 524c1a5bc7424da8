"""Event payload models and topic names shared by every service (DESIGN §5)."""

from fitness_contracts.base import IntegrationEvent

__all__ = ["IntegrationEvent"]
