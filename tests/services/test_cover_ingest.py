"""Ingest and evidence add under a persona: cover checked at each message's time, gaps stored
(nothing refused, nothing lost), listed for the supervisor, with a custody entry."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from vigil.db.tables.conversations import MessageRow
from vigil.db.tables.evidence import CustodyEntry
from vigil.errors import NotFound
from vigil.services.casework.authorisations import grant_authorisation
from vigil.services.casework.cover import list_gaps
from vigil.services.casework.personas import create_persona
from vigil.services.casework.units import create_unit
from vigil.services.evidence.exhibits import register_file
from vigil.services.ingest.run import ingest_file
from vigil.services.workspace import Workspace

GRANT = datetime(2025, 1, 10, 9, 0, tzinfo=UTC)


def _chat(path: Path, stamps: list[str]) -> Path:
    lines = [f"[{s}] {'Sam' if i % 2 else 'Kai'}: message number {i}" for i, s in enumerate(stamps)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def persona(ws: Workspace) -> str:
    ws.clock = lambda: datetime(2025, 2, 1, 12, 0, tzinfo=UTC)
    create_unit(ws, "R01", "Region one", "region")
    create_persona(ws, "P-1", "Kalomi", 13, "R01")
    grant_authorisation(
        ws, "A-1", "P-1", "directed_surveillance", "Supt X", "superintendent", GRANT
    )
    return "P-1"


def _cover_entries(ws: Workspace) -> list[dict[str, object]]:
    with ws.sessions() as s:
        rows = s.execute(select(CustodyEntry.details).where(CustodyEntry.action == "annotate"))
        out = [json.loads(d) if isinstance(d, str) else d for (d,) in rows]
    return [d for d in out if d.get("check") == "authorisation cover"]


def test_a_chat_dated_before_its_authorisation_is_stored_and_marked(
    ws: Workspace, persona: str, tmp_path: Path
) -> None:
    stamps = ["03/05/2023, 10:00:00", "03/05/2023, 10:01:00", "03/05/2023, 10:02:00",
              "15/01/2025, 10:00:00", "15/01/2025, 10:05:00"]  # fmt: skip
    s = ingest_file(ws, "OP-TEST", _chat(tmp_path / "chat.txt", stamps), persona=persona)
    assert s.messages == 5 and s.uncovered == 3  # stored whole: nothing lost
    assert any("outside the authorisations of persona P-1" in n for n in s.notes)
    with ws.sessions() as db:
        assert db.scalar(select(func.count()).select_from(MessageRow)) == 5
    (gap,) = list_gaps(ws, "OP-TEST")
    assert (gap.first_seq, gap.last_seq, gap.messages) == (1, 3, 3)
    assert gap.exhibit_ref == s.exhibit_ref and "A-1 was granted at 2025-01-10" in gap.reason
    (entry,) = _cover_entries(ws)
    assert entry["checked"] == 5 and entry["outside_cover"] == 3 and entry["persona"] == "P-1"


def test_a_chat_inside_cover_is_clean(ws: Workspace, persona: str, tmp_path: Path) -> None:
    stamps = ["15/01/2025, 10:00:00", "16/01/2025, 11:00:00"]
    s = ingest_file(ws, "OP-TEST", _chat(tmp_path / "ok.txt", stamps), persona=persona)
    assert s.uncovered == 0 and list_gaps(ws, "OP-TEST") == []
    (entry,) = _cover_entries(ws)  # the check itself is on record
    assert entry["checked"] == 2 and entry["outside_cover"] == 0


def test_unknown_persona_is_refused_before_anything_is_stored(
    ws: Workspace, persona: str, tmp_path: Path
) -> None:
    with pytest.raises(NotFound, match="no persona 'P-9'"):
        ingest_file(
            ws, "OP-TEST", _chat(tmp_path / "c.txt", ["15/01/2025, 10:00:00"]), persona="P-9"
        )


def test_evidence_add_outside_cover_is_stored_and_listed(
    ws: Workspace, persona: str, tmp_path: Path
) -> None:
    shot = tmp_path / "screenshot.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n" + b"benign test bytes")
    r = register_file(
        ws, "OP-TEST", shot, source="handset", acquired_by="DC A",
        acquired_at="2024-12-01T10:00", persona=persona,
    )  # fmt: skip
    assert r.new_exhibit and r.cover is not None and r.cover.uncovered == 1
    (gap,) = list_gaps(ws, "OP-TEST")
    assert gap.conversation is None and gap.exhibit_ref == r.exhibit.ref
    inside = tmp_path / "later.png"
    inside.write_bytes(b"\x89PNG\r\n\x1a\n" + b"other benign bytes")
    r2 = register_file(
        ws, "OP-TEST", inside, source="handset", acquired_by="DC A",
        acquired_at="2025-01-20T10:00", persona=persona,
    )  # fmt: skip
    assert r2.cover is not None and r2.cover.uncovered == 0 and len(list_gaps(ws, "OP-TEST")) == 1
