"""Cellebrite UFDR: a ``.ufdr`` zip holding ``report.xml``, or a bare ``report.xml``.

Chats are ``decodedData/modelType[@type="Chat"]/model`` elements (namespace
``http://pa.cellebrite.com/report/2.0``, ignored here so other report versions read too). Each
Chat has ``Source`` (the app), ``Name``, ``Participants`` (Party models: ``Identifier``,
``Name``, ``IsPhoneOwner``) and ``Messages`` (InstantMessage models: ``From``, ``To``, ``Body``,
``TimeStamp``, ``Attachments``). A model's ``deleted_state`` of ``Deleted`` marks the message
deleted (recovered); ``Trash`` is noted.

Attachment files are found through the attachment's ``<jumptargets><targetid>`` file ids, which
``taggedFiles/file`` entries map to a ``Local Path`` inside the zip; a file found in the zip is
PRESENT with its ``source_path``, one named but absent is MISSING, one never named is OMITTED.
``taggedFiles`` precedes ``decodedData`` in Cellebrite's reports; an id not seen before its chat
is reported MISSING with a note.

The report is streamed (one Chat model in memory at a time), so multi-gigabyte reports parse in
bounded memory. DTDs and entities are refused and zip members are checked by
:mod:`vigil.ingest.safezip`.
"""

from __future__ import annotations

import itertools
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats._timestamps import parse_cellebrite
from vigil.ingest.safezip import iter_member_chunks, open_zip, zip_limits
from vigil.ingest.xmlsafe import Node, RefRepair, XmlReader, read_chunks
from vigil.model import Attachment, AttachmentStatus, Conversation, Message, Participant

NAMESPACE = b"http://pa.cellebrite.com/report/2.0"
_PATH_FIELDS = ("attachment_extracted_path", "LocalPath", "Local Path")


@dataclass(frozen=True, slots=True)
class _File:
    local_path: str | None
    device_path: str | None
    size: int | None


def _fields(model: Node) -> dict[str, Node]:
    return {f.get("name") or "": f for f in model.children_named("field")}


def _value(model: Node, name: str) -> str | None:
    """The text of ``field[@name]/value`` (None for ``<empty/>`` or a missing field)."""
    f = _fields(model).get(name)
    v = f.child("value") if f is not None else None
    return v.text if v is not None else None


def _models(model: Node, name: str) -> list[Node]:
    """Models in ``multiModelField[@name]`` or ``modelField[@name]``."""
    out: list[Node] = []
    for c in model.children:
        if c.tag in ("multiModelField", "modelField") and c.get("name") == name:
            out.extend(c.children_named("model"))
    return out


def _file_ids(model: Node) -> list[str]:
    return [
        t.text.strip()
        for j in model.children_named("jumptargets")
        for t in j.children_named("targetid")
        if (t.get("ismodel") or "false").lower() != "true" and t.text.strip()
    ]


def _norm(path: str) -> str:
    return path.replace("\\", "/").lstrip("/").removeprefix("./")


class _Report:
    def __init__(self, name: str, members: list[str] | None, options: ParseOptions) -> None:
        self.name = name
        self.options = options
        self.files: dict[str, _File] = {}
        self.members: dict[str, str] | None = None
        if members is not None:
            self.members = {}
            for m in members:
                self.members.setdefault(_norm(m), m)
                self.members.setdefault(_norm(m).lower(), m)

    def tagged_file(self, node: Node) -> None:
        fid = node.get("id")
        if not fid:
            return
        local = None
        for md in node.children_named("metadata"):
            for item in md.children_named("item"):
                if item.get("name") == "Local Path" and item.text.strip():
                    local = item.text.strip()
        size = node.get("size")
        self.files[fid] = _File(
            local, node.get("path"), int(size) if size and size.isdigit() else None
        )

    def party(self, conv: Conversation, model: Node) -> str | None:
        ident = _value(model, "Identifier") or _value(model, "Name")
        if not ident:
            return None
        name = _value(model, "Name")
        p = conv.participant(ident)
        if p is None:
            conv.participants.append(Participant(ident, name))
        elif p.display_name is None and name:
            p.display_name = name
        owner = (_value(model, "IsPhoneOwner") or "").lower() == "true"
        note = f"participant {ident} is the phone owner (IsPhoneOwner)"
        if owner and note not in conv.notes:
            conv.notes.append(note)
        return ident

    def attachment(self, conv: Conversation, model: Node, ids: list[str]) -> Attachment:
        fname = _value(model, "Filename")
        size_text = _value(model, "Size")
        size = int(size_text) if size_text and size_text.isdigit() else None
        paths = [p for f in _PATH_FIELDS if (p := _value(model, f))]
        on_device: list[str] = []
        for fid in ids:
            f = self.files.get(fid)
            if f is None:
                conv.notes.append(
                    f"line {model.line}: attachment file id {fid} is not in taggedFiles before "
                    "this chat; its file could not be linked"
                )
            else:
                paths += [f.local_path] if f.local_path else []
                on_device += [f.device_path] if f.device_path else []
                size = size if size is not None else f.size
        att = Attachment(fname, _value(model, "ContentType"), AttachmentStatus.OMITTED, size=size)
        if not paths and not ids:
            return att
        att.status = AttachmentStatus.MISSING
        if att.file_name is None and paths:
            att.file_name = _norm(paths[0]).rsplit("/", 1)[-1]
        if self.members is None:
            return att
        for p in paths:
            member = self.members.get(_norm(p)) or self.members.get(_norm(p).lower())
            if member is not None:
                att.status, att.source_path = AttachmentStatus.PRESENT, member
                return att
        where = f" (on the device: {', '.join(on_device)})" if on_device else ""
        conv.notes.append(
            f"line {model.line}: attachment {fname or paths}{where} is named but not in the "
            "container"
        )
        return att

    def message(self, conv: Conversation, model: Node) -> Message:
        froms = _models(model, "From")
        sender = self.party(conv, froms[0]) if froms else None
        for to in _models(model, "To"):
            self.party(conv, to)
        msg = Message(sender, _value(model, "Body") or "", None, f"line {model.line}")
        msg.source_id = _value(model, "Identifier") or model.get("id")
        state = model.get("deleted_state") or "Intact"
        msg.is_deleted = state == "Deleted"
        if state not in ("Intact", "Deleted"):
            conv.notes.append(f"line {model.line}: message deleted_state is {state!r}")
        if sender is None:
            conv.notes.append(f"line {model.line}: message has no From party (sender unknown)")
        raw = _value(model, "TimeStamp")
        if raw is None or not raw.strip():
            msg.time_note = "the report gives no timestamp"
        else:
            msg.local_time_text = raw
            msg.sent_at, msg.tz_assumed, msg.time_note = parse_cellebrite(raw.strip(), self.options)
        atts = _models(model, "Attachments") + _models(model, "Attachment")
        spare = _file_ids(model)
        msg.attachments = [
            self.attachment(conv, a, _file_ids(a) or (spare if len(atts) == 1 else []))
            for a in atts
        ]
        return msg

    def chat(self, model: Node) -> Conversation:
        source = (_value(model, "Source") or "").strip()
        conv = Conversation(
            platform=source.lower() or "unknown",
            title=_value(model, "Name") or None,
            source_id=_value(model, "Id") or model.get("id"),
        )
        conv.notes.append(
            f"Cellebrite Chat model at line {model.line}, "
            f"source application {source or 'unknown'!r}"
        )
        if model.get("deleted_state") not in (None, "Intact"):
            conv.notes.append(f"the chat itself is marked {model.get('deleted_state')!r}")
        for p in _models(model, "Participants"):
            self.party(conv, p)
        conv.messages = [self.message(conv, m) for m in _models(model, "Messages")]
        if self.members is None and any(
            a.status is AttachmentStatus.MISSING for m in conv.messages for a in m.attachments
        ):
            conv.notes.append(
                "report.xml was read without its .ufdr container: attachment files are missing"
            )
        return conv


