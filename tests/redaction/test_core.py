"""The pure redaction core: reasons, spans (merging, offsets, whole words), images."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from vigil.errors import ParseError, UserError
from vigil.redaction.images import Box, image_size, redact_image
from vigil.redaction.reasons import check_reason, marker
from vigil.redaction.spans import Span, apply_spans, check_span, find_words, merge


def test_reasons_accept_codes_and_labels_and_other_needs_a_note() -> None:
    assert check_reason("third_party", None) == ("third_party", None)
    assert check_reason("Victim Identity", "  child named  ") == ("victim", "child named")
    assert check_reason("third-party personal data", None)[0] == "third_party"
    with pytest.raises(UserError, match="unknown redaction reason"):
        check_reason("because", None)
    with pytest.raises(UserError, match="needs a note"):
        check_reason("other", None)
    assert (
        marker(["victim", "persona", "victim"]) == "[REDACTED: victim identity; persona identity]"
    )


def test_spans_merge_overlaps_and_apply_once() -> None:
    text = "meet Sam Jones at Hollybrook gates"
    spans = [Span(5, 8, "third_party", 1), Span(7, 14, "victim", 2), Span(18, 28, "victim", 3)]
    merged = merge(spans)
    assert [(a.start, a.end, a.reasons, a.rids) for a in merged] == [
        (5, 14, ("third_party", "victim"), (1, 2)),
        (18, 28, ("victim",), (3,)),
    ]
    r = apply_spans(text, spans)
    assert r.text == (
        "meet [REDACTED: third-party personal data; victim identity] at "
        "[REDACTED: victim identity] gates"
    )
    assert "Sam" not in r.text and "Hollybrook" not in r.text
    assert apply_spans(text, []).text == text and not apply_spans(text, []).changed
    # touching spans become one marker: no character between them survives
    assert apply_spans("abcdef", [Span(0, 3, "other"), Span(3, 6, "other")]).text.count("[") == 1


def test_offsets_are_checked_against_the_text() -> None:
    check_span("hello", 0, 5, "m 1")
    for start, end in ((-1, 2), (3, 3), (4, 2), (0, 6)):
        with pytest.raises(UserError, match=r"m 1: characters"):
            check_span("hello", start, end, "m 1")


def test_whole_words_ignore_case_and_skip_longer_words() -> None:
    text = "Jamie said jamie_k13 and JAMIE; Jamieson is someone else"
    assert [text[a:b] for a, b in find_words(text, "jamie")] == ["Jamie", "JAMIE"]
    assert [text[a:b] for a, b in find_words(text, "jamie_k13")] == ["jamie_k13"]
    assert len(find_words(text, "jamie", whole_word=False)) == 4
    assert find_words(text, "  ") == []


def _photo() -> bytes:
    im = Image.new("RGB", (40, 30), (200, 180, 40))
    exif = Image.Exif()
    exif[0x010F] = "SecretCamMaker"  # Make
    exif[0x010E] = "a caption that must go"  # ImageDescription
    buf = io.BytesIO()
    im.save(buf, format="JPEG", exif=exif.tobytes(), quality=95)
    return buf.getvalue()


def test_images_boxes_are_black_and_no_metadata_survives() -> None:
    raw = _photo()
    assert b"SecretCamMaker" in raw
    assert image_size(raw, "x.jpg") == (40, 30)
    out = redact_image(raw, [Box(5, 5, 10, 8)], "x.jpg")
    assert b"SecretCamMaker" not in out and b"caption" not in out
    im = Image.open(io.BytesIO(out))
    assert im.format == "PNG" and not im.getexif() and "exif" not in im.info
    assert all(im.getpixel((x, y)) == (0, 0, 0) for x in range(5, 15) for y in range(5, 13))
    assert im.getpixel((20, 20)) != (0, 0, 0)  # outside the box the picture is kept
    with pytest.raises(UserError, match="beyond the image"):
        redact_image(raw, [Box(35, 0, 10, 10)], "x.jpg")
    with pytest.raises(ParseError, match=r"not-an-image\.bin"):
        redact_image(b"not an image at all", [], "not-an-image.bin")


@given(
    st.text(alphabet="ab c\u00e9\U0001f600", min_size=1, max_size=40),
    st.lists(st.tuples(st.integers(0, 40), st.integers(1, 12)), max_size=5),
)
def test_no_redacted_character_survives_and_the_rest_is_kept(
    text: str, raw: list[tuple[int, int]]
) -> None:
    spans = [Span(a, a + n, "victim") for a, n in raw]
    r = apply_spans(text, spans)
    hidden = {i for s in spans for i in range(s.start, min(s.end, len(text)))}
    kept = "".join(ch for i, ch in enumerate(text) if i not in hidden)
    assert r.text.replace(marker(["victim"]), "") == kept
    assert sum(a.chars for a in r.applied) == len(hidden)
    assert r.text.count("[REDACTED") == len(r.applied)
