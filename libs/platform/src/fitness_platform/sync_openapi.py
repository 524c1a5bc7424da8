"""OpenAPI for ``SyncSafetyMiddleware``: the Idempotency-Key, ETag, If-None-Match and If-Match
headers and the 304/409/412/422 answers, added to every operation the rules apply to."""

from __future__ import annotations

from typing import Any

from fitness_platform.etags import CONDITION_PATTERN, is_single_object

_PROBLEM_REF = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_KEY_PARAM = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Makes a retry safe (IETF draft httpapi-idempotency-key-header): the first answer is "
        "kept 24 h per caller, method, path and key; a retry with the same body gets it again "
        "(`Idempotent-Replayed: true`) without repeating the effect. Same key, other body: 422; "
        "first request still running: 409. Use a new random value (UUID) per operation."
    ),
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": r"^[\x21-\x7e]([\x20-\x7e]{0,253}[\x21-\x7e])?$",
    },
}
_IF_NONE_MATCH_PARAM = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "ETag of the copy the client holds: 304 without a body if still current.",
    "schema": {"type": "string"},
}
_IF_MATCH_PARAM = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": (
        "ETag the client last read (GET of this path): the write happens only if the object is "
        "unchanged, else 412 and nothing changes. Without it the write proceeds unconditionally. "
        "A conditional write's 2xx answer (except 204) carries the object's new `ETag`."
    ),
    "schema": {"type": "string", "pattern": CONDITION_PATTERN},
}
_ETAG_HEADER = {
    "ETag": {
        "description": "strong entity tag of this representation",
        "schema": {"type": "string"},
    }
}
_CONDITIONAL_ETAG_HEADER = {
    "ETag": {
        "description": "with If-Match: the object's new entity tag, for the next conditional write",
        "schema": {"type": "string"},
    }
}
_REPLAYED_HEADER = {
    "Idempotent-Replayed": {
        "description": "`true` when this is the kept answer of an earlier request with the same key",
        "schema": {"type": "string", "enum": ["true"]},
    }
}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": _PROBLEM_REF}


def _add_param(op: dict[str, Any], param: dict[str, Any]) -> None:
    params = op.setdefault("parameters", [])
    if not any(p.get("name") == param["name"] and p.get("in") == "header" for p in params):
        params.append(param)


def _add_response(op: dict[str, Any], status: str, response: dict[str, Any]) -> None:
    responses = op.setdefault("responses", {})
    if status in responses:
        # keep the route's own description of the status and say what else it can mean
        old = responses[status]  # copied: FastAPI may share one dict between operations
        responses[status] = {
            **old,
            "description": f"{old['description']}; or: {response['description']}",
        }
    else:
        responses[status] = response


def document_sync_safety(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the Idempotency-Key, ETag, If-None-Match and If-Match rules to every operation."""
    for path, ops in schema.get("paths", {}).items():
        single = is_single_object(path) and "200" in ops.get("get", {}).get("responses", {})
        for method, op in ops.items():
            if method == "post":
                _add_param(op, _KEY_PARAM)
                for status, response in op.get("responses", {}).items():
                    if status.startswith("2"):
                        response.setdefault("headers", {}).update(_REPLAYED_HEADER)
                _add_response(op, "400", _problem("Invalid Idempotency-Key"))
                _add_response(
                    op,
                    "409",
                    _problem("A request with this Idempotency-Key is still being processed"),
                )
                _add_response(op, "422", _problem("Idempotency-Key already used with another body"))
                _add_response(op, "503", _problem("Idempotency store unavailable; not run"))
            elif method == "get" and single:
                _add_param(op, _IF_NONE_MATCH_PARAM)
                op["responses"]["200"].setdefault("headers", {}).update(_ETAG_HEADER)
                op["responses"].setdefault(
                    "304",
                    {
                        "description": "Not modified (If-None-Match matched)",
                        "headers": _ETAG_HEADER,
                    },
                )
            elif method in ("put", "patch", "delete") and single:
                _add_param(op, _IF_MATCH_PARAM)
                for status, response in op.get("responses", {}).items():
                    if status.startswith("2") and status != "204":
                        response.setdefault("headers", {}).update(_CONDITIONAL_ETAG_HEADER)
                _add_response(op, "400", _problem("Malformed If-Match"))
                _add_response(
                    op,
                    "412",
                    _problem(
                        "If-Match is stale: the object changed since it was read; nothing changed"
                    ),
                )
                _add_response(op, "409", _problem("The object is being changed by another request"))
    return schema


def install_sync_safety_openapi(app: Any) -> None:
    """Wrap ``app.openapi()`` with ``document_sync_safety`` (``create_service_app`` calls it)."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        app.openapi_schema = document_sync_safety(original())
        return app.openapi_schema

    app.openapi = openapi
