"""Dependencies of the food routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from nutrition.foods.pool import FoodPool, get_pool


async def food_pool(request: Request) -> FoodPool:
    return get_pool(request.app.state)


FoodPoolDep = Annotated[FoodPool, Depends(food_pool)]
