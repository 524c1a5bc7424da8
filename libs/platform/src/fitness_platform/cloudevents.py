"""CloudEvents 1.0 Kafka binary binding (headers ``ce_*``, value = JSON payload)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"

HeaderInput = Mapping[str, str | bytes] | Sequence[tuple[str, bytes | str]]


class InvalidCloudEvent(ValueError):
    """Headers or body do not form a CloudEvent we can process (never retried)."""


@dataclass(frozen=True, slots=True)
class CloudEventMeta:
    id: UUID
    type: str
    source: str
    time: datetime | None
    subject: str | None
    correlation_id: str | None
    traceparent: str | None
    specversion: str = SPECVERSION


def cloudevent_headers(
    *,
    event_type: str,
    source: str,
    event_id: UUID,
    time: datetime,
    subject: str | None = None,
    correlation_id: str | None = None,
    traceparent: str | None = None,
) -> list[tuple[str, bytes]]:
    headers: list[tuple[str, bytes]] = [
        ("ce_specversion", SPECVERSION.encode()),
        ("ce_id", str(event_id).encode()),
        ("ce_type", event_type.encode()),
        ("ce_source", source.encode()),
        ("ce_time", time.astimezone(UTC).isoformat().replace("+00:00", "Z").encode()),
        ("content-type", CONTENT_TYPE.encode()),
    ]
    if subject is not None:
        headers.append(("ce_subject", subject.encode()))
    if traceparent:
        headers.append(("traceparent", traceparent.encode()))
    if correlation_id:
        headers.append(("correlation_id", correlation_id.encode()))
    return headers


def _as_text(value: str | bytes | None) -> str | None:
    if value is None:
        return None
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def parse_cloudevent(headers: HeaderInput) -> CloudEventMeta:
    items = headers.items() if isinstance(headers, Mapping) else headers
    h: dict[str, str | None] = {k.lower(): _as_text(v) for k, v in items}
    if h.get("ce_specversion") != SPECVERSION:
        raise InvalidCloudEvent(f"unsupported ce_specversion {h.get('ce_specversion')!r}")
    try:
        event_id = UUID(h.get("ce_id") or "")
    except ValueError as exc:
        raise InvalidCloudEvent("ce_id is not a UUID") from exc
    event_type, source = h.get("ce_type"), h.get("ce_source")
    if not event_type or not source:
        raise InvalidCloudEvent("ce_type and ce_source are required")
    time = None
    if raw := h.get("ce_time"):
        try:
            time = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError as exc:
            raise InvalidCloudEvent("ce_time is not RFC 3339") from exc
    return CloudEventMeta(
        id=event_id,
        type=event_type,
        source=source,
        time=time,
        subject=h.get("ce_subject"),
        correlation_id=h.get("correlation_id"),
        traceparent=h.get("traceparent"),
    )
