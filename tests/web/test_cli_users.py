"""`vigil user ...` and `vigil serve` from the command line: some commands through the real
executable, the rest through the same entry point in the test's process (tests/clirun.py)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pyotp

from tests.clirun import VIGIL, child, in_process
from vigil.config import Settings
from vigil.services import users
from vigil.services.workspace import open_workspace


def run(
    home: Path, *args: str, user: str = "cli.admin", alone: bool = False
) -> subprocess.CompletedProcess[str]:
    """``vigil args``: in this process (tests/clirun.py), or with ``alone`` through the real
    executable in a process of its own (adding an account, and a refusal, below)."""
    env = {**os.environ, "VIGIL_HOME": str(home), "VIGIL_USER": user, "COLUMNS": "200"}
    env.pop("VIGIL_DATABASE_URL", None)
    return child(args, env, timeout=120) if alone else in_process(args, env)


def test_user_commands(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    assert run(home, "admin", "init").returncode == 0
    assert run(home, "case", "create", "OP-CLI", "--title", "CLI case").returncode == 0
    r = run(home, "user", "add", "dana", "--role", "disclosure officer", "--generate-password",
            "--member", "OP-CLI", "--totp", alone=True)  # fmt: skip
    assert r.returncode == 0, r.stderr
    password = re.search(r"password: (\S+)", r.stdout).group(1)  # type: ignore[union-attr]
    secret = re.search(r"TOTP key: ([A-Z2-7]+)", r.stdout).group(1)  # type: ignore[union-attr]
    ws = open_workspace(Settings(home=home, user="cli.admin"))
    principal, outcome = users.check_password(ws, "dana", password, None)
    assert outcome == "ok" and principal is not None and principal.role == "disclosure_officer"
    assert users.check_totp(ws, principal.user_id, pyotp.TOTP(secret).now(), None) == "ok"
    listing = run(home, "user", "list").stdout
    assert re.search(r"dana\s+disclosure officer\s+totp\s+active\s+OP-CLI", listing), listing
    assert run(home, "user", "member", "dana", "OP-CLI", "--remove").returncode == 0
    assert run(home, "user", "role", "dana", "analyst").returncode == 0
    assert '"cases": []' in run(home, "user", "list", "--json").stdout
    tok = run(home, "user", "token", "dana", "--name", "notebook")
    assert tok.returncode == 0 and re.search(r"vgl_\S{20,}", tok.stdout)
    # a user who is not an administrator cannot manage accounts
    denied = run(
        home,
        "user",
        "add",
        "eve",
        "--role",
        "administrator",
        "--password",
        "a long enough pass",
        user="dana",
        alone=True,
    )
    assert denied.returncode == 5 and "not an administrator" in denied.stderr
    bad = run(home, "user", "add", "frank", "--role", "wizard", "--password", "a long enough pass")
    assert bad.returncode == 3 and "unknown role" in bad.stderr


def test_demo_sign_in(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    run(home, "admin", "init")
    run(home, "case", "create", "OP-DEMO", "--title", "Demo")
    r = run(home, "user", "demo", "demo", "--member", "OP-DEMO")
    assert r.returncode == 0, r.stderr
    m = re.search(r"user: demo\s+password: (\S+)", r.stdout)
    assert m
    ws = open_workspace(Settings(home=home, user="cli.admin"))
    assert users.check_password(ws, "demo", m.group(1), None)[1] == "ok"
    assert users.show_user(ws, "demo").cases == ["OP-DEMO"]


def test_serve_help() -> None:
    r = subprocess.run([*VIGIL, "serve", "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "--host" in r.stdout and "127.0.0.1" in r.stdout
