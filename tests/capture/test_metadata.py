"""Claimed times from EXIF: the offset when given, else the case's zone; bad values ignored."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from PIL import Image

from vigil.services.capture.metadata import claimed_time, parse_exif_time


def test_offset_given_is_used_and_no_zone_is_assumed() -> None:
    c = parse_exif_time("2026:07:01 10:15:30", "+02:00", "Europe/London")
    assert c is not None
    assert c.at == datetime(2026, 7, 1, 8, 15, 30, tzinfo=UTC) and c.tz_assumed is None


def test_without_offset_the_zone_is_assumed_and_named() -> None:
    c = parse_exif_time("2026:07:01 10:15:30", None, "Europe/London")  # BST in July
    assert c is not None
    assert c.at == datetime(2026, 7, 1, 9, 15, 30, tzinfo=UTC)
    assert c.tz_assumed == "Europe/London" and c.text == "2026:07:01 10:15:30"


def test_blank_or_impossible_times_are_no_claim() -> None:
    assert parse_exif_time("0000:00:00 00:00:00", None, "UTC") is None
    assert parse_exif_time("    :  :     :  :  ", None, "UTC") is None
    assert parse_exif_time("2026:13:40 10:15:30", None, "UTC") is None


def test_only_images_with_the_tag_have_a_claimed_time() -> None:
    plain = io.BytesIO()
    Image.new("RGB", (8, 8)).save(plain, "JPEG")
    plain.seek(0)
    assert claimed_time(plain, "UTC") is None
    assert claimed_time(io.BytesIO(b"\x00\x00\x00\x18ftypmp42 not really a video"), "UTC") is None
