"""``vigil media`` end to end on benign generated images: some commands through the real
executable, the rest through the same entry point in the test's process (tests/clirun.py)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image
from tests.clirun import child, in_process

from vigil.media.hashers.crypto import crypto_hashes


def run(home: Path, user: str, *args: str, alone: bool = False) -> subprocess.CompletedProcess[str]:
    """``vigil args`` as ``user``: in this process (tests/clirun.py), or with ``alone`` through
    the real executable in a process of its own (the import, the scan and the second
    grader's grade below)."""
    env = {**os.environ, "VIGIL_HOME": str(home), "VIGIL_USER": user, "COLUMNS": "220"}
    env.pop("VIGIL_DATABASE_URL", None)
    return child(args, env) if alone else in_process(args, env)


def ok(r: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def test_media_commands_end_to_end(tmp_path: Path) -> None:
    home, media = tmp_path / "ws", tmp_path / "media"
    media.mkdir()
    rng = np.random.default_rng(5)
    for name in ("a.png", "b.png"):
        blocks = rng.integers(0, 256, size=(12, 12, 3), dtype=np.uint8)
        Image.fromarray(blocks, "RGB").resize((144, 144), Image.Resampling.NEAREST).save(
            media / name
        )
    Image.new("RGB", (64, 64), (30, 30, 30)).save(media / "flat.png")
    md5 = crypto_hashes((media / "a.png").read_bytes()).md5
    lst = tmp_path / "known.csv"
    lst.write_text(f"hash,category,source\n{md5},1,partner\n")

    ok(run(home, "officer.a", "admin", "init"))
    ok(run(home, "officer.a", "case", "create", "OP-MEDIA", "--title", "Media test"))
    r = ok(
        run(
            home,
            "officer.a",
            "media",
            "hashset",
            "import",
            str(lst),
            "--name",
            "known",
            "--format",
            "csv",
            "--source",
            "partner unit",
            "--version",
            "3",
            alone=True,
        )
    )
    assert "1 entries" in r.stdout
    lists = json.loads(ok(run(home, "officer.a", "media", "hashset", "list", "--json")).stdout)
    assert [(x["name"], x["source"], x["version"], x["entries"]) for x in lists] == [
        ("known", "partner unit", "3", 1)
    ]

    rep = json.loads(
        ok(
            run(
                home,
                "officer.a",
                "media",
                "scan",
                str(media),
                "--case",
                "OP-MEDIA",
                "--source",
                "test folder",
                "--json",
                alone=True,
            )
        ).stdout
    )
    assert (rep["items"], rep["exact"], rep["cannot_be_scored"], rep["for_review"]) == (3, 1, 1, 2)
    human = ok(run(home, "officer.a", "media", "match", "--case", "OP-MEDIA")).stdout
    assert "cannot be scored" in human and "new items for review" in human

    found = json.loads(
        ok(run(home, "officer.a", "media", "matches", "--case", "OP-MEDIA", "--json")).stdout
    )["matches"]
    assert {(m["status"], m["method"]) for m in found} == {
        ("match", "exact"),
        ("cannot be scored", "pdq"),
    }
    queue = json.loads(
        ok(run(home, "officer.a", "media", "review", "--case", "OP-MEDIA", "--json")).stdout
    )
    assert len(queue) == 2 and all(q["state"] == "awaiting first grade" for q in queue)
    item = str(queue[0]["item_id"])

    ok(run(home, "officer.a", "media", "grade", item, "--grade", "B"))
    again = run(home, "officer.a", "media", "grade", item, "--grade", "B")
    assert again.returncode != 0 and "different person" in again.stderr + again.stdout
    # the second grader must be on the case like anyone else who sees its material
    refused = run(home, "officer.b", "media", "grade", item, "--grade", "C")
    assert refused.returncode != 0 and "not a member" in refused.stderr + refused.stdout
    ok(run(home, "officer.a", "user", "add", "officer.b", "--role", "investigator",
           "--generate-password", "--member", "OP-MEDIA"))  # fmt: skip
    r = ok(run(home, "officer.b", "media", "grade", item, "--grade", "C", alone=True))
    assert "DISAGREEMENT" in r.stdout
    table = ok(run(home, "officer.a", "media", "review", "--case", "OP-MEDIA")).stdout
    assert "DISAGREEMENT" in table

    thumb = tmp_path / "t.jpg"
    ok(run(home, "officer.a", "media", "thumbnail", item, "--out", str(thumb)))
    assert thumb.read_bytes()[:2] == b"\xff\xd8"
    refused = run(home, "officer.a", "media", "thumbnail", item, "--unblur", "--out", str(thumb))
    assert refused.returncode != 0 and "reason" in refused.stderr + refused.stdout
    ok(
        run(
            home,
            "officer.a",
            "media",
            "thumbnail",
            item,
            "--unblur",
            "--reason",
            "check grading dispute",
            "--out",
            str(thumb),
        )
    )
    log = ok(run(home, "officer.a", "evidence", "log", "--case", "OP-MEDIA", "--json"))
    assert "check grading dispute" in log.stdout

    out = tmp_path / "graded.json"
    r = ok(
        run(
            home, "officer.a", "media", "hashset", "export", "--case", "OP-MEDIA", "--out", str(out)
        )
    )
    assert "@odata.context" in json.loads(out.read_text())
    assert "left out" in r.stderr
