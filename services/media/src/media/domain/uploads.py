"""Upload rules that need no I/O: size limit per kind, safe file names, server-chosen keys."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from uuid import UUID

from media.domain.content_types import KIND, ContentType, Kind, matches, sniff

FILENAME_MAX = 200


@dataclass(frozen=True)
class SizeLimits:
    image_bytes: int
    video_bytes: int

    def for_type(self, content_type: ContentType) -> int:
        return self.video_bytes if KIND[content_type] is Kind.VIDEO else self.image_bytes


def filename_problem(name: str) -> str | None:
    """Why ``name`` is not a plain file name, or None. It is only metadata (never a key), but a
    client echoing it back into a path must not be handed a traversal."""
    if not 1 <= len(name) <= FILENAME_MAX:
        return f"must be 1-{FILENAME_MAX} characters"
    if "/" in name or "\\" in name:
        return "must not contain path separators"
    if name in (".", ".."):
        return "must not be a relative path"
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name):
        return "must not contain control characters or invalid unicode"
    return None


def object_key(user_id: UUID, asset_id: UUID) -> str:
    """The key is the server's choice, never the client's file name: no collisions, no
    traversal, and one prefix per user so erasure is a prefix listing."""
    return f"{user_id}/{asset_id}"


def user_prefix(user_id: UUID) -> str:
    return f"{user_id}/"


def parse_key(key: str) -> tuple[UUID, UUID] | None:
    """(user id, asset id) of a key this service made; None for anything else."""
    user, sep, asset = key.partition("/")
    if not sep:
        return None
    try:
        return UUID(user), UUID(asset)
    except ValueError:
        return None


@dataclass(frozen=True)
class Mismatch:
    """Why an uploaded object is not what was declared: ``field`` of the object, ``reason``."""

    field: str
    reason: str
    message: str


def metadata_mismatch(
    *, declared_type: ContentType, declared_size: int, size: int, stored_type: str | None
) -> Mismatch | None:
    """Size and stored Content-Type against the declaration (parameters like ``; charset`` and
    case ignored: they do not change the type)."""
    if size != declared_size:
        return Mismatch(
            "sizeBytes", "size_mismatch", f"uploaded {size} bytes, declared {declared_size}"
        )
    stored = (stored_type or "").split(";")[0].strip().lower()
    if stored != declared_type.value:
        return Mismatch(
            "contentType",
            "content_type_mismatch",
            f"uploaded as {stored or 'unknown'}, declared {declared_type.value}",
        )
    return None


def bytes_mismatch(*, declared_type: ContentType, head: bytes) -> Mismatch | None:
    """The object's first bytes against the declared type's signature."""
    if matches(declared_type, head):
        return None
    found = sniff(head)
    return Mismatch(
        "bytes",
        "magic_mismatch",
        f"the bytes are {found.value if found else 'not an allowed type'}, "
        f"declared {declared_type.value}",
    )
