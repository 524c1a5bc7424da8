"""Business metrics of the media service (Prometheus; served at /metrics by every process)."""

from __future__ import annotations

from prometheus_client import Counter

UPLOADS_REQUESTED = Counter(
    "media_uploads_requested", "Presigned uploads handed out", ["content_type"]
)
UPLOADS_CONFIRMED = Counter("media_uploads_confirmed", "Uploads confirmed (asset ready)")
UPLOADS_REJECTED = Counter(
    "media_uploads_rejected", "Uploads refused at confirm (object deleted)", ["reason"]
)
ASSETS_DELETED = Counter("media_assets_deleted", "Assets deleted", ["reason"])
ORPHANS_REMOVED = Counter("media_orphan_objects_removed", "Objects without a row removed")
