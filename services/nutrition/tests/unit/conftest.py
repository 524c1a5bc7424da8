"""Fixtures for the pure domain tests: the bundled SR28 catalogue, parsed once per session."""

from __future__ import annotations

import pytest

from nutrition.domain.catalogue import Food, load_bundled_foods


@pytest.fixture(scope="session")
def sr28_foods() -> list[Food]:
    return load_bundled_foods()
