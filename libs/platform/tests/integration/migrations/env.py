"""Alembic env for the platform's integration tests: outbox + inbox + a sample table."""

from sqlalchemy import MetaData

from fitness_platform.migrations import run_alembic_env

run_alembic_env(MetaData())
