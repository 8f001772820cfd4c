"""The acting person: the command line's local user and a signed-in person are held to the
same need-to-know rules by the services themselves (issue 15)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.web.seed import write_chat

from vigil.db.tables.cases import Suspect
from vigil.db.tables.evidence import CustodyEntry
from vigil.errors import AccessDenied
from vigil.services import access
from vigil.services.access import as_user, get_user, principal_of
from vigil.services.cases import create_case
from vigil.services.casework.suspects import create_suspect
from vigil.services.ingest.run import ingest_file
from vigil.services.media.lists import import_list
from vigil.services.reports import platform_report, stats_report
from vigil.services.triage.run import analyse, triage
from vigil.services.users import create_user, set_membership
from vigil.services.workspace import Workspace


def _counts(ws: Workspace) -> tuple[int, int]:
    with ws.sessions() as s:
        suspects = s.execute(select(func.count()).select_from(Suspect)).scalar_one()
        entries = s.execute(select(func.count()).select_from(CustodyEntry)).scalar_one()
    return suspects, entries


def test_whoever_opens_a_case_is_on_it(ws: Workspace) -> None:
    other = as_user(ws, "officer.b")
    create_case(other, "OP-B", "Officer B's case", None, None)
    with ws.sessions() as s:
        b = get_user(s, "officer.b")
        case = access.require_case(s, principal_of(b, "l:officer.b"), "OP-B", "write")
        assert access.is_member(s, b.id, case.id)
        assert not access.is_member(s, get_user(s, ws.actor).id, case.id)


def test_a_local_user_off_the_case_changes_nothing(ws: Workspace) -> None:
    outsider = as_user(ws, "officer.c")
    before = _counts(ws)
    with pytest.raises(AccessDenied, match="not a member of case 'OP-TEST'"):
        create_suspect(outsider, "OP-TEST", "SUS-1", "unknown adult")
    assert _counts(ws)[0] == before[0]  # the suspect was rolled back with the refusal
    create_suspect(ws, "OP-TEST", "SUS-1", "unknown adult")  # the case's creator may
    assert _counts(ws)[0] == before[0] + 1


def test_a_members_role_still_limits_what_they_may_do(ws: Workspace) -> None:
    create_user(ws, "auditor.a", "auditor")
    set_membership(ws, "auditor.a", "OP-TEST", True)
    with pytest.raises(AccessDenied, match="auditor role may not write"):
        create_suspect(as_user(ws, "auditor.a"), "OP-TEST", "SUS-2", "unknown adult")
    create_user(ws, "analyst.a", "analyst")
    set_membership(ws, "analyst.a", "OP-TEST", True)
    create_suspect(as_user(ws, "analyst.a"), "OP-TEST", "SUS-2", "unknown adult")


def test_acting_for_a_signed_in_person_checks_and_attributes_to_them(ws: Workspace) -> None:
    create_user(ws, "web.user", "investigator")
    with ws.sessions() as s:
        person = principal_of(get_user(s, "web.user"), "s:abc")
    web = ws.acting_for(person)
    assert web.actor == "web.user" and ws.actor != "web.user"
    with pytest.raises(AccessDenied):
        create_suspect(web, "OP-TEST", "SUS-3", "unknown adult")
    set_membership(ws, "web.user", "OP-TEST", True)
    create_suspect(web, "OP-TEST", "SUS-3", "unknown adult")
    with ws.sessions() as s:
        last = s.execute(select(CustodyEntry).order_by(CustodyEntry.seq.desc())).scalars().first()
    assert last is not None and last.actor == "web.user" and last.case_ref == "OP-TEST"


def test_triage_lists_only_the_cases_the_person_is_on(ws: Workspace, tmp_path: Path) -> None:
    ingest_file(ws, "OP-TEST", write_chat(tmp_path / "chat.json"))
    assert {r.case_ref for r in triage(ws)} == {"OP-TEST"}
    outsider = as_user(ws, "officer.c")
    assert triage(outsider) == []
    with pytest.raises(AccessDenied):
        triage(outsider, "OP-TEST")


def test_analysis_without_a_case_covers_only_the_persons_cases(
    ws: Workspace, tmp_path: Path
) -> None:
    ingest_file(ws, "OP-TEST", write_chat(tmp_path / "chat.json"))
    assert analyse(as_user(ws, "officer.c")).conversations == 0  # on no case
    with pytest.raises(AccessDenied):
        analyse(as_user(ws, "officer.c"), "OP-TEST")
    assert analyse(ws).conversations == 1


def test_reports_need_a_role_that_may_see_them_from_the_command_line(ws: Workspace) -> None:
    create_user(ws, "auditor.b", "auditor")
    with pytest.raises(AccessDenied, match="may not see the statistics reports"):
        stats_report(as_user(ws, "auditor.b"), date(2023, 4, 1), date(2024, 3, 31))
    with pytest.raises(AccessDenied):
        platform_report(as_user(ws, "auditor.b"), date(2023, 4, 1), date(2024, 3, 31))
    assert stats_report(ws, date(2023, 4, 1), date(2024, 3, 31)) is not None


def test_a_hash_list_needs_a_role_that_may_write(ws: Workspace, tmp_path: Path) -> None:
    lst = tmp_path / "list.csv"
    lst.write_text("md5\n" + "0" * 32 + "\n", encoding="utf-8")
    create_user(ws, "auditor.c", "auditor")
    with pytest.raises(AccessDenied):
        import_list(as_user(ws, "auditor.c"), lst, name="l", fmt="csv")
    info, _ = import_list(ws, lst, name="l", fmt="csv")
    assert info.name == "l"
