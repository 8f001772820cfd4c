"""Settings. The only place environment variables are read.

Each setting comes from the keyword given to :class:`Settings`, else from its ``VIGIL_*``
environment variable (``model_dir`` from ``VIGIL_MODEL_DIR``), else its default. Plain
standard library: every command reads these, and a settings framework cost ``vigil scan``
a tenth of a second at start-up.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from vigil.errors import UserError

_PREFIX = "VIGIL_"
_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "off"})
T = TypeVar("T")


def _env(name: str, parse: Callable[[str], T], default: Callable[[], T]) -> Callable[[], T]:
    """A default factory: ``VIGIL_<NAME>`` parsed, else ``default()``."""

    def factory() -> T:
        var = _PREFIX + name.upper()
        raw = os.environ.get(var)
        if raw is None:
            return default()
        try:
            return parse(raw)
        except ValueError as exc:
            raise UserError(
                f"environment variable {var}={raw!r}: {exc}",
                hint=f"correct or unset {var}",
            ) from None

    return factory


def _bool(raw: str) -> bool:
    low = raw.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError("not a yes/no value (use 1/0, true/false, yes/no or on/off)")


def _int(raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise ValueError("not a whole number") from None


def _positive_int(raw: str) -> int:
    value = _int(raw)
    if value < 1:
        raise ValueError("must be 1 or more")
    return value


def _optional_path(raw: str) -> Path | None:
    return Path(raw) if raw.strip() else None


def _optional_str(raw: str) -> str | None:
    return raw if raw.strip() else None


def _module_names(raw: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in raw.split(",") if n.strip())
    for name in names:
        if not all(part.isidentifier() for part in name.split(".")):
            raise ValueError(f"{name!r} is not a module name (use dotted names, comma-separated)")
    return names


def _default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no passwd entry in some containers
        return "local"


def _default_cache_dir() -> Path | None:
    """``$XDG_CACHE_HOME/vigil``, else ``~/.cache/vigil``; None when there is no home folder."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and Path(xdg).is_absolute():  # the XDG spec says to ignore a relative path
        return Path(xdg) / "vigil"
    try:
        return Path.home() / ".cache" / "vigil"
    except RuntimeError:  # pragma: no cover - no HOME and no passwd entry
        return None


def _const(value: T) -> Callable[[], T]:
    return lambda: value


@dataclass(frozen=True)
class Settings:
    """Vigil's configuration, from keywords, else ``VIGIL_*`` environment variables.

    ``home`` holds the SQLite database (unless ``database_url`` points elsewhere), the
    evidence store and the custody-log anchor. An empty optional variable means "not set".
    """

    home: Path = field(default_factory=_env("home", Path, _const(Path("vigil-data"))))
    database_url: str | None = field(
        default_factory=_env("database_url", _optional_str, _const(None))
    )
    user: str = field(default_factory=_env("user", str, _default_user))
    exhibit_ref_template: str = field(
        default_factory=_env("exhibit_ref_template", str, _const("{initials}/{n}"))
    )
    """Police-style exhibit reference: ``{initials}`` of the acquiring officer, ``{n}`` sequence."""
    default_timezone: str = field(
        default_factory=_env("default_timezone", str, _const("Europe/London"))
    )
    hash_chunk_bytes: int = field(
        default_factory=_env("hash_chunk_bytes", _int, _const(4 * 1024 * 1024))
    )
    model_dir: Path | None = field(default_factory=_env("model_dir", _optional_path, _const(None)))
    """A trained model folder (``vigil model train --out``); ``none``: no model."""
    debug: bool = field(default_factory=_env("debug", _bool, _const(False)))
    """Show full tracebacks for internal errors."""
    cache_dir: Path | None = field(
        default_factory=_env("cache_dir", _optional_path, _default_cache_dir)
    )
    """Per-user cache of rebuildable files shared by every workspace (compiled Hyperscan
    databases; never case material). Unwritable: each workspace's ``cache/`` is used."""
    signing_key: Path | None = field(
        default_factory=_env("signing_key", _optional_path, _const(None))
    )
    """The Ed25519 key that signs the custody log's checkpoints (default: ``keys/`` in the
    workspace folder). Kept outside the database: a PostgreSQL deployment keeps it on the
    application server. Made on first use, readable by its owner only."""
    plugins: tuple[str, ...] = field(default_factory=_env("plugins", _module_names, _const(())))
    """Plugin modules to load besides installed ``vigil`` entry points, as comma-separated
    module names (``VIGIL_PLUGINS=unit_hashes,unit_reports``); see docs/plugins.md."""
    max_message_bytes: int = field(
        default_factory=_env("max_message_bytes", _positive_int, _const(1024 * 1024))
    )
    """Longest chat message (or text line) kept whole on ingest; longer ones are cut to this many
    bytes with a note (the exhibit keeps every byte). See docs/ingest.md, "Bounded resources"."""
    max_json_bytes: int = field(
        default_factory=_env("max_json_bytes", _positive_int, _const(256 * 1024 * 1024))
    )
    """Largest whole-file JSON export read on ingest (it is parsed in memory, several times its
    size); a larger one is refused with a clear error."""
    max_archive_ratio: int = field(
        default_factory=_env("max_archive_ratio", _positive_int, _const(100))
    )
    """Most bytes an archive may expand to on ingest, as a multiple of its own size (archives
    expanding to under 64 MiB are always allowed); past it the ingest stops (a zip bomb)."""
    max_image_pixels: int = field(
        default_factory=_env("max_image_pixels", _positive_int, _const(64_000_000))
    )
    """Most pixels an image may be decoded at (checked from its header before decoding; a JPEG
    is checked at the reduced scale it is decoded at); larger images are refused."""

    @property
    def resolved_home(self) -> Path:
        return self.home.expanduser().resolve()

    @property
    def evidence_dir(self) -> Path:
        return self.resolved_home / "evidence"

    @property
    def anchor_path(self) -> Path:
        return self.resolved_home / "custody-anchor.json"

    @property
    def checkpoint_path(self) -> Path:
        """The append-only file of signed custody checkpoints."""
        return self.resolved_home / "custody-checkpoints.jsonl"

    @property
    def signing_key_path(self) -> Path:
        if self.signing_key is not None:
            return self.signing_key.expanduser()
        return self.resolved_home / "keys" / "checkpoint-signing.pem"

    @property
    def url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_home / 'vigil.db'}"


def load_settings() -> Settings:
    """Read settings from the environment."""
    return Settings()
