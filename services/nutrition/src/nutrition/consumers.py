"""Subscribers on ``identity.user``: the profile read model, recalculation and GDPR erasure.

Two consumer groups (both through the platform's idempotent ``consume`` helper: inbox + effect in
one transaction, commit after the effect, DLQ after bounded retries):
- ``nutrition.profiles`` projects registrations and profile snapshots and recalculates targets
  when an input of the calculation changed; it also erases on ``deleted.v1`` because only within
  one group are a user's events ordered (an update handled after the other group's erasure
  would otherwise resurrect the profile);
- ``nutrition.user-deletion`` is the platform's shared GDPR handler.
"""

from __future__ import annotations

import logging
from typing import Any

from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitness_contracts.identity import UserDeletedV1, UserProfileUpdatedV1, UserRegisteredV1
from fitness_contracts.topics import IDENTITY_USER
from fitness_platform.events import EventEnvelope, consume, register_user_deletion_handler
from nutrition import gdpr
from nutrition.calculations import service as calculation_service
from nutrition.profiles import service as profile_service
from nutrition.settings import NutritionSettings

log = logging.getLogger(__name__)

PROFILES_CONSUMER = "profiles"


async def on_user_event(session: AsyncSession, envelope: EventEnvelope) -> None:
    event = envelope.parse()
    if isinstance(event, UserRegisteredV1):
        await profile_service.on_registered(session, user_id=event.user_id)
    elif isinstance(event, UserProfileUpdatedV1):
        change = await profile_service.apply_snapshot(
            session, user_id=event.user_id, snapshot=event.profile, updated_at=event.updated_at
        )
        if not change.relevant:
            return
        try:
            row = await calculation_service.recalculate_from_profile(
                session=session, user_id=event.user_id, only_if_changed=True
            )
        except profile_service.ProfileIncompleteError as exc:
            log.info(
                "profile incomplete: no recalculation",
                extra={"profile_user_id": str(event.user_id), "missing": exc.missing},
            )
            return
        if row is not None:
            log.info("targets recalculated", extra={"calculation_id": str(row.id)})
    elif isinstance(event, UserDeletedV1):
        await gdpr.erase_user(session, event.user_id)


def register(
    broker: KafkaBroker,
    *,
    settings: NutritionSettings,
    session_factory: async_sessionmaker[AsyncSession],
) -> list[Any]:
    return [
        consume(
            broker,
            IDENTITY_USER,
            settings=settings,
            consumer=PROFILES_CONSUMER,
            session_factory=session_factory,
            handler=on_user_event,
        ),
        register_user_deletion_handler(
            broker, settings=settings, session_factory=session_factory, erase=gdpr.erase_user
        ),
    ]
