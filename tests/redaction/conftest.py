"""A case with a synthetic, non-graphic chat captured under a persona, a photo with EXIF, a
disclosure officer and an investigator on the case."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from vigil.db.tables.conversations import ConversationRow
from vigil.db.tables.evidence import Exhibit
from vigil.services.access import as_user
from vigil.services.casework.personas import create_persona
from vigil.services.evidence.exhibits import register_file
from vigil.services.ingest.run import ingest_file
from vigil.services.users import create_user, set_membership
from vigil.services.workspace import Workspace

CASE = "OP-TEST"
PHONE = "07700 900123"
LINES = [
    "Kai: hey how was school",
    "jamie_k13: boring lol",
    "Kai: how old are you btw",
    "jamie_k13: 13",
    "Kai: keep this between us ok",
    f"Kai: my mate Priya Venkataraman says hi, her number is {PHONE}",
    "Kai: do you go to Hollybrook Academy",
    "jamie_k13: yeah Jamie is my name there",
] + [f"{'Kai' if i % 2 else 'jamie_k13'}: ordinary message {i}" for i in range(9, 20)]


@dataclass
class World:
    admin: Workspace
    officer: Workspace
    investigator: Workspace
    conv: int
    photo_ref: str
    chat_ref: str
    tmp: Path


def photo_bytes() -> bytes:
    im = Image.new("RGB", (64, 48), (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCamMaker"
    buf = io.BytesIO()
    im.save(buf, format="JPEG", exif=exif.tobytes(), quality=95)
    return buf.getvalue()


@pytest.fixture()
def world(ws: Workspace, tmp_path: Path) -> World:
    create_persona(ws, "UC-7", "Jamie Kerr", 13, handles=[("whatsapp", "jamie_k13")])
    text = "".join(
        f"[15/01/2025, 10:{i // 60:02d}:{i % 60:02d}] {line}\n" for i, line in enumerate(LINES)
    )
    chat = tmp_path / "chat with Priya Venkataraman.txt"
    chat.write_text(text, encoding="utf-8")
    ingest_file(ws, CASE, chat, persona="UC-7")
    photo = tmp_path / "Hollybrook Academy gates.jpg"
    photo.write_bytes(photo_bytes())
    reg = register_file(ws, CASE, photo, source="seized phone", acquired_by="DC Test")
    for name, role in (("do.officer", "disclosure_officer"), ("inv.one", "investigator")):
        create_user(ws, name, role)
        set_membership(ws, name, CASE, True)
    with ws.sessions() as s:
        conv = s.execute(select(ConversationRow.id)).scalar_one()
        chat_ref = s.execute(
            select(Exhibit.ref).where(Exhibit.mime_type.not_like("image/%"))
        ).scalar_one()
    return World(ws, as_user(ws, "do.officer"), as_user(ws, "inv.one"), conv,
                 reg.exhibit.ref, chat_ref, tmp_path)  # fmt: skip
