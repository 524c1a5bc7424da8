"""The content types the service accepts and how their first bytes identify them (pure).

Magic numbers, each from the format's specification:
- JPEG: SOI marker FF D8 followed by the next marker's FF (ITU-T T.81 / ISO/IEC 10918-1, B.1.1.3
  and B.2.1: a file starts with SOI, then a marker segment such as APP0/APP1).
- PNG: the 8-byte signature 89 50 4E 47 0D 0A 1A 0A (ISO/IEC 15948 / W3C PNG 3rd ed., §5.2).
- WebP: a RIFF container, "RIFF" + 4-byte little-endian size + "WEBP" (Google, "WebP Container
  Specification", https://developers.google.com/speed/webp/docs/riff_container).
- HEIC: an ISO base media file whose first box is ``ftyp`` (bytes 4–7) with a HEIF brand —
  ``heic``, ``heix`` (HEVC images), ``mif1``, ``msf1`` (HEIF image/sequence structural brands)
  (ISO/IEC 23008-12 Annex B; ISO/IEC 14496-12 §4.3 for ``ftyp``).
- MP4: an ISO base media file, ``ftyp`` at offset 4 (ISO/IEC 14496-12 §4.3, ISO/IEC 14496-14),
  whose major brand is not a HEIF image brand (so a HEIC photo is never taken for a video).
"""

from __future__ import annotations

from enum import StrEnum


class ContentType(StrEnum):
    JPEG = "image/jpeg"
    PNG = "image/png"
    WEBP = "image/webp"
    HEIC = "image/heic"
    MP4 = "video/mp4"


class Kind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"


KIND: dict[ContentType, Kind] = {
    ContentType.JPEG: Kind.IMAGE,
    ContentType.PNG: Kind.IMAGE,
    ContentType.WEBP: Kind.IMAGE,
    ContentType.HEIC: Kind.IMAGE,
    ContentType.MP4: Kind.VIDEO,
}

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
HEIF_BRANDS = frozenset({b"heic", b"heix", b"mif1", b"msf1"})

# Enough to tell every allowed type apart: RIFF....WEBP and ftyp + brand end at byte 12.
SNIFF_BYTES = 16


def sniff(head: bytes) -> ContentType | None:
    """The allowed type whose signature ``head`` (the object's first bytes) starts with."""
    if head.startswith(JPEG_MAGIC):
        return ContentType.JPEG
    if head.startswith(PNG_MAGIC):
        return ContentType.PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ContentType.WEBP
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return ContentType.HEIC if head[8:12] in HEIF_BRANDS else ContentType.MP4
    return None


def matches(declared: ContentType, head: bytes) -> bool:
    return sniff(head) is declared
