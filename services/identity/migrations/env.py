"""Alembic environment: the shared runner with identity's metadata (schema from -x schema=)."""

from fitness_platform.migrations import run_alembic_env
from identity.tables import metadata

run_alembic_env(metadata)
