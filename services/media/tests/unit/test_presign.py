"""The SigV4 presigner: identical to minio-py's for a host-only GET, and accepted by nanio's
verifier (the local S3) with signed Content-Type/Content-Length — and refused when a signed
header differs, which is what makes the store enforce the declared type and size."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from minio import Minio
from nanio.auth.sigv4 import verify_presigned_url
from nanio.errors import RequestTimeTooSkewed, SignatureDoesNotMatch

from media.storage.presign import Credentials, host_of, presign

CREDS = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1")
NOW = datetime(2026, 12, 3, 9, 0, 0, tzinfo=UTC)
KEY = "6f1c2a9e-3a7b-4a55-9a61-2b0f6d1c0e11/0c9d5b8e-1f0a-4e3c-8d2b-7a6e5f4d3c2b"


def _put(**headers: str):
    return presign(
        method="PUT",
        endpoint="http://127.0.0.1:9000",
        bucket="fitness-media",
        key=KEY,
        credentials=CREDS,
        now=NOW,
        expires_s=900,
        headers={"Content-Type": "image/jpeg", "Content-Length": "1234", **headers},
    )


def test_get_matches_minio() -> None:
    client = Minio(
        "127.0.0.1:9000",
        access_key=CREDS.access_key,
        secret_key=CREDS.secret_key,
        secure=False,
        region=CREDS.region,
    )
    expected = client.presigned_get_object(
        "fitness-media", KEY, expires=timedelta(seconds=300), request_date=NOW
    )
    ours = presign(
        method="GET",
        endpoint="http://127.0.0.1:9000",
        bucket="fitness-media",
        key=KEY,
        credentials=CREDS,
        now=NOW,
        expires_s=300,
    )
    assert ours.url == expected
    assert ours.expires_at == NOW + timedelta(seconds=300)


def _verify(request, *, headers: dict[str, str], now: datetime = NOW):
    url = urlsplit(request.url)
    return verify_presigned_url(
        method=request.method,
        path=url.path,
        query=url.query,
        headers={"host": url.netloc, **headers},
        secret_lookup=lambda key: CREDS.secret_key if key == CREDS.access_key else None,
        now=now,
    )


def test_put_with_the_signed_headers_verifies() -> None:
    request = _put()
    assert request.headers == {"Content-Type": "image/jpeg", "Content-Length": "1234"}
    assert "X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost" in request.url
    verified = _verify(request, headers={"content-type": "image/jpeg", "content-length": "1234"})
    assert verified.access_key == CREDS.access_key


@pytest.mark.parametrize(
    "sent",
    [
        {"content-type": "text/html", "content-length": "1234"},
        {"content-type": "image/jpeg", "content-length": "1235"},
        {"content-type": "image/jpeg"},  # chunked upload: no Content-Length at all
    ],
)
def test_put_with_other_headers_is_refused(sent: dict[str, str]) -> None:
    with pytest.raises(SignatureDoesNotMatch):
        _verify(_put(), headers=sent)


def test_expired_put_is_refused() -> None:
    with pytest.raises(RequestTimeTooSkewed):
        _verify(
            _put(),
            headers={"content-type": "image/jpeg", "content-length": "1234"},
            now=NOW + timedelta(seconds=901),
        )


def test_host_of_drops_default_ports() -> None:
    assert host_of("http://s3.local:80") == ("http", "s3.local")
    assert host_of("https://s3.example.com") == ("https", "s3.example.com")
    assert host_of("127.0.0.1:9000") == ("http", "127.0.0.1:9000")


def test_expiry_bounds() -> None:
    with pytest.raises(ValueError, match="expires"):
        presign(
            method="GET",
            endpoint="http://x",
            bucket="b",
            key="k",
            credentials=CREDS,
            now=NOW,
            expires_s=8 * 24 * 3600,
        )
