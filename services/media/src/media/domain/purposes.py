"""What an asset is for (the closed list of the issue; the event contract uses the same)."""

from __future__ import annotations

from enum import StrEnum


class Purpose(StrEnum):
    AVATAR = "avatar"
    PROGRESS_PHOTO = "progress_photo"
    WORKOUT = "workout"
