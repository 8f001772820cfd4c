"""``vigil review`` end to end on a tiny synthetic case: decisions set, listed and exported;
``vigil model train`` on the export (real training, small data) and ``vigil model evaluate
--against`` the shipped model. The chats are synthetic and non-graphic: grooming cues worded
the way public safeguarding guidance quotes them, and ordinary chat."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from vigil.analysis.learn.bundle import DEFAULT_MODEL_DIR
from vigil.cli.main import app
from vigil.config import Settings
from vigil.db.tables.conversations import ConversationRow
from vigil.db.tables.evidence import CustodyEntry
from vigil.errors import AccessDenied, UserError
from vigil.services.cases import create_case
from vigil.services.ingest.run import ingest_file
from vigil.services.workspace import init_workspace

CASE = "OP-REVIEW"
WHY = "retraining on our reviewed cases"
CUES = [
    "how old are you?",
    "you seem really mature for your age",
    "are your parents home right now?",
    "keep this between us, delete our chats",
    "i can get you a new phone if you want",
    "can we meet on saturday? i'll pick you up",
    "don't tell your mum about me ok",
    "add me on another app, it's more private",
]
ORDINARY = [
    "did you finish the maths homework",
    "training is moved to thursday",
    "the bus was late again today",
    "are you coming to the match on sunday",
    "my brother borrowed my charger",
    "that film was better than the first one",
    "can you send me the science notes",
    "lunch was pizza again",
]


def _chat(path: Path, n: int, lines: list[str]) -> Path:
    start = datetime(2024, 6, 1, 17, 0, tzinfo=UTC) + timedelta(days=n)
    who = [("Sam", "user7001"), ("Robin", "user7002")]
    msgs: list[dict[str, Any]] = []
    for i in range(8):
        name, uid = who[i % 2]
        when = start + timedelta(minutes=5 * i)
        text = lines[(i + n) % len(lines)] if i % 2 == 0 else ORDINARY[(i + 3 * n) % len(ORDINARY)]
        msgs.append({"id": i + 1, "type": "message", "date": when.strftime("%Y-%m-%dT%H:%M:%S"),
                     "date_unixtime": str(int(when.timestamp())), "from": name, "from_id": uid,
                     "text": text})  # fmt: skip
    doc = {"chats": {"list": [{"name": f"Chat {n}", "type": "personal_chat", "id": 7000 + n,
                               "messages": msgs}]}}  # fmt: skip
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    home = tmp_path / "ws"
    ws, _, _ = init_workspace(Settings(home=home, user="cli.tester", database_url=None))
    create_case(ws, CASE, "Review retraining test", None, "UTC")
    for n in range(12):
        lines = CUES if n % 2 == 0 else ORDINARY
        ingest_file(ws, CASE, _chat(tmp_path / f"chat{n}.json", n, lines), fmt="telegram_json")
    return home


def vigil(home: Path, *args: str) -> Any:
    env = {"VIGIL_HOME": str(home), "VIGIL_USER": "cli.tester", "COLUMNS": "200",
           "VIGIL_DATABASE_URL": "", "VIGIL_MODEL_DIR": ""}  # fmt: skip
    r = CliRunner().invoke(app, list(args), env=env)
    return r


def _ids(home: Path) -> list[int]:
    ws, _, _ = init_workspace(Settings(home=home, user="cli.tester", database_url=None))
    with ws.sessions() as s:
        return list(s.execute(select(ConversationRow.id).order_by(ConversationRow.id)).scalars())


def test_review_export_train_and_compare(home: Path, tmp_path: Path) -> None:
    ids = _ids(home)
    for n, conv in enumerate(ids):
        state = "escalate" if n % 2 == 0 else "not relevant"
        r = vigil(home, "review", "set", str(conv), state, "--case", CASE, "--purpose", WHY)
        assert r.exit_code == 0, r.output
        assert f"marked {state}: conversation {conv} ({CASE})" in r.output
    r = vigil(home, "review", "set", str(ids[0]), "escalate", "--message", "6", "--note",
              "meeting proposed", "--case", CASE, "--purpose", WHY)  # fmt: skip
    assert r.exit_code == 0 and f"noted: message #6 of conversation {ids[0]}" in r.output
    assert vigil(home, "review", "tag", str(ids[0]), "meeting plan", "--case", CASE,
                 "--purpose", WHY).exit_code == 0  # fmt: skip
    r = vigil(home, "review", "bookmark", str(ids[0]), "--case", CASE, "--purpose", WHY)
    assert "bookmarked" in r.output
    r = vigil(home, "review", "list", "--case", CASE, "--purpose", WHY, "--json")
    listed = json.loads(r.output)["conversations"]
    assert [c["state"] for c in listed] == ["escalate", "not_relevant"] * 6
    assert listed[0]["tags"] == ["meeting plan"] and listed[0]["bookmarked"]
    assert listed[0]["messages_marked"] == 1 and listed[0]["notes"] == 1
    r = vigil(home, "review", "list", "--case", CASE, "--conversation", str(ids[0]),
              "--purpose", WHY)  # fmt: skip
    assert "“meeting proposed”" in r.output and "message #6" in r.output

    data = tmp_path / "decisions.csv"
    r = vigil(home, "review", "export", "--case", CASE, "--out", str(data), "--purpose", WHY)
    assert r.exit_code == 0, r.output
    assert "wrote 12 conversation(s)" in r.output and "6 escalate, 6 not relevant" in r.output
    ws, _, _ = init_workspace(Settings(home=home, user="cli.tester", database_url=None))
    with ws.sessions() as s:
        entry = s.execute(select(CustodyEntry).where(CustodyEntry.action == "export")).scalar_one()
    assert entry.purpose == WHY and json.loads(entry.details)["conversations"] == ids

    model = tmp_path / "unit-model"
    r = vigil(home, "model", "train", "--data", str(data), "--out", str(model),
              "--test-fraction", "0", "--folds", "2", "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert (model / "model_card.json").is_file()

    r = vigil(home, "model", "evaluate", "--data", str(data), "--model", str(model),
              "--against", str(DEFAULT_MODEL_DIR), "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["data"]["chats"] == 12 and out["data"]["positives"] == 6
    assert out["model"]["trained_on_this_data"] and not out["against"]["trained_on_this_data"]
    for side in ("model", "against"):
        assert 0.0 <= out[side]["roc_auc"] <= 1.0 and 0.0 <= out[side]["average_precision"] <= 1
    assert out["better"] in ("first", "second", None)
    assert any("in-sample" in n for n in out["notes"])
    r = vigil(home, "model", "evaluate", "--data", str(data), "--model", str(model),
              "--against", str(DEFAULT_MODEL_DIR))  # fmt: skip
    assert "ROC-AUC" in r.output and str(DEFAULT_MODEL_DIR) in r.output
    assert "ranks these decisions better" in r.output or "rank these decisions alike" in r.output


def test_review_refuses_without_membership_or_with_a_bad_state(home: Path) -> None:
    conv = _ids(home)[0]
    # (the `vigil` entry point maps these errors to messages and exit codes: tests/cli/test_cli)
    r = vigil(home, "review", "set", str(conv), "guilty", "--case", CASE, "--purpose", WHY)
    assert isinstance(r.exception, UserError) and "unknown review state" in str(r.exception)
    env_other = {"VIGIL_HOME": str(home), "VIGIL_USER": "someone.else", "VIGIL_DATABASE_URL": ""}
    r = CliRunner().invoke(app, ["review", "set", str(conv), "escalate", "--case", CASE,
                                 "--purpose", WHY], env=env_other)  # fmt: skip
    assert isinstance(r.exception, AccessDenied) and "not a member" in str(r.exception)
    r = vigil(home, "review", "export", "--case", CASE, "--out", str(home / "x.csv"),
              "--purpose", WHY)  # fmt: skip
    assert isinstance(r.exception, UserError) and "no decided conversation" in str(r.exception)
    r = vigil(home, "review", "note", str(conv), "a note", "--case", CASE)
    assert r.exit_code == 2 and "--purpose" in r.output  # a purpose is always given
