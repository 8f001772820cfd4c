"""Continuity statements: drafted from the custody log, saved as versioned derived exhibits."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from vigil.db.tables.evidence import Exhibit
from vigil.errors import UserError
from vigil.services.access import acting
from vigil.services.continuity import draft, save
from vigil.services.evidence.exhibits import register_file, verify_exhibit
from vigil.services.workspace import Workspace


@pytest.fixture()
def exhibit(ws: Workspace, tmp_path: Path) -> str:
    f = tmp_path / "handset-notes.txt"
    f.write_text("benign test evidence\n", encoding="utf-8")
    r = register_file(ws, "OP-TEST", f, source="handset of the witness, bag A1",
                      acquired_by="DC Amy Shaw", acquired_at="2025-02-03T10:15")  # fmt: skip
    return r.exhibit.ref


def test_draft_tells_acquisition_hashes_and_handling(ws: Workspace, exhibit: str) -> None:
    with ws.transaction() as s:
        user = acting(s, ws)
    verify_exhibit(ws, user, "OP-TEST", exhibit)
    text = draft(ws, "OP-TEST", exhibit)
    with ws.sessions() as s:
        ex = s.execute(select(Exhibit).where(Exhibit.ref == exhibit)).scalar_one()
        sha = ex.blob_sha256
    flat = " ".join(text.split())
    assert "Statement of: DC Amy Shaw" in text
    assert "At 2025-02-03 10:15:00 GMT DC Amy Shaw acquired the file handset-notes.txt" in flat
    assert "handset of the witness, bag A1" in flat and sha in flat
    assert "checked its hashes against the stored copy" in flat and "they matched" in flat
    assert f"I produce the file as exhibit {exhibit}" in flat
    assert "Criminal Justice Act" not in text  # the declaration's words, not a citation
    assert draft(ws, "OP-TEST", exhibit, officer="PC Other").count("Statement of: PC Other") == 1


def test_saved_versions_are_derived_exhibits(ws: Workspace, exhibit: str, tmp_path: Path) -> None:
    st = tmp_path / "statement.txt"
    st.write_text(draft(ws, "OP-TEST", exhibit) + "\nEdited by the officer.\n", encoding="utf-8")
    v1 = save(ws, "OP-TEST", exhibit, st)
    assert v1.version == 1
    with pytest.raises(UserError, match="already exhibit"):
        save(ws, "OP-TEST", exhibit, st)
    st.write_text(st.read_text(encoding="utf-8") + "A correction.\n", encoding="utf-8")
    v2 = save(ws, "OP-TEST", exhibit, st)
    assert v2.version == 2 and v2.exhibit_ref != v1.exhibit_ref
    with ws.sessions() as s:
        parent = s.execute(select(Exhibit).where(Exhibit.ref == exhibit)).scalar_one()
        kids = s.execute(select(Exhibit).where(Exhibit.parent_exhibit_id == parent.id)).scalars()
        assert sorted(k.derived_path or "" for k in kids) == [
            "continuity statement v1",
            "continuity statement v2",
        ]
    # the new versions show in the next draft as derived exhibits
    assert v2.exhibit_ref in draft(ws, "OP-TEST", exhibit)
