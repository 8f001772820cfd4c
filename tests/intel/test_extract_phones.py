"""Phone numbers in several countries' formats, and the look-alikes that are not numbers."""

from __future__ import annotations

import pytest

from vigil.intel.extract import extract_identifiers


def phones(text: str, region: str = "GB") -> list[str]:
    return [i.value for i in extract_identifiers(text, region=region) if i.kind.value == "phone"]


@pytest.mark.parametrize(
    ("text", "region", "e164"),
    [
        # United Kingdom: national, international, brackets, dashes, the (0) habit, 00 prefix
        ("07400 123456", "GB", "+447400123456"),
        ("07400123456", "GB", "+447400123456"),
        ("+44 7400 123456", "GB", "+447400123456"),
        ("+44 (0)20 7946 0123", "GB", "+442079460123"),
        ("(020) 7946 0123", "GB", "+442079460123"),
        ("020-7946-0123", "GB", "+442079460123"),
        ("0044 113 496 0555", "GB", "+441134960555"),
        ("+441614960000", "US", "+441614960000"),
        # United States
        ("(202) 555-0143", "US", "+12025550143"),
        ("202-555-0143", "US", "+12025550143"),
        ("202.555.0143", "US", "+12025550143"),
        ("+1 415 555 0199", "GB", "+14155550199"),
        # India
        ("+91 81234 56789", "GB", "+918123456789"),
        ("+91-81234-56789", "GB", "+918123456789"),
        ("081234 56789", "IN", "+918123456789"),
        # Germany
        ("+49 30 123456", "GB", "+4930123456"),
        ("030 123456", "DE", "+4930123456"),
        ("01512 3456789", "DE", "+4915123456789"),
        ("+49 (0)1512 3456789", "GB", "+4915123456789"),
        # France, Australia
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("+33 6 12 34 56 78", "GB", "+33612345678"),
        ("0491 570 156", "AU", "+61491570156"),
    ],
)
def test_formats(text: str, region: str, e164: str) -> None:
    assert phones(f"call me on {text} tonight", region) == [e164]


def test_default_region_decides_national_numbers() -> None:
    assert phones("ring 030 123456", "DE") == ["+4930123456"]
    assert phones("ring 030 123456", "GB") == []  # not a valid UK number
    assert phones("ring (202) 555-0143", "GB") == []  # US national form needs region US


def test_span_and_reason() -> None:
    text = "my number is 020 7946 0123, ta"
    (ident,) = extract_identifiers(text)
    assert text[ident.start : ident.end] == ident.raw == "020 7946 0123"
    assert "GB landline" in ident.reason


def test_trailing_digits_are_cut_back_to_a_valid_number() -> None:
    assert phones("07400 123456 5 times") == ["+447400123456"]


@pytest.mark.parametrize(
    "text",
    [
        "it's 12:30 now",
        "14/03/2025",
        "2025-03-14",
        "14.03.2025",
        "£12.99",
        "$1,299.00",
        "order #07400123456",
        "order 07400123456",
        "ref: 02079460123",
        "tracking 02079460123",
        "invoice no 020 7946 0123",
        "version 1.2.3",
        "192.168.100.200",
        "10.0.19045.1",
        "1080p",
        "in 2019 2020 2021",
        "07400 12345",
        "123456789012345678901234567890",
        "IMEI 356938035643809",
        "acc 07400123",
        "pin 0740",
        "3.14159265358979",
    ],
)
def test_look_alikes_are_not_numbers(text: str) -> None:
    assert phones(text) == []
