"""Service-wide dependency aliases and the routes' common problem docs."""

from __future__ import annotations

from fitness_platform.problems import problem_responses

# Every authenticated route can answer these (400 = malformed JSON body).
AUTH_RESPONSES = problem_responses(400, 401, 422)
