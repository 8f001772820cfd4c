"""Zipped Messenger / Instagram inbox folders: group ``message_N.json`` by thread folder.

Each thread folder's files are parsed in order (1, 2, ...) and merged. Media ``uri`` values
are matched to zip members by their trailing path components, so the match works whether
the zip starts at ``messages/``, ``inbox/`` or ``your_facebook_activity/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import Limits
from vigil.ingest.formats._jsonsupport import check_json_size
from vigil.ingest.safezip import open_zip, read_member, zip_limits
from vigil.model import AttachmentStatus, Conversation, SkippedRecord

_MEMBER = re.compile(r"^(?P<dir>(?:.*/)?)message_(?P<n>\d+)\.json$")

Resolver = Callable[[str], tuple[AttachmentStatus, str]]
ParseThread = Callable[[bytes, str, str, Resolver], Conversation]
Merge = Callable[[Sequence[Conversation], Sequence[str] | None], Conversation]


def _parts(p: str) -> list[str]:
    return [x for x in p.replace("\\", "/").split("/") if x]


def make_resolver(members: Sequence[str]) -> Resolver:
    """A resolver that finds a ``uri``'s member by the longest common trailing path."""
    by_base: dict[str, list[str]] = {}
    for m in members:
        parts = _parts(m)
        if parts:
            by_base.setdefault(parts[-1], []).append(m)

    def resolve(uri: str) -> tuple[AttachmentStatus, str]:
        want = _parts(uri)
        best, best_len = None, 0
        for cand in by_base.get(want[-1] if want else "", []):
            have, n = _parts(cand), 0
            while n < min(len(have), len(want)) and have[-1 - n] == want[-1 - n]:
                n += 1
            if n > best_len:
                best, best_len = cand, n
        unique = len(by_base.get(want[-1] if want else "", [])) == 1
        if best is not None and (best_len >= 2 or unique):
            return AttachmentStatus.PRESENT, best
        return AttachmentStatus.MISSING, uri

    return resolve


def iter_zip_threads(
    stream: BinaryIO, name: str, parse_thread: ParseThread, merge: Merge, limits: Limits
) -> Iterator[Conversation]:
    """Yield one merged conversation per thread folder holding ``message_N.json`` files; a
    file over the JSON size limit is a skipped record, read no further than its size."""
    zf = open_zip(stream, name, zip_limits(limits))
    members = [i.filename for i in zf.infolist() if not i.is_dir()]
    threads: dict[str, list[tuple[int, str]]] = {}
    for member in members:
        match = _MEMBER.match(member.replace("\\", "/"))
        if match:
            threads.setdefault(match["dir"], []).append((int(match["n"]), member))
    if not threads:
        raise ParseError(
            "the zip holds no message_N.json file",
            file=name,
            expected="a zip of a Messenger or Instagram inbox folder",
        )
    resolve = make_resolver(members)
    with zf:
        for folder in sorted(threads):
            parts, names, failed = [], [], []
            for _n, member in sorted(threads[folder]):
                where = f"{name}: {member}"
                try:
                    check_json_size(zf.getinfo(member).file_size, where, limits.max_json_bytes)
                except ParseError as exc:
                    failed.append(SkippedRecord(member, f"unreadable thread file: {exc.message}"))
                    continue
                raw = read_member(zf, member, name)  # a zip bomb stops the whole file
                try:
                    parts.append(parse_thread(raw, f"{name}: {member}", "", resolve))
                    names.append(member)
                except ParseError as exc:
                    failed.append(SkippedRecord(member, f"unreadable thread file: {exc.message}"))
            if parts:
                conv = merge(parts, names)
            else:
                conv = Conversation(
                    platform="meta", title=None, source_id=folder.rstrip("/") or None
                )
            conv.skipped.extend(failed)
            yield conv
