"""The test suite on PostgreSQL: every test workspace gets its own PostgreSQL database.

``VIGIL_TEST_DB=postgresql`` (``make test-pg``) turns this on. ``tests/conftest.py`` starts one
throw-away server per pytest process (``tests/pg.py``), migrates a template database once, and
calls :func:`install`. From then on:

- a :class:`vigil.config.Settings` without a database URL (a test's ``Settings(home=...)``, or
  ``VIGIL_HOME`` alone) names a PostgreSQL database of its own instead of ``home/vigil.db``:
  ``w_`` and a digest of the resolved home folder, so the same folder always means the same
  database, in this process and in the ``vigil`` processes tests start;
- the database is created when an engine is first made for it (empty, as a new SQLite file
  is), and when the schema is first upgraded it is replaced by a copy of the migrated template
  (``CREATE DATABASE ... TEMPLATE``: milliseconds, where running every migration takes seconds).
  The upgrade then reports "from nothing", as on a new workspace;
- a workspace folder copied by a test (``shutil.copytree``, as SQLite workspaces may be) gets
  a copy of the original's database: :data:`MARKER` in the folder names it;
- every such database is recorded with its home folder (table ``vigil_test_homes`` in the
  server's ``postgres`` database) so that the fixtures can drop a test's databases with its
  ``tmp_path``.

The ``vigil`` processes tests start inherit the switch through the environment
(:data:`SERVER_ENV`, :data:`TEMPLATE_ENV`) and ``tests/pgsite/sitecustomize.py`` on
``PYTHONPATH``, which loads this file by path and calls :func:`install`. Only the standard
library is imported here at start-up; Vigil's modules are patched as they are first imported,
so other Python processes pay nothing.

Tests about SQLite itself are marked ``sqlite_only`` (with a reason) and skipped in this mode.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.abc
import importlib.machinery
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

SWITCH_ENV = "VIGIL_TEST_DB"
SERVER_ENV = "VIGIL_TEST_PG_SERVER"
TEMPLATE_ENV = "VIGIL_TEST_PG_TEMPLATE"
PREFIX = "w_"
REGISTRY = "vigil_test_homes"
MARKER = ".vigil-test-pg"
"""Written in a workspace folder when its database is initialised: the database's name."""
SITE_DIR = Path(__file__).resolve().parent / "pgsite"

_HOMES: dict[str, str] = {}
"""Database name -> the home folder it stands for (filled as Settings are made)."""
_MADE: set[str] = set()
"""Databases this process has made sure exist (and registered)."""


def enabled() -> bool:
    """True when the suite is asked to run on PostgreSQL (``VIGIL_TEST_DB=postgresql``)."""
    return os.environ.get(SWITCH_ENV, "sqlite").strip().lower() in {"postgresql", "postgres", "pg"}


def database_name(home: Path) -> str:
    """The database that stands for the workspace folder ``home`` (already resolved)."""
    return PREFIX + hashlib.sha256(str(home).encode()).hexdigest()[:24]


def _server() -> str:
    return os.environ[SERVER_ENV]


def _base(server: str) -> str:
    return server.rsplit("/", 1)[0]


def _ours(url: str) -> str | None:
    """The database name when ``url`` is one of this mode's workspace databases."""
    server = os.environ.get(SERVER_ENV)
    if not server or not isinstance(url, str):
        return None
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    base, _, name = plain.rpartition("/")
    if base == _base(server) and name.startswith(PREFIX):
        return name
    return None


