"""Redacted transcripts and the redacted bundle: none of the redacted strings anywhere in the
bundle (member bytes, PDF text and metadata, file names, JSON), the manifest records each
redaction, images are black in the boxes with no EXIF, persona identities are gone for the
defence by default, every act is in the custody log, and the originals never change."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from tests.redaction.conftest import CASE, PHONE, World
from vigil.db.tables.evidence import CustodyEntry, Exhibit
from vigil.errors import AccessDenied
from vigil.redaction.images import Box
from vigil.services.redaction.bundle import export_redacted
from vigil.services.redaction.records import add_box, add_phrase, add_span
from vigil.services.transcript import Selection, build, produce

WHY = "disclosure to the defence"
SECRETS = ["Priya", "Venkataraman", PHONE, "Hollybrook", "Jamie", "jamie_k13", "Kerr",
           "SecretCamMaker"]  # fmt: skip


def _redact_all(w: World) -> list[int]:
    msg6 = build(w.officer, CASE, w.conv, "X/1", Selection(ranges=((6, 6),)), WHY).lines[0].text
    a = msg6.index(PHONE)
    return [
        add_span(w.officer, CASE, w.conv, 6, a, a + len(PHONE), "third_party").id,
        add_phrase(w.officer, CASE, "Priya Venkataraman", "third_party").id,
        add_phrase(w.officer, CASE, "Hollybrook", "victim").id,
        add_box(w.officer, CASE, w.photo_ref, Box(8, 4, 20, 16), "victim").id,
    ]


def test_redacted_transcript_markers_annex_and_audiences(world: World) -> None:
    ids = _redact_all(world)
    plain = build(world.officer, CASE, world.conv, "X/2", Selection(), WHY)
    assert PHONE in plain.lines[5].text and "jamie_k13" in plain.participants
    t = build(world.officer, CASE, world.conv, "X/3", Selection(), WHY, "defence")
    line = t.lines[5].text
    assert line == (
        "my mate [REDACTED: third-party personal data] says hi, her number is "
        "[REDACTED: third-party personal data]"
    )
    assert t.lines[7].text == "yeah [REDACTED: persona identity] is my name there"
    assert t.lines[1].sender == "[REDACTED: persona identity]"
    flat = json.dumps([t.participants, t.source_name, t.conversation,
                       [(ln.sender, ln.text) for ln in t.lines]])  # fmt: skip
    assert not [s for s in SECRETS if s.lower() in flat.lower()]
    annex = [(a.about, a.what) for a in t.annex]
    assert ("message 6", f"redaction {ids[0]}: third-party personal data") in annex
    assert ("message 7", f"redaction {ids[2]}: victim identity") in annex
    assert any(w.startswith("persona identity redacted") for _, w in annex)
    assert "redacted for the defence" in t.selection
    cps = build(world.officer, CASE, world.conv, "X/4", Selection(), WHY, "cps")
    assert "jamie_k13" in cps.participants and "Hollybrook" not in cps.lines[6].text
    off = build(world.officer, CASE, world.conv, "X/5", Selection(), WHY, "defence", False)
    assert "jamie_k13" in off.participants


def test_redacted_transcript_file_is_an_exhibit_and_logged(world: World, tmp_path: Path) -> None:
    _redact_all(world)
    out = tmp_path / "R-1.pdf"
    p = produce(world.officer, CASE, world.conv, "DO/1", Selection(), out, WHY, "pdf", "defence")
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "REDACTED" in text and "Venkataraman" not in text and "Priya" not in text
    with world.admin.sessions() as s:
        found = [json.loads(e.details) for e in s.execute(
            select(CustodyEntry).where(CustodyEntry.action == "export")
            .order_by(CustodyEntry.seq)).scalars()]  # fmt: skip
    # the reading (with the redactions used), then the file by its SHA-256; not an exhibit
    assert found[-2]["redacted"] == "defence" and found[-2]["redactions"]
    assert found[-1]["sha256"] == p.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    assert p.exhibit_ref is None


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _blob_hashes(w: World) -> dict[str, str]:
    out = {}
    with w.admin.sessions() as s:
        for ex in s.execute(select(Exhibit)).scalars():
            with w.admin.store.open(ex.blob_sha256) as fh:
                out[ex.ref] = hashlib.sha256(fh.read()).hexdigest()
            assert out[ex.ref] == ex.blob_sha256
    return out


def test_redacted_bundle_holds_none_of_the_redacted_strings(world: World) -> None:
    ids = _redact_all(world)
    before = _blob_hashes(world)
    out = world.tmp / "redacted.zip"
    with pytest.raises(AccessDenied, match="may not disclose"):
        export_redacted(world.investigator, CASE, out, WHY)
    assert not out.exists()
    b = export_redacted(world.officer, CASE, out, WHY)
    members = _members(out)
    texts: list[str] = []
    for name, data in members.items():
        texts.append(name)
        texts.append(data.decode("latin-1"))
        if name.endswith(".pdf"):
            pdf = PdfReader(io.BytesIO(data))
            pages = [p.extract_text() for p in pdf.pages]
            assert "REDACTED" in "".join(pages)  # the text is extractable: the check can fail
            texts += pages + [str(v) for v in (pdf.metadata or {}).values()]
        if name.endswith(".json"):
            texts.append(json.dumps(json.loads(data), ensure_ascii=False))
    found = {s for s in SECRETS for t in texts if s.lower() in t.lower()}
    squashed = "".join("".join(texts).split()).lower()
    found |= {s for s in SECRETS if "".join(s.split()).lower() in squashed}
    assert not found, f"redacted strings in the bundle: {sorted(found)}"
    manifest = json.loads(members["manifest.json"])
    assert [r["id"] for r in manifest["redactions"]] == ids
    assert {r["reason"] for r in manifest["redactions"]} == {"third_party", "victim"}
    assert all(r["used_in"] for r in manifest["redactions"])  # each one changed something
    assert manifest["personas_redacted"] is True and manifest["persona_redactions"] > 0
    files = {f["path"]: f for f in manifest["files"]}
    assert set(files) <= set(members)
    for path, f in files.items():
        assert hashlib.sha256(members[path]).hexdigest() == f["sha256"]
        assert f["source_sha256"] == before[f["source_exhibit"]]
    assert [w["exhibit"] for w in manifest["withheld"]] == [world.chat_ref]
    originals = set(before.values())
    assert not {hashlib.sha256(d).hexdigest() for d in members.values()} & originals
    photo = Image.open(io.BytesIO(members[f"images/{world.photo_ref.replace('/', '-')}.png"]))
    assert not photo.getexif() and "exif" not in photo.info
    assert {photo.getpixel((x, y)) for x in range(8, 28) for y in range(4, 20)} == {(0, 0, 0)}
    assert photo.getpixel((40, 30)) != (0, 0, 0)
    sums = dict(
        reversed(line.split("  ", 1)) for line in members["SHA256SUMS"].decode().splitlines()
    )
    assert all(hashlib.sha256(members[n]).hexdigest() == d for n, d in sums.items())
    assert _blob_hashes(world) == before  # the originals never change
    with world.admin.sessions() as s:
        e = s.get(CustodyEntry, manifest["anchor"]["seq"])
    assert e is not None and e.entry_hash == manifest["anchor"]["entry_hash"]
    details = json.loads(e.details)
    assert details["format"] == "redacted bundle" and details["redactions"] == ids
    assert b.outputs == len(files) == 3


def test_cps_bundle_keeps_persona_names(world: World) -> None:
    _redact_all(world)
    out = world.tmp / "cps.zip"
    export_redacted(world.officer, CASE, out, WHY, audience="cps")
    data = _members(out)[f"conversations/conversation-{world.conv}.json"].decode()
    assert "jamie_k13" in data and "Venkataraman" not in data
