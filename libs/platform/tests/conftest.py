"""The platform's own tests use its pytest plugin's fixtures directly.

(``pytest_plugins`` may only be declared in the root conftest; importing the fixtures here
works whether or not the root conftest registers the plugin too.)
"""

from fitness_platform.testing import (  # noqa: F401
    fresh_schema,
    kafka_bootstrap,
    pg_admin_url,
    redis_client,
    redis_url,
    token_factory,
    unique_topic,
)
