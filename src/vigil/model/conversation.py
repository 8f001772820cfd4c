"""The conversation model every chat source maps to.

Parsers yield these dataclasses; services persist them. Times are held as timezone-aware
UTC datetimes together with the original timestamp text and the zone that was assumed when
turning that text into UTC, so that nothing about a conversion is silent.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime


class ParticipantRole(enum.StrEnum):
    """Who a participant is in the investigation. Set from case data or by inference."""

    UNKNOWN = "unknown"
    SUSPECT = "suspect"
    CHILD = "child"
    OFFICER_PERSONA = "officer_persona"
    THIRD_PARTY = "third_party"


class AttachmentStatus(enum.StrEnum):
    """Whether the attached file itself is held."""

    PRESENT = "present"  # bytes registered as a (derived) exhibit
    OMITTED = "omitted"  # the export says the media was left out
    MISSING = "missing"  # named in the export but not found in the container


@dataclass(slots=True)
class Participant:
    """One account taking part in a conversation."""

    platform_id: str
    display_name: str | None = None
    role: ParticipantRole = ParticipantRole.UNKNOWN


@dataclass(slots=True)
class Attachment:
    """A file attached to a message."""

    file_name: str | None
    mime_type: str | None = None
    status: AttachmentStatus = AttachmentStatus.OMITTED
    exhibit_ref: str | None = None  # set by the service when the bytes are registered
    size: int | None = None
    source_path: str | None = None  # path inside the container (zip), for derived exhibits


@dataclass(slots=True)
class Message:
    """One timestamped entry in a conversation.

    ``sender`` is the participant's ``platform_id`` (None for system messages without an
    author). ``sent_at`` is timezone-aware UTC or None when the source gives no usable time
    (the parser then records why in ``time_note``). ``source_location`` says where in the
    exhibit the record was read: ``line 12``, ``offset 4096`` or a JSON path such as
    ``$.messages[3]``.
    """

    sender: str | None
    text: str
    sent_at: datetime | None
    source_location: str
    local_time_text: str | None = None
    tz_assumed: str | None = None
    source_id: str | None = None  # the platform's own message id, where it has one
    reply_to: str | None = None  # source_id of the message replied to
    is_edited: bool = False
    is_deleted: bool = False
    is_system: bool = False
    forwarded_from: str | None = None
    attachments: Sequence[Attachment] = ()
    reactions: Sequence[tuple[str, str]] = ()  # (actor, reaction)
    time_note: str | None = None


@dataclass(slots=True)
class SkippedRecord:
    """A record a parser could not use: kept with its location and reason, never dropped."""

    source_location: str
    reason: str
    raw: str | None = None


@dataclass(slots=True)
class Conversation:
    """A chat thread from one source exhibit.

    ``messages`` may be a list or a generator: a streaming parser yields the conversation
    first and produces its messages lazily, appending to ``participants``, ``skipped`` and
    ``notes`` as it goes. Consumers iterate ``messages`` exactly once and read the other
    lists afterwards; a sender not yet in ``participants`` is still a participant.
    """

    platform: str
    title: str | None
    participants: list[Participant] = field(default_factory=list)
    messages: Iterable[Message] = field(default_factory=list)
    source_id: str | None = None  # the platform's own chat id, where it has one
    skipped: list[SkippedRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # assumptions made while parsing

    def participant(self, platform_id: str) -> Participant | None:
        """Return the participant with ``platform_id``, if present."""
        for p in self.participants:
            if p.platform_id == platform_id:
                return p
        return None
