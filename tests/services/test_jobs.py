"""Resumable uploads and background jobs (vigil.services.jobs), on real SQLite workspaces."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import time
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from vigil.db.tables.conversations import ConversationRow
from vigil.db.tables.evidence import CustodyEntry
from vigil.db.tables.jobs import JobRow
from vigil.errors import AccessDenied, UserError
from vigil.services import users
from vigil.services.access import Principal, get_user, principal_of
from vigil.services.jobs import store, uploads
from vigil.services.jobs.runner import JobRunner, run_queued
from vigil.services.jobs.uploads import OffsetMismatch, UploadOptions
from vigil.services.workspace import Workspace

CASE = "OP-TEST"
UFDR = Path(__file__).resolve().parents[1] / "fixtures" / "chats" / "ufdr"
LINES = [
    ("Sam", "hi, how was school today"),
    ("Robin", "boring, maths test"),
    ("Sam", "how old are you btw?"),
    ("Robin", "13"),
    ("Sam", "keep this between us ok"),
    ("Sam", "are your parents home right now?"),
    ("Robin", "no, they're at work"),
    ("Sam", "can we meet on saturday at the station?"),
]


def whatsapp_export(messages: int = 400) -> bytes:
    """A synthetic, non-graphic WhatsApp (Android, 24h) export."""
    out = []
    for i in range(messages):
        who, text = LINES[i % len(LINES)]
        out.append(f"0{1 + i // 1440 % 9}/05/2024, {i // 60 % 24:02d}:{i % 60:02d} - {who}: {text}")
    return ("\n".join(out) + "\n").encode()


def officer(ws: Workspace, name: str = "officer", role: str = "investigator") -> Principal:
    users.create_user(ws, name, role, None, "a long enough password 1")
    users.set_membership(ws, name, CASE, True)
    with ws.sessions() as s:
        return principal_of(get_user(s, name), f"test:{name}")


OPTS = UploadOptions(source="handset of the complainant", acquired_by="Dana Cole", notes="seized")


def upload(ws: Workspace, user: Principal, data: bytes, kind: str = "chat", **kw: object) -> str:
    opts = dataclasses.replace(OPTS, **kw)  # type: ignore[arg-type]
    st = uploads.start_upload(ws, user, CASE, "WhatsApp Chat with Sam.txt", len(data), kind, opts)
    assert st.offset == 0 and st.state == "open"
    return st.token


def test_chunks_wrong_offset_refused_resumed_and_hashes_match(ws: Workspace) -> None:
    user = officer(ws)
    data = whatsapp_export(2000)
    token = upload(ws, user, data)
    a, b = len(data) // 3, 2 * len(data) // 3
    assert uploads.write_chunk(ws, user, token, 0, data[:a]).offset == a
    with pytest.raises(OffsetMismatch) as gap:  # a chunk after a lost one
        uploads.write_chunk(ws, user, token, b, data[b:])
    assert gap.value.offset == a
    with pytest.raises(OffsetMismatch):  # a chunk that does not match what was received
        uploads.write_chunk(ws, user, token, 0, b"x" * 10)
    # a retried chunk (same bytes again) is harmless; the client resumes from the offset
    assert uploads.write_chunk(ws, user, token, 0, data[:a]).offset == a
    st = uploads.upload_status(ws, user, token)
    assert st.offset == a
    with pytest.raises(OffsetMismatch) as short:
        uploads.complete_upload(ws, user, token)
    assert short.value.offset == a
    uploads.write_chunk(ws, user, token, st.offset, io.BytesIO(data[a:]))
    with pytest.raises(UserError, match="more bytes than"):
        uploads.write_chunk(ws, user, token, len(data), b"extra")
    done = uploads.complete_upload(ws, user, token)
    assert done.state == "complete" and done.job_id is not None
    assert uploads.complete_upload(ws, user, token).job_id == done.job_id  # idempotent

    assert run_queued(ws) == 1
    job = store.get_job(ws, user, done.job_id)
    assert job.state == "done", job.message
    assert job.result["sha256"] == hashlib.sha256(data).hexdigest()
    assert job.result["md5"] == hashlib.md5(data).hexdigest()
    assert job.result["sha1"] == hashlib.sha1(data).hexdigest()
    assert ws.store.rehash(job.result["sha256"]).size == len(data)
    assert not (uploads.uploads_dir(ws) / token).exists(), "the partial file is removed"
    with ws.sessions() as s:
        entries = s.execute(select(CustodyEntry).where(CustodyEntry.case_ref == CASE)).scalars()
        acts = [(e.actor, e.action, e.object_id) for e in entries]
    ref = job.result["exhibit"]
    assert ("officer", "register", ref) in acts
    assert ("officer", "annotate", ref) in acts
    assert ("officer", "ingest", ref) not in acts, "registered only: ingest was not asked"


def test_job_ingests_analyses_and_indexes(ws: Workspace) -> None:
    user = officer(ws)
    data = whatsapp_export(300)
    token = upload(ws, user, data, ingest=True)
    uploads.write_chunk(ws, user, token, 0, data)
    job_id = uploads.complete_upload(ws, user, token).job_id
    assert job_id is not None
    assert store.get_job(ws, user, job_id).state == "queued"
    run_queued(ws)
    job = store.get_job(ws, user, job_id)
    assert job.state == "done", job.message
    assert job.percent == 100.0 and job.step == "finished"
    assert job.result["messages"] == 300 and job.result["conversations"] == 1
    assert job.result["indexed"] == 300
    with ws.sessions() as s:
        convs = s.execute(select(ConversationRow)).scalars().all()
        acts = [e.action for e in s.execute(select(CustodyEntry)).scalars()]
    assert len(convs) == 1 and convs[0].message_count == 300
    assert {"register", "ingest", "derive"} <= set(acts)
    assert [j.id for j in store.list_jobs(ws, user)] == [job_id]


def test_failed_step_is_reported_and_access_is_checked(ws: Workspace) -> None:
    user = officer(ws)
    other = officer(ws, "outsider")
    users.set_membership(ws, "outsider", CASE, False)
    data = b"not a chat export at all\n" * 10
    token = upload(ws, user, data, ingest=True, fmt="whatsapp_txt")
    with pytest.raises(AccessDenied):
        uploads.write_chunk(ws, other, token, 0, data)
    uploads.write_chunk(ws, user, token, 0, data)
    job_id = uploads.complete_upload(ws, user, token).job_id
    assert job_id is not None
    run_queued(ws)
    job = store.get_job(ws, user, job_id)
    assert job.state == "failed" and job.message
    assert job.result == {}
    with pytest.raises(AccessDenied):
        store.get_job(ws, other, job_id)
    assert store.list_jobs(ws, other) == []


def test_interrupted_job_is_failed_on_restart(ws: Workspace) -> None:
    user = officer(ws)
    data = whatsapp_export(50)
    token = upload(ws, user, data)
    uploads.write_chunk(ws, user, token, 0, data)
    job_id = uploads.complete_upload(ws, user, token).job_id
    assert job_id is not None and store.claim(ws, job_id)  # a worker took it, then died
    second = upload(ws, user, data[:10])
    uploads.write_chunk(ws, user, second, 0, data[:10])
    queued = uploads.complete_upload(ws, user, second).job_id
    runner = JobRunner(ws)
    runner.start()  # a restart: the running job is failed, the queued one runs
    try:
        for _ in range(200):
            if store.get_job(ws, user, queued or 0).finished:
                break
            time.sleep(0.05)
    finally:
        runner.stop()
    job = store.get_job(ws, user, job_id)
    assert job.state == "failed" and "interrupted" in job.message
    assert store.get_job(ws, user, queued or 0).state == "done"
    with ws.sessions() as s:
        row = s.get(JobRow, job_id)
        assert row is not None and json.loads(row.result) == {}


def test_start_checks_options(ws: Workspace) -> None:
    user = officer(ws)
    for bad in ({"source": " "}, {"acquired_at": "yesterday"}, {"fmt": "nonsense"}):
        with pytest.raises(UserError):
            upload(ws, user, b"abc", **bad)
    with pytest.raises(UserError, match="registered, not ingested"):
        upload(ws, user, b"abc", kind="media", ingest=True)
    assert uploads.safe_name("../../etc/passwd") == "passwd"
    assert uploads.safe_name("C:\\Users\\x\\chat.txt") == "chat.txt"
    assert uploads.safe_name("..") == "upload.bin"


def test_handset_extraction_upload_is_ingested_with_derived_exhibits(ws: Workspace) -> None:
    user = officer(ws)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("report.xml", (UFDR / "report.xml").read_bytes())
        zf.writestr("files/Image/pitch.jpg", b"\xff\xd8\xff\xe0synthetic-jpeg\xff\xd9")
    data = buf.getvalue()
    st = uploads.start_upload(
        ws, user, CASE, "phone.ufdr", len(data), "handset", dataclasses.replace(OPTS, ingest=True)
    )
    half = len(data) // 2
    uploads.write_chunk(ws, user, st.token, 0, data[:half])
    uploads.write_chunk(ws, user, st.token, half, data[half:])
    job_id = uploads.complete_upload(ws, user, st.token).job_id
    assert job_id is not None and run_queued(ws) == 1
    job = store.get_job(ws, user, job_id)
    assert job.state == "done", job.message
    assert job.title.startswith("Register, read and triage phone.ufdr")
    assert len(job.result["derived_exhibits"]) == 1 and job.result["messages"] > 0


@pytest.mark.parametrize(
    ("name", "conversations", "messages"),
    [("cache4.db", 4, 17), ("sms.db", 3, 9), ("arroyo.db", 2, 8)],
)
def test_device_database_upload_is_ingested_as_the_cli_ingests_it(
    ws: Workspace, tmp_path: Path, name: str, conversations: int, messages: int
) -> None:
    """What the browser's upload does with an app database from an extraction: the job finds
    its parser by sniffing, as `vigil ingest` does, and stores the same counts as the format's
    own tests (tests/ingest)."""
    from tests.ingest.app_fixtures import arroyo_db
    from tests.ingest.device_fixtures import ios_sms_db
    from tests.ingest.telegram_cache4_fixture import cache4

    builders = {"cache4.db": cache4, "sms.db": ios_sms_db, "arroyo.db": arroyo_db}
    data = builders[name](tmp_path / name).read_bytes()
    user = officer(ws)
    st = uploads.start_upload(
        ws, user, CASE, name, len(data), "handset", dataclasses.replace(OPTS, ingest=True)
    )
    uploads.write_chunk(ws, user, st.token, 0, data)
    job_id = uploads.complete_upload(ws, user, st.token).job_id
    assert job_id is not None and run_queued(ws) == 1
    job = store.get_job(ws, user, job_id)
    assert job.state == "done", job.message
    assert (job.result["conversations"], job.result["messages"]) == (conversations, messages)
