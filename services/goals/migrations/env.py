"""Alembic env: the platform runs it (schema from ``-x schema=``, search_path set)."""

from logging.config import fileConfig

from alembic import context

from fitness_platform.migrations import run_alembic_env
from goals.db import Base, import_models

if context.config.config_file_name is not None:
    fileConfig(context.config.config_file_name, disable_existing_loggers=False)

import_models()
run_alembic_env(Base.metadata)
