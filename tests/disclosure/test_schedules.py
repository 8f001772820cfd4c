"""Schedules hold every item of their kind exactly once with its status, in every format;
revisions are stored once per change, served once, and flagged after a later change."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.disclosure import readback
from tests.disclosure.conftest import CASE, OFFICER, ROLES, details, officer
from vigil.db.tables.evidence import CustodyEntry
from vigil.disclosure.schedule import content_sha256
from vigil.disclosure.status import LABELS
from vigil.errors import AccessDenied, UserError
from vigil.services.access import as_user
from vigil.services.disclosure.decide import Decision, decide, decide_many
from vigil.services.disclosure.schedules import (
    generate,
    mark_served,
    overview,
    render,
    write_schedule,
)
from vigil.services.workspace import Workspace

PLAN = ("unused", "sensitive", "used", "not_relevant", "unused", "sensitive", "unused")


def _decide_all(ws: Workspace) -> dict[str, tuple[str, bool]]:
    """Give every item a status (cycling through all four) and flag two: key -> (status,
    flag)."""
    keys = [i.key for i in overview(officer(ws), CASE).items]
    plan = {k: (PLAN[n % len(PLAN)], n in (0, 2)) for n, k in enumerate(keys)}
    decide_many(officer(ws), CASE, [Decision(k, s, f"=desc, {k}; “quoted” <b>&amp;", f)
                                    for k, (s, f) in plan.items()])  # fmt: skip
    return plan


def _want(plan: dict[str, tuple[str, bool]], kind: str) -> dict[str, str]:
    if kind == "mg6e":
        return {k: LABELS[s] for k, (s, f) in plan.items() if f and s != "not_relevant"}
    status = {"mg6c": "unused", "mg6d": "sensitive"}[kind]
    return {k: LABELS[s] for k, (s, _) in plan.items() if s == status}


READERS = {"csv": readback.csv_rows, "xlsx": readback.xlsx_rows, "ods": readback.ods_rows}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
@pytest.mark.parametrize("kind", ["mg6c", "mg6d", "mg6e"])
def test_every_item_once_with_its_status(
    case_ws: Workspace, tmp_path: Path, fmt: str, kind: str
) -> None:
    plan = _decide_all(case_ws)
    want = _want(plan, kind)
    assert want  # the plan puts items on every schedule
    out = tmp_path / f"s.{fmt}"
    w = write_schedule(officer(case_ws), CASE, kind, fmt, out)
    head, rows = READERS[fmt](out)
    got = [(r[1], r[4]) for r in rows]
    assert sorted(got) == sorted(want.items())  # each exactly once, with its status
    assert [r[0] for r in rows] == [str(n) for n in range(1, len(rows) + 1)]
    words = "=desc, {}; “quoted” <b>&amp;"
    assert all(r[2] in (words.format(r[1]), "'" + words.format(r[1])) for r in rows)  # fmt: skip
    assert all(r[5] == "" for r in rows)  # the CPS comment column is left blank
    assert ["Revision", str(w.revision.number)] == head[2][:2]
    assert head[0][1].startswith(CASE)


@pytest.mark.parametrize("kind", ["mg6c", "mg6d", "mg6e"])
def test_pdf_holds_every_item_once_with_header_and_page_numbers(
    case_ws: Workspace, tmp_path: Path, kind: str
) -> None:
    plan = _decide_all(case_ws)
    out = tmp_path / "s.pdf"
    w = write_schedule(officer(case_ws), CASE, kind, "pdf", out)
    pages = readback.pdf_text(out)
    text = "\n".join(pages)
    want = _want(plan, kind)
    for key in want:  # once as the reference, once inside its description
        assert len(re.findall(re.escape(key) + r"(?![\w#/])", text)) == 2, key
    starts = sorted((text.index(k), k) for k in want)
    for (at, key), nxt in zip(starts, [*starts[1:], (len(text), "")], strict=True):
        assert want[key] in text[at : nxt[0]], key  # the row's status is in the row
    left_out = set(plan) - set(_want(plan, kind))
    assert not any(re.search(re.escape(k) + r"(?![\w#/])", text) for k in left_out)
    n = len(pages)
    for i, p in enumerate(pages, 1):
        assert f"page {i} of {n}" in p
        assert f"revision {w.revision.number}" in p and CASE in p
    if kind == "mg6e":
        assert "Dana Officer" in text and "undermining the prosecution case" in text


def test_a_long_schedule_runs_over_pages(tmp_path: Path) -> None:
    from vigil.disclosure.schedule import ScheduleDoc, ScheduleRow
    from vigil.disclosure.writers import writer

    rows = [ScheduleRow(n, f"exhibit:X/{n}", "a handset download " * 8, "store", "unused")
            for n in range(1, 301)]  # fmt: skip
    doc = ScheduleDoc(CASE, "Test", "mg6c", 4, "2026-12-07 10:00 UTC", "d", rows)
    out = tmp_path / "long.pdf"
    with out.open("wb") as fh:
        writer("pdf")(doc, fh)
    pages = readback.pdf_text(out)
    assert len(pages) > 5 and f"page {len(pages)} of {len(pages)}" in pages[-1]
    text = "\n".join(pages)
    assert all(f"exhibit:X/{n}\n" in text or f"exhibit:X/{n} " in text for n in (1, 150, 300))
    assert all(p.count("Item no.") == 1 for p in pages)  # headings repeat on every page


def test_revisions_are_reused_until_rows_change(case_ws: Workspace) -> None:
    _decide_all(case_ws)
    do = officer(case_ws)
    r1, new1 = generate(do, CASE, "mg6c")
    r1b, new1b = generate(do, CASE, "mg6c")
    assert new1 and not new1b and r1b.number == r1.number
    r2, _ = generate(do, CASE, "mg6d")
    assert r2.number == r1.number + 1  # numbered per case
    key = next(i.key for i in overview(do, CASE).items if i.status == "used")
    decide(do, CASE, Decision(key, "unused"))
    r3, new3 = generate(do, CASE, "mg6c")
    assert new3 and r3.number == r2.number + 1 and r3.rows == r1.rows + 1
    assert r3.content_sha256 != r1.content_sha256 and r3.generated_by == "Dana Officer"


def test_other_roles_may_read_but_not_generate_or_serve(case_ws: Workspace) -> None:
    _decide_all(case_ws)
    r, _ = generate(officer(case_ws), CASE, "mg6c")
    for who in ROLES:
        w = as_user(case_ws, who)
        with pytest.raises(AccessDenied, match="may not disclose"):
            generate(w, CASE, "mg6c")
        with pytest.raises(AccessDenied, match="may not disclose"):
            mark_served(w, CASE, r.number, "CPS Area North")
        info, data = render(w, CASE, r.number, "csv")  # reading is for every reader
        assert info.number == r.number and data.startswith(b"\xef\xbb\xbfCase,")


def test_served_then_changed_needs_a_revised_schedule(case_ws: Workspace) -> None:
    plan = _decide_all(case_ws)
    do = officer(case_ws)
    r, _ = generate(do, CASE, "mg6c")
    state = {k.kind: k for k in overview(do, CASE).kinds}["mg6c"]
    assert state.latest == r.number and state.latest_served is None and state.up_to_date
    assert not state.revision_needed
    served = mark_served(do, CASE, r.number, "CPS Area North, reviewing lawyer")
    assert served.served_to == "CPS Area North, reviewing lawyer" and served.served_by
    with pytest.raises(UserError, match="was served on"):
        mark_served(do, CASE, r.number, "CPS again")
    assert not {k.kind: k for k in overview(do, CASE).kinds}["mg6c"].revision_needed
    # a description changes on an item of the served MG6C
    key = next(k for k, (s, _) in plan.items() if s == "unused")
    decide(do, CASE, Decision(key, description="Revised words for the schedule"))
    state = {k.kind: k for k in overview(do, CASE).kinds}["mg6c"]
    assert state.revision_needed and state.changes.changed == [key] and not state.up_to_date
    assert not {k.kind: k for k in overview(do, CASE).kinds}["mg6d"].revision_needed
    r2, new = generate(do, CASE, "mg6c")
    assert new
    mark_served(do, CASE, r2.number, "CPS Area North")
    assert not {k.kind: k for k in overview(do, CASE).kinds}["mg6c"].revision_needed


def test_a_new_item_after_service_is_flagged(case_ws: Workspace) -> None:
    import io

    from vigil.services.evidence.exhibits import register_stream

    _decide_all(case_ws)
    do = officer(case_ws)
    r, _ = generate(do, CASE, "mg6d")
    mark_served(do, CASE, r.number, "CPS")
    reg = register_stream(case_ws, CASE, io.BytesIO(b"another synthetic log"),
                          original_name="late.txt", original_path=None, source="force system",
                          acquired_by="Sam Example")  # fmt: skip
    state = {k.kind: k for k in overview(do, CASE).kinds}["mg6d"]
    assert state.revision_needed and state.changes.new_items == [f"exhibit:{reg.exhibit.ref}"]
    decide(do, CASE, Decision(f"exhibit:{reg.exhibit.ref}", "not-relevant", "A late log"))
    assert not {k.kind: k for k in overview(do, CASE).kinds}["mg6d"].revision_needed


def test_every_action_is_in_the_custody_log(case_ws: Workspace, tmp_path: Path) -> None:
    plan = _decide_all(case_ws)
    do = officer(case_ws)
    w = write_schedule(do, CASE, "mg6c", "xlsx", tmp_path / "s.xlsx")
    mark_served(do, CASE, w.revision.number, "CPS Area North")
    render(as_user(case_ws, "invest.igator"), CASE, w.revision.number, "pdf")
    with case_ws.sessions() as s:
        entries = list(s.execute(select(CustodyEntry).where(CustodyEntry.case_ref == CASE,
            CustodyEntry.object_type.like("disclosure%")).order_by(CustodyEntry.seq)).scalars())  # fmt: skip
    acts = [(e.actor, e.action, e.object_type) for e in entries]
    n = len(plan)
    assert acts == [(OFFICER, "annotate", "disclosure_item")] * n + [
        (OFFICER, "create", "disclosure_schedule"),
        (OFFICER, "export", "disclosure_schedule"),
        (OFFICER, "update", "disclosure_schedule"),
        ("invest.igator", "export", "disclosure_schedule"),
    ]
    create, export, update, read = (details(e.details) for e in entries[n:])
    assert create["content_sha256"] == w.revision.content_sha256 == export["content_sha256"]
    assert export["sha256"] == w.sha256 and export["format"] == "xlsx"
    assert update["served_to"] == "CPS Area North" and read["format"] == "pdf"


def test_the_content_hash_is_of_the_stored_rows(case_ws: Workspace) -> None:
    from vigil.db.tables.disclosure import DisclosureRevision

    _decide_all(case_ws)
    r, _ = generate(officer(case_ws), CASE, "mg6e")
    with case_ws.sessions() as s:
        row = s.execute(select(DisclosureRevision)).scalar_one()
        assert content_sha256(row.rows_json) == r.content_sha256 == row.content_sha256
        assert "Dana Officer" in row.rows_json  # the MG6E's certification is stored too


def test_writing_refuses_a_folder_and_leaves_nothing(case_ws: Workspace, tmp_path: Path) -> None:
    _decide_all(case_ws)
    with pytest.raises(UserError, match="is a folder"):
        write_schedule(officer(case_ws), CASE, "mg6c", "pdf", tmp_path)
    with pytest.raises(UserError, match="unknown schedule format"):
        write_schedule(officer(case_ws), CASE, "mg6c", "docx", tmp_path / "x.docx")
    with pytest.raises(UserError, match="unknown schedule"):
        write_schedule(officer(case_ws), CASE, "mg6z", "pdf", tmp_path / "x.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws"]


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_a_copy_for_the_defence_hides_persona_identities(
    case_ws: Workspace, tmp_path: Path, fmt: str
) -> None:
    keys = [i.key for i in overview(officer(case_ws), CASE).items]
    decide_many(officer(case_ws), CASE, [
        Decision(k, "unused", f"chat log of persona Kalomi (handle kalomi_13), item {n}", False)
        for n, k in enumerate(keys)
    ])  # fmt: skip
    plain, defence, cps = tmp_path / f"plain.{fmt}", tmp_path / f"d.{fmt}", tmp_path / f"c.{fmt}"
    write_schedule(officer(case_ws), CASE, "mg6c", fmt, plain)
    write_schedule(officer(case_ws), CASE, "mg6c", fmt, defence, "defence")
    write_schedule(officer(case_ws), CASE, "mg6c", fmt, cps, "cps")

    def text(p: Path) -> str:
        return "\n".join(readback.pdf_text(p)) if fmt == "pdf" else p.read_text(encoding="utf-8")

    assert "kalomi" in text(plain).lower() and "kalomi" in text(cps).lower()
    shown = text(defence)
    assert "kalomi" not in shown.lower().replace("\n", "")
    assert "REDACTED" in shown
    with case_ws.sessions() as s:
        exports = [details(e.details) for e in s.execute(
            select(CustodyEntry).where(CustodyEntry.action == "export")).scalars()]  # fmt: skip
    redacted = [d for d in exports if d.get("redacted_for") == "defence"]
    assert len(redacted) == 1 and int(str(redacted[0]["redactions"])) >= 2 * len(keys)
    with pytest.raises(UserError):
        write_schedule(officer(case_ws), CASE, "mg6c", fmt, tmp_path / f"x.{fmt}", "press")
