"""One OpenAPI document for the whole public API: the upstreams' documents, merged.

Each reachable upstream's ``/openapi.json`` is fetched (cached briefly; an unreachable upstream
keeps its last good copy), filtered to the paths the route table actually sends to that service
(so internal paths like ``/health/*`` and ``/metrics`` disappear), and merged: component names
that clash with different content are prefixed with the service name and every ``$ref`` in that
service's document is rewritten; clashing operation ids get the same prefix. Security is the
gateway's view: one bearer scheme, ``security: []`` on public routes.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
import orjson

from gateway.routes import GATEWAY_PATHS, RouteTable

log = logging.getLogger("gateway.openapi")

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_SECTIONS = (
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "links",
    "callbacks",
)
# Paths every service serves for operators, never for API clients.
_INTERNAL_PREFIXES = ("/health", "/metrics", "/openapi.json", "/docs", "/redoc")
BEARER_SCHEME = "bearerAuth"
_PROBLEM_REF = "#/components/schemas/Problem"
_BODY_METHODS = frozenset({"post", "put", "patch"})


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": _PROBLEM_REF}}},
    }


def _is_internal(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in _INTERNAL_PREFIXES)


def _rewrite_refs(node: Any, renames: Mapping[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value in renames:
                out[key] = renames[value]
            else:
                out[key] = _rewrite_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v, renames) for v in node]
    return node


def _prefix(service: str) -> str:
    return "".join(part.capitalize() for part in service.replace("-", "_").split("_"))


def _refs(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                out.add(value)
            else:
                _refs(value, out)
    elif isinstance(node, list):
        for value in node:
            _refs(value, out)


def _prune(paths: dict[str, Any], components: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Keep only components reachable from the kept paths (services' health models etc. go)."""
    seen: set[str] = set()
    todo: set[str] = set()
    _refs(paths, todo)
    while todo:
        ref = todo.pop()
        if ref in seen or not ref.startswith("#/components/"):
            continue
        seen.add(ref)
        _, _, section, name = ref.split("/", 3)
        obj = components.get(section, {}).get(name)
        if obj is not None:
            _refs(obj, todo)
    kept: dict[str, Any] = {}
    for section, items in components.items():
        live = {n: o for n, o in items.items() if f"#/components/{section}/{n}" in seen}
        if live:
            kept[section] = live
    return kept


