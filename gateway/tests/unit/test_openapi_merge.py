from __future__ import annotations

from typing import Any

from gateway.openapi import merge_specs
from gateway.routes import RouteTable
from gateway.settings import DEFAULT_PUBLIC_ROUTES, DEFAULT_ROUTES

TABLE = RouteTable(DEFAULT_ROUTES, DEFAULT_PUBLIC_ROUTES, "/admin")

OWN: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Fitness API", "version": "0.1.0"},
    "paths": {"/health/live": {"get": {"operationId": "health-live", "responses": {}}}},
    "components": {"schemas": {"Problem": {"type": "object", "title": "Problem"}}},
}


def _op(op_id: str, ref: str | None = None, tags: list[str] | None = None) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": "ok"}}
    if ref:
        responses["200"]["content"] = {"application/json": {"schema": {"$ref": ref}}}
    return {"operationId": op_id, "responses": responses, "tags": tags or []}


def _spec(paths: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.1.0", "paths": paths, "components": {"schemas": schemas}}


def test_merge_filters_paths_by_route_table_and_drops_internal() -> None:
    identity = _spec(
        {
            "/auth/login": {"post": _op("auth-login")},
            "/users/{id}": {"get": _op("users-get")},
            "/health/ready": {"get": _op("health-ready")},
            "/metrics": {"get": _op("metrics")},
            "/internal/thing": {"get": _op("internal")},
            "/workouts": {"get": _op("not-identitys")},  # routed to training, not identity
        },
        {},
    )
    merged = merge_specs({"identity": identity}, table=TABLE, own=OWN)
    assert set(merged["paths"]) == {"/auth/login", "/users/{id}", "/health/live"}
    assert merged["paths"]["/auth/login"]["post"]["security"] == []
    assert merged["paths"]["/users/{id}"]["get"]["security"] == [{"bearerAuth": []}]
    assert "401" in merged["paths"]["/users/{id}"]["get"]["responses"]
    assert "401" not in merged["paths"]["/auth/login"]["post"]["responses"]
    assert "413" in merged["paths"]["/auth/login"]["post"]["responses"]
    assert merged["paths"]["/health/live"]["get"]["security"] == []
    assert merged["components"]["securitySchemes"]["bearerAuth"]["type"] == "http"


def test_admin_paths_document_403() -> None:
    identity = _spec({"/admin/users": {"get": _op("admin-users")}}, {})
    merged = merge_specs({"identity": identity}, table=TABLE, own=OWN)
    assert "403" in merged["paths"]["/admin/users"]["get"]["responses"]


def test_component_collisions_are_renamed_and_refs_rewritten() -> None:
    unit = {"$ref": "#/components/schemas/Unit"}
    page_a = {"type": "object", "properties": {"items": {"type": "array"}, "u": unit}}
    page_b = {"type": "object", "properties": {"rows": {"type": "array"}, "u": unit}}
    shared = {"type": "string", "title": "Unit"}
    nutrition = _spec(
        {"/nutrition/diary": {"get": _op("diary-list", "#/components/schemas/Page")}},
        {"Page": page_a, "Unit": shared},
    )
    training = _spec(
        {
            "/workouts": {"get": _op("workouts-list", "#/components/schemas/Page")},
            "/workouts/{id}": {"get": _op("workouts-get", "#/components/schemas/Holder")},
        },
        {"Page": page_b, "Unit": shared, "Holder": {"$ref": "#/components/schemas/Page"}},
    )
    merged = merge_specs({"nutrition": nutrition, "training": training}, table=TABLE, own=OWN)
    schemas = merged["components"]["schemas"]
    assert schemas["Page"] == page_a  # first (alphabetical) service keeps the name
    assert schemas["TrainingPage"] == page_b
    assert schemas["Unit"] == shared  # identical content: merged, not duplicated
    assert "TrainingUnit" not in schemas
    assert schemas["Holder"] == {"$ref": "#/components/schemas/TrainingPage"}

    def ref(path: str) -> str:
        content = merged["paths"][path]["get"]["responses"]["200"]["content"]
        return str(content["application/json"]["schema"]["$ref"])

    assert ref("/nutrition/diary") == "#/components/schemas/Page"
    assert ref("/workouts") == "#/components/schemas/TrainingPage"


def test_operation_id_collisions_are_prefixed() -> None:
    goals = _spec({"/goals": {"get": _op("list", tags=["goals"])}}, {})
    progress = _spec({"/progress/weight": {"get": _op("list", tags=["weight"])}}, {})
    merged = merge_specs({"goals": goals, "progress": progress}, table=TABLE, own=OWN)
    assert merged["paths"]["/goals"]["get"]["operationId"] == "list"
    assert merged["paths"]["/progress/weight"]["get"]["operationId"] == "progress-list"
    assert [t["name"] for t in merged["tags"]] == ["goals", "weight"]


def test_unavailable_upstreams_are_named() -> None:
    merged = merge_specs({}, table=TABLE, own=OWN, unavailable=["media", "goals"])
    assert "goals, media" in merged["info"]["description"]


def test_unreferenced_components_are_pruned() -> None:
    identity = _spec(
        {
            "/users/me": {"get": _op("me", "#/components/schemas/User")},
            "/health/ready": {"get": _op("ready", "#/components/schemas/HealthStatus")},
        },
        {
            "User": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}},
            "A": {"type": "string"},
            "HealthStatus": {"type": "object"},
            "Orphan": {"type": "object"},
        },
    )
    merged = merge_specs({"identity": identity}, table=TABLE, own=OWN)
    schemas = merged["components"]["schemas"]
    assert {"User", "A", "Problem"} <= set(schemas)  # Problem: the gateway's own responses
    assert "HealthStatus" not in schemas
    assert "Orphan" not in schemas
