"""Settings. The only place environment variables are read."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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


class Settings(BaseSettings):
    """Vigil's configuration, from ``VIGIL_*`` environment variables.

    ``home`` holds the SQLite database (unless ``database_url`` points elsewhere), the
    evidence store and the custody-log anchor.
    """

    model_config = SettingsConfigDict(env_prefix="VIGIL_", extra="ignore")

    home: Path = Field(default=Path("vigil-data"))
    database_url: str | None = None
    user: str = Field(default_factory=_default_user)
    exhibit_ref_template: str = "{initials}/{n}"
    """Police-style exhibit reference: ``{initials}`` of the acquiring officer, ``{n}`` sequence."""
    default_timezone: str = "Europe/London"
    hash_chunk_bytes: int = 4 * 1024 * 1024
    model_dir: Path | None = None
    """A trained model folder (``vigil model train --out``); without one, indicators alone."""
    debug: bool = False
    """Show full tracebacks for internal errors."""
    cache_dir: Path | None = Field(default_factory=_default_cache_dir)
    """Per-user cache of rebuildable files shared by every workspace (compiled Hyperscan
    databases; never case material). Unwritable: each workspace's ``cache/`` is used."""

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
    def url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_home / 'vigil.db'}"


def load_settings() -> Settings:
    """Read settings from the environment."""
    return Settings()