def merge_specs(
    specs: Mapping[str, dict[str, Any]],
    *,
    table: RouteTable,
    own: dict[str, Any],
    unavailable: list[str] | None = None,
) -> dict[str, Any]:
    """Merge the gateway's own document with the upstreams' (pure; no I/O)."""
    own = copy.deepcopy(own)
    components: dict[str, dict[str, Any]] = {s: {} for s in _SECTIONS}
    for section, items in own.get("components", {}).items():
        if section in components:
            components[section].update(items)
    paths: dict[str, Any] = {}
    for path, item in own.get("paths", {}).items():
        for method in _METHODS:
            if method in item:
                item[method]["security"] = []
        paths[path] = item
    op_ids = {
        op.get("operationId")
        for item in paths.values()
        for m, op in item.items()
        if m in _METHODS and isinstance(op, dict)
    }
    tags: dict[str, dict[str, Any]] = {t["name"]: t for t in own.get("tags", [])}

    for service in sorted(specs):
        spec = specs[service]
        src_components = spec.get("components", {})
        renames: dict[str, str] = {}
        for section in _SECTIONS:
            for name, obj in src_components.get(section, {}).items():
                existing = components[section].get(name)
                if existing is None or existing == obj:
                    continue
                new = _prefix(service) + name
                n = 2
                while new in components[section] or new in src_components.get(section, {}):
                    new = f"{_prefix(service)}{name}{n}"
                    n += 1
                renames[f"#/components/{section}/{name}"] = f"#/components/{section}/{new}"
        spec = _rewrite_refs(spec, renames) if renames else spec
        src_components = spec.get("components", {})
        for section in _SECTIONS:
            for name, obj in src_components.get(section, {}).items():
                ref = f"#/components/{section}/{name}"
                target = renames.get(ref, ref).rsplit("/", 1)[1]
                components[section][target] = obj

        for path, item in spec.get("paths", {}).items():
            if _is_internal(path) or path in GATEWAY_PATHS:
                continue
            route = table.match(path)
            if route is None or route.service != service:
                continue  # not reachable through the gateway, or another service's path
            if path in paths:
                log.warning("duplicate path in upstream documents", extra={"path": path})
                continue
            item = copy.deepcopy(item)
            for method in _METHODS:
                op = item.get(method)
                if not isinstance(op, dict):
                    continue
                op_id = op.get("operationId")
                if op_id is not None:
                    if op_id in op_ids:
                        op_id = f"{service}-{op_id}"
                        op["operationId"] = op_id
                    op_ids.add(op_id)
                public = table.is_public(method.upper(), path)
                op["security"] = [] if public else [{BEARER_SCHEME: []}]
                responses = op.setdefault("responses", {})
                added = {
                    "429": "Rate limited; see `Retry-After` and `RateLimit-*`",
                    "502": "The upstream service broke the connection",
                    "503": "The upstream service is unavailable",
                    "504": "The upstream service did not answer in time",
                }
                if not public:
                    added["401"] = "Missing, invalid, expired or revoked access token"
                    if table.needs_admin(path):
                        added["403"] = "The `admin` role is required"
                if method in _BODY_METHODS:
                    added["413"] = "Request body too large"
                for status, description in added.items():
                    responses.setdefault(status, _problem(description))
                for tag in op.get("tags", []):
                    tags.setdefault(tag, {"name": tag})
            paths[path] = item

    components = _prune(paths, components)
    components["securitySchemes"] = {
        BEARER_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Access token from `POST /auth/login` (EdDSA JWT, 15 minutes).",
        }
    }
    info = dict(own.get("info", {}))
    if unavailable:
        note = "Not included (upstream unreachable): " + ", ".join(sorted(unavailable)) + "."
        info["description"] = (info.get("description", "") + "\n\n" + note).strip()
    return {
        "openapi": own.get("openapi", "3.1.0"),
        "info": info,
        "paths": dict(sorted(paths.items())),
        "components": components,
        "security": [{BEARER_SCHEME: []}],
        "tags": sorted(tags.values(), key=lambda t: t["name"]),
    }


class OpenAPIAggregator:
    """Fetches and merges the upstreams' documents; serves the merge for ``ttl`` seconds."""

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession,
        upstreams: Mapping[str, str],
        table: RouteTable,
        own: Callable[[], dict[str, Any]],
        ttl: float,
        timeout: float,
    ) -> None:
        self._session = session
        self._table = table
        self._own = own
        self._ttl = ttl
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        services = {r.service for r in table.routes}
        self._upstreams = {s: u.rstrip("/") for s, u in upstreams.items() if s in services}
        self._last_good: dict[str, dict[str, Any]] = {}
        self._cached: tuple[float, dict[str, Any]] | None = None
        self._lock = asyncio.Lock()

    async def _fetch(self, service: str) -> dict[str, Any] | None:
        url = self._upstreams[service] + "/openapi.json"
        try:
            async with self._session.get(url, timeout=self._timeout) as resp:
                if resp.status != 200:
                    raise ValueError(f"status {resp.status}")
                spec = orjson.loads(await resp.read())
                if not isinstance(spec, dict) or not isinstance(spec.get("paths"), dict):
                    raise ValueError("not an OpenAPI document")
                return spec
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.info(
                "upstream OpenAPI unavailable", extra={"upstream": service, "error": repr(exc)}
            )
            return None

    async def document(self) -> dict[str, Any]:
        cached = self._cached
        if cached is not None and time.monotonic() - cached[0] < self._ttl:
            return cached[1]
        async with self._lock:
            cached = self._cached
            if cached is not None and time.monotonic() - cached[0] < self._ttl:
                return cached[1]
            names = sorted(self._upstreams)
            fetched = await asyncio.gather(*(self._fetch(n) for n in names))
            unavailable = []
            for name, spec in zip(names, fetched, strict=True):
                if spec is not None:
                    self._last_good[name] = spec
                elif name not in self._last_good:
                    unavailable.append(name)
            merged = merge_specs(
                self._last_good, table=self._table, own=self._own(), unavailable=unavailable
            )
            self._cached = (time.monotonic(), merged)
            return merged
