"""The time a file's own metadata claims it was taken (EXIF DateTimeOriginal of an image).

A claimed time is what the handset wrote, not a fact Vigil witnessed: it is stored beside the
time of import, never in its place. Only the metadata is read (Pillow opens the header and the
EXIF block; no pixels are decoded). A file that is not an image, or has no such tag, has no
claimed time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import BinaryIO
from zoneinfo import ZoneInfo

from PIL import Image, UnidentifiedImageError

EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 0x9003
OFFSET_TIME_ORIGINAL = 0x9011
SOURCE = "EXIF DateTimeOriginal"

_EXIF_TIME = re.compile(r"(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})")


@dataclass(frozen=True, slots=True)
class Claimed:
    """A claimed time: in UTC, as written, the zone assumed (None: the file gave an offset),
    and where it came from."""

    at: datetime
    text: str
    tz_assumed: str | None
    source: str = SOURCE


def parse_exif_time(text: str, offset: str | None, tz_name: str) -> Claimed | None:
    """EXIF's ``YYYY:MM:DD HH:MM:SS`` (with ``OffsetTimeOriginal`` if given; else taken in
    ``tz_name``). None when the text is not a valid time (cameras write blanks and zeros)."""
    m = _EXIF_TIME.fullmatch(text.strip().rstrip("\x00"))
    if m is None:
        return None
    y, mo, d, h, mi, s = (int(g) for g in m.groups())
    try:
        naive = datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None
    om = _OFFSET.fullmatch(offset.strip().rstrip("\x00")) if offset else None
    if om is not None:
        sign = -1 if om.group(1) == "-" else 1
        tz = timezone(sign * timedelta(hours=int(om.group(2)), minutes=int(om.group(3))))
        return Claimed(naive.replace(tzinfo=tz).astimezone(UTC), text.strip(), None)
    local = naive.replace(tzinfo=ZoneInfo(tz_name))
    return Claimed(local.astimezone(UTC), text.strip(), tz_name)


def claimed_time(stream: BinaryIO, tz_name: str) -> Claimed | None:
    """The claimed time of an image's EXIF DateTimeOriginal; None for anything else."""
    try:
        with Image.open(stream) as img:
            ifd = img.getexif().get_ifd(EXIF_IFD)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        return None
    raw = ifd.get(DATETIME_ORIGINAL)
    if not isinstance(raw, str):
        return None
    off = ifd.get(OFFSET_TIME_ORIGINAL)
    return parse_exif_time(raw, off if isinstance(off, str) else None, tz_name)
