"""Discord's own data package ("Request all of my data"): the zip Discord sends, or one of its
channel files on its own.

Layout: ``account/user.json`` (the package owner), ``messages/index.json`` (channel id →
"Direct Message with …" / "general in Server"), and per channel ``messages/c<ID>/channel.json``
with ``messages.csv`` (columns ``ID,Timestamp,Contents,Attachments``) or, since 2024,
``messages.json`` (an array of objects with those keys). Older packages name the folders
without the ``c``. Each channel becomes one conversation, titled from ``index.json`` (else
``channel.json``), with Discord's channel id as its ``source_id``.

Only the package owner's own messages are in a package: every message's sender is the owner
(the account in ``account/user.json``, else the placeholder ``package owner``), and the notes
say that the other side is missing. A DM's other members (``recipients`` in ``channel.json``) are
listed as participants by id. Times are read as UTC where they carry no offset, with a note.
Messages are given oldest first (the package lists them newest first). A channel file that
cannot be read is a skipped record of its conversation; a bad row is a skipped record too.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from vigil.errors import ParseError
from vigil.ingest.base import Limits, ParseOptions, Sniff
from vigil.ingest.formats._jsonsupport import as_str, check_json_size, loads_json, parse_iso
from vigil.ingest.formats.discord_csv import _text_lines
from vigil.ingest.formats.discord_json import PLATFORM, attachment
from vigil.ingest.safezip import open_zip, read_member, zip_limits
from vigil.model import Conversation, Message, Participant, SkippedRecord

EXPECTED = (
    "a Discord data package (messages/c<ID>/messages.csv or messages.json with ID, Timestamp, "
    "Contents, Attachments) or one of its channel files"
)
OWNER = "package owner"
_UTC = ZoneInfo("UTC")
_CHANNEL_FILE = re.compile(r"^(?P<dir>(?:.*/)?messages/c?(?P<id>\d+)/)(?P<file>[^/]+)$")
_LOOSE_FILE = re.compile(r"(?:^|/)(?:messages/c?|c)(?P<id>\d+)/[^/]+$")
_HEAD_MEMBER = re.compile(
    rb"messages/(?:index\.json|c?\d+/(?:channel\.json|messages\.(?:csv|json)))"
)
_CSV_HEADER = re.compile(rb"^(?:\xef\xbb\xbf)?ID,Timestamp,Contents,Attachments\r?\n")
_JSON_HEAD = re.compile(rb'^(?:\xef\xbb\xbf)?\s*\[\s*\{\s*"ID"\s*:')
_CELL_KEYS = ("ID", "Timestamp", "Contents", "Attachments")


@dataclass(slots=True)
class _Owner:
    pid: str
    name: str | None
    note: str


def _owner(data: Any) -> _Owner:
    if isinstance(data, dict) and as_str(data.get("id")):
        pid = str(data["id"])
        name = as_str(data.get("global_name")) or as_str(data.get("username"))
        return _Owner(pid, name, f"the account in account/user.json ({name or '?'}, id {pid})")
    return _Owner(OWNER, None, f"account/user.json is absent: sender recorded as {OWNER!r}")


def _note(owner: _Owner) -> str:
    return (
        "Discord data package: only the package owner's own messages are in it (the other "
        f"side of each conversation is not); every sender is {owner.note}"
    )


def _message(row: dict[str, Any], loc: str, owner: _Owner) -> tuple[Message, bool]:
    """A message from one row; True when its time had no offset (read as UTC)."""
    stamp = as_str(row.get("Timestamp"))
    sent_at: datetime | None = None
    assumed, note, naive = None, None, False
    if stamp is None:
        note = "no Timestamp"
    else:
        try:
            sent_at, assumed, note = parse_iso(stamp, _UTC)
            naive = assumed == "UTC"
        except ValueError:
            note = f"unreadable Timestamp {stamp!r}"
    urls = [u for u in (as_str(row.get("Attachments")) or "").split() if u]
    msg = Message(
        sender=owner.pid,
        text=as_str(row.get("Contents")) or "",
        sent_at=sent_at,
        source_location=loc,
        local_time_text=stamp,
        tz_assumed=assumed,
        source_id=as_str(row.get("ID")),
        attachments=[attachment(u, None) for u in urls],
        time_note=note,
    )
    return msg, naive


def _rows_csv(
    raw: BinaryIO, name: str, limit: int, conv: Conversation
) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.reader(_text_lines(raw, name, limit, conv.skipped))
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise ParseError(f"unreadable CSV header: {exc}", file=name, location="line 1") from exc
    if header[: len(_CELL_KEYS)] != list(_CELL_KEYS):
        raise ParseError(
            f"header is {','.join(header)!r}", file=name, location="line 1", expected=EXPECTED
        )
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ParseError(f"malformed CSV: {exc}", file=name, location=f"line {start}") from exc
        line, start = start, reader.line_num + 1
        if not row:
            continue
        if len(row) < len(header):
            reason = f"{len(row)} fields, expected {len(header)}"
            conv.skipped.append(SkippedRecord(f"{name}: line {line}", reason, ",".join(row)[:200]))
            continue
        yield line, dict(zip(header, row, strict=False))


def _read_channel(
    raw: BinaryIO, name: str, is_json: bool, conv: Conversation, owner: _Owner, limits: Limits
) -> None:
    """Fill ``conv`` with the messages of one channel file (``name`` prefixes locations)."""
    messages: list[Message] = []
    naive, first_skip = 0, len(conv.skipped)
    if is_json:
        cap = limits.max_json_bytes
        data = raw.read(cap + 1)
        check_json_size(len(data), name, cap, exact=False)
        rows = loads_json(data, name, EXPECTED)
        if not isinstance(rows, list):
            raise ParseError(
                "not a JSON array of messages", file=name, location="$", expected=EXPECTED
            )
        for i, row in enumerate(rows):
            loc = f"{name}: $[{i}]"
            if not isinstance(row, dict):
                conv.skipped.append(
                    SkippedRecord(loc, "message is not a JSON object", repr(row)[:200])
                )
                continue
            msg, was_naive = _message(row, loc, owner)
            messages.append(msg)
            naive += was_naive
    else:
        for line, row in _rows_csv(raw, name, limits.max_message_bytes, conv):
            msg, was_naive = _message(row, f"{name}: line {line}", owner)
            messages.append(msg)
            naive += was_naive
    for rec in conv.skipped[first_skip:]:  # over-long lines, recorded as "line N"
        if not rec.source_location.startswith(name):
            rec.source_location = f"{name}: {rec.source_location}"
    times = [m.sent_at for m in messages if m.sent_at is not None]
    if len(times) > 1 and times[0] > times[-1]:
        conv.notes.append("the package lists messages newest first; they are given oldest first")
    conv.messages = sorted(messages, key=lambda m: (m.sent_at is None, m.sent_at))
    if naive:
        conv.notes.append(
            f"{naive} Timestamp(s) have no UTC offset: read as UTC (Discord writes the "
            "package's times in UTC)"
        )


def _title(cid: str, index: dict[str, Any], channel: Any) -> tuple[str | None, list[str]]:
    """The channel's title and the other members' ids (from ``recipients``)."""
    title = as_str(index.get(cid))
    others: list[str] = []
    if isinstance(channel, dict):
        others = [str(r) for r in channel.get("recipients") or [] if as_str(r)]
        if title is None:
            guild = channel.get("guild")
            gname = as_str(guild.get("name")) if isinstance(guild, dict) else None
            cname = as_str(channel.get("name"))
            title = f"{cname} in {gname}" if cname and gname else cname
    return title, others


class DiscordPackageParser:
    """Parser for Discord's own data package (zip) and its channel files."""

    name = "discord_package"
    description = "Discord data package: messages/c<ID>/messages.csv or messages.json (zip or file)"

    def sniff(self, head: bytes, name: str) -> Sniff:
        if head.startswith(b"PK\x03\x04"):
            if _HEAD_MEMBER.search(head):
                return Sniff(0.9, "zip holding Discord's messages/index.json or messages/c<ID>/")
            if b"account/user.json" in head:
                return Sniff(0.6, "zip holding Discord's account/user.json")
            return Sniff(0.0, "zip without Discord package members among its first")
        if _CSV_HEADER.match(head):
            return Sniff(
                0.9, "CSV header is the Discord package's ID,Timestamp,Contents,Attachments"
            )
        named = name.replace("\\", "/").endswith("messages.json")
        if _JSON_HEAD.match(head) and b'"Timestamp"' in head and b'"Contents"' in head:
            return Sniff(
                0.9 if named else 0.8,
                "JSON array of Discord package messages (ID, Timestamp, Contents)",
            )
        if named and head.removeprefix(b"\xef\xbb\xbf").strip() == b"[]":
            return Sniff(0.5, "empty JSON array named messages.json (a Discord package channel)")
        return Sniff(0.0, "neither a Discord data package zip nor one of its messages files")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        peek = stream.read(64)
        if stream.seekable():
            stream.seek(stream.tell() - len(peek))
        else:
            stream = io.BytesIO(peek + stream.read())
        if peek.startswith(b"PK\x03\x04"):
            yield from self._zip(stream, name, options.limits)
            return
        match = _LOOSE_FILE.search(name.replace("\\", "/"))
        conv = Conversation(platform=PLATFORM, title=None, source_id=match["id"] if match else None)
        owner = _owner(None)
        conv.notes.append(_note(owner))
        is_json = peek.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[")
        _read_channel(stream, name, is_json, conv, owner, options.limits)
        conv.participants = [Participant(owner.pid, owner.name)] if conv.messages else []
        conv.notes.append("a channel file on its own: no channel.json or index.json, so no title")
        yield conv

    def _zip(self, stream: BinaryIO, name: str, limits: Limits) -> Iterator[Conversation]:
        zf = open_zip(stream, name, zip_limits(limits))
        members = [i.filename for i in zf.infolist() if not i.is_dir()]
        channels: dict[str, dict[str, str]] = {}
        for member in members:
            m = _CHANNEL_FILE.match(member.replace("\\", "/"))
            if m:
                channels.setdefault(m["id"], {})[m["file"]] = member
        if not channels:
            raise ParseError(
                "the zip holds no messages/c<ID>/ folder", file=name, expected=EXPECTED
            )
        problems: list[str] = []
        index = _json(zf, name, _find(members, "messages/index.json"), limits, problems)
        owner = _owner(_json(zf, name, _find(members, "account/user.json"), limits, problems))
        with zf:
            for cid in sorted(channels, key=int):
                files = channels[cid]
                channel = _json(zf, name, files.get("channel.json"), limits, problems)
                title, others = _title(cid, index if isinstance(index, dict) else {}, channel)
                conv = Conversation(platform=PLATFORM, title=title, source_id=cid)
                conv.notes.append(_note(owner))
                found = files.get("messages.json") or files.get("messages.csv")
                if found is None:
                    conv.notes.append(f"channel {cid}: no messages.csv or messages.json")
                else:
                    _channel(zf, name, found, conv, owner, limits)
                if {"messages.json", "messages.csv"} <= files.keys():
                    conv.notes.append(f"channel {cid}: messages.csv not read (messages.json was)")
                people = [Participant(owner.pid, owner.name)] if conv.messages else []
                people += [Participant(o) for o in others if o != owner.pid]
                conv.participants = people
                if others:
                    conv.notes.append("the other members are known only by id (channel.json)")
                conv.notes += problems
                yield conv


def _json(
    zf: zipfile.ZipFile, name: str, member: str | None, limits: Limits, problems: list[str]
) -> Any:
    """A small JSON member (index, user, channel), or None when absent or unreadable (then
    ``problems`` says why)."""
    if member is None:
        return None
    where = f"{name}: {member}"
    try:
        check_json_size(zf.getinfo(member).file_size, where, limits.max_json_bytes)
        return loads_json(read_member(zf, member, name), where, EXPECTED)
    except ParseError as exc:
        problems.append(f"{member} not read: {exc.message}")
        return None


def _channel(
    zf: zipfile.ZipFile, name: str, member: str, conv: Conversation, owner: _Owner, limits: Limits
) -> None:
    is_json = member.endswith(".json")
    try:
        if is_json:
            check_json_size(
                zf.getinfo(member).file_size, f"{name}: {member}", limits.max_json_bytes
            )
        with zf.open(member) as fh:
            _read_channel(fh, member, is_json, conv, owner, limits)  # type: ignore[arg-type]
    except ParseError as exc:
        conv.messages = []
        conv.skipped.append(SkippedRecord(member, f"unreadable channel file: {exc.message}"))
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        where = f"member {member!r}"
        raise ParseError(f"corrupt archive member: {exc}", file=name, location=where) from exc


def _find(members: list[str], suffix: str) -> str | None:
    return next((m for m in members if m.replace("\\", "/").endswith(suffix)), None)


PARSER = DiscordPackageParser()
