"""The parser protocol every source format implements.

A parser is pure: it is handed a byte stream (and, for containers, a way to open members)
and yields :class:`~vigil.model.Conversation` objects. It never opens files by path, reads
the clock or touches the database (DESIGN.md rule 1).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from vigil.model import Conversation

if TYPE_CHECKING:
    from vigil.config import Settings

HEAD_BYTES = 64 * 1024
"""How much of a file's start :func:`sniff` is shown."""

MAX_MESSAGE_BYTES = 1024 * 1024
MAX_JSON_BYTES = 256 * 1024 * 1024
MAX_ARCHIVE_RATIO = 100


@dataclass(frozen=True, slots=True)
class Limits:
    """What one ingest may hold in memory or extract (docs/ingest.md, "Bounded resources").

    ``max_message_bytes``: a longer message or text line is cut to this many bytes, with a
    note naming the line and byte offset (the exhibit keeps every byte); in CSV and JSON-lines
    tables, where a cut record cannot be read, the record is skipped with that reason instead.
    ``max_json_bytes``: a whole-file JSON export larger than this is refused before it is read.
    ``max_archive_ratio``: an archive may expand to at most this multiple of its own size.
    The defaults are the settings' defaults; :meth:`from_settings` takes the configured ones.
    """

    max_message_bytes: int = MAX_MESSAGE_BYTES
    max_json_bytes: int = MAX_JSON_BYTES
    max_archive_ratio: int = MAX_ARCHIVE_RATIO

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """The limits configured in ``settings`` (``VIGIL_MAX_MESSAGE_BYTES`` and so on)."""
        return cls(
            max_message_bytes=settings.max_message_bytes,
            max_json_bytes=settings.max_json_bytes,
            max_archive_ratio=settings.max_archive_ratio,
        )


@dataclass(frozen=True, slots=True)
class Sniff:
    """A parser's bid for a file: 0.0 (not mine) to 1.0 (certainly mine), with the reason."""

    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """What the caller knows that the file does not say.

    ``tz`` is the zone assumed for local timestamps without an offset (from ``--tz`` or the
    case default); ``tz_source`` says where it came from so the summary can report it.
    ``mapping`` carries format-specific settings (e.g. the generic CSV column mapping).
    ``limits`` bounds memory and archive expansion (:class:`Limits`).
    """

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    tz_source: str = "default"
    mapping: Mapping[str, str] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)


@runtime_checkable
class Parser(Protocol):
    """A source-format parser. Register it through the ``vigil_parsers`` hook."""

    name: str
    """Short stable name used with ``--format`` (e.g. ``whatsapp_txt``)."""

    description: str

    def sniff(self, head: bytes, name: str) -> Sniff:
        """Score how likely the file whose first bytes are ``head`` is this format."""
        ...

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        """Yield the conversations in ``stream``. ``name`` is used in error messages.

        Bad records go to ``Conversation.skipped`` with their location and reason; an
        unreadable file raises :class:`vigil.errors.ParseError` naming the offset or line.
        """
        ...
