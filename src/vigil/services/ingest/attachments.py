"""Finding the bytes of attachments that are not zip members, for the ingest's derived exhibits.

A parser that names attachments held somewhere other than a zip member says where through an
optional method (see :mod:`vigil.ingest.formats._attachments`):

* ``attachment_beside(source_path)`` (device databases): the file lies in the extraction the
  database was ingested from, at one of the relative paths it gives. :func:`find_beside` looks
  there, never outside the searched folders and never through a symbolic link;
* ``attachment_bytes(stream, source_path, options)`` (e-mail): the bytes are decoded from the
  stored exhibit itself.

:class:`Resolver` turns either answer into a :class:`Held` (what to register) or a
:class:`NotHeld` (why the attachment stays MISSING), for
:class:`~vigil.services.ingest.store.ConversationWriter`.
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions
from vigil.ingest.formats._attachments import Beside
from vigil.model import Attachment


@dataclass(frozen=True, slots=True)
class Held:
    """An attachment whose bytes were found: a file in the extraction or decoded bytes."""

    key: str
    """Identifies the bytes within this ingest (the same file named twice is registered once)."""
    name: str
    derived_path: str
    source: str
    path: Path | None = None
    data: bytes | None = None

    def open(self) -> BinaryIO:
        """The bytes as a stream (the caller closes it)."""
        if self.path is not None:
            return self.path.open("rb")
        return io.BytesIO(self.data or b"")


@dataclass(frozen=True, slots=True)
class NotHeld:
    """An attachment the source names but does not hold: the reason, for the notes."""

    reason: str


def find_beside(
    original: Path, where: Beside, tops: dict[tuple[tuple[str, ...], int], list[str]] | None = None
) -> Path | None:
    """The first regular file at ``where.path`` below one of ``where.roots`` under the folder of
    ``original`` or its parents (up to ``where.levels``), that is not a symbolic link and does
    not lead outside the folder it was looked for in. ``tops`` caches, per (roots, levels), the
    root folders that exist (an ingest looks up thousands of attachments in the same few
    folders). Paths are handled as strings: this runs once per attachment."""
    key = (where.roots, where.levels)
    found = None if tops is None else tops.get(key)
    if found is None:
        found = _tops(os.path.dirname(os.fspath(original)), where.roots, where.levels)
        if tops is not None:
            tops[key] = found
    for top in found:
        candidate = os.path.join(top, where.path)
        try:
            info = os.lstat(candidate)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and _inside(candidate, top):
            return Path(candidate)
    return None


def _tops(base: str, roots: tuple[str, ...], levels: int) -> list[str]:
    """The folders ``base/root`` (and the same below ``levels`` parents of ``base``, nearest
    first) that exist, are not symbolic links and do not lead out of ``base`` through one."""
    out = []
    for _ in range(levels + 1):
        for root in roots:
            top = os.path.join(base, root) if root else base
            if os.path.isdir(top) and not os.path.islink(top) and _inside(top, base):
                out.append(top)
        parent = os.path.dirname(base)
        if parent == base:
            break
        base = parent
    return out


def _inside(path: str, folder: str) -> bool:
    """Whether ``path``, its links resolved, lies in ``folder`` (its links resolved)."""
    real, top = os.path.realpath(path), os.path.realpath(folder)
    return os.path.commonpath([real, top]) == top


class Resolver:
    """Finds attachments for one ingest through the parser's optional methods."""

    def __init__(
        self,
        parser: Any,
        original: Path | None,
        open_exhibit: Callable[[], BinaryIO],
        options: ParseOptions,
        exhibit_ref: str,
    ) -> None:
        self.beside = getattr(parser, "attachment_beside", None)
        self.extract = getattr(parser, "attachment_bytes", None)
        self.original = original.resolve() if original is not None else None
        self.open_exhibit = open_exhibit
        self.options = options
        self.ref = exhibit_ref
        self._tops: dict[tuple[tuple[str, ...], int], list[str]] = {}

    @property
    def active(self) -> bool:
        """Whether the parser resolves attachments itself (else zip members are used)."""
        return self.beside is not None or self.extract is not None

    def find(self, a: Attachment) -> Held | NotHeld | None:
        """Where ``a``'s bytes are; None when the parser leaves ``a`` to the zip path."""
        if not a.source_path:
            return None
        if self.extract is not None:
            return self._extracted(a, a.source_path)
        if self.beside is None:
            return None
        where: Beside | None = self.beside(a.source_path)
        if where is None:
            return NotHeld(f"{a.source_path!r} is not a path Vigil can look for in an extraction")
        if self.original is None:
            return NotHeld(f"{a.source_path!r}: the database's folder is not known")
        found = find_beside(self.original, where, self._tops)
        if found is None:
            return NotHeld(f"{a.source_path!r} is not in the extraction")
        return Held(
            key=str(found),
            name=found.name,
            derived_path=a.source_path,
            source=f"attachment {a.source_path!r} named by exhibit {self.ref}, found in the "
            f"extraction at {found}",
            path=found,
        )

    def _extracted(self, a: Attachment, where: str) -> Held | NotHeld:
        with self.open_exhibit() as stream:
            try:
                data: bytes = self.extract(stream, where, self.options)  # type: ignore[misc]
            except ParseError as exc:
                return NotHeld(f"{where}: {exc.message}")
        return Held(
            key=where,
            name=a.file_name or where.rsplit(" ", 1)[-1],
            derived_path=where,
            source=f"attachment ({where}) decoded from exhibit {self.ref}",
            data=data,
        )
