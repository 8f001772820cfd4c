"""Adding, withdrawing and listing redactions: only the disclosure officer changes them, each
act is one custody entry carrying hashes and lengths (never the text), nothing is deleted."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.redaction.conftest import CASE, PHONE, World
from vigil.db.tables.evidence import CustodyEntry
from vigil.db.tables.redaction import Redaction
from vigil.errors import AccessDenied, NotFound, UserError
from vigil.redaction.images import Box
from vigil.services.access import as_user
from vigil.services.redaction.records import (
    add_box,
    add_phrase,
    add_span,
    list_redactions,
    withdraw,
)

MSG = "my mate Priya Venkataraman says hi, her number is " + PHONE


def _state(w: World) -> tuple[int, list[dict[str, object]]]:
    with w.admin.sessions() as s:
        n = int(s.execute(select(func.count()).select_from(Redaction)).scalar_one())
        entries = [
            json.loads(e.details)
            for e in s.execute(select(CustodyEntry).order_by(CustodyEntry.seq)).scalars()
            if '"redaction"' in e.details
        ]
    return n, entries


def test_only_the_disclosure_officer_adds_or_withdraws(world: World) -> None:
    start = MSG.index(PHONE)
    outsider = as_user(world.admin, "outsider")
    for who, match in ((world.investigator, "may not disclose"), (outsider, "not a member")):
        with pytest.raises(AccessDenied, match=match):
            add_span(who, CASE, world.conv, 6, start, start + len(PHONE), "third_party")
        with pytest.raises(AccessDenied, match=match):
            add_phrase(who, CASE, "Hollybrook", "victim")
        with pytest.raises(AccessDenied, match=match):
            add_box(who, CASE, world.photo_ref, Box(1, 1, 5, 5), "victim")
    assert _state(world) == (0, [])  # refusals leave nothing behind
    r = add_span(world.officer, CASE, world.conv, 6, start, start + len(PHONE), "third_party")
    assert r.where == f"conversation {world.conv}, message 6, characters {start}–{start + 12}"
    with pytest.raises(AccessDenied, match="may not disclose"):
        withdraw(world.investigator, CASE, r.id, "made in error")
    withdraw(world.officer, CASE, r.id, "made in error")
    with pytest.raises(UserError, match="already withdrawn"):
        withdraw(world.officer, CASE, r.id, "again")
    rows = list_redactions(world.investigator, CASE)  # readers see the list
    assert [(x.id, x.standing, x.withdrawn_by, x.withdrawn_reason) for x in rows] == [
        (r.id, False, "do.officer", "made in error")
    ]
    assert list_redactions(world.officer, CASE, include_withdrawn=False) == []
    n, entries = _state(world)
    assert n == 1  # withdrawn, never deleted
    assert [(e["redaction"], e["id"]) for e in entries] == [("add", r.id), ("withdraw", r.id)]
    assert entries[0]["length"] == len(PHONE) and len(str(entries[0]["text_sha256"])) == 64


def test_custody_entries_never_hold_the_redacted_text(world: World) -> None:
    add_phrase(world.officer, CASE, "Priya Venkataraman", "third_party")
    add_phrase(world.officer, CASE, "hollybrook", "victim", conv_id=world.conv)
    add_box(world.officer, CASE, world.photo_ref, Box(0, 0, 10, 10), "other", "school badge")
    _, entries = _state(world)
    assert len(entries) == 3
    text = json.dumps(entries).lower()
    assert "priya" not in text and "venkataraman" not in text and "hollybrook" not in text
    assert [e.get("scope") for e in entries[:2]] == ["case", "conversation"]
    rows = list_redactions(world.investigator, CASE)
    assert all(x.phrase is None for x in rows)  # only the disclosure officer sees the phrases
    assert [x.phrase for x in list_redactions(world.officer, CASE)][:2] == [
        "Priya Venkataraman",
        "hollybrook",
    ]


def test_bad_input_is_refused_with_where_and_nothing_written(world: World) -> None:
    with pytest.raises(UserError, match=r"message 6: characters 5–999 are not within"):
        add_span(world.officer, CASE, world.conv, 6, 5, 999, "victim")
    with pytest.raises(NotFound, match="no message 500"):
        add_span(world.officer, CASE, world.conv, 500, 0, 1, "victim")
    with pytest.raises(UserError, match="beyond the image"):
        add_box(world.officer, CASE, world.photo_ref, Box(60, 0, 10, 10), "victim")
    with pytest.raises(UserError, match="not an image"):
        add_box(world.officer, CASE, world.chat_ref, Box(0, 0, 1, 1), "victim")
    with pytest.raises(UserError, match="needs a note"):
        add_phrase(world.officer, CASE, "Kai", "other")
    with pytest.raises(UserError, match="unknown redaction reason"):
        add_phrase(world.officer, CASE, "Kai", "dislike")
    assert _state(world) == (0, [])
