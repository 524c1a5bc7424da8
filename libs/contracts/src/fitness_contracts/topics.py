"""Kafka topic names: one per aggregate, keyed by user id (DESIGN §5)."""

IDENTITY_USER = "identity.user"
PROGRESS_WEIGHT = "progress.weight"
PROGRESS_REPORT = "progress.report"
TRAINING_WORKOUT = "training.workout"
NUTRITION_INTAKE = "nutrition.intake"
NUTRITION_TARGETS = "nutrition.targets"
NUTRITION_ACHIEVEMENT = "nutrition.achievement"
GOALS_GOAL = "goals.goal"
MEDIA_ASSET = "media.asset"

ALL_TOPICS = (
    IDENTITY_USER,
    PROGRESS_WEIGHT,
    PROGRESS_REPORT,
    TRAINING_WORKOUT,
    NUTRITION_INTAKE,
    NUTRITION_TARGETS,
    NUTRITION_ACHIEVEMENT,
    GOALS_GOAL,
    MEDIA_ASSET,
)


def dlq(topic: str) -> str:
    """Dead-letter topic for poison messages of ``topic``."""
    return f"{topic}.dlq"
