"""Attachments registered as derived exhibits: files a device database names, found in the
extraction folder holding the database, and the MIME parts of e-mails.

The databases are the synthetic ones of ``device_fixtures.py`` (built from the apps' widely
documented table definitions), placed where an extraction keeps them (``private/var/mobile/
Library/SMS/sms.db``, ``data/user_de/0/com.android.providers.telephony/databases/mmssms.db``,
``data/data/com.whatsapp/databases/msgstore.db``, WhatsApp's iOS app group folder); the
attachment files are small benign byte strings written by the tests. The e-mails are those of
``test_email.py`` (RFC 5322 / MIME, built with the standard library).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.ingest.device_fixtures import android_mmssms, chatstorage, ios_sms_db, msgstore
from tests.ingest.test_email import mbox, thread_a, thread_b

from vigil.db.tables.conversations import AttachmentRow, ConversationRow
from vigil.db.tables.evidence import Exhibit
from vigil.ingest.formats._attachments import Beside, after, relative
from vigil.ingest.formats.android_mmssms import PARSER as MMSSMS
from vigil.ingest.formats.ios_sms_db import PARSER as SMS
from vigil.ingest.formats.whatsapp_ios import PARSER as WA_IOS
from vigil.ingest.formats.whatsapp_msgstore import PARSER as MSGSTORE
from vigil.services.evidence.verify import verify_workspace
from vigil.services.ingest.attachments import find_beside
from vigil.services.ingest.run import ingest_file
from vigil.services.workspace import Workspace


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def put(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored(ws: Workspace) -> tuple[list[tuple[str, str | None, int | None]], dict[int, Exhibit]]:
    """Attachments as (status, source_path, exhibit id) and the exhibits by id."""
    with ws.sessions() as s:
        atts = [
            (a.status, a.source_path, a.exhibit_id)
            for a in s.execute(select(AttachmentRow).order_by(AttachmentRow.id)).scalars()
        ]
        exhibits = {e.id: e for e in s.execute(select(Exhibit)).scalars()}
        s.expunge_all()
    return atts, exhibits


def notes(ws: Workspace) -> str:
    with ws.sessions() as s:
        return "\n".join(n or "" for n in s.execute(select(ConversationRow.notes)).scalars())


def noted(ws: Workspace) -> tuple[int, int]:
    """Attachments found and not held, as the conversations' notes count them."""
    found = re.findall(r"attachments: (\d+) found and registered .*?, (\d+) not held", notes(ws))
    return sum(int(f) for f, _ in found), sum(int(m) for _, m in found)


def sms_extraction(root: Path) -> tuple[Path, dict[str, bytes]]:
    db = ios_sms_db(folder(root / "private/var/mobile/Library/SMS") / "sms.db")
    files = {
        "Attachments/ab/11/A1/IMG_0001.jpeg": b"benign jpeg bytes 1",
        "Attachments/cd/12/A2/card.png": b"benign png bytes 2",
        # note.txt (A3) is not in the extraction
    }
    for rel, data in files.items():
        put(db.parent / rel, data)
    return db, files


def mmssms_extraction(root: Path) -> tuple[Path, dict[str, bytes]]:
    base = root / "data/user_de/0/com.android.providers.telephony"
    db = android_mmssms(folder(base / "databases") / "mmssms.db")
    files = {"../app_parts/PART_1": b"benign mms part"}
    put(base / "app_parts/PART_1", files["../app_parts/PART_1"])
    return db, files


def msgstore_extraction(root: Path) -> tuple[Path, dict[str, bytes]]:
    db = msgstore(folder(root / "data/data/com.whatsapp/databases") / "msgstore.db")
    media = "data/media/0/WhatsApp/Media/WhatsApp Images/IMG-20231029-WA0001.jpg"
    files = {"../../../../" + media: b"benign whatsapp image"}
    put(root / media, b"benign whatsapp image")
    return db, files


def chatstorage_extraction(root: Path) -> tuple[Path, dict[str, bytes]]:
    group = root / "private/var/mobile/Containers/Shared/AppGroup/5F3C"
    db = chatstorage(folder(group) / "ChatStorage.sqlite")
    rel = "Message/Media/447700900123@s.whatsapp.net/a/b/photo.jpg"
    put(group / rel, b"benign ios whatsapp image")
    return db, {rel: b"benign ios whatsapp image"}


