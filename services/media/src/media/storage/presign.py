"""AWS Signature Version 4 query-string presigning (pure, no I/O).

minio-py's ``presigned_put_object`` signs only ``host``; an upload URL here also signs
``content-type`` and ``content-length``, so the store itself refuses a body of another type or
size (a signed header's value is part of the signature: another value ⇒ 403
SignatureDoesNotMatch). Algorithm: "Authenticating Requests: Using Query Parameters (AWS
Signature Version 4)", https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
# SigV4 allows X-Amz-Expires of at most 7 days (same source).
MAX_EXPIRES_S = 7 * 24 * 3600


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str
    region: str


@dataclass(frozen=True)
class PresignedRequest:
    method: str
    url: str
    # Headers the client must send exactly as given (they are signed).
    headers: dict[str, str]
    expires_at: datetime


def _uri_encode(value: str, *, keep_slash: bool = False) -> str:
    # RFC 3986 unreserved characters stay, everything else is %XX (the SigV4 rules).
    return quote(value, safe="-_.~/" if keep_slash else "-_.~")


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def _signing_key(secret: str, day: str, region: str) -> bytes:
    k = _hmac(("AWS4" + secret).encode(), day)
    k = _hmac(k, region)
    k = _hmac(k, "s3")
    return _hmac(k, "aws4_request")


def host_of(endpoint: str) -> tuple[str, str]:
    """(scheme, host header) of an endpoint URL; a default port is dropped like clients do."""
    parts = urlsplit(endpoint if "://" in endpoint else f"http://{endpoint}")
    scheme = parts.scheme or "http"
    host = parts.netloc
    if (scheme, parts.port) in (("http", 80), ("https", 443)):
        host = parts.hostname or host
    return scheme, host


def presign(
    *,
    method: str,
    endpoint: str,
    bucket: str,
    key: str,
    credentials: Credentials,
    now: datetime,
    expires_s: int,
    headers: Mapping[str, str] | None = None,
) -> PresignedRequest:
    """A path-style presigned URL for ``method`` on ``bucket/key``, signing ``headers`` too."""
    if not 1 <= expires_s <= MAX_EXPIRES_S:
        raise ValueError("expires_s must be 1 s to 7 days")
    scheme, host = host_of(endpoint)
    signed = {k.lower(): " ".join(str(v).split()) for k, v in (headers or {}).items()}
    signed["host"] = host
    names = sorted(signed)
    signed_headers = ";".join(names)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    scope = f"{day}/{credentials.region}/s3/aws4_request"
    query = {
        "X-Amz-Algorithm": ALGORITHM,
        "X-Amz-Credential": f"{credentials.access_key}/{scope}",
        "X-Amz-Date": amz_date,
        "X-Amz-Expires": str(expires_s),
        "X-Amz-SignedHeaders": signed_headers,
    }
    canonical_query = "&".join(
        f"{_uri_encode(k)}={_uri_encode(v)}" for k, v in sorted(query.items())
    )
    path = "/" + _uri_encode(bucket) + "/" + _uri_encode(key, keep_slash=True)
    canonical_request = "\n".join(
        [
            method,
            path,
            canonical_query,
            "".join(f"{n}:{signed[n]}\n" for n in names),
            signed_headers,
            UNSIGNED_PAYLOAD,
        ]
    )
    string_to_sign = "\n".join(
        [ALGORITHM, amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    signature = hmac.new(
        _signing_key(credentials.secret_key, day, credentials.region),
        string_to_sign.encode(),
        hashlib.sha256,
    ).hexdigest()
    url = f"{scheme}://{host}{path}?{canonical_query}&X-Amz-Signature={signature}"
    client_headers = {k: str(v) for k, v in (headers or {}).items()}
    return PresignedRequest(method, url, client_headers, now + timedelta(seconds=expires_s))
