"""Behaviour of each identifier family that the corpus score alone would not pin down."""

from __future__ import annotations

import pytest

from vigil.intel.extract import extract_identifiers, extract_many, plan
from vigil.intel.extract.modulus import WeightRow, check, parse_table


def kv(text: str, **kw: object) -> list[tuple[str, str, str | None]]:
    return [(i.kind.value, i.value, i.platform) for i in extract_identifiers(text, **kw)]  # type: ignore[arg-type]


def test_every_span_points_at_its_raw_text() -> None:
    text = (
        "add me on snap: bob_99, mail bob@example.com, see you saturday at 3pm near SW1A 1AA, "
        "£200 or $bobcash, sort code 12-34-56 account 12345678, 198.51.100.7, t.me/bob_the_cat"
    )
    found = extract_identifiers(text)
    assert len(found) == 9
    for i in found:
        assert text[i.start : i.end] == i.raw
        assert i.reason
    assert [i.start for i in found] == sorted(i.start for i in found)


def test_sort_code_pair_wins_over_phone_like_digits() -> None:
    assert kv("bank details: 20-00-00 55779911") == [("bank_account", "20-00-00 55779911", "uk")]


def test_profile_links_become_handles_payments_and_phones() -> None:
    assert kv("t.me/bob_the_cat") == [("handle", "bob_the_cat", "telegram")]
    assert kv("https://www.instagram.com/Some.Body/") == [("handle", "some.body", "instagram")]
    assert kv("paypal.me/SomeBody/25") == [("payment", "somebody", "paypal")]
    assert kv("https://wa.me/447400123456") == [("phone", "+447400123456", "whatsapp")]
    assert kv("https://t.me/joinchat/AAAAAE") == [("url", "t.me/joinchat/AAAAAE", None)]


def test_shorteners_are_named_and_keep_their_case() -> None:
    (i,) = extract_identifiers("go to bit.ly/3AbCd now")
    assert (i.value, i.platform) == ("bit.ly/3AbCd", "bit.ly")
    assert "destination is not known" in i.reason


def test_url_canonical_form() -> None:
    same = {extract_identifiers(u)[0].value for u in (
        "http://www.Example.com/", "https://example.com", "www.example.com", "example.com/")}  # fmt: skip
    assert same == {"example.com"}


def test_handles_and_their_platforms() -> None:
    assert kv("add me on snap: Bob_99") == [("handle", "bob_99", "snapchat")]
    assert kv("my insta is bob.draws") == [("handle", "bob.draws", "instagram")]
    assert kv("kik me at bobby_k") == [("handle", "bobby_k", "kik")]
    assert kv("legacy tag bobby#1234") == [("handle", "bobby#1234", "discord")]
    assert kv("message @bob_99") == [("handle", "bob_99", None)]
    # a name that breaks the platform's rule is only returned on request, marked invalid
    assert kv("my telegram is bob") == []  # Telegram names have at least 5 characters
    (loose,) = extract_identifiers("my telegram is bob", include_invalid=True)
    assert loose.valid is False and "user-name rule" in loose.reason


@pytest.mark.parametrize(
    "text",
    ["my snap is down", "see you @ home", "@ 5pm", "me@home", "order#1234", "oh snap",
     "my insta is private", "add me on snap when you get home", "email me@home later"],
)  # fmt: skip
def test_not_handles(text: str) -> None:
    assert [k for k in kv(text) if k[0] in ("handle", "email", "payment")] == []


def test_money_values() -> None:
    assert kv("£200 then 200 quid, $50, €20, 50 gbp, 50p, £2k, 2 grand, £1,250.50") == [
        ("money", v, None)
        for v in ("GBP 200.00", "GBP 200.00", "USD 50.00", "EUR 20.00", "GBP 50.00", "GBP 0.50",
                  "GBP 2000.00", "GBP 2000.00", "GBP 1250.50")
    ]  # fmt: skip
    assert kv("lost 5 pounds, 5 pounds of flour, 1080p, 100%") == []