@pytest.mark.parametrize(
    ("extraction", "present", "missing"),
    [
        (sms_extraction, 2, 1),
        (mmssms_extraction, 1, 0),
        (msgstore_extraction, 1, 0),
        (chatstorage_extraction, 1, 0),
    ],
)
def test_device_attachments_found_in_the_extraction_become_derived_exhibits(
    ws: Workspace,
    tmp_path: Path,
    extraction: Callable[[Path], tuple[Path, dict[str, bytes]]],
    present: int,
    missing: int,
) -> None:
    db, files = extraction(tmp_path / "extraction")
    before = {p: sha(p) for p in (tmp_path / "extraction").rglob("*") if p.is_file()}
    summary = ingest_file(ws, "OP-TEST", db, pipeline=False)
    atts, exhibits = stored(ws)
    assert [a[0] for a in atts].count("present") == present
    assert [a[0] for a in atts].count("missing") == missing
    assert len(summary.derived_exhibits) == present
    parent = next(e for e in exhibits.values() if e.parent_exhibit_id is None)
    held = {
        ws.store.path_for(e.blob_sha256).read_bytes()
        for e in exhibits.values()
        if e.id != parent.id
    }
    assert held == set(files.values())
    for status, source_path, exhibit_id in atts:
        assert source_path  # every attachment keeps the path the database names it by
        if status == "present":
            assert exhibit_id is not None
            child = exhibits[exhibit_id]
            assert child.parent_exhibit_id == parent.id and child.derived_path == source_path
        else:
            assert exhibit_id is None
    assert noted(ws) == (present, missing)
    if missing:
        assert "not in the extraction" in notes(ws)
    # nothing in the extraction changed, and nothing was added to it
    assert {p: sha(p) for p in (tmp_path / "extraction").rglob("*") if p.is_file()} == before
    assert verify_workspace(ws).ok


def test_attachments_found_through_the_worker_process_too(ws: Workspace, tmp_path: Path) -> None:
    db, _ = msgstore_extraction(tmp_path / "x")
    summary = ingest_file(ws, "OP-TEST", db, pipeline=True)
    assert len(summary.derived_exhibits) == 1
    atts, _ = stored(ws)
    assert [a[0] for a in atts] == ["present"]


def test_database_alone_records_attachments_as_not_in_the_extraction(
    ws: Workspace, tmp_path: Path
) -> None:
    db = ios_sms_db(tmp_path / "sms.db")
    summary = ingest_file(ws, "OP-TEST", db, pipeline=False)
    atts, _ = stored(ws)
    assert [a[0] for a in atts] == ["missing"] * 3 and summary.derived_exhibits == []
    assert noted(ws) == (0, 3) and "is not in the extraction" in notes(ws)


def test_same_file_named_twice_is_one_derived_exhibit(ws: Workspace, tmp_path: Path) -> None:
    db, _ = sms_extraction(tmp_path / "x")
    import sqlite3

    conn = sqlite3.connect(db)  # the test's own copy: point A2 at A1's file
    conn.execute("UPDATE attachment SET filename = (SELECT filename FROM attachment WHERE ROWID=1)")
    conn.commit()
    conn.close()
    summary = ingest_file(ws, "OP-TEST", db, pipeline=False)
    atts, _ = stored(ws)
    assert [a[0] for a in atts] == ["present"] * 3
    assert len({a[2] for a in atts}) == 1 and len(summary.derived_exhibits) == 1


