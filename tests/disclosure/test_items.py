"""Every item of a case is listed once, with its kind, and unscheduled until decided."""

from __future__ import annotations

from tests.disclosure.conftest import CASE, officer
from vigil.services.disclosure.schedules import overview
from vigil.services.workspace import Workspace


def test_every_kind_of_item_is_listed_once(case_ws: Workspace) -> None:
    ov = overview(officer(case_ws), CASE)
    keys = [i.key for i in ov.items]
    assert len(keys) == len(set(keys))
    kinds = {i.kind for i in ov.items}
    assert kinds == {"exhibit", "conversation", "capture", "capture-note", "review-note"}
    assert ov.unscheduled == ov.items and ov.may_disclose
    # the capture's screenshot is the capture's item, not an exhibit of its own
    cap = next(i for i in ov.items if i.kind == "capture")
    shot = cap.location.rsplit("exhibit ", 1)[1]
    assert f"exhibit:{shot}" not in keys
    # summaries name the records, never note text
    assert not any("meeting plan" in i.summary or "opened the chat" in i.summary
                   for i in ov.items)  # fmt: skip
