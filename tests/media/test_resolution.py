"""A supervisor's resolution of two graders' disagreement: who may resolve, what is stored and
logged, and that a resolved item is exported while a disputed one never is.

Benign media only: generated noise images scanned into a real SQLite workspace.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.clirun import in_process
from tests.web.matrix.media import seed_disputed, seed_image

from vigil.config import Settings
from vigil.db.tables.evidence import CustodyEntry
from vigil.db.tables.media import MediaItem, MediaResolution
from vigil.errors import AccessDenied, UserError
from vigil.media.hashsets import read_vics
from vigil.services.access import as_user
from vigil.services.cases import create_case
from vigil.services.media.resolution import resolve
from vigil.services.media.review import RESOLVED, export_graded, grade, review
from vigil.services.users import create_user, set_membership
from vigil.services.workspace import Workspace, init_workspace

CASE = "OP-TEST"
GRADERS = ("grader.one", "grader.two")


@pytest.fixture()
def people(ws: Workspace) -> Workspace:
    """Two investigators and a supervisor on OP-TEST; a supervisor and an investigator who
    are not; the workspace acts as its administrator ("tester")."""
    for name, role, member in (
        ("grader.one", "investigator", True),
        ("grader.two", "analyst", True),
        ("sup.on", "supervisor", True),
        ("sup.off", "supervisor", False),
        ("inv.on", "investigator", True),
    ):
        create_user(ws, name, role)
        if member:
            set_membership(ws, name, CASE, True)
    return ws


def test_supervisor_resolves_and_the_item_is_exported(people: Workspace) -> None:
    ws = people
    agreed = seed_image(ws, CASE, seed=1)
    grade(as_user(ws, GRADERS[0]), agreed, "B")
    grade(as_user(ws, GRADERS[1]), agreed, "b")
    disputed = seed_disputed(ws, CASE, GRADERS)  # A and B
    left = seed_disputed(ws, CASE, GRADERS)
    doc, n, left_out = export_graded(ws, CASE)
    assert (n, left_out) == (1, 2)  # disputed items are never exported

    r = resolve(as_user(ws, "sup.on"), disputed, "B", "  second look:\n the grade B stands ")
    assert r.state == RESOLVED and r.resolved_grade == "B" and r.resolved_by == "sup.on"
    assert r.final_grade == "B" and not r.disagreement
    assert r.grades == {"grader.one": "A", "grader.two": "B"}  # the graders' grades are kept
    queue = {q.item_id for q in review(ws, CASE)}
    assert disputed not in queue and left in queue  # resolved items leave the queue

    doc, n, left_out = export_graded(ws, CASE)
    assert (n, left_out) == (2, 1)
    back = read_vics(doc, "export.json")
    with ws.sessions() as s:
        md5 = {i.md5: i.id for i in s.execute(select(MediaItem)).scalars()}
        res = s.execute(select(MediaResolution)).scalar_one()
        entry = s.execute(
            select(CustodyEntry).where(
                CustodyEntry.object_type == "media_item",
                CustodyEntry.object_id == str(disputed),
                CustodyEntry.actor == "sup.on",
            )
        ).scalar_one()
    exported = {md5[e.get("md5") or ""]: e for e in back.entries}
    assert set(exported) == {agreed, disputed}
    cat_agreed, cat_resolved = exported[agreed].category, exported[disputed].category
    assert cat_agreed is not None and cat_resolved is not None
    assert cat_agreed.code == cat_resolved.code  # the supervisor's B, as the agreed B
    assert (res.grade, res.resolver, res.reason) == (
        "B",
        "sup.on",
        "second look: the grade B stands",
    )
    assert json.loads(res.graders) == {"grader.one": "A", "grader.two": "B"}
    details = json.loads(entry.details)
    assert entry.action == "annotate" and entry.case_ref == CASE
    assert details["resolution"] == "B" and details["state"] == RESOLVED
    assert details["grades"] == {"grader.one": "A", "grader.two": "B"}
    assert details["reason_sha256"] == hashlib.sha256(res.reason.encode()).hexdigest()
    assert "second look" not in entry.details  # the reason stays out of the searchable log

    with pytest.raises(UserError, match="resolved"):  # a resolved item takes no more grades
        grade(as_user(ws, "inv.on"), disputed, "C")
    with pytest.raises(UserError, match="already been resolved"):
        resolve(as_user(ws, "sup.on"), disputed, "A", "changed my mind")


def test_who_may_resolve(people: Workspace) -> None:
    ws = people
    item = seed_disputed(ws, CASE, GRADERS)
    with pytest.raises(AccessDenied, match="may not authorise"):  # not a supervisor
        resolve(as_user(ws, "inv.on"), item, "A", "I think it is A")
    with pytest.raises(AccessDenied, match="not a member"):  # a supervisor, not on the case
        resolve(as_user(ws, "sup.off"), item, "A", "I think it is A")
    with pytest.raises(AccessDenied, match="may not authorise"):  # the administrator neither
        resolve(ws, item, "A", "I think it is A")
    set_membership(ws, "sup.off", CASE, True)
    grade(as_user(ws, "sup.off"), item, "C")  # a third grade: now one of the graders
    with pytest.raises(AccessDenied, match="you graded"):
        resolve(as_user(ws, "sup.off"), item, "A", "I think it is A")
    with pytest.raises(UserError, match="unknown grade"):
        resolve(as_user(ws, "sup.on"), item, "D", "I think it is D")
    with pytest.raises(UserError, match="reason"):
        resolve(as_user(ws, "sup.on"), item, "A", "  ")
    with ws.sessions() as s:
        assert s.execute(select(MediaResolution)).first() is None  # nothing half-written
    assert resolve(as_user(ws, "sup.on"), item, "A", "looked again").resolved_grade == "A"


def test_only_a_disagreement_is_resolved(people: Workspace) -> None:
    ws = people
    one = seed_image(ws, CASE, seed=7)
    with pytest.raises(UserError, match="not disputed"):  # nobody graded it
        resolve(as_user(ws, "sup.on"), one, "A", "no grades yet")
    grade(as_user(ws, GRADERS[0]), one, "C")
    with pytest.raises(UserError, match="not disputed"):  # one grade
        resolve(as_user(ws, "sup.on"), one, "A", "one grade only")
    grade(as_user(ws, GRADERS[1]), one, "C")
    with pytest.raises(UserError, match="not disputed"):  # they agree
        resolve(as_user(ws, "sup.on"), one, "A", "they agree already")


def test_cli_resolve(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    ws, _, _ = init_workspace(Settings(home=home, user="cli.admin", database_url=None))
    create_case(ws, CASE, "Test operation", "Test unit", "Europe/London")
    for name, role in (*((g, "investigator") for g in GRADERS), ("sup.cli", "supervisor")):
        create_user(ws, name, role)
        set_membership(ws, name, CASE, True)
    item = seed_disputed(ws, CASE, GRADERS)
    env = {**os.environ, "VIGIL_HOME": str(home), "VIGIL_USER": "sup.cli", "COLUMNS": "200"}
    env.pop("VIGIL_DATABASE_URL", None)
    cmd = [sys.executable, "-m", "vigil.cli.main", "media", "resolve", str(item), "--grade"]
    r = subprocess.run([*cmd, "C", "--reason", "agreed at review"], capture_output=True,
                       text=True, env=env, timeout=120)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert f"Media item {item}" in r.stdout and "grade C stands" in r.stdout
    # (a grader's refusal: the same entry point in this process, tests/clirun.py)
    r = in_process([*cmd[3:], "A", "--reason", "again"], {**env, "VIGIL_USER": GRADERS[0]})
    assert r.returncode != 0 and "may not authorise" in r.stderr
    with ws.sessions() as s:
        res = s.execute(select(MediaResolution)).scalar_one()
    assert (res.grade, res.resolver) == ("C", "sup.cli")
