"""A real ``vigil serve`` on loopback, and Debian's Chromium, for the browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def vigil_serve(home: Path, user: str) -> Iterator[str]:
    """``vigil serve`` of the SQLite workspace at ``home`` as ``user``; yields its URL once
    the sign-in page answers, and stops it afterwards. Fails the test (with what the server
    printed) if it does not start within a minute."""
    port = free_port()
    env = {**os.environ, "VIGIL_HOME": str(home), "VIGIL_USER": user}
    env.pop("VIGIL_DATABASE_URL", None)
    # the server's output goes to a file, not a pipe: a server that logs much never blocks
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "vigil.cli.main", "serve", "--host", "127.0.0.1",
             "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            yield _started(proc, f"http://127.0.0.1:{port}", log)
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def _started(proc: subprocess.Popen[bytes], url: str, log: IO[bytes]) -> str:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url + "/login", timeout=2).status_code == 200:
                return url
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait(timeout=20)
            log.seek(0)
            pytest.fail(f"vigil serve did not start: {log.read().decode(errors='replace')}")
        time.sleep(0.2)


def sign_in_browser(page: Any, url: str, username: str, password: str, secret: str) -> None:
    """Sign ``page`` in to the server at ``url`` (password, then the TOTP code) and wait for the
    dashboard."""
    from tests.web.seed import totp_code

    page.goto(url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url("**/login/totp**")
    page.fill("input[name=code]", totp_code(secret))
    page.click("main button[type=submit]")
    page.wait_for_url(url + "/")
