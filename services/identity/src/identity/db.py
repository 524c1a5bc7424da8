"""Identity's own declarative base and metadata (tables unqualified: search_path picks the schema)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from fitness_platform.db import service_metadata


class Base(DeclarativeBase):
    metadata = service_metadata()
