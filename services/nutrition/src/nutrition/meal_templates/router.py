"""Admin CRUD of reusable meals: /admin/content/meal-templates (role admin; audited)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response, status

from fitness_platform.audit import AuditDep
from fitness_platform.auth import AdminDep
from fitness_platform.db import SessionDep
from fitness_platform.pagination import Page, PageDep
from fitness_platform.problems import NotFound, problem_responses
from nutrition.dependencies import ADMIN_RESPONSES
from nutrition.meal_templates import service
from nutrition.meal_templates.schemas import MealTemplateIn, MealTemplateOut

router = APIRouter(
    prefix="/admin/content/meal-templates",
    tags=["admin-meal-templates"],
    responses=ADMIN_RESPONSES,
)


@router.get("")
async def list_meal_templates(
    admin: AdminDep, session: SessionDep, page: PageDep
) -> Page[MealTemplateOut]:
    return await service.list_templates(session=session, params=page)


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_meal_template(
    body: MealTemplateIn, audit: AuditDep, session: SessionDep, response: Response
) -> MealTemplateOut:
    template = await service.create(session=session, data=body, audit=audit)
    response.headers["Location"] = f"/admin/content/meal-templates/{template.id}"
    return template


@router.get("/{template_id}", responses=problem_responses(404))
async def get_meal_template(
    template_id: UUID, admin: AdminDep, session: SessionDep
) -> MealTemplateOut:
    template = await service.get_template(session=session, template_id=template_id)
    if template is None:
        raise NotFound("No such meal template.")
    return template


@router.put("/{template_id}", responses=problem_responses(404))
async def update_meal_template(
    template_id: UUID, body: MealTemplateIn, audit: AuditDep, session: SessionDep
) -> MealTemplateOut:
    template = await service.update(
        session=session, template_id=template_id, data=body, audit=audit
    )
    if template is None:
        raise NotFound("No such meal template.")
    return template


@router.delete(
    "/{template_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(404)
)
async def delete_meal_template(template_id: UUID, audit: AuditDep, session: SessionDep) -> Response:
    if not await service.delete(session=session, template_id=template_id, audit=audit):
        raise NotFound("No such meal template.")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
