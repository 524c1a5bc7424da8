"""Magic numbers against the first bytes of real files of each format (the published
signatures cited in media.domain.content_types)."""

from __future__ import annotations

import pytest

from media.domain.content_types import SNIFF_BYTES, ContentType, matches, sniff

# First bytes of real files: a JFIF JPEG, an Exif JPEG, a PNG (ISO/IEC 15948 signature + IHDR),
# a lossy WebP (RIFF size VP8), an iPhone HEIC (ftyp heic), a HEIF with mif1 major brand,
# an MP4 (ftyp isom) and an MP4 from a phone camera (ftyp mp42).
SAMPLES = {
    bytes.fromhex("ffd8ffe000104a46494600010100"): ContentType.JPEG,
    bytes.fromhex("ffd8ffe1001845786966000049492a00"): ContentType.JPEG,
    bytes.fromhex("89504e470d0a1a0a0000000d49484452"): ContentType.PNG,
    b"RIFF\x24\x1c\x00\x00WEBPVP8 ": ContentType.WEBP,
    b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00": ContentType.HEIC,
    b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00": ContentType.HEIC,
    b"\x00\x00\x00\x1cftypheix\x00\x00\x00\x00": ContentType.HEIC,
    b"\x00\x00\x00\x1cftypmsf1\x00\x00\x00\x00": ContentType.HEIC,
    b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00": ContentType.MP4,
    b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00": ContentType.MP4,
}


@pytest.mark.parametrize(("head", "expected"), SAMPLES.items())
def test_sniff_known_files(head: bytes, expected: ContentType) -> None:
    assert len(head) <= SNIFF_BYTES
    assert sniff(head) is expected
    assert matches(expected, head)


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"\xff\xd8",  # SOI without the next marker
        b"<!DOCTYPE html><html>",
        b"GIF89a\x01\x00\x01\x00",
        b"RIFF\x24\x1c\x00\x00WAVEfmt ",  # RIFF but audio
        b"%PDF-1.7\n",
        b"\x89PNG\r\n\x1a",  # truncated signature
        b"\x00\x00\x00\x18ftyp",  # ftyp without a brand
    ],
)
def test_sniff_refuses_other_bytes(head: bytes) -> None:
    assert sniff(head) is None
    assert not any(matches(t, head) for t in ContentType)


def test_png_declared_as_jpeg_does_not_match() -> None:
    png = bytes.fromhex("89504e470d0a1a0a0000000d49484452")
    assert not matches(ContentType.JPEG, png)


def test_heic_is_not_taken_for_mp4() -> None:
    assert not matches(ContentType.MP4, b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00")
