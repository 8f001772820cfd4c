"""Locale words of WhatsApp exports, loaded from ``whatsapp_locales.json``.

Everything language-specific the WhatsApp parser knows lives in that data file (DESIGN.md rule
4): AM/PM words, media-omitted and file-attached markers, deleted and edited texts, system
phrases, and the file-name prefixes that carry the chat's title. This module turns the data into
fast lookups and classifies a message body.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from vigil.model import Attachment, AttachmentStatus

MARK_CHARS = "".join(
    (
        "\u200e",  # left-to-right mark
        "\u200f",  # right-to-left mark
        "\u202a",  # left-to-right embedding
        "\u202b",  # right-to-left embedding
        "\u202c",  # pop directional formatting
        "\u202d",  # left-to-right override
        "\u202e",  # right-to-left override
        "\u2066",  # left-to-right isolate
        "\u2067",  # right-to-left isolate
        "\u2068",  # first strong isolate
        "\u2069",  # pop directional isolate
        "\ufeff",  # byte-order mark / zero-width no-break space
    )
)
"""Invisible formatting marks WhatsApp sprinkles through exports.

They are removed before parsing: they carry no content and break matching. U+00A0 and U+202F
(no-break spaces) are kept and treated as spaces where a space is expected."""

_WA_MEDIA_NAME = re.compile(
    r"^(?:IMG|VID|PTT|AUD|STK|DOC|VCF)-\d{8}-WA\d+(?:\.\w{1,5})?$|"
    r"^\d{8}-(?:PHOTO|VIDEO|AUDIO|STICKER|GIF|DOCUMENT|CONTACT)-.+$"
)
_IOS_ATTACHED = re.compile(r"^<([^<>:]{1,40}):\s?([^<>]+?)>\s?(.*)$", re.S)


def _key(word: str) -> str:
    """Normalise an AM/PM word: case-folded, without spaces and dots."""
    return "".join(c for c in word.casefold() if not c.isspace() and c != ".")


@dataclass(frozen=True)
class Locale:
    """The compiled locale data."""

    am: frozenset[str]
    pm: frozenset[str]
    connectors: tuple[str, ...]
    omitted: frozenset[str]
    file_attached: tuple[str, ...]
    attached_labels: frozenset[str]
    deleted: frozenset[str]
    edited: tuple[str, ...]
    system_phrases: tuple[str, ...]
    system_verbs: tuple[str, ...]
    title_prefixes: tuple[str, ...]
    mime_types: dict[str, str] = field(default_factory=dict)
    special: frozenset[str] = frozenset()
    """Whole bodies that need a closer look (deleted texts, omitted-media markers)."""

    def ampm(self, word: str) -> str | None:
        """Return ``"am"``, ``"pm"`` or None (unknown word)."""
        k = _key(word)
        if k in self.am:
            return "am"
        if k in self.pm:
            return "pm"
        return None

    def may_have_marker(self, body: str) -> bool:
        """A quick test: False means :func:`classify_body` would find nothing to take out."""
        if body in self.deleted or body.endswith(">"):
            return True
        first = body.partition("\n")[0].strip()
        return first in self.omitted or first.endswith(")") or first.startswith("<")

    def mime_for(self, file_name: str | None) -> str | None:
        if not file_name or "." not in file_name:
            return None
        return self.mime_types.get(file_name.rsplit(".", 1)[1].lower())

    def is_notice(self, body: str) -> bool:
        """Whether a body is one of WhatsApp's fixed notices (e.g. the end-to-end notice)."""
        return body.startswith(self.system_phrases)

    def is_system_text(self, body: str) -> bool:
        """Whether a body reads like a WhatsApp event ("X added Y"); only asked of authors
        already known to post notices (iOS puts the group's name before group events)."""
        return body.startswith(self.system_phrases) or any(v in body for v in self.system_verbs)

    def title_from_name(self, name: str) -> str | None:
        """The chat title carried by an export's file name, if it follows WhatsApp's naming."""
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        stem = base.rsplit(".", 1)[0] if "." in base else base
        for prefix in self.title_prefixes:
            if stem.startswith(prefix) and len(stem) > len(prefix):
                return stem[len(prefix) :].strip()
        return None


