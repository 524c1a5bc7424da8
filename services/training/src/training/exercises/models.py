"""The exercise catalogue: Compendium of Physical Activities activities with their METs."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from training.db import Base


class Exercise(Base):
    __tablename__ = "exercises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    category: Mapped[str] = mapped_column(String(16), index=True)
    # Compendium activity code ("12050") and the edition it comes from ("2011").
    met_code: Mapped[str] = mapped_column(String(8))
    met: Mapped[float] = mapped_column(Float)
    edition: Mapped[str] = mapped_column(String(8))