def test_meeting_times() -> None:
    assert kv("see you saturday at 3pm") == [("meeting_time", "saturday 15:00", None)]
    assert kv("tomorrow after school?") == [("meeting_time", "tomorrow after school", None)]
    assert kv("on the 14th at 7") == [("meeting_time", "day 14 07:00/19:00", None)]
    assert kv("meet me at quarter to 5") == [("meeting_time", "04:45/16:45", None)]
    for text in ("it's 12:30 now", "last saturday at 3pm", "yesterday after school",
                 "sat on the sofa", "the 2nd time", "at 5 percent"):  # fmt: skip
        assert kv(text) == [], text


def test_postcodes() -> None:
    assert kv("SW1A 1AA, m1 1ae, B338TH") == [
        ("postcode", "SW1A 1AA", "uk"), ("postcode", "M1 1AE", "uk"), ("postcode", "B33 8TH", "uk")
    ]  # fmt: skip
    assert kv("QX1 1AA, ab12 3cd, b4 2nd lesson, M25") == []


def test_ips() -> None:
    assert kv("from 203.0.113.9 and 2001:db8::1") == [
        ("ip", "203.0.113.9", "ipv4"), ("ip", "2001:db8::1", "ipv6")
    ]  # fmt: skip
    assert kv("version 10.0.0.1, v1.2.3.4, 1.2.3.4.5, 256.1.1.1, 01.02.03.04, 12:30:45") == []


def test_spelled_out_email() -> None:
    assert kv("bob.smith at example dot co dot uk") == [("email", "bob.smith@example.co.uk", None)]


def test_extract_many_keeps_order_and_region() -> None:
    out = list(extract_many(["hi", "030 123456", "", "x@example.org"], "DE"))
    assert [[i.value for i in r] for r in out] == [[], ["+4930123456"], [], ["x@example.org"]]


def test_prefilter_skips_plain_chat_and_wakes_only_what_can_match() -> None:
    assert plan("how was school lol") == []
    assert plan("love you x, are your parents home?") == []
    assert [e.__module__.rsplit(".", 1)[1] for e in plan("see you tomorrow")] == ["meeting_times"]
    assert [e.__module__.rsplit(".", 1)[1] for e in plan("add me on snap:bob")] == ["handles"]
    assert "phones" not in {e.__module__.rsplit(".", 1)[1] for e in plan("i'm 13, year 8")}


def test_uk_modulus_check() -> None:
    rows = parse_table(["080000 089999 MOD11 0 0 0 0 0 0 8 7 6 5 4 3 2 1"])
    assert rows == [WeightRow("080000", "089999", "MOD11", (0,) * 6 + (8, 7, 6, 5, 4, 3, 2, 1))]
    # weights 8..1 over 00000019: 2*1 + 9*... -> choose an account whose weighted sum is 0 mod 11
    assert check("08-12-34", "00000000", rows) is True
    assert check("08-12-34", "00000001", rows) is False  # weighted sum 1
    assert check("20-00-00", "12345678", rows) is True  # no row: cannot be checked, accepted
    exc = [WeightRow("200000", "200099", "MOD10", (1,) * 14, exception=5)]
    assert check("20-00-00", "12345678", exc) is None


def test_prefilter_never_hides_an_identifier() -> None:
    """On every corpus message (and the families' own test strings), running only the planned
    extractors finds exactly what running all of them finds."""
    from tests.intel.corpus import build
    from vigil.intel import extract as ex
    from vigil.intel.extract.base import Options

    every = [ex.phones.extract, ex.crypto.extract, ex.emails.extract, ex.urls.extract,
             ex.ips.extract, ex.handles.extract, ex.payments.extract, ex.postcodes.extract,
             ex.money.extract, ex.meeting_times.extract]  # fmt: skip
    texts = [s.text for s in build(11)] + [
        "meet me at night", "snap me at bobby_k", "bob at example dot com", "50p", "2 grand",
        "https://example.com", "2001:db8::1", "fe80::1", "$tag", "tomorrow", "x#1234",
    ]  # fmt: skip
    for text in texts:
        opts = Options(region="GB")
        everything = ex._settle([i for e in every for i in e(text, opts)])
        assert extract_identifiers(text) == everything, text
