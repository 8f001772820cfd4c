"""Only the disclosure officer changes statuses; each change is one custody entry and one
history row; bad input is refused before anything is written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.disclosure.conftest import CASE, OFFICER, ROLES, details, officer
from vigil.db.tables.disclosure import DisclosureChange, DisclosureItem
from vigil.db.tables.evidence import CustodyEntry
from vigil.errors import AccessDenied, NotFound, UserError
from vigil.services.access import as_user
from vigil.services.disclosure.decide import Decision, decide, decide_many
from vigil.services.disclosure.schedules import overview
from vigil.services.users import create_user
from vigil.services.workspace import Workspace


def _keys(ws: Workspace) -> list[str]:
    return [i.key for i in overview(officer(ws), CASE).items]


def _entries(ws: Workspace) -> list[CustodyEntry]:
    with ws.sessions() as s:
        return list(s.execute(select(CustodyEntry).where(
            CustodyEntry.object_type == "disclosure_item").order_by(CustodyEntry.seq)).scalars())  # fmt: skip


def _changes(ws: Workspace) -> int:
    with ws.sessions() as s:
        return int(s.execute(select(func.count()).select_from(DisclosureChange)).scalar_one())


@pytest.mark.parametrize("who", [*ROLES, "tester"])
def test_other_roles_are_refused(case_ws: Workspace, who: str) -> None:
    key = _keys(case_ws)[0]
    with pytest.raises(AccessDenied, match="may not disclose"):
        decide(as_user(case_ws, who), CASE, Decision(key, "unused", "a log"))
    assert _changes(case_ws) == 0 and _entries(case_ws) == []


def test_a_disclosure_officer_off_the_case_is_refused(case_ws: Workspace) -> None:
    create_user(case_ws, "other.do", "disclosure_officer")
    with pytest.raises(AccessDenied, match="not a member"):
        decide(as_user(case_ws, "other.do"), CASE, Decision(_keys(case_ws)[0], "used", "x y"))


def test_a_decision_is_kept_with_who_when_and_custody(case_ws: Workspace) -> None:
    key = next(k for k in _keys(case_ws) if k.startswith("conversation:"))
    desc = "Chat between the suspect's account and a persona, 3 weeks; not relied on"
    d = decide(officer(case_ws), CASE, Decision(key, "not-relevant", desc))
    assert d.changed and d.item.status == "not_relevant" and d.item.description == desc
    assert d.item.set_by == OFFICER
    again = decide(officer(case_ws), CASE, Decision(key, "not_relevant", desc))
    assert not again.changed  # nothing changed: nothing recorded
    d2 = decide(officer(case_ws), CASE, Decision(key, "unused", undermines=True))
    assert d2.item.description == desc and d2.item.undermines and d2.item.status == "unused"
    entries = _entries(case_ws)
    assert [(e.actor, e.action, e.object_id) for e in entries] == [(OFFICER, "annotate", key)] * 2
    first, second = (details(e.details) for e in entries)
    assert first["status"] == "not_relevant" and first["was"] is None
    assert second["status"] == "unused" and second["was"] == "not_relevant"
    assert second["undermines"] is True and second["description_changed"] is False
    assert desc not in "".join(e.details for e in entries)  # hash and length only
    with case_ws.sessions() as s:
        hist = s.execute(select(DisclosureChange).order_by(DisclosureChange.id)).scalars().all()
        assert [h.custody_seq for h in hist] == [e.seq for e in entries]
        assert [h.status for h in hist] == ["not_relevant", "unused"]
        assert s.execute(select(func.count()).select_from(DisclosureItem)).scalar_one() == 1


def test_bad_decisions_are_refused_and_nothing_is_written(case_ws: Workspace) -> None:
    keys = _keys(case_ws)
    do = officer(case_ws)
    with pytest.raises(UserError, match="unknown disclosure status"):
        decide(do, CASE, Decision(keys[0], "guilty", "words"))
    with pytest.raises(UserError, match="description is needed"):
        decide(do, CASE, Decision(keys[0], "used", "   "))
    with pytest.raises(UserError, match="no status yet"):
        decide(do, CASE, Decision(keys[0], description="words"))
    with pytest.raises(UserError, match="needs a description"):
        decide(do, CASE, Decision(keys[0], "used"))
    with pytest.raises(NotFound, match="no item exhibit:NOPE/1"):
        decide(do, CASE, Decision("exhibit:NOPE/1", "used", "words"))
    with pytest.raises(UserError, match="bad item reference"):
        decide(do, CASE, Decision("parcel:1", "used", "words"))
    with pytest.raises(UserError, match="at most 2000"):
        decide(do, CASE, Decision(keys[0], "used", "x" * 2001))
    # a batch with one bad decision writes none of them
    with pytest.raises(UserError, match="unknown disclosure status"):
        decide_many(do, CASE, [Decision(keys[0], "used", "fine"), Decision(keys[1], "??", "x")])
    assert _changes(case_ws) == 0 and _entries(case_ws) == []


def test_a_batch_records_one_entry_per_item(case_ws: Workspace) -> None:
    keys = _keys(case_ws)
    out = decide_many(officer(case_ws), CASE, [Decision(k, "unused", f"item {n}")
                                               for n, k in enumerate(keys)])  # fmt: skip
    assert all(d.changed for d in out) and len(out) == len(keys)
    assert [e.object_id for e in _entries(case_ws)] == keys
    assert overview(officer(case_ws), CASE).unscheduled == []
