"""Admin CRUD of workout templates: /admin/content/workout-templates (role admin; audited)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response, status

from fitness_platform.audit import AuditDep
from fitness_platform.auth import AdminDep
from fitness_platform.db import SessionDep
from fitness_platform.pagination import Page, PageDep
from fitness_platform.problems import NotFound, problem_responses
from training.dependencies import ADMIN_RESPONSES
from training.templates import service
from training.templates.schemas import WorkoutTemplateIn, WorkoutTemplateOut

router = APIRouter(
    prefix="/admin/content/workout-templates",
    tags=["admin-workout-templates"],
    responses=ADMIN_RESPONSES,
)


@router.get("")
async def admin_list_workout_templates(
    admin: AdminDep, session: SessionDep, page: PageDep
) -> Page[WorkoutTemplateOut]:
    return await service.list_templates(
        session=session, user_id=admin.id, level=None, goal=None, params=page
    )


@router.post("", status_code=status.HTTP_201_CREATED, responses=problem_responses(409))
async def admin_create_workout_template(
    body: WorkoutTemplateIn, audit: AuditDep, session: SessionDep, response: Response
) -> WorkoutTemplateOut:
    """Unknown exerciseId → 422; a name in use (case-insensitive) → 409."""
    template = await service.create(session=session, data=body, audit=audit)
    response.headers["Location"] = f"/admin/content/workout-templates/{template.id}"
    return template


@router.get("/{template_id}", responses=problem_responses(404))
async def admin_get_workout_template(
    template_id: UUID, admin: AdminDep, session: SessionDep
) -> WorkoutTemplateOut:
    template = await service.get_template(
        session=session, user_id=admin.id, template_id=template_id
    )
    if template is None:
        raise NotFound("No such workout template.")
    return template


@router.put("/{template_id}", responses=problem_responses(404, 409))
async def admin_update_workout_template(
    template_id: UUID, body: WorkoutTemplateIn, audit: AuditDep, session: SessionDep
) -> WorkoutTemplateOut:
    template = await service.update(
        session=session, template_id=template_id, data=body, audit=audit
    )
    if template is None:
        raise NotFound("No such workout template.")
    return template


@router.delete(
    "/{template_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(404)
)
async def admin_delete_workout_template(
    template_id: UUID, audit: AuditDep, session: SessionDep
) -> Response:
    if not await service.delete(session=session, template_id=template_id, audit=audit):
        raise NotFound("No such workout template.")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
