"""Registering exhibits through the service: references, duplicates, names, times, custody."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from vigil.db.tables.evidence import Acquisition, Blob, CustodyEntry, Exhibit
from vigil.errors import NotFound, UserError
from vigil.evidence import custody
from vigil.services.cases import create_case
from vigil.services.evidence.exhibits import open_content, register_file, show_exhibit
from vigil.services.workspace import Workspace


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_register_assigns_police_refs_per_officer(ws: Workspace, tmp_path: Path) -> None:
    a = register_file(
        ws, "OP-TEST", _file(tmp_path, "a.txt", b"a"), source="phone", acquired_by="Jane Smith"
    )
    b = register_file(
        ws, "OP-TEST", _file(tmp_path, "b.txt", b"b"), source="phone", acquired_by="Jane Smith"
    )
    c = register_file(
        ws, "OP-TEST", _file(tmp_path, "c.txt", b"c"), source="laptop", acquired_by="Amir Bashir"
    )
    assert [a.exhibit.ref, b.exhibit.ref, c.exhibit.ref] == ["JS/1", "JS/2", "AB/1"]
    assert a.exhibit.sha256 == "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
    assert a.exhibit.md5 == "0cc175b9c0f1b6a831c399e269772661"
    assert a.exhibit.mime_type == "text/plain"
    path = ws.store.path_for(a.exhibit.sha256)
    assert stat.S_IMODE(os.stat(path).st_mode) & 0o222 == 0


def test_duplicate_registration_stores_once_and_records_acquisition(
    ws: Workspace, tmp_path: Path
) -> None:
    f = _file(tmp_path, "chat.txt", b"same bytes")
    first = register_file(ws, "OP-TEST", f, source="handset", acquired_by="Jane Smith")
    g = _file(tmp_path, "copy of chat.txt", b"same bytes")
    second = register_file(
        ws, "OP-TEST", g, source="family", acquired_by="Amir Bashir", acquired_at="2026-03-01T10:00"
    )
    assert first.new_exhibit and first.new_blob
    assert not second.new_exhibit and not second.new_blob
    assert second.exhibit.ref == "JS/1"
    assert [a.source for a in second.exhibit.acquisitions] == ["handset", "family"]
    assert second.exhibit.acquisitions[1].tz_assumed == "Europe/London"
    with ws.sessions() as s:
        assert s.execute(select(func.count()).select_from(Blob)).scalar_one() == 1
        assert s.execute(select(func.count()).select_from(Exhibit)).scalar_one() == 1
        assert s.execute(select(func.count()).select_from(Acquisition)).scalar_one() == 2
        actions = [e.action for e in s.execute(select(CustodyEntry)).scalars()]
    assert actions.count("register") == 1 and actions.count("reacquire") == 1
    assert sum(1 for _ in ws.store.iter_blob_names()) == 1


def test_same_bytes_in_another_case_is_its_own_exhibit(ws: Workspace, tmp_path: Path) -> None:
    create_case(ws, "OP-TWO", "Second", None, "UTC")
    f = _file(tmp_path, "x.bin", b"\x00\x01shared")
    a = register_file(ws, "OP-TEST", f, source="s", acquired_by="Jane Smith")
    b = register_file(ws, "OP-TWO", f, source="s", acquired_by="Jane Smith")
    assert a.exhibit.case_ref == "OP-TEST" and b.exhibit.case_ref == "OP-TWO"
    assert b.new_exhibit and not b.new_blob


@pytest.mark.parametrize(
    "name",
    [
        "chat export (1).txt",
        "Ünïcödé 聊天记录.txt",
        "emoji 😀.txt",
        "-leading-dash.txt",
        "quote'\"name.txt",
        "  spaces  .txt",
        "x" * 200 + ".txt",
    ],
)
def test_awkward_file_names(ws: Workspace, tmp_path: Path, name: str) -> None:
    f = _file(tmp_path, name, name.encode())
    r = register_file(ws, "OP-TEST", f, source="s", acquired_by="Jane Smith")
    assert r.exhibit.original_name == name
    info, _ = show_exhibit(ws, "OP-TEST", r.exhibit.ref)
    assert info.original_name == name


def test_acquired_at_offsets_and_bad_times(ws: Workspace, tmp_path: Path) -> None:
    f = _file(tmp_path, "t.txt", b"t")
    r = register_file(
        ws, "OP-TEST", f, source="s", acquired_by="JS", acquired_at="2026-07-01T12:00:00+02:00"
    )
    a = r.exhibit.acquisitions[0]
    assert a.acquired_at.isoformat() == "2026-07-01T10:00:00+00:00"
    assert a.tz_assumed is None
    summer = register_file(
        ws,
        "OP-TEST",
        _file(tmp_path, "u.txt", b"u"),
        source="s",
        acquired_by="JS",
        acquired_at="2026-07-01 12:00",
    )
    assert summer.exhibit.acquisitions[0].acquired_at.hour == 11  # BST
    with pytest.raises(UserError, match="bad time"):
        register_file(ws, "OP-TEST", f, source="s", acquired_by="JS", acquired_at="yesterday-ish")


def test_user_errors(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file"):
        register_file(ws, "OP-TEST", tmp_path / "nope", source="s", acquired_by="JS")
    with pytest.raises(UserError, match="not a regular file"):
        register_file(ws, "OP-TEST", tmp_path, source="s", acquired_by="JS")
    with pytest.raises(NotFound, match="no case"):
        register_file(ws, "OP-NONE", _file(tmp_path, "n", b"n"), source="s", acquired_by="JS")
    with pytest.raises(NotFound, match="no exhibit"):
        show_exhibit(ws, "OP-TEST", "ZZ/9")


def test_reading_content_is_logged_with_purpose(ws: Workspace, tmp_path: Path) -> None:
    r = register_file(
        ws, "OP-TEST", _file(tmp_path, "c.txt", b"content"), source="s", acquired_by="JS"
    )
    with (
        pytest.raises(UserError, match="purpose"),
        open_content(ws, "OP-TEST", r.exhibit.ref, "  "),
    ):
        pass
    with open_content(ws, "OP-TEST", r.exhibit.ref, "review for interview") as fh:
        assert fh.read() == b"content"
    with ws.sessions() as s:
        views = [e for e in custody.all_entries(s, "OP-TEST") if e["action"] == "view"]
    assert len(views) == 1
    assert views[0]["purpose"] == "review for interview"
    assert views[0]["actor"] == "tester"
    assert views[0]["object_id"] == r.exhibit.ref


def test_custody_entries_carry_acquisition_details(ws: Workspace, tmp_path: Path) -> None:
    r = register_file(
        ws,
        "OP-TEST",
        _file(tmp_path, "d.txt", b"d"),
        source="handset",
        acquired_by="Jane Smith",
        acquired_at="2026-01-02T03:04:05Z",
    )
    _, entries = show_exhibit(ws, "OP-TEST", r.exhibit.ref)
    reg = entries[0]
    assert reg["action"] == "register"
    assert reg["details"]["sha256"] == r.exhibit.sha256
    assert reg["details"]["acquired_at"] == "2026-01-02T03:04:05.000000Z"
    assert reg["details"]["source"] == "handset"
    assert reg["tool_version"].startswith("vigil ")