def test_device_paths_map_to_the_extraction_and_hostile_paths_are_refused() -> None:
    assert SMS.attachment_beside("~/Library/SMS/Attachments/ab/11/A1/x.jpeg") == Beside(
        "Attachments/ab/11/A1/x.jpeg"
    )
    assert SMS.attachment_beside("/var/mobile/Library/SMS/Attachments/a/b.png") == Beside(
        "Attachments/a/b.png"
    )
    assert SMS.attachment_beside("~/Library/SMS/Attachments/../../../etc/passwd") is None
    assert SMS.attachment_beside("/etc/passwd") is None
    assert MMSSMS.attachment_beside(
        "/data/data/com.android.providers.telephony/app_parts/PART_9"
    ) == Beside("app_parts/PART_9", levels=1)
    found = MSGSTORE.attachment_beside("Media/WhatsApp Images/a.jpg")
    assert found is not None and found.path == "Media/WhatsApp Images/a.jpg"
    assert "data/media/0/WhatsApp" in found.roots and found.levels == 4
    moved = MSGSTORE.attachment_beside("/storage/emulated/0/WhatsApp/Media/b.jpg")
    assert moved is not None and moved.path == "Media/b.jpg"
    assert MSGSTORE.attachment_beside("../Media/x") is None
    assert WA_IOS.attachment_beside("Media/j/a/b.jpg") == Beside("Media/j/a/b.jpg", ("Message",))
    assert after("a/b/c", "b/c") is None and relative("a//b") is None


def test_a_symbolic_link_out_of_the_extraction_is_not_followed(tmp_path: Path) -> None:
    outside = put(tmp_path / "outside/secret.txt", b"not evidence")
    folder = tmp_path / "extraction/Library/SMS"
    db = put(folder / "sms.db", b"")
    (folder / "Attachments").mkdir()
    os.symlink(outside, folder / "Attachments/link.txt")
    os.symlink(tmp_path / "outside", folder / "Attachments/dir")
    assert find_beside(db, Beside("Attachments/link.txt")) is None
    assert find_beside(db, Beside("Attachments/dir/secret.txt")) is None
    assert find_beside(db, Beside("secret.txt", ("Attachments/dir",))) is None
    os.symlink(tmp_path / "outside", folder / "via")  # a root reached through a link
    (tmp_path / "outside/Media").mkdir()
    put(tmp_path / "outside/Media/x.jpg", b"not evidence")
    assert find_beside(db, Beside("x.jpg", ("via/Media",))) is None
    put(folder / "Attachments/real.txt", b"x")
    assert find_beside(db, Beside("Attachments/real.txt")) == folder / "Attachments/real.txt"


@pytest.mark.parametrize("pipeline", [False, True])
def test_email_attachments_become_derived_exhibits_of_the_mailbox(
    ws: Workspace, tmp_path: Path, pipeline: bool
) -> None:
    mails = thread_a() + thread_b()
    mails[3].add_attachment(b"benign homework sheet", maintype="text", subtype="plain",
                            filename="homework.txt")  # fmt: skip
    path = put(tmp_path / "Inbox.mbox", mbox(mails))
    summary = ingest_file(ws, "OP-TEST", path, pipeline=pipeline)
    assert summary.messages == 5 and len(summary.derived_exhibits) == 2
    atts, exhibits = stored(ws)
    assert [a[0] for a in atts] == ["present", "present"]
    parent = next(e for e in exhibits.values() if e.parent_exhibit_id is None)
    by_name = {
        e.original_name: ws.store.path_for(e.blob_sha256).read_bytes()
        for e in exhibits.values()
        if e.parent_exhibit_id == parent.id
    }
    assert by_name == {
        "cat.jpg": b"\xff\xd8\xff\xe0benign",
        "homework.txt": b"benign homework sheet",
    }
    assert all(
        e.derived_path and "part 1" in e.derived_path
        for e in exhibits.values()
        if e.parent_exhibit_id
    )
    assert verify_workspace(ws).ok


def test_eml_attachment_becomes_a_derived_exhibit(ws: Workspace, tmp_path: Path) -> None:
    path = put(tmp_path / "photo.eml", thread_a()[2].as_bytes())
    summary = ingest_file(ws, "OP-TEST", path, pipeline=False)
    (ref,) = summary.derived_exhibits
    _, exhibits = stored(ws)
    child = next(e for e in exhibits.values() if e.ref == ref)
    assert child.derived_path == "part 1" and child.original_name == "cat.jpg"
    assert ws.store.path_for(child.blob_sha256).read_bytes() == b"\xff\xd8\xff\xe0benign"