def _admin(sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
    """Run one statement on the server's ``postgres`` database, outside a transaction."""
    import psycopg

    with psycopg.connect(_server(), autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return list(cur.fetchall()) if cur.description else []


def _exists(name: str) -> bool:
    return bool(_admin("SELECT 1 FROM pg_database WHERE datname = %s", (name,)))


def _create(name: str, template: str) -> None:
    """Create ``name`` from ``template``; another process having made it first is fine."""
    import psycopg

    with contextlib.suppress(psycopg.errors.DuplicateDatabase):
        _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')


def prepare_server(template: str) -> None:
    """Make the registry of workspace databases (once per server)."""
    _admin(f"CREATE TABLE IF NOT EXISTS {REGISTRY} (name text PRIMARY KEY, home text NOT NULL)")
    os.environ[TEMPLATE_ENV] = template


def drop_under(folder: Path) -> int:
    """Drop every workspace database whose home lies in ``folder``; returns how many."""
    prefix = str(folder.resolve()) + os.sep
    rows = _admin(f"SELECT name FROM {REGISTRY} WHERE starts_with(home, %s)", (prefix,))
    for (name,) in rows:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(f"DELETE FROM {REGISTRY} WHERE name = %s", (name,))
        _MADE.discard(name)
    return len(rows)


# The patches --------------------------------------------------------------------------------


def _patch_config(module: ModuleType) -> None:
    settings_cls = module.Settings
    if getattr(settings_cls, "_vigil_test_pg", False):
        return
    original = settings_cls.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if self.database_url is None and os.environ.get(SERVER_ENV):
            home = self.resolved_home
            url = f"{_base(_server())}/{database_name(home)}"
            object.__setattr__(self, "database_url", url)
        name = _ours(self.database_url or "")
        if name is not None:
            _HOMES.setdefault(name, str(self.resolved_home))

    settings_cls.__init__ = __init__
    settings_cls._vigil_test_pg = True


def _copied_from(name: str) -> str | None:
    """The database of the workspace ``name``'s folder was copied from, if any.

    On SQLite a workspace is a folder, and a test may copy one (``shutil.copytree``) to start
    from a prepared state; its :data:`MARKER` names the database of the original, which is then
    copied too (``CREATE DATABASE ... TEMPLATE``, after closing the original's connections:
    their pools reconnect)."""
    home = _HOMES.get(name)
    marker = Path(home) / MARKER if home is not None else None
    if marker is None or not marker.is_file():
        return None
    source = marker.read_text().strip()
    if source == name or not source.startswith(PREFIX) or not _exists(source):
        return None
    _admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()",
        (source,),
    )
    return source


def _register(name: str) -> None:
    # the home folder is not in the URL: it is known from the Settings that named it
    home = _HOMES.get(name)
    if home is not None:
        _admin(
            f"INSERT INTO {REGISTRY} (name, home) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (name, home),
        )


def _patch_session(module: ModuleType) -> None:
    if getattr(module, "_vigil_test_pg", False):
        return
    make_engine: Callable[[str], Any] = module.make_engine
    upgrade: Callable[[Any], tuple[str | None, str | None]] = module.upgrade

    def patched_make_engine(url: str) -> Any:
        name = _ours(url)
        if name is not None and name not in _MADE:
            if not _exists(name):
                _create(name, _copied_from(name) or "template0")
            _register(name)
            _MADE.add(name)
        return make_engine(url)

    def patched_upgrade(engine: Any) -> tuple[str | None, str | None]:
        name = _ours(engine.url.render_as_string(hide_password=False))
        if name is None or module.current_revision(engine) is not None:
            return upgrade(engine)
        engine.dispose()
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _create(name, os.environ[TEMPLATE_ENV])
        _, after = upgrade(engine)  # nothing to do unless the template lags
        home = _HOMES.get(name)
        if home is not None:  # (init makes the folder anyway, for the evidence store)
            Path(home).mkdir(parents=True, exist_ok=True)
            (Path(home) / MARKER).write_text(name)
        return None, after

    setattr(module, "make_engine", patched_make_engine)  # noqa: B010 (a module, patched)
    setattr(module, "upgrade", patched_upgrade)  # noqa: B010
    setattr(module, "_vigil_test_pg", True)  # noqa: B010


PATCHES: dict[str, list[Callable[[ModuleType], None]]] = {
    "vigil.config": [_patch_config],
    "vigil.db.session": [_patch_session],
}


class _AfterImport(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Patches a module of :data:`PATCHES` as soon as it has been executed."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in PATCHES:
            return None
        for finder in sys.meta_path:
            if finder is self:
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _Wrapped(spec.loader, PATCHES[fullname])
                return spec
        return None


class _Wrapped(importlib.abc.Loader):
    def __init__(self, inner: importlib.abc.Loader, patches: list[Callable[[ModuleType], None]]):
        self.inner = inner
        self.patches = patches

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.inner.exec_module(module)
        for patch in self.patches:
            patch(module)


_INSTALLED: list[bool] = []


def install() -> None:
    """Patch Vigil's settings and engine factory in this process (now or when imported)."""
    if _INSTALLED:
        return
    _INSTALLED.append(True)
    for name, patches in PATCHES.items():
        module = sys.modules.get(name)
        if module is not None:
            for patch in patches:
                patch(module)
    sys.meta_path.insert(0, _AfterImport())
