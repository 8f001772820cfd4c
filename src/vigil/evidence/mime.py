"""MIME type of registered files: magic bytes first, then the name, then a text check."""

from __future__ import annotations

import mimetypes

import filetype


def guess_mime(head: bytes, name: str) -> str:
    kind = filetype.guess(head) if head else None
    if kind is not None:
        return str(kind.mime)
    by_name, _ = mimetypes.guess_type(name)
    if by_name:
        return by_name
    if head and b"\x00" not in head[:8192]:
        try:
            head[:8192].decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head[:8192]) - 4:
                return "application/octet-stream"
        return "text/plain"
    return "application/octet-stream"
