"""Root pytest configuration for the whole workspace.

Real backing services (PostgreSQL, Redis, tansu, nanio, SMTP sink) for each test session come
from `fitness_stack.pytest_plugin`: it exports FITNESS_TEST_* at configure time and gives the
session fixtures `backing` (autouse; `.stop_kafka()` / `.start_kafka()`) and `fleet` (e2e).
"""

import importlib.util

pytest_plugins = ["fitness_stack.pytest_plugin"]
# The platform helper's fixtures (fresh_schema, redis_client, …), once that module exists.
if importlib.util.find_spec("fitness_platform.testing") is not None:
    pytest_plugins.append("fitness_platform.testing")
