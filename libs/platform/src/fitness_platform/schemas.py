"""Base models for the wire: camelCase JSON outside, snake_case Python inside (DESIGN §3)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class CamelModel(BaseModel):
    """Response/read model: serialised with camelCase aliases, accepts either spelling."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)


class CamelInput(CamelModel):
    """Request model: unknown fields are rejected so nobody can mass-assign ``role``."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", str_strip_whitespace=True
    )
