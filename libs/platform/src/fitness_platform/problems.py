"""RFC 9457 problem details: one error shape for every service and the gateway (DESIGN §3)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any
from weakref import WeakKeyDictionary

import orjson
import psycopg
import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from psycopg_pool import PoolTimeout
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from fitness_platform.db import recheck_read_pool
from fitness_platform.logging import correlation_id_var

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://problems.fitness.example/"

log = logging.getLogger("fitness_platform.problems")

# OpenAPI path-item keys that are operations (others: "parameters", "summary", ...).
_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"})

_SLUGS: dict[int, str] = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    429: "too-many-requests",
    500: "internal-error",
    502: "bad-gateway",
    503: "service-unavailable",
    504: "gateway-timeout",
}


def _slug_for(status: int) -> str:
    if status in _SLUGS:
        return _SLUGS[status]
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "-").replace("'", "")
    except ValueError:
        return "error"


def _title_for(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_type(slug: str) -> str:
    return PROBLEM_TYPE_BASE + slug


class ValidationIssue(BaseModel):
    path: str = Field(examples=["body.heightCm"])
    message: str
    type: str


class Problem(BaseModel):
    """OpenAPI schema of every error body (``application/problem+json``)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    type: str = Field(examples=["https://problems.fitness.example/not-found"])
    title: str
    status: int = Field(ge=100, le=599)
    detail: str | None = None
    instance: str | None = None
    correlation_id: str | None = Field(default=None, alias="correlationId")
    errors: list[ValidationIssue] | None = None


class ProblemError(Exception):
    """Raise anywhere in a request to answer with a problem+json response."""

    status: int = 500

    def __init__(
        self,
        status: int | None = None,
        title: str | None = None,
        detail: str | None = None,
        *,
        type_slug: str | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.status = status if status is not None else type(self).status
        self.title = title or _title_for(self.status)
        self.detail = detail
        self.type_slug = type_slug or _slug_for(self.status)
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})
        super().__init__(detail or self.title)


class _FixedStatusProblem(ProblemError):
    """A problem whose status is fixed by its class: ``NotFound("No such workout.")``."""

    def __init__(
        self,
        detail: str | None = None,
        *,
        title: str | None = None,
        type_slug: str | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(
            type(self).status, title, detail, type_slug=type_slug, headers=headers, extra=extra
        )


class BadRequest(_FixedStatusProblem):
    status = 400


class Unauthorized(_FixedStatusProblem):
    status = 401


class Forbidden(_FixedStatusProblem):
    status = 403


class NotFound(_FixedStatusProblem):
    status = 404


class Conflict(_FixedStatusProblem):
    status = 409


class PayloadTooLarge(_FixedStatusProblem):
    status = 413


class TooManyRequests(_FixedStatusProblem):
    status = 429


class ServiceUnavailable(_FixedStatusProblem):
    status = 503


class GatewayTimeout(_FixedStatusProblem):
    status = 504


def problem_body(
    status: int,
    title: str | None = None,
    detail: str | None = None,
    *,
    type_slug: str | None = None,
    instance: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": problem_type(type_slug or _slug_for(status)),
        "title": title or _title_for(status),
        "status": status,
    }
    if detail is not None:
        body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    cid = correlation_id_var.get()
    if cid is not None:
        body["correlationId"] = cid
    if extra:
        body.update({k: v for k, v in extra.items() if k not in body})
    return body


def problem_response(
    status: int,
    title: str | None = None,
    detail: str | None = None,
    *,
    type_slug: str | None = None,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """Build a problem+json response by hand (handlers, middleware, the gateway)."""
    body = problem_body(status, title, detail, type_slug=type_slug, instance=instance, extra=extra)
    return Response(
        content=orjson.dumps(body, default=str),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=dict(headers or {}),
    )


def _loc_to_path(loc: Sequence[Any]) -> str:
    # ("body", "heightCm") -> "body.heightCm"; list indices as "items[0]".
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def validation_issues(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    issues = []
    for err in errors:
        loc = list(err.get("loc", ()))
        if err.get("type") == "json_invalid":
            # FastAPI puts the byte offset in loc; the path is just the body.
            loc = loc[:1]
        issues.append(
            {
                "path": _loc_to_path(loc),
                "message": str(err.get("msg", "invalid value")),
                "type": str(err.get("type", "value_error")),
            }
        )
    return issues


async def _handle_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(
        exc.status,
        exc.title,
        exc.detail,
        type_slug=exc.type_slug,
        instance=request.url.path,
        headers=exc.headers,
        extra=exc.extra,
    )


async def _handle_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    issues = validation_issues(exc.errors())
    malformed = any(i["type"] == "json_invalid" for i in issues)
    return problem_response(
        422,
        "Request validation failed",
        "The request body is not valid JSON." if malformed else "The request is not valid.",
        type_slug="malformed-json" if malformed else "validation-error",
        instance=request.url.path,
        extra={"errors": issues},
    )


# Per app: (path regex, "GET, PUT") in OpenAPI document order, built on the first 405.
_ALLOW_TABLES: WeakKeyDictionary[FastAPI, list[tuple[re.Pattern[str], str]]] = WeakKeyDictionary()


def allowed_methods(app: Any, path: str) -> str | None:
    """Every method the OpenAPI document declares for the path, for a 405's ``Allow``.

    Starlette's own ``Allow`` lists only the first route matching the path (``Allow: GET`` for
    ``/users/{id}``, which also has PUT and DELETE, each a separate route). Read from the
    document rather than the route tree: FastAPI nests included routers in private classes.
    Document order puts ``/users/me`` before ``/users/{user_id}``, so it wins for "me", as
    in routing. None when no documented path matches (Starlette's header is kept).
    """
    if not isinstance(app, FastAPI):
        return None
    table = _ALLOW_TABLES.get(app)
    if table is None:
        table = []
        for template, operations in app.openapi().get("paths", {}).items():
            pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
            methods = ", ".join(sorted(m.upper() for m in operations if m.upper() in _METHODS))
            table.append((re.compile(f"^{pattern}$"), methods))
        _ALLOW_TABLES[app] = table
    return next((methods for rx, methods in table if methods and rx.match(path)), None)


async def _handle_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = exc.headers
    app = request.scope.get("app")
    allow = allowed_methods(app, request.url.path) if exc.status_code == 405 else None
    if allow:
        headers = {**(headers or {}), "Allow": allow}
    detail: str | None = exc.detail if isinstance(exc.detail, str) else None
    # Starlette's default detail is the reason phrase; don't repeat it as detail.
    if detail == _title_for(exc.status_code):
        detail = None
    return problem_response(
        exc.status_code,
        detail=detail,
        instance=request.url.path,
        headers=headers,
    )


async def _handle_unexpected(request: Request, exc: Exception) -> Response:
    log.error(
        "unhandled exception",
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"path": request.url.path},
    )
    return internal_error_response(request.url.path)


async def _handle_db_unavailable(request: Request, exc: Exception) -> Response:
    # Lost connection, database down or pool exhausted: the client's request was fine, so a
    # retryable 503 rather than a 500.
    log.warning(
        "database unavailable", extra={"path": request.url.path, "error": type(exc).__name__}
    )
    pool = getattr(request.app.state, "read_pool", None)
    if pool is not None and isinstance(exc, psycopg.OperationalError):
        recheck_read_pool(pool)  # the pool's other idle connections are likely dead too
    return problem_response(
        503,
        detail="The database is unavailable; retry shortly.",
        instance=request.url.path,
        headers={"Retry-After": "1"},
    )


def internal_error_response(instance: str | None) -> Response:
    return problem_response(
        500,
        detail="An unexpected error occurred; quote the correlationId when reporting it.",
        instance=instance,
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _handle_problem)
    app.add_exception_handler(RequestValidationError, _handle_validation)
    app.add_exception_handler(StarletteHTTPException, _handle_http)
    for db_error in (psycopg.OperationalError, PoolTimeout, sqlalchemy.exc.OperationalError):
        app.add_exception_handler(db_error, _handle_db_unavailable)
    app.add_exception_handler(Exception, _handle_unexpected)


_PROBLEM_CONTENT = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}

_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing, invalid or expired credentials",
    403: "Authenticated but not allowed",
    404: "Not found (also for other users' objects)",
    409: "Conflict with the current state",
    413: "Request body too large",
    422: "Validation failed (including malformed JSON); see `errors`",
    429: "Rate limited; see `Retry-After`",
    500: "Unexpected error",
    503: "Temporarily unavailable (database, Redis or a dependency); retry after `Retry-After`",
}

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": desc, "content": dict(_PROBLEM_CONTENT)}
    for status, desc in _DESCRIPTIONS.items()
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """A subset of ``PROBLEM_RESPONSES`` for one route (e.g. ``problem_responses(404, 409)``)."""
    return {s: PROBLEM_RESPONSES[s] for s in statuses}