@cache
def locale() -> Locale:
    """Load and compile the locale data (once)."""
    raw: dict[str, Any] = json.loads(
        resources.files(__package__).joinpath("whatsapp_locales.json").read_text("utf-8")
    )
    am = frozenset(_key(w) for w in raw["ampm"]["am"])
    pm = frozenset(_key(w) for w in raw["ampm"]["pm"])
    if am & pm:
        raise ValueError(f"whatsapp_locales.json: words both AM and PM: {sorted(am & pm)}")
    deleted = set()
    for text in raw["deleted"]:
        deleted.update({text, text.rstrip("."), text.rstrip(".") + "."})
    omitted = frozenset(raw["media_omitted"])
    return Locale(
        am=am,
        pm=pm,
        connectors=tuple(raw["connectors"]),
        omitted=omitted,
        file_attached=tuple(raw["file_attached"]),
        attached_labels=frozenset(w.casefold() for w in raw["attached_labels"]),
        deleted=frozenset(deleted),
        edited=tuple(raw["edited"]),
        system_phrases=tuple(raw["system_phrases"]),
        system_verbs=tuple(raw["system_verbs"]),
        title_prefixes=tuple(raw["title_prefixes"]),
        mime_types=dict(raw["mime_types"]),
        special=frozenset(deleted) | omitted,
    )


@dataclass(slots=True)
class BodyInfo:
    """What a message body says once WhatsApp's markers are taken out."""

    text: str
    attachments: list[Attachment] = field(default_factory=list)
    is_edited: bool = False
    is_deleted: bool = False


def classify_body(body: str, media: dict[str, tuple[str, int]] | None) -> BodyInfo:
    """Split ``body`` into text and markers.

    ``media`` maps file names to ``(member name, size)`` for a zip export (None for a bare
    ``.txt``): a named file found there is PRESENT, otherwise MISSING; an omitted-media marker
    gives an OMITTED attachment without a name. The caption is what follows the marker.
    """
    loc = locale()
    info = BodyInfo(body)
    if body in loc.deleted:
        info.text = ""
        info.is_deleted = True
        return info
    if body.endswith(loc.edited):
        for marker in loc.edited:
            if body.endswith(marker):
                body = body[: -len(marker)].rstrip(" ")
                info.is_edited = True
                break
    first, sep, rest = body.partition("\n")
    stripped = first.strip()
    name: str | None = None
    caption = body
    if stripped in loc.omitted:
        info.attachments.append(Attachment(None, status=AttachmentStatus.OMITTED))
        caption = rest
    elif stripped.endswith(loc.file_attached):
        for marker in loc.file_attached:
            if stripped.endswith(marker):
                name = stripped[: -len(marker)].strip()
                caption = rest
                break
    elif (m := _IOS_ATTACHED.match(stripped)) is not None:
        label, candidate, tail = m.groups()
        if label.strip().casefold() in loc.attached_labels or _WA_MEDIA_NAME.match(candidate):
            name = candidate.strip()
            caption = tail + (sep + rest if rest else "") if tail else rest
    elif stripped.endswith(")") and " (" in stripped:
        # An unknown locale's "(file attached)": accept it when the name is WhatsApp's own.
        candidate = stripped.rsplit(" (", 1)[0].strip()
        if _WA_MEDIA_NAME.match(candidate):
            name = candidate
            caption = rest
    if name is not None:
        found = media.get(name) if media is not None else None
        if found is not None:
            info.attachments.append(
                Attachment(
                    name,
                    mime_type=loc.mime_for(name),
                    status=AttachmentStatus.PRESENT,
                    size=found[1],
                    source_path=found[0],
                )
            )
        else:
            info.attachments.append(
                Attachment(name, mime_type=loc.mime_for(name), status=AttachmentStatus.MISSING)
            )
    info.text = caption if info.attachments else body
    if body in loc.deleted:
        info.is_deleted = True
        info.text = ""
    return info
