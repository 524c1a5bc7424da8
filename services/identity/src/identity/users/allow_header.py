"""Shim: a 405 names every method the OpenAPI document declares for the path.

Starlette answers 405 with the ``Allow`` of the first route matching the path only (``Allow: GET``
for ``/users/{id}``, which also has PUT and DELETE); schemathesis (rightly) flags that. nutrition
carries the same function: it belongs in ``fitness_platform.app`` (requested from its owner).
"""

from __future__ import annotations

import inspect
import re

from fastapi import FastAPI, Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException


def allow_every_method_of_the_path(app: FastAPI) -> None:
    original = app.exception_handlers[StarletteHTTPException]
    table: list[tuple[re.Pattern[str], str]] = []

    def allowed(path: str) -> str | None:
        if not table:
            # Document order: /users/me comes before /users/{user_id}, so it wins for "me".
            for template, operations in app.openapi()["paths"].items():
                pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
                methods = ", ".join(sorted(m.upper() for m in operations))
                table.append((re.compile(f"^{pattern}$"), methods))
        return next((methods for rx, methods in table if rx.match(path)), None)

    async def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 405 and (methods := allowed(request.url.path)):
            exc = StarletteHTTPException(405, headers={"Allow": methods})
        result = original(request, exc)
        return await result if inspect.isawaitable(result) else result

    app.add_exception_handler(StarletteHTTPException, handler)
