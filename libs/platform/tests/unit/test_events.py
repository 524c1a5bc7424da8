from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from fitness_platform.events import (
    InvalidCloudEvent,
    cloudevent_headers,
    decode_event,
    parse_cloudevent,
    subscriber_kwargs,
)
from fitness_platform.settings import ServiceSettings


def test_round_trip() -> None:
    eid = uuid.uuid4()
    when = datetime(2026, 11, 27, 21, 0, 5, 123000, tzinfo=UTC)
    headers = cloudevent_headers(
        event_type="identity.user.deleted.v1",
        source="/identity",
        event_id=eid,
        time=when,
        subject="u-1",
        correlation_id="req-1",
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    )
    as_dict = dict(headers)
    assert as_dict["ce_specversion"] == b"1.0"
    assert as_dict["content-type"] == b"application/json"
    assert as_dict["ce_time"] == b"2026-11-27T21:00:05.123000Z"
    meta = parse_cloudevent(headers)
    assert meta.id == eid
    assert meta.type == "identity.user.deleted.v1"
    assert meta.source == "/identity"
    assert meta.time == when
    assert meta.subject == "u-1"
    assert meta.correlation_id == "req-1"
    assert meta.traceparent.startswith("00-0af7")
    # FastStream hands headers over as a str dict: same result.
    assert parse_cloudevent({k: v.decode() for k, v in headers}) == meta


def test_optional_headers_absent() -> None:
    headers = cloudevent_headers(
        event_type="t.v1", source="/s", event_id=uuid.uuid4(), time=datetime.now(UTC)
    )
    names = {k for k, _ in headers}
    assert not names & {"ce_subject", "traceparent", "correlation_id"}
    meta = parse_cloudevent(headers)
    assert meta.subject is None
    assert meta.correlation_id is None


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"ce_specversion": "0.3", "ce_id": str(uuid.uuid4()), "ce_type": "t", "ce_source": "/s"},
        {"ce_specversion": "1.0", "ce_id": "nope", "ce_type": "t", "ce_source": "/s"},
        {"ce_specversion": "1.0", "ce_id": str(uuid.uuid4()), "ce_source": "/s"},
        {
            "ce_specversion": "1.0",
            "ce_id": str(uuid.uuid4()),
            "ce_type": "t",
            "ce_source": "/s",
            "ce_time": "yesterday",
        },
    ],
)
def test_invalid_headers(headers: dict[str, str]) -> None:
    with pytest.raises(InvalidCloudEvent):
        parse_cloudevent(headers)


def test_decode_event_body_must_be_object() -> None:
    headers = cloudevent_headers(
        event_type="t.v1", source="/s", event_id=uuid.uuid4(), time=datetime.now(UTC)
    )
    assert decode_event(headers, b'{"userId": "x"}').data == {"userId": "x"}
    with pytest.raises(InvalidCloudEvent):
        decode_event(headers, b"[1]")
    with pytest.raises(InvalidCloudEvent):
        decode_event(headers, b"{not json")


def test_envelope_parses_contract_model() -> None:
    uid = uuid.uuid4()
    headers = cloudevent_headers(
        event_type="identity.user.deleted.v1",
        source="/identity",
        event_id=uuid.uuid4(),
        time=datetime.now(UTC),
    )
    body = f'{{"userId": "{uid}", "deletedAt": "2026-11-27T21:00:00Z"}}'.encode()
    event = decode_event(headers, body).parse()
    assert event is not None
    assert event.user_id == uid  # type: ignore[attr-defined]


def test_subscriber_kwargs_commit_after_handler() -> None:
    from faststream import AckPolicy

    kw = subscriber_kwargs(ServiceSettings(service_name="nutrition"))
    assert kw["group_id"] == "nutrition"
    assert kw["auto_offset_reset"] == "earliest"
    assert kw["ack_policy"] is AckPolicy.NACK_ON_ERROR
