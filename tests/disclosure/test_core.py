"""The pure core: statuses and their schedules, item keys, row numbering, revision changes."""

from __future__ import annotations

import pytest

from vigil.disclosure.items import ItemKey, parse_key
from vigil.disclosure.revision import compare
from vigil.disclosure.schedule import Item, ScheduleRow, rows_for, rows_from_json, rows_json
from vigil.disclosure.status import check_description, check_kind, check_status, on_schedule
from vigil.errors import UserError


def test_statuses_as_people_type_them() -> None:
    assert check_status("Not relevant") == check_status("not-relevant") == "not_relevant"
    assert check_status("unused sensitive") == check_status("SENSITIVE") == "sensitive"
    assert check_status("unused non-sensitive") == check_status("unused") == "unused"
    assert check_kind(" MG6E ") == "mg6e"
    with pytest.raises(UserError, match="unknown disclosure status"):
        check_status("secret")
    with pytest.raises(UserError, match="unknown schedule"):
        check_kind("mg6b")


def test_each_status_goes_on_one_schedule_or_none() -> None:
    where = {s: [k for k in ("mg6c", "mg6d") if on_schedule(k, s, False)]
             for s in ("used", "unused", "sensitive", "not_relevant")}  # fmt: skip
    assert where == {"used": [], "unused": ["mg6c"], "sensitive": ["mg6d"], "not_relevant": []}
    assert on_schedule("mg6e", "used", True) and on_schedule("mg6e", "sensitive", True)
    assert not on_schedule("mg6e", "not_relevant", True) and not on_schedule("mg6e", "used", False)


def test_descriptions_are_one_printable_line() -> None:
    assert check_description("  a\x00 log\n\tof  calls\x1b ") == "a log of calls"
    with pytest.raises(UserError, match="description is needed"):
        check_description("\x01 \n")


def test_item_keys() -> None:
    assert parse_key(" Exhibit:SE/1 ") == ItemKey("exhibit", "SE/1")
    assert str(parse_key("capture:OP-1/CS2#3")) == "capture:OP-1/CS2#3"
    for bad in ("SE/1", "exhibit:", "parcel:1", "conversation:abc", "review-note:1.5"):
        with pytest.raises(UserError, match="bad item reference"):
            parse_key(bad)


def _item(key: str, status: str | None, order: int, flag: bool = False) -> Item:
    return Item(key, key.split(":")[0], "summary", "here", status, f"about {key}", flag, order)


def test_rows_are_numbered_in_decision_order_and_keep_their_words() -> None:
    items = [_item("exhibit:A/2", "unused", 5), _item("exhibit:A/1", "unused", 9),
             _item("conversation:3", "sensitive", 1), _item("exhibit:A/3", None, 0)]  # fmt: skip
    rows = rows_for("mg6c", items)
    assert [(r.number, r.item, r.description, r.status) for r in rows] == [
        (1, "exhibit:A/2", "about exhibit:A/2", "unused non-sensitive"),
        (2, "exhibit:A/1", "about exhibit:A/1", "unused non-sensitive"),
    ]
    assert [r.item for r in rows_for("mg6d", items)] == ["conversation:3"]
    assert rows_for("mg6e", items) == []
    stored = rows_json(rows, "signed")
    assert rows_from_json(stored) == (rows, "signed")
    assert rows_json(rows) != stored and rows_json(rows) == rows_json(list(rows))


def test_changes_since_a_served_revision() -> None:
    served = [ScheduleRow(1, "a", "x", "l", "s"), ScheduleRow(2, "b", "y", "l", "s")]
    now = [ScheduleRow(1, "b", "y2", "l", "s"), ScheduleRow(2, "c", "z", "l", "s")]
    ch = compare(served, ["a", "b", "c", "d"], now, undecided=["d", "e"])
    assert (ch.added, ch.removed, ch.changed, ch.new_items) == (["c"], ["a"], ["b"], ["e"])
    assert (
        ch.needed and ch.summary() == "1 added, 1 removed, 1 changed, 1 new items not yet decided"
    )
    same = compare(served, ["a", "b"], [ScheduleRow(5, "a", "x", "l", "s"),
                                        ScheduleRow(6, "b", "y", "l", "s")], [])  # fmt: skip
    assert not same.needed and same.summary() == "no change"  # renumbering alone is no change


def test_pdf_lines_fit_their_column_and_keep_every_word() -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from vigil.disclosure.writers.pdf import PAD, SIZE, WIDTHS, _wrap

    width = WIDTHS[2]
    text = " ".join(f"word{n} of the handset download" for n in range(60))
    lines = _wrap(text, "Helvetica", width)
    assert len(lines) > 5 and " ".join(lines) == text
    assert all(stringWidth(line, "Helvetica", SIZE) <= width - 2 * PAD for line in lines)
    long = "x" * 400  # one word wider than the column is cut, nothing lost
    cut = _wrap(long, "Helvetica", WIDTHS[0])
    assert "".join(cut) == long and len(cut) > 10
    assert all(stringWidth(p, "Helvetica", SIZE) <= WIDTHS[0] - 2 * PAD for p in cut)
    assert _wrap("short", "Helvetica", width) == ["short"]
    ref = "capture-note:OP-2024-000123-NORTH-REGION/CS12#345"
    parts = _wrap(ref, "Helvetica", WIDTHS[1])
    assert "".join(parts) == ref and len(parts) == 2 and parts[0][-1] in "/:#-_."