def _stream(rep: _Report, chunks: Iterable[bytes], max_text: int) -> Iterator[Conversation]:
    reader = XmlReader(rep.name, repair=RefRepair(), max_text=max_text)
    keep: int | None = None  # depth of the Chat model or tagged file being collected
    for event, node, parent in reader.events(chunks):
        if event == "start":
            if node.depth == 0 and node.tag != "project":
                raise ParseError(
                    f"root element is <{node.tag}>",
                    file=rep.name,
                    location=f"line {node.line}",
                    expected="<project> of a Cellebrite report",
                )
            if (
                keep is None
                and parent is not None
                and (
                    (
                        node.tag == "model"
                        and parent.tag == "modelType"
                        and parent.get("type") == "Chat"
                    )
                    or (node.tag == "file" and parent.tag == "taggedFiles")
                )
            ):
                keep = node.depth
            continue
        if keep is not None and node.depth > keep:
            continue
        if keep is not None and node.depth == keep:
            keep = None
            if node.tag == "file":
                rep.tagged_file(node)
            else:
                conv = rep.chat(node)
                conv.notes.extend(reader.cut_notes())
                yield conv
        reader.release(node, parent)


def _member_chunks(zf: zipfile.ZipFile, member: str, name: str) -> Iterator[bytes]:
    try:
        yield from iter_member_chunks(zf, member, name, 64 * 1024)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ParseError(
            f"archive member cannot be read: {exc}",
            file=name,
            location=f"member {member!r}",
            expected="an intact .ufdr archive",
        ) from exc


def _report_member(zf: zipfile.ZipFile, name: str) -> str:
    cands = [
        n for n in zf.namelist() if n.replace("\\", "/").rsplit("/", 1)[-1].lower() == "report.xml"
    ]
    if not cands:
        raise ParseError(
            "the container holds no report.xml", file=name, expected="a Cellebrite .ufdr archive"
        )
    return min(cands, key=lambda n: (n.count("/"), n))


class UfdrParser:
    """Parser for Cellebrite UFDR containers and bare report.xml files."""

    name = "ufdr"
    description = "Cellebrite UFDR (.ufdr zip or report.xml): chats with parties and messages"

    def sniff(self, head: bytes, name: str) -> Sniff:
        lower = name.lower()
        if NAMESPACE in head:
            return Sniff(0.95, "XML in the Cellebrite report namespace")
        if head.startswith(b"PK\x03\x04"):
            if lower.endswith(".ufdr"):
                return Sniff(0.9, "zip archive named .ufdr")
            if b"report.xml" in head:
                return Sniff(0.6, "zip archive with a report.xml member")
            return Sniff(0.0, "zip archive without a .ufdr name or a report.xml member")
        if b"<project" in head and b"<decodedData" in head:
            return Sniff(0.6, "XML with <project> and <decodedData> (Cellebrite layout)")
        return Sniff(0.0, "neither a .ufdr zip nor XML in the Cellebrite report namespace")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        limit = options.limits.max_message_bytes
        first = stream.read(4)
        if first == b"PK\x03\x04":
            stream.seek(0)
            zf = open_zip(stream, name, zip_limits(options.limits))
            with zf:
                member = _report_member(zf, name)
                rep = _Report(f"{name} (member {member})", zf.namelist(), options)
                yield from _stream(rep, _member_chunks(zf, member, name), limit)
            return
        rep = _Report(name, None, options)
        yield from _stream(rep, itertools.chain([first], read_chunks(stream)), limit)


PARSER = UfdrParser()
