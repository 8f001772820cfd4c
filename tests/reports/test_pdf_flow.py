"""Rows that split across pages (``vigil.reports.pdf_flow.Row``)."""

from __future__ import annotations

from vigil.reports import pdf_flow as pf
from vigil.reports import pdf_text as pt

LEAD = 10.0


def row(lines: int) -> pf.Row:
    f = pt.font(pt.REGULAR)
    cols = [pf.Col(0, f, 9), pf.Col(30, f, 9)]
    text = [f"line {i}" for i in range(lines)]
    return pf.Row([["7"], text], cols, LEAD, pad=0, cont=("7", None))


def test_a_split_row_keeps_every_line_once_and_marks_the_continuation() -> None:
    r = row(10)
    first, rest = r.split(500, 4 * LEAD)
    assert isinstance(first, pf.Row) and isinstance(rest, pf.Row)
    assert first.cells[1] + rest.cells[1] == r.cells[1]
    assert len(first.cells[1]) == 4 and first.cells[0] == ["7"]
    assert rest.cells[0] == ["7"], "the continuation repeats the message number"
    again = rest.split(500, 2 * LEAD)[0]
    assert isinstance(again, pf.Row) and again.cells[1] == r.cells[1][4:6]


def test_short_rows_move_whole_and_long_ones_keep_lines_on_both_sides() -> None:
    assert row(3).split(500, 2 * LEAD) == [], "three lines are not cut"
    assert row(10).split(500, 1 * LEAD) == [], "one line alone is not left behind"
    first, rest = row(10).split(500, 9.5 * LEAD)
    assert isinstance(first, pf.Row) and isinstance(rest, pf.Row)
    assert len(first.cells[1]) == 8 and len(rest.cells[1]) == 2
    r = row(5)
    assert r.split(500, 5 * LEAD) == [r]
