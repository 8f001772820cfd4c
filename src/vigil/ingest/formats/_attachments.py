"""Where an attachment's bytes are, for formats whose attachments are not zip members.

Two kinds of source hold attachments the ingest service can register as derived exhibits
(docs/ingest.md, "Attachments"):

* a **device database** names files by their path on the phone (``~/Library/SMS/Attachments/...``,
  ``/data/user_de/0/com.android.providers.telephony/app_parts/PART_1``, ``Media/WhatsApp
  Images/IMG-1.jpg``). The file is in the extraction only if the extraction holds that folder
  too. A parser describes where to look with :class:`Beside` (paths relative to the folder the
  database was ingested from, or to its parents); the service looks there, registers the file
  it finds, and records the attachment as "not in the extraction" otherwise;
* an **e-mail** holds its attachments as MIME parts: the parser reads a part's bytes back from
  the stored exhibit (``attachment_bytes``).

A parser opts in by defining ``attachment_beside(source_path) -> Beside | None`` or
``attachment_bytes(stream, source_path, options) -> bytes``; both are optional, and parsers
without them keep the zip-member behaviour. Everything here is pure: no file is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True, slots=True)
class Beside:
    """Where to look for a database's attachment in the extraction holding the database.

    ``path`` is tried below each of ``roots`` (folders that may not exist), below the
    database's own folder and then each of its parents up to ``levels`` folders up (nearest
    first); the first regular file found is the attachment. ``path`` and ``roots`` are relative
    and clean (no ``..``, see :func:`clean`), so nothing outside the searched folders can be
    named by the database's contents.
    """

    path: str
    roots: tuple[str, ...] = ("",)
    levels: int = 0


def clean(parts: list[str]) -> str | None:
    """``parts`` joined as a relative POSIX path, or None when any is empty, ``.``, ``..``
    or holds a separator or NUL (a path from a database is untrusted input)."""
    if not parts:
        return None
    for p in parts:
        if p in ("", ".", "..") or "/" in p or "\\" in p or "\x00" in p:
            return None
    return "/".join(parts)


def after(device_path: str, anchor: str) -> str | None:
    """The clean part of ``device_path`` after the folder ``anchor`` (e.g. ``Library/SMS``),
    matched as whole path components; None when the path has no such folder or is unsafe."""
    parts = [p for p in PurePosixPath(device_path.replace("\\", "/")).parts if p != "/"]
    want = anchor.strip("/").split("/")
    n = len(want)
    for i in range(len(parts) - n, -1, -1):
        if parts[i : i + n] == want:
            return clean(parts[i + n :])
    return None


def relative(device_path: str) -> str | None:
    """A relative ``device_path`` as given, cleaned (None when absolute or unsafe)."""
    text = device_path.replace("\\", "/")
    if text.startswith(("/", "~")):
        return None
    return clean(text.split("/"))
