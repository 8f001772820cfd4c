"""Line wrapping and character cleaning for ReportLab PDFs (``vigil.reports.pdf_text``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigil.errors import UserError
from vigil.reports import pdf_text as pt

SIZE = 9.0
WIDTH = 120.0


def test_a_missing_font_is_a_user_error_naming_the_package(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"DejaVuSans\.ttf not found") as err:
        pt.find_font("DejaVuSans.ttf", (tmp_path,))
    assert err.value.hint is not None and "fonts-dejavu-core" in err.value.hint


def test_clean_names_what_the_font_cannot_draw_and_keeps_the_rest() -> None:
    f = pt.font(pt.REGULAR)
    assert pt.clean("plain ascii text", f) == ("plain ascii text", False)
    assert pt.clean("a\r\nb\tc", f) == ("a\nb" + pt.TAB + "c", False)
    assert pt.clean("Łódź καλημέρα", f) == ("Łódź καλημέρα", False)
    out, replaced = pt.clean("hi 👍\x00", f)
    assert replaced and out == "hi [U+1F44D thumbs up sign][U+0000]"


@given(
    st.lists(
        st.sampled_from([*"abcdefghij  ŁóźΑθή\n", "verylongwordwithoutspaces" * 3]),
        max_size=120,
    ).map("".join)
)
def test_wrapping_keeps_every_character_in_order_and_fits_the_width(text: str) -> None:
    f = pt.font(pt.REGULAR)
    lines = pt.wrap(text, f, SIZE, WIDTH)
    assert "".join("".join(lines).split()) == "".join(text.split())
    assert all(pt.width(ln, f, SIZE) <= WIDTH or len(ln) == 1 for ln in lines)
    assert len(lines) >= text.count("\n") + 1


def test_a_blank_line_inside_a_message_is_kept() -> None:
    f = pt.font(pt.REGULAR)
    assert pt.wrap("one\n\ntwo", f, SIZE, WIDTH) == ["one", "", "two"]


def test_right_to_left_lines_are_put_in_visual_order() -> None:
    f = pt.font(pt.REGULAR)
    (line,) = pt.wrap("abc مرحبا", f, SIZE, WIDTH)
    assert line.startswith("abc ") and line[4:] == "مرحبا"[::-1]
    assert pt.has_rtl(line) and not pt.has_rtl("abc")
