"""WhatsApp chat exports: the ``.txt`` file, or the ``.zip`` that holds it with the media.

The file is read as a stream, twice at most. The first megabyte fixes the header layout (see
:mod:`.whatsapp_layout`) and usually the date order; if the dates there fit more than one order,
the rest of the file is scanned for dates first (seeking back, or replaying the blocks it kept
when the stream cannot seek). Messages are then produced lazily: ``Conversation.messages`` is a
generator, and the conversation's participants, notes and skipped records are complete once it
has been consumed. A zip export is opened through :func:`vigil.ingest.safezip.open_zip` (a stream
that cannot seek is read into memory first, as zip needs random access); every ``.txt`` member
that looks like a chat becomes a conversation, and the other members are the media: a named
attachment found there is PRESENT with ``source_path`` set to the member, otherwise MISSING.

Text handling: directional marks (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069, U+FEFF) are
removed from the whole text before parsing; no-break spaces are kept (and count as spaces in
headers). Continuation lines are appended to the message with their newlines; blank lines at the
end of a message are dropped. WhatsApp's markers become fields: media markers become
:class:`Attachment` objects (the caption stays as text), the edited marker sets ``is_edited`` and
is removed, deleted-message texts set ``is_deleted`` (text empty). Lines without ``Name: `` are
system messages without an author; an author whose first message is a WhatsApp notice (the chat
name before the end-to-end notice, or the group name before group events on iOS) keeps
authoring system messages.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats.whatsapp_locale import locale
from vigil.ingest.formats.whatsapp_read import BLOCK, Blocks, chain, strip_marks
from vigil.ingest.formats.whatsapp_run import Media, Run, patterns
from vigil.ingest.safezip import iter_member_chunks, open_zip, zip_limits
from vigil.model import Conversation


class WhatsAppTextParser:
    """Parser for WhatsApp text exports (Android and iOS, every locale)."""

    name = "whatsapp_txt"
    description = "WhatsApp chat export: the .txt file or the .zip with media (Android, iOS)"

    def sniff(self, head: bytes, name: str) -> Sniff:
        lower = name.lower()
        if head.startswith(b"PK\x03\x04"):
            if b"_chat.txt" in head or b"WhatsApp Chat" in head:
                return Sniff(0.85, "zip archive holding a WhatsApp chat text")
            if "whatsapp" in lower and lower.endswith(".zip"):
                return Sniff(0.6, "zip archive named like a WhatsApp export")
            return Sniff(0.0, "zip archive without a WhatsApp chat text among its first members")
        text = strip_marks(head.decode("utf-8", "replace"))
        lines = text.split("\n", 41)[:40]
        pats = patterns()
        hits = [
            i
            for i, ln in enumerate(lines)
            if pats.date_first.match(ln) or pats.time_first.match(ln)
        ]
        if not hits:
            return Sniff(
                0.0,
                "no line in the first 40 starts with a WhatsApp timestamp "
                "('31/12/2020, 23:59 - ' or '[31/12/2020, 23:59:59] ')",
            )
        score = 0.9 if hits[0] == 0 else 0.6
        if lower.endswith(".txt"):
            score += 0.05
        return Sniff(
            score, f"{len(hits)} of the first {len(lines)} lines start with a WhatsApp timestamp"
        )

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        first = stream.read(BLOCK)
        if first.startswith(b"PK\x03\x04"):
            yield from self._parse_zip(first, stream, name, options)
            return
        seekable = stream.seekable()
        start = stream.tell() - len(first) if seekable else 0
        live = chain([first], iter(lambda: stream.read(BLOCK), b""))

        def again() -> Iterator[bytes]:
            stream.seek(start)
            return iter(lambda: stream.read(BLOCK), b"")

        title = locale().title_from_name(name)
        yield Run(name, options, Blocks(live, again if seekable else None), None, title).start()

    def _parse_zip(
        self, first: bytes, stream: BinaryIO, name: str, options: ParseOptions
    ) -> Iterator[Conversation]:
        if not stream.seekable():
            stream = io.BytesIO(first + stream.read())
        else:
            stream.seek(stream.tell() - len(first))
        zf = open_zip(stream, name, zip_limits(options.limits))
        infos = [
            i for i in zf.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")
        ]
        texts = [i for i in infos if i.filename.lower().endswith(".txt")]
        chats = []
        for info in texts:
            with zf.open(info) as fh:  # a peek: the full read below is bounded by safezip
                head = fh.read(64 * 1024)
            if self.sniff(head, info.filename).score > 0:
                chats.append(info.filename)
        if not chats:
            listed = ", ".join(i.filename for i in texts[:5]) or "none"
            raise ParseError(
                "no WhatsApp chat text inside the archive",
                file=name,
                expected=f"a .txt member with WhatsApp message lines (text members: {listed})",
            )
        media: Media = {}
        for info in infos:
            if info.filename not in chats:
                entry = (info.filename, info.file_size)
                media.setdefault(info.filename.rsplit("/", 1)[-1], entry)
                media.setdefault(info.filename, entry)
        loc = locale()
        for member in chats:
            where = f"{name}!{member}"
            title = loc.title_from_name(member) or loc.title_from_name(name)

            def opener(m: str = member, w: str = where) -> Iterator[bytes]:
                return iter_member_chunks(zf, m, w)

            yield Run(where, options, Blocks(opener(), opener), media, title).start()


PARSER = WhatsAppTextParser()
