"""The CLI end to end through the real `vigil` executable: output, errors and exit codes (the
mistakes one by one through the same entry point in the test's process, tests/clirun.py)."""

from __future__ import annotations

import functools
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import typer
from tests.clirun import child, in_process

from vigil.cli.main import app

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def env_for(home: Path) -> dict[str, str]:
    env = {**os.environ, "VIGIL_HOME": str(home), "VIGIL_USER": "cli.tester", "COLUMNS": "200"}
    env.pop("VIGIL_DATABASE_URL", None)
    return env


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Through the real executable, in a process of its own."""
    return child(args, env_for(home), timeout=120)


def run_here(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The same entry point in this process (tests/clirun.py): no second of start-up per run."""
    return in_process(args, env_for(home))


@functools.cache
def commands() -> list[tuple[str, Any]]:
    """(path, click command) of every command, walked once (building the tree takes a while)."""
    out: list[tuple[str, Any]] = []

    def walk(cmd: Any, path: list[str]) -> None:
        out.append((" ".join(path), cmd))
        for name, sub in sorted((getattr(cmd, "commands", None) or {}).items()):
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), ["vigil"])
    return out


@pytest.mark.parametrize("path", [p for p, _ in commands()])
def test_every_command_has_help_and_is_documented(path: str) -> None:
    cmd = dict(commands())[path]
    assert (cmd.help or "").strip(), f"{path} has no help text"
    if path != "vigil":
        assert f"`{path}`" in DOCS.read_text(), f"{path} is not in docs/cli.md"


def test_help_runs(tmp_path: Path) -> None:
    r = run(tmp_path, "evidence", "add", "--help")
    assert r.returncode == 0
    assert "--acquired-by" in r.stdout


def test_full_cli_flow(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    assert run(home, "admin", "init").returncode == 0
    assert run(home, "case", "create", "OP-CLI", "--title", "CLI test").returncode == 0
    f = tmp_path / "chat.txt"
    f.write_text("hello\n")
    r = run(
        home,
        "evidence",
        "add",
        str(f),
        "--case",
        "OP-CLI",
        "--source",
        "phone",
        "--acquired-by",
        "Jane Smith",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    [added] = json.loads(r.stdout)
    assert added["ref"] == "JS/1" and added["new_exhibit"] is True
    r = run(home, "evidence", "open", "JS/1", "--case", "OP-CLI", "--purpose", "check")
    assert r.returncode == 0 and r.stdout == "hello\n"
    # (these four through the same entry point in this process: no start-up each)
    r = run_here(home, "evidence", "log", "--case", "OP-CLI", "--json")
    actions = [e["action"] for e in json.loads(r.stdout)]
    assert actions[-1] == "view" and "register" in actions
    assert run_here(home, "evidence", "verify").returncode == 0
    bundle = tmp_path / "b.zip"
    r = run_here(home, "evidence", "export", "--case", "OP-CLI", "--out", str(bundle))
    assert r.returncode == 0, r.stderr
    assert run_here(home, "evidence", "verify-bundle", str(bundle)).returncode == 0
    # tamper with the blob: verify exits 1 and names it
    blob = next((home / "evidence" / "blobs").rglob("*"))
    while blob.is_dir():
        blob = next(blob.iterdir())
    os.chmod(blob, 0o644)
    blob.write_text("HELLO\n")
    r = run(home, "evidence", "verify")
    assert r.returncode == 1
    assert "bytes changed" in r.stdout and "JS/1" in r.stdout


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (
            [
                "evidence",
                "add",
                "/no/such/file",
                "--case",
                "OP-E",
                "--source",
                "s",
                "--acquired-by",
                "JS",
            ],
            3,
            "no such file",
        ),
        (["evidence", "list", "--case", "OP-NOPE"], 3, "no case 'OP-NOPE'"),
        (["case", "create", "OP-E", "--title", "x", "--tz", "Mars/Base"], 3, "unknown time zone"),
        (["case", "create", "OP-E", "--title", "x", "--tz", "Europe"], 3, "unknown time zone"),
        (
            [
                "evidence",
                "add",
                "__FILE__",
                "--case",
                "OP-E",
                "--source",
                "s",
                "--acquired-by",
                "JS",
                "--acquired-at",
                "last tuesday",
            ],
            3,
            "bad time",
        ),
        (["evidence", "show", "ZZ/1", "--case", "OP-E"], 3, "no exhibit"),
        (["evidence", "nonsense"], 2, "No such command"),
    ],
)
def test_user_mistakes_get_one_line_and_exit_code(
    tmp_path: Path, args: list[str], code: int, needle: str
) -> None:
    home = tmp_path / "ws"
    run_here(home, "admin", "init")
    run_here(home, "case", "create", "OP-E", "--title", "errors")
    f = tmp_path / "f.txt"
    f.write_text("x")
    r = run_here(home, *[str(f) if a == "__FILE__" else a for a in args])
    assert r.returncode == code, (r.stdout, r.stderr)
    assert needle in r.stderr
    assert "Traceback" not in r.stderr


def test_uninitialised_workspace_message(tmp_path: Path) -> None:
    r = run(tmp_path / "fresh", "case", "list")
    assert r.returncode == 3
    assert "vigil admin init" in r.stderr and "Traceback" not in r.stderr
