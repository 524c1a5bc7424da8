"""Food catalogue: USDA SR28 foods (ids = NDB numbers) plus admin-created custom foods."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Sequence,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from nutrition.db import Base

# SR28 NDB numbers are < 100 000; custom foods are numbered from here so ids never collide and
# catalogue ids stay the same in every environment.
CUSTOM_FOOD_ID_START = 10_000_000
custom_food_id_seq = Sequence(
    "custom_food_id_seq", start=CUSTOM_FOOD_ID_START, metadata=Base.metadata
)


class Food(Base):
    __tablename__ = "foods"
    __table_args__ = (
        Index("ix_foods_search", "search", postgresql_using="gin"),
        Index("ix_foods_tags", "tags", postgresql_using="gin"),
        Index("ix_foods_allergens", "allergens", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(16))  # "sr28" | "custom"
    description: Mapped[str] = mapped_column(String(200))
    food_group: Mapped[str] = mapped_column(String(100))
    # Per 100 g edible portion (SR28 convention).
    kcal: Mapped[float] = mapped_column(Float)
    protein_g: Mapped[float] = mapped_column(Float)
    fat_g: Mapped[float] = mapped_column(Float)
    sat_fat_g: Mapped[float | None] = mapped_column(Float)
    carbs_g: Mapped[float] = mapped_column(Float)
    sugars_g: Mapped[float | None] = mapped_column(Float)
    fiber_g: Mapped[float | None] = mapped_column(Float)
    sodium_mg: Mapped[float | None] = mapped_column(Float)
    tags: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
    allergens: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
    # Planner metadata from the domain (food_groups.classify / food_tags): role None = never
    # suggested; composite = allergens cannot be ruled out from the description.
    composite: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    role: Mapped[str | None] = mapped_column(String(16))
    slots: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
    ndb_no: Mapped[str | None] = mapped_column(String(8), unique=True)
    search: Mapped[str] = mapped_column(
        TSVECTOR,
        Computed("to_tsvector('english'::regconfig, description)", persisted=True),
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Portion(Base):
    __tablename__ = "portions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    food_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("foods.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    amount: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(120))
    grams: Mapped[float] = mapped_column(Float)
