"""Review decisions (issue 17): states, notes, tags and bookmarks on a conversation or one
message, append-only with who and when, one custody entry each, held to need to know and
purpose; the export as labelled data. The chats are synthetic and non-graphic."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.web.seed import write_chat

from vigil.analysis.learn.data import chats_from_csv
from vigil.db.tables.conversations import ConversationRow
from vigil.db.tables.evidence import CustodyEntry
from vigil.db.tables.review import ReviewDecision, ReviewState
from vigil.errors import AccessDenied, NotFound, UserError
from vigil.services.access import PurposeRequired, as_user
from vigil.services.ingest.run import ingest_file
from vigil.services.review.decide import decide
from vigil.services.review.export import export_decisions
from vigil.services.review.model import Change, check_state, check_tag
from vigil.services.review.read import case_review, conversation_review
from vigil.services.users import create_user, set_membership
from vigil.services.workspace import Workspace

WHY = "review of the triage queue"


def _convs(ws: Workspace, tmp: Path, n: int = 1) -> list[int]:
    for i in range(n):
        path = write_chat(tmp / f"chat{i}.json")
        doc = json.loads(path.read_text("utf-8"))
        doc["about"] += f" Copy {i}."  # another exhibit with the same synthetic messages
        path.write_text(json.dumps(doc), encoding="utf-8")
        ingest_file(ws, "OP-TEST", path, fmt="telegram_json")
    with ws.sessions() as s:
        return list(s.execute(select(ConversationRow.id).order_by(ConversationRow.id)).scalars())


def _entries(ws: Workspace) -> list[CustodyEntry]:
    with ws.sessions() as s:
        return list(
            s.execute(
                select(CustodyEntry)
                .where(CustodyEntry.action.in_(("annotate", "export")))
                .order_by(CustodyEntry.seq)
            ).scalars()
        )


def _count(ws: Workspace) -> int:
    with ws.sessions() as s:
        return int(s.execute(select(func.count()).select_from(ReviewDecision)).scalar_one())


def test_states_and_tags_are_checked() -> None:
    assert check_state("Not relevant") == "not_relevant"
    assert check_state("not-relevant") == "not_relevant"
    with pytest.raises(UserError, match="unknown review state"):
        check_state("guilty")
    assert check_tag("  Meeting  Plan ") == "meeting plan"
    with pytest.raises(UserError, match="bad tag"):
        check_tag("<script>")
    with pytest.raises(UserError, match="nothing to record"):
        Change(note="   ").checked()


def test_a_decision_on_the_conversation_is_kept_with_who_when_and_custody(
    ws: Workspace, tmp_path: Path
) -> None:
    (conv,) = _convs(ws, tmp_path)
    note = "meeting plan at message 36; refer to the duty inspector"
    r = decide(ws, "OP-TEST", conv, Change(state="escalate", note=note, tags_add=("meeting",)),
               purpose=WHY)  # fmt: skip
    assert [d.kind for d in r.decisions] == ["state", "note", "tag"]
    assert r.marks.state == "escalate" and r.marks.state_by == "tester"
    assert r.marks.tags == ["meeting"] and [n.value for n in r.marks.notes] == [note]
    entries = _entries(ws)
    assert [json.loads(e.details)["review"] for e in entries] == ["state", "note", "tag"]
    assert {e.actor for e in entries} == {"tester"} and {e.purpose for e in entries} == {WHY}
    assert all(e.object_type == "conversation" and e.object_id == str(conv) for e in entries)
    assert note not in "".join(e.details for e in entries)  # the log keeps the note's hash only
    assert "note_sha256" in entries[1].details
    with ws.sessions() as s:
        rows = s.execute(select(ReviewDecision).order_by(ReviewDecision.id)).scalars().all()
        assert [r.custody_seq for r in rows] == [e.seq for e in entries]
        assert s.get(ReviewState, conv).state == "escalate"  # type: ignore[union-attr]


def test_history_is_append_only_and_the_latest_state_stands(ws: Workspace, tmp_path: Path) -> None:
    (conv,) = _convs(ws, tmp_path)
    decide(ws, "OP-TEST", conv, Change(state="reviewed"), purpose=WHY)
    decide(ws, "OP-TEST", conv, Change(state="not relevant", note="holiday plans only"),
           purpose=WHY)  # fmt: skip
    decide(ws, "OP-TEST", conv, Change(state="escalate"), purpose=WHY)
    rv = conversation_review(ws, "OP-TEST", conv, purpose=WHY)
    assert rv.marks.state == "escalate"
    assert [d.value for d in rv.history if d.kind == "state"] == [
        "escalate", "not_relevant", "reviewed"]  # fmt: skip
    assert rv.history_total == 4 and rv.marks.notes[0].value == "holiday plans only"
    assert [c.state for c in case_review(ws, "OP-TEST", state="escalate", purpose=WHY)] == [
        "escalate"
    ]
    assert case_review(ws, "OP-TEST", state="unreviewed", purpose=WHY) == []


def test_message_marks_bookmarks_and_tags(ws: Workspace, tmp_path: Path) -> None:
    (conv,) = _convs(ws, tmp_path)
    decide(ws, "OP-TEST", conv, Change(seq=36, state="escalate", bookmark=True,
                                       tags_add=("meeting", "Meeting")), purpose=WHY)  # fmt: skip
    n = _count(ws)
    r = decide(ws, "OP-TEST", conv, Change(seq=36, tags_add=("meeting",), bookmark=True),
               purpose=WHY)  # fmt: skip
    assert r.decisions == [] and _count(ws) == n  # a standing tag or bookmark records nothing
    r = decide(ws, "OP-TEST", conv, Change(seq=36, tags_remove=("meeting",), bookmark=False),
               purpose=WHY)  # fmt: skip
    assert [d.kind for d in r.decisions] == ["untag", "unbookmark"]
    rv = conversation_review(ws, "OP-TEST", conv, purpose=WHY)
    m = rv.messages[36]
    assert m.state == "escalate" and m.tags == [] and not m.bookmarked
    assert rv.marks.state == "unreviewed"  # a message's mark is not the conversation's state
    with pytest.raises(NotFound, match="no message 999"):
        decide(ws, "OP-TEST", conv, Change(seq=999, state="reviewed"), purpose=WHY)


def test_readers_cannot_decide_and_outsiders_see_nothing(ws: Workspace, tmp_path: Path) -> None:
    (conv,) = _convs(ws, tmp_path)
    create_user(ws, "disclosure.d", "disclosure_officer")
    set_membership(ws, "disclosure.d", "OP-TEST", True)
    reader = as_user(ws, "disclosure.d")
    before = (_count(ws), len(_entries(ws)))
    with pytest.raises(AccessDenied, match="may not write"):
        decide(reader, "OP-TEST", conv, Change(state="escalate"), purpose=WHY)
    with pytest.raises(AccessDenied, match="not a member"):
        decide(as_user(ws, "outsider"), "OP-TEST", conv, Change(state="escalate"), purpose=WHY)
    with pytest.raises(AccessDenied, match="not a member"):
        conversation_review(as_user(ws, "outsider"), "OP-TEST", conv, purpose=WHY)
    with pytest.raises(PurposeRequired):
        decide(ws, "OP-TEST", conv, Change(state="escalate"))
    assert (_count(ws), len(_entries(ws))) == before  # refusals leave nothing behind
    decide(ws, "OP-TEST", conv, Change(state="escalate", note="see message 36"), purpose=WHY)
    rv = conversation_review(reader, "OP-TEST", conv, purpose=WHY)  # readers see the history
    assert rv.marks.state == "escalate" and not rv.may_decide


def test_export_labels_decided_conversations_only(ws: Workspace, tmp_path: Path) -> None:
    a, b, c, d = _convs(ws, tmp_path, 4)
    decide(ws, "OP-TEST", a, Change(state="escalate"), purpose=WHY)
    decide(ws, "OP-TEST", b, Change(state="not_relevant"), purpose=WHY)
    decide(ws, "OP-TEST", c, Change(state="reviewed"), purpose=WHY)
    decide(ws, "OP-TEST", d, Change(seq=3, state="escalate"), purpose=WHY)  # a message only
    out = tmp_path / "labels.csv"
    res = export_decisions(ws, ["OP-TEST"], out, purpose=WHY)
    assert (res.positives, res.negatives, res.left_out) == (1, 1, {"reviewed": 1})
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    loaded = chats_from_csv(io.BytesIO(out.read_bytes()), "labels.csv")
    assert [c.label for c in loaded.chats] == [1, 0]
    assert (
        loaded.chats[0].messages[2] == "how old are you btw?"
        and len(loaded.chats[0].messages) == 40
    )
    (entry,) = [e for e in _entries(ws) if e.action == "export"]
    details = json.loads(entry.details)
    assert details["conversations"] == [a, b] and details["sha256"] == res.sha256
    assert entry.purpose == WHY and entry.case_ref == "OP-TEST"
    with pytest.raises(UserError, match="already exists"):
        export_decisions(ws, ["OP-TEST"], out, purpose=WHY)
    both = export_decisions(ws, ["OP-TEST"], tmp_path / "all.csv", purpose=WHY,
                            reviewed_as="negative")  # fmt: skip
    assert (both.positives, both.negatives) == (1, 2)
    rows = list(csv.reader(io.StringIO((tmp_path / "all.csv").read_text("utf-8"))))
    assert rows[0] == ["segment", "label"] and len(rows) == 4


def test_export_refuses_without_a_decision_or_membership(ws: Workspace, tmp_path: Path) -> None:
    _convs(ws, tmp_path)
    with pytest.raises(UserError, match="no decided conversation"):
        export_decisions(ws, ["OP-TEST"], tmp_path / "none.csv", purpose=WHY)
    with pytest.raises(AccessDenied):
        export_decisions(as_user(ws, "outsider"), ["OP-TEST"], tmp_path / "x.csv", purpose=WHY)
    assert not list(tmp_path.glob("*.csv")) and not list(tmp_path.glob(".*.tmp"))
