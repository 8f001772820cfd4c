"""`make team`'s script end to end, in its local mode: PostgreSQL, `vigil serve`, nginx with TLS.

The script (deploy/team.sh) starts a PostgreSQL cluster of its own under a data folder, migrates
it, starts `vigil serve` on loopback and a private nginx in front of it with a self-signed
certificate; these tests go through the proxy as a browser would, then stop everything.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import ssl
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import pgmode

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "deploy" / "team.sh"

pytestmark = [
    pytest.mark.slow,  # starts PostgreSQL, vigil and nginx, twice: minutes on a busy machine
    pytest.mark.skipif(
        not Path("/usr/sbin/nginx").exists() or shutil.which("openssl") is None,
        reason="nginx or openssl not installed (make test installs them)",
    ),
    pytest.mark.skipif(
        not any(Path("/usr/lib/postgresql").glob("*/bin/initdb")),
        reason="PostgreSQL binaries not installed (make test installs them)",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Team:
    data: Path
    port: int
    env: dict[str, str]
    started: str = ""
    """What ``start`` printed."""

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(SCRIPT), *args, "--local", "--data", str(self.data)],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=600,
            check=False,
        )

    def tls(self) -> ssl.SSLContext:
        """Trusts exactly the certificate the script made (and checks the name against it)."""
        return ssl.create_default_context(cafile=str(self.data / "tls" / "cert.pem"))

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None
    ) -> http.client.HTTPResponse:
        conn = http.client.HTTPSConnection("localhost", self.port, context=self.tls(), timeout=60)
        conn.request(method, path, headers=headers or {})
        return conn.getresponse()


@pytest.fixture(scope="module")
def team() -> Iterator[Team]:
    """The team server started by the script under a temporary data folder; stopped after."""
    # as root the script runs PostgreSQL as `postgres`, which must reach the folder: pytest's
    # own temporary folders are private to root, so this one is made beside them
    root = Path(tempfile.mkdtemp(prefix="vigil-team-"))
    root.chmod(0o711)
    data = root / "team-data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIGIL_", "TEAM_"))}
    env.pop("PYTHONPATH", None)  # not the test suite's PostgreSQL switch (tests/pgmode.py)
    assert pgmode.SERVER_ENV not in env
    port = _free_port()
    env.update(TEAM_PORT=str(port), TEAM_SERVER_NAME="localhost", TEAM_ADMIN="team.admin")
    t = Team(data, port, env)
    started = t.run("start")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        t.started = started.stdout
        yield t
    finally:
        t.run("stop")
        shutil.rmtree(root, ignore_errors=True)


def test_start_prints_the_url_and_the_first_administrator_step(team: Team) -> None:
    out = team.started
    assert f"https://localhost:{team.port}/" in out
    assert "user passwd team.admin --generate-password" in out
    assert "lead for a trained person, never a verdict" in out


def test_sign_in_page_through_the_proxy_over_tls(team: Team) -> None:
    r = team.request("GET", "/login")
    assert r.status == 200
    assert r.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains"
    cookie = r.getheader("Set-Cookie") or ""
    assert "Secure" in cookie  # Vigil believed the proxy's X-Forwarded-Proto: https
    assert b"Sign in" in r.read()


def test_plain_http_is_not_served_on_the_tls_port(team: Team) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", team.port, timeout=30)
    conn.request("GET", "/login")
    assert conn.getresponse().status == 400  # nginx: "plain HTTP request sent to HTTPS port"


def test_the_app_listens_on_loopback_only(team: Team) -> None:
    app_port = int((team.data / "vigil.port").read_text())
    ss = subprocess.run(["ss", "-Hltn", f"sport = :{app_port}"], capture_output=True, text=True)
    if ss.returncode != 0:
        pytest.skip("ss not available")
    listening = {line.split()[3] for line in ss.stdout.splitlines() if line.strip()}
    assert listening == {f"127.0.0.1:{app_port}"}


def test_bodies_larger_than_an_upload_chunk_are_refused_by_the_proxy(team: Team) -> None:
    # 64 MiB is the largest upload chunk Vigil takes; nginx refuses more from the header alone
    too_big = team.request("PUT", "/api/v1/uploads/x?offset=0", {"Content-Length": "67108865"})
    assert too_big.status == 413
    fits = team.request("PUT", "/api/v1/uploads/x?offset=0", {"Content-Length": "0"})
    assert fits.status != 413  # reaches Vigil, which asks who is calling


def _vigil(team: Team, *args: str) -> subprocess.CompletedProcess[str]:
    """A ``vigil`` command with the team server's configuration (its ``vigil.env``)."""
    env = {**team.env, "VIGIL_USER": "team.admin"}
    for line in (team.data / "vigil.env").read_text().splitlines():
        if line.startswith("VIGIL_"):
            key, _, value = line.partition("=")
            env[key] = value
    assert env["VIGIL_DATABASE_URL"].startswith("postgresql://vigil@/vigil?host=")
    vigil = str(REPO / ".venv" / "bin" / "vigil")
    return subprocess.run([vigil, *args], capture_output=True, text=True, env=env, timeout=300)


def test_the_workspace_is_on_postgresql_with_the_administrator(team: Team) -> None:
    listed = _vigil(team, "user", "list")
    assert listed.returncode == 0, listed.stderr
    assert "team.admin" in listed.stdout and "administrator" in listed.stdout
    assert not list((team.data / "workspace").glob("*.db"))  # no SQLite file beside it


def test_the_documented_backup_runs_against_the_team_database(team: Team) -> None:
    out = team.data.parent / "backup.tar.gz"
    made = _vigil(team, "admin", "backup", "--out", str(out))
    assert made.returncode == 0, made.stderr
    with tarfile.open(out) as tar:
        names = tar.getnames()
    assert names[0] == "manifest.json" and "database/vigil.pgdump" in names


def test_stop_then_start_again_keeps_the_data(team: Team) -> None:
    stopped = team.run("stop")
    assert stopped.returncode == 0, stopped.stderr
    status = team.run("status")
    assert status.returncode == 3 and "PostgreSQL: stopped" in status.stdout
    with pytest.raises(OSError):
        team.request("GET", "/login")
    again = team.run("start")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "creating a PostgreSQL cluster" not in again.stdout  # the same cluster, kept
    assert team.request("GET", "/login").status == 200
    assert team.run("status").returncode == 0
