"""Message content of Telegram Desktop JSON: text entities, service actions, media, reactions."""

from __future__ import annotations

import json
from typing import Any

from vigil.ingest.formats._jsonsupport import as_str, basename, unnamed
from vigil.model import Attachment, AttachmentStatus

SERVICE_KEYS = {
    "id", "type", "date", "date_unixtime", "actor", "actor_id", "action", "text",
    "text_entities", "edited", "edited_unixtime", "from", "from_id",
}  # fmt: skip


def join_text(value: Any) -> str:
    """Telegram text: a string, or a list of strings and entity objects with ``text``.

    A ``text_link`` whose target is not visible in its text keeps the target in brackets.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        return str(value)
    parts: list[str] = []
    for piece in value:
        if isinstance(piece, str):
            parts.append(piece)
        elif isinstance(piece, dict):
            text = piece.get("text")
            text = text if isinstance(text, str) else ""
            href = piece.get("href")
            if isinstance(href, str) and href and href not in text:
                text = f"{text} ({href})" if text else href
            parts.append(text)
    return "".join(parts)


def _fmt(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_fmt(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def service_text(m: dict[str, Any], text: str) -> str:
    action = as_str(m.get("action")) or "service"
    extras = [
        f"{k}={_fmt(v)}"
        for k, v in m.items()
        if k not in SERVICE_KEYS and v not in (None, "", [], {})
    ]
    body = action + (f" ({'; '.join(extras)})" if extras else "")
    return f"{body}: {text}" if text else body


def extras(m: dict[str, Any]) -> list[str]:
    out: list[str] = []
    loc = m.get("location_information")
    if isinstance(loc, dict):
        place = " ".join(x for x in (as_str(m.get("place_name")), as_str(m.get("address"))) if x)
        where = f"{loc.get('latitude')}, {loc.get('longitude')}"
        out.append(f"[location {where}{' ' + place if place else ''}]")
    contact = m.get("contact_information")
    if isinstance(contact, dict):
        fields = ("first_name", "last_name", "phone_number")
        out.append(
            "[contact " + " ".join(as_str(contact.get(k)) or "" for k in fields).strip() + "]"
        )
    poll = m.get("poll")
    if isinstance(poll, dict):
        answers = [a.get("text") for a in poll.get("answers") or [] if isinstance(a, dict)]
        out.append("[poll: " + " / ".join(str(x) for x in [poll.get("question"), *answers]) + "]")
    return out


def attachments(m: dict[str, Any]) -> list[Attachment]:
    out: list[Attachment] = []
    for key, size_key in (("photo", "photo_file_size"), ("file", "file_size")):
        ref = m.get(key)
        if not isinstance(ref, str) or not ref:
            continue
        omitted = ref.startswith("(")  # "(File not included. Change data exporting settings...)"
        name = as_str(m.get("file_name")) if key == "file" else None
        size = m.get(size_key)
        out.append(
            Attachment(
                file_name=name or (None if omitted else basename(ref)),
                mime_type=as_str(m.get("mime_type")) if key == "file" else None,
                status=AttachmentStatus.OMITTED if omitted else AttachmentStatus.MISSING,
                size=size if isinstance(size, int) else None,
                source_path=None if omitted else ref,
            )
        )
    return out


def reactions(m: dict[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for r in m.get("reactions") or []:
        if not isinstance(r, dict):
            continue
        emoji = as_str(r.get("emoji")) or as_str(r.get("document_id")) or "?"
        named = 0
        for who in r.get("recent") or []:
            if isinstance(who, dict):
                out.append((as_str(who.get("from_id")) or as_str(who.get("from")) or "?", emoji))
                named += 1
        count = r.get("count")
        if isinstance(count, int) and count > named:
            out.append((unnamed(count - named), emoji))
    return out
