"""Running the ``vigil`` command line from tests, two ways, with the same result type.

:func:`child` runs ``python -m vigil.cli.main`` in a process of its own: the real start-up,
environment and exit status. Each run costs a second or more, most of it imports.

:func:`in_process` calls the same :func:`vigil.cli.main.run` in the test's own process (argument
parsing, the command, and ``vigil.cli.guard`` turning typed errors into one line and an exit
code), with the environment, standard streams and console width the child would have. A flow
of many commands uses it for most steps; every command family keeps at least one test whose
commands go through :func:`child`.

:class:`Session` is a process of its own that runs several commands one after another, each as
:func:`in_process` runs it: what is read at start-up (``VIGIL_PLUGINS``, the choices offered in
``--help``) is read from the session's environment by a fresh interpreter, and the start-up is
paid once.
"""

from __future__ import annotations

import io
import json
import os
import select
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

VIGIL = [sys.executable, "-m", "vigil.cli.main"]
REPO = Path(__file__).resolve().parents[1]
Result = subprocess.CompletedProcess[str]


def child(args: Sequence[str], env: Mapping[str, str], timeout: float = 300) -> Result:
    """``vigil args`` in a new process with exactly ``env``."""
    return subprocess.run(
        [*VIGIL, *args], capture_output=True, text=True, env=dict(env), timeout=timeout
    )


def in_process(args: Sequence[str], env: Mapping[str, str]) -> Result:
    """``vigil args`` run here, as :func:`child` would run it: ``os.environ`` is exactly
    ``env`` meanwhile, standard input is empty, and what the command writes to standard output
    and error (text, bytes, or through the rich consoles) comes back in the result."""
    from vigil.cli.main import run

    out, err = _stream(), _stream()
    code = 0
    with _environment(env), _consoles(), _streams(out, err):
        try:
            run(list(args))
        except SystemExit as exc:
            code = _exit_status(exc.code, err)
    return subprocess.CompletedProcess([*VIGIL, *args], code, _text(out), _text(err))


def _stream() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    raw = stream.buffer
    assert isinstance(raw, io.BytesIO)
    return raw.getvalue().decode("utf-8").replace("\r\n", "\n")


def _exit_status(code: Any, err: io.TextIOWrapper) -> int:
    """What a process's exit status would be after ``sys.exit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=err)
    return 1


@contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def _consoles() -> Iterator[None]:
    """The CLI's rich consoles take their width from ``COLUMNS`` when made; a new process makes
    them with the command's environment, so here they are told to read it again."""
    from vigil.cli.common import console, err

    saved = [(c, c._width) for c in (console, err)]
    try:
        for c, _ in saved:
            c._width = None  # (None: rich reads COLUMNS on every print)
        yield
    finally:
        for c, width in saved:
            c._width = width


@contextmanager
def _streams(out: io.TextIOWrapper, err: io.TextIOWrapper) -> Iterator[None]:
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(""), out, err
    try:
        yield
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved


class Session:
    """A Python process of its own with ``env`` that runs ``vigil`` commands sent to it, one
    at a time, through :func:`in_process` (``python -m tests.clirun``). Use it as a context
    manager; :meth:`run` gives what :func:`child` would."""

    def __init__(self, env: Mapping[str, str], timeout: float = 300) -> None:
        path = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.clirun"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**env, "PYTHONPATH": path},
        )
        self._timeout = timeout

    def run(self, *args: str) -> Result:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(json.dumps(list(args)) + "\n")
        self._proc.stdin.flush()
        ready, _, _ = select.select([self._proc.stdout], [], [], self._timeout)
        if not ready:
            self._proc.kill()
            raise AssertionError(f"vigil {list(args)} gave no answer in {self._timeout} s")
        line = self._proc.stdout.readline()  # (one reply per request: nothing is read ahead)
        assert line, f"the vigil session ended (status {self._proc.poll()}) on {list(args)}"
        code, out, err = json.loads(line)
        return subprocess.CompletedProcess([*VIGIL, *args], code, out, err)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        try:
            self._proc.wait(timeout=self._timeout)
        finally:
            if self._proc.poll() is None:
                self._proc.kill()
                self._proc.wait()


def _serve(requests: IO[str], replies: IO[str]) -> None:
    """The loop of a :class:`Session`'s process: one JSON list of arguments in, one JSON
    ``[status, stdout, stderr]`` out, per line."""
    for line in requests:
        r = in_process(json.loads(line), dict(os.environ))
        replies.write(json.dumps([r.returncode, r.stdout, r.stderr]) + "\n")
        replies.flush()


if __name__ == "__main__":
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever else writes to file 1 (a worker process) cannot garble a reply
    _serve(sys.stdin, replies)
