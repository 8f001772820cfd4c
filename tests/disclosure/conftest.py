"""Disclosure fixtures: case OP-TEST holding one of each kind of item (a registered file, an
ingested synthetic chat and its conversation, a review note, a capture session with an
imported screenshot and a note), a disclosure officer on the case, and other roles on it."""

from __future__ import annotations

import io
import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from tests.web.seed import write_chat
from vigil.config import Settings
from vigil.services.access import as_user
from vigil.services.capture import record, sessions
from vigil.services.cases import create_case
from vigil.services.casework.authorisations import grant_authorisation
from vigil.services.casework.personas import create_persona
from vigil.services.casework.units import create_unit
from vigil.services.evidence.exhibits import register_stream
from vigil.services.ingest.run import ingest_file
from vigil.services.review.decide import decide as review
from vigil.services.review.model import Change
from vigil.services.users import create_user, set_membership
from vigil.services.workspace import Workspace, init_workspace, open_workspace

CASE = "OP-TEST"
OFFICER = "disc.officer"
ROLES = {"invest.igator": "investigator", "ana.lyst": "analyst", "super.visor": "supervisor"}


def _png(path: Path) -> Path:
    Image.new("RGB", (64, 48), (30, 120, 200)).save(path)  # a benign, generated image
    return path


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The case built once per test session; each test gets a copy (:func:`case_ws`)."""
    root = tmp_path_factory.mktemp("disclosure")
    ws, _, _ = init_workspace(Settings(home=root / "ws", user="tester", database_url=None))
    create_case(ws, CASE, "Test operation", "Test unit", "Europe/London")
    _fill(ws, root)
    return root / "ws"


@pytest.fixture()
def case_ws(template: Path, tmp_path: Path) -> Workspace:
    """A copy of OP-TEST with items of every kind, acting as the administrator ``tester``."""
    home = tmp_path / "ws"
    shutil.copytree(template, home)
    return open_workspace(Settings(home=home, user="tester", database_url=None))


def _fill(ws: Workspace, tmp_path: Path) -> None:
    create_user(ws, OFFICER, "disclosure_officer", "Dana Officer")
    set_membership(ws, OFFICER, CASE, True)
    for name, role in ROLES.items():
        create_user(ws, name, role)
        set_membership(ws, name, CASE, True)
    register_stream(ws, CASE, io.BytesIO(b"force system incident log, synthetic"),
                    original_name="incident-log.txt", original_path=None,
                    source="force system", acquired_by="Sam Example")  # fmt: skip
    chat = write_chat(tmp_path / "chat.json")
    ingest_file(ws, CASE, chat, fmt="telegram_json")
    from sqlalchemy import select

    from vigil.db.tables.conversations import ConversationRow

    with ws.sessions() as s:
        conv = s.execute(select(ConversationRow.id)).scalars().first()
    assert conv is not None
    review(ws, CASE, conv, Change(note="check the meeting plan"), purpose="disclosure tests")
    create_unit(ws, "R01", "Region one", "region")
    create_persona(ws, "P-1", "Kalomi", 13, "R01", handles=[("chatsite", "kalomi_13")])
    grant_authorisation(ws, "A-1", "P-1", "relevant_source", "Supt X", "superintendent",
                        ws.now() - timedelta(days=1))  # fmt: skip
    officer = as_user(ws, "invest.igator")
    sessions.start_session(officer, CASE, "P-1", "chatsite")
    record.import_files(officer, [_png(tmp_path / "screen.png")])
    sessions.add_note(officer, "persona opened the chat site")
    sessions.stop_session(officer)


def officer(ws: Workspace) -> Workspace:
    return as_user(ws, OFFICER)


def details(raw: str) -> dict[str, object]:
    d = json.loads(raw)
    assert isinstance(d, dict)
    return d