_PROBLEM_REF = "#/components/schemas/Problem"


def problem_only_content(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop the ``application/json`` twin FastAPI adds next to ``application/problem+json``.

    FastAPI documents a ``responses=`` entry with ``model`` under the route's media type
    (``application/json``) and merges our ``content`` beside it, so every problem response would
    claim both types while the handlers only ever send problem+json. Only an ``application/json``
    entry that is exactly the Problem ``$ref`` next to a problem+json entry is removed. Mutates
    and returns ``schema`` (an OpenAPI document).
    """
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                content = response.get("content") if isinstance(response, dict) else None
                if not content:
                    continue
                if str(status) == "422" and content == _FASTAPI_422:
                    # FastAPI's automatic 422 for routes with parameters; ours is a problem.
                    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": _PROBLEM_REF}}}
                    response["description"] = _DESCRIPTIONS[422]
                    continue
                if PROBLEM_MEDIA_TYPE not in content:
                    continue
                json_entry = content.get("application/json")
                if json_entry == {"schema": {"$ref": _PROBLEM_REF}}:
                    del content["application/json"]
    schemas = schema.get("components", {}).get("schemas", {})
    if "HTTPValidationError" in schemas and problem_ref_absent(schema, "HTTPValidationError"):
        del schemas["HTTPValidationError"]
        if "ValidationError" in schemas and problem_ref_absent(schema, "ValidationError"):
            del schemas["ValidationError"]
    return schema


_FASTAPI_422 = {
    "application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}
}


def problem_ref_absent(schema: dict[str, Any], name: str) -> bool:
    """True when nothing in ``schema`` references ``#/components/schemas/<name>``."""
    return f'"#/components/schemas/{name}"'.encode() not in orjson.dumps(schema)


def install_problem_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` list only ``application/problem+json`` for problem responses.

    ``create_service_app`` calls it; an app built by hand (the gateway) calls it once after
    creating the ``FastAPI`` object.
    """
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        return problem_only_content(original())

    app.openapi = openapi  # type: ignore[method-assign]
