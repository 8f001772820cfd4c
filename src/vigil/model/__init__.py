"""Plain dataclasses for the domain. No I/O, no database."""

from vigil.model.conversation import (
    Attachment,
    AttachmentStatus,
    Conversation,
    Message,
    Participant,
    ParticipantRole,
    SkippedRecord,
)

__all__ = [
    "Attachment",
    "AttachmentStatus",
    "Conversation",
    "Message",
    "Participant",
    "ParticipantRole",
    "SkippedRecord",
]
