"""One pass over a WhatsApp text export: reading, layout analysis and the message loop.

Used by :mod:`.whatsapp_txt`; see its docstring for the behaviour. The message loop splits
header-aligned pieces of text with the file's strict header pattern (one ``re.split`` per
megabyte) and builds a :class:`Message` with a few dictionary look-ups for the common case: a
one-line message by a known author, whose date and time were seen before. Everything else
(new authors, continuation lines, markers, odd times) goes through :meth:`Run._make`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions
from vigil.ingest.formats import whatsapp_layout as lay
from vigil.ingest.formats.whatsapp_calendar import calendar_notes
from vigil.ingest.formats.whatsapp_locale import Locale, classify_body, locale
from vigil.ingest.formats.whatsapp_read import PIECE, Blocks, Decoder, chain_str
from vigil.ingest.lines import SETTING, char_start, cut_notes
from vigil.model import Conversation, Message, Participant, SkippedRecord

Media = dict[str, tuple[str, int]]
"""File name (or member path) → (member path, size) for the media in a zip export."""

_PLAIN_TIME = re.compile(r"([0-9]{1,2})[:.]([0-9]{2})(?:[:.]([0-9]{2}))?$")
_NOT_AUTHOR = re.compile(r"[\"“”«»„「」]")
_EXPECTED = "lines like '31/12/2020, 23:59 - Name: text' or '[31/12/2020, 23:59:59] Name: text'"
_MESSAGE_CUT = (
    "[\u2026 cut by Vigil in line {line}: the message is longer than the limit;"
    " the rest is in the exhibit]"
)
_PATTERNS: list[lay.Patterns] = []


def patterns() -> lay.Patterns:
    """The loose header patterns (built once)."""
    if not _PATTERNS:
        _PATTERNS.append(lay.Patterns.build(locale().connectors))
    return _PATTERNS[0]


class Clock:
    """Date and time texts → UTC, with caches for the message loop.

    ``dates`` maps a date text to the UTC instant of that local midnight, for days without a
    clock change; ``times`` maps a time text to its offset from midnight, for clean times. The
    loop adds the two; anything not in these maps goes through :meth:`resolve`.
    """

    def __init__(self, order: str, tz: tzinfo, loc: Locale) -> None:
        self.order, self.tz, self.loc = order, tz, loc
        self.utc = getattr(tz, "key", None) == "UTC" or tz is UTC
        self.dates: dict[str, datetime] = {}
        self.times: dict[str, timedelta] = {}
        self._date_info: dict[str, tuple[tuple[int, int, int] | None, str | None]] = {}
        self._time_info: dict[str, lay.TimeRead] = {}
        self.calendars: dict[str, tuple[str, tuple[int, int, int]]] = {}  # label: example

    def _midnight(self, y: int, m: int, d: int) -> datetime | None:
        if self.utc:
            return datetime(y, m, d, tzinfo=UTC)
        ends = (datetime(y, m, d, tzinfo=self.tz), datetime(y, m, d, 23, 59, 59, tzinfo=self.tz))
        offsets = {e.replace(fold=f).utcoffset() for e in ends for f in (0, 1)}
        if len(offsets) != 1:
            return None  # the clocks change that day
        (offset,) = offsets
        assert offset is not None
        return datetime(y, m, d, tzinfo=UTC) - offset

    def date(self, text: str) -> tuple[tuple[int, int, int] | None, str | None]:
        got = self._date_info.get(text)
        if got is None:
            ymd, label = lay.read_date(text, self.order)
            if ymd is not None:
                if label:
                    self.calendars.setdefault(label, (text, ymd))
                base = self._midnight(*ymd)
                if base is not None:
                    self.dates[text] = base
                got = (ymd, None)
            else:
                got = (None, label)
            self._date_info[text] = got
        return got

    def time(self, text: str) -> lay.TimeRead:
        got = self._time_info.get(text)
        if got is None and (m := _PLAIN_TIME.match(text)) is not None:
            h, mi, sec = m.groups()
            if int(h) < 24 and int(mi) < 60 and int(sec or 0) < 60:
                delta = timedelta(hours=int(h), minutes=int(mi), seconds=int(sec or 0))
                self.times[text] = delta
                return lay.TimeRead(delta)
        if got is None:
            got = lay.read_time(text, self.loc.ampm)
            if got.delta is not None and got.note is None:
                self.times[text] = got.delta
            self._time_info[text] = got
        return got

    def resolve(self, date_text: str, time_text: str) -> tuple[datetime | None, str | None]:
        """``(UTC time, note)``; the time is None when it cannot be read (note says why)."""
        base, delta = self.dates.get(date_text), self.times.get(time_text)
        if base is not None and delta is not None:
            return base + delta, None
        ymd, reason = self.date(date_text)
        tr = self.time(time_text)
        if ymd is None:
            return None, reason or f"date {date_text!r} not understood"
        if tr.delta is None:
            return None, tr.note
        base = self.dates.get(date_text)
        if base is not None:
            return base + tr.delta, tr.note
        local = datetime(*ymd, tzinfo=self.tz) + tr.delta
        off0, off1 = local.utcoffset(), local.replace(fold=1).utcoffset()
        assert off0 is not None
        utc = (local.replace(tzinfo=None) - off0).replace(tzinfo=UTC)
        note = tr.note
        if off0 != off1:
            change = "local time falls in a clock change; read with the UTC offset before it"
            note = f"{note}; {change}" if note else change
        return utc, note


def _plausible_author(name: str) -> bool:
    return bool(name.strip()) and len(name) <= 100 and _NOT_AUTHOR.search(name) is None


class Run:
    """Parse one chat text: :meth:`start` analyses the head and returns the conversation."""

    def __init__(
        self,
        name: str,
        options: ParseOptions,
        blocks: Blocks,
        media: Media | None,
        title: str | None,
    ) -> None:
        self.name, self.options, self.blocks, self.media = name, options, blocks, media
        self.limit = options.limits.max_message_bytes
        self.cut_messages: list[tuple[int, int, int]] = []  # (line, line cut in, bytes left out)
        self.loc = locale()
        self.conv = Conversation(platform="whatsapp", title=title)
        self.tzname: str = getattr(options.tz, "key", None) or str(options.tz)
        self.known: set[str] = set()  # authors of ordinary messages
        self.noticers: set[str] = set()  # authors whose first message was a WhatsApp notice
        self.seen: set[str] = set()
        self.untimed: Counter[str] = Counter()
        self.stray: list[int] = []

    # --- first pass ---------------------------------------------------------------------------

    def start(self) -> Conversation:
        dec = Decoder(self.limit)
        texts = dec.texts(self.blocks.first_pass())
        head = next(texts, "")
        pats = patterns()
        found: list[re.Match[str]] = []
        time_first = False
        # The layout comes from the first 64 KiB (all of the head if nothing is found there).
        for sample in (head[: head.rfind("\n", 0, 1 << 16) + 1] or head, head):
            df = list(pats.date_first.finditer(sample))
            tf = list(pats.time_first.finditer(sample))
            time_first = len(tf) > len(df)
            found = tf if time_first else df
            if found or len(sample) == len(head):
                break
        if not found:
            raise self._not_whatsapp(dec, head)
        self.loose = pats.time_first if time_first else pats.date_first
        shapes = Counter(lay.shape_of(m, time_first) for m in found)
        words = {w for m in found if (w := m.group("ap1") or m.group("ap2"))}
        shape, others = lay.common_shape(shapes)
        self.header = shape.pattern()
        us_clock = bool(words) and words <= {"AM", "PM"}
        decision = self._scan_dates(shape, chain_str([head], texts), us_clock)
        notes = self.conv.notes
        notes.append(f"layout: {shape.label}, e.g. {found[0].group('stamp')!r}")
        if others:
            notes.append(f"{others} of the first {len(found)} headers use another layout")
        clock = "12-hour (" + ", ".join(sorted(words)) + ")" if words else "24-hour"
        notes.append(f"clock: {clock}")
        notes.append(decision.note)
        notes.append(f"local times read as {self.tzname} ({self.options.tz_source})")
        self.clock = Clock(decision.order, self.options.tz, self.loc)
        self.conv.messages = self._messages()
        return self.conv

    def _scan_dates(self, shape: lay.Shape, texts: Iterator[str], us: bool) -> lay.OrderDecision:
        """Collect dates until they decide the order (or the file ends)."""
        date_pat = shape.date_pattern()
        ev = lay.DateEvidence.empty()
        base = 1
        for text in texts:
            line, pos = base, 0
            for m in date_pat.finditer(text):
                line += text.count("\n", pos, m.start())
                pos = m.start()
                ev.add(m.group(2), line)
            base += text.count("\n")
            decision = lay.decide_order(ev, False, us)
            if decision.final:
                return decision
        return lay.decide_order(ev, True, us)

    def _not_whatsapp(self, dec: Decoder, head: str) -> ParseError:
        n = head.count("\n") + 1
        if dec.nul_at is not None:
            return ParseError(
                "binary data, not a WhatsApp text export",
                file=self.name,
                location=f"offset {dec.nul_at}",
                expected=_EXPECTED,
            )
        detail = (
            f"; {dec.bad} undecodable bytes, first at offset {dec.first_bad}" if dec.bad else ""
        )
        return ParseError(
            f"no WhatsApp message header in the first {n} lines{detail}",
            file=self.name,
            location="line 1",
            expected=_EXPECTED,
        )

    # --- second pass --------------------------------------------------------------------------

    def _messages(self) -> Iterator[Message]:
        dates, times = self.clock.dates, self.clock.times
        known, special, tails = self.known, self.loc.special, frozenset(">)")
        tzname, split = self.tzname, self.header.split
        dec = Decoder(self.limit)
        line = 1
        held: list[Any] | None = None  # the last message of a piece: it may go on
        left_out = [0, 0, 0]  # bytes, newlines and first line left out of the held message
        for piece in dec.texts(self.blocks.second_pass(), PIECE):
            parts = split(piece)
            if held is None:
                if parts[0]:  # text before the first header of the file
                    own, extra = self._split_loose(parts[0], line)
                    self._skip_lines(own, line)
                    yield from extra
                    line += parts[0].count("\n")
            else:  # continuation lines at the piece's start
                if left_out[1] or len(held[5]) + len(parts[0]) > self.limit:
                    self._hold_back(held, parts[0], left_out, line)
                else:
                    held[5] = f"{held[5]}{parts[0]}"
                if len(parts) == 1:
                    continue
                stamp, date, tm, author, body, gap = held
                yield from self._slow(stamp, date, tm, author, body, gap, line, left_out)
                line += gap.count("\n") + left_out[1]
                left_out = [0, 0, 0]
            if len(parts) == 1:
                continue
            held = parts[-6:]
            del parts[-6:]
            it = iter(parts)
            next(it)
            for stamp, date, tm, author, body, gap in zip(it, it, it, it, it, it, strict=False):
                try:
                    sent = dates[date] + times[tm]
                except KeyError:
                    yield from self._slow(stamp, date, tm, author, body, gap, line)
                    line += gap.count("\n")
                    continue
                if (
                    gap != "\n"
                    or author not in known
                    or body in special
                    or body[-1:] in tails
                    or body[:1] == "<"
                ):
                    yield from self._slow(stamp, date, tm, author, body, gap, line)
                    line += gap.count("\n")
                    continue
                yield Message(author, body, sent, f"line {line}", stamp, tzname)
                line += 1
        if held is not None:
            stamp, date, tm, author, body, gap = held
            gap = gap if gap.endswith("\n") else gap + "\n"
            yield from self._slow(stamp, date, tm, author, body, gap, line, left_out)
        self._finish(dec)

    def _hold_back(self, held: list[Any], more: str, left_out: list[int], line: int) -> None:
        """Add continuation text ``more`` to the held message up to the limit (whole lines);
        count what is left out, without keeping it."""
        if not left_out[1]:
            room = self.limit - len(held[5])
            keep = more.rfind("\n", 0, room) + 1 if room > 0 else 0
            held[5] = f"{held[5]}{more[:keep]}"
            more = more[keep:]
            left_out[2] = line + held[5].count("\n")
        left_out[0] += len(more.encode("utf-8", "surrogatepass"))
        left_out[1] += more.count("\n")

    def _slow(
        self,
        stamp: str,
        date: str,
        tm: str,
        author: str | None,
        body: str,
        gap: str,
        line: int,
        left_out: list[int] | None = None,
    ) -> list[Message]:
        """The message and, rarely, headers in another layout found among its lines."""
        extra: list[Message] = []
        if not gap.startswith("\n"):  # the line itself went on past a piece cut mid-line
            rest_of_line, nl, after = gap.partition("\n")
            body, gap = body + rest_of_line, nl + after
        cont = ""
        if gap not in ("\n", ""):
            own, extra = self._split_loose(gap[1:-1], line + 1)
            cont = own.rstrip("\n")
        if cont or (left_out and left_out[0]):
            body = self._joined(body, cont, line, left_out)
        if not extra and author in self.known and not self.loc.may_have_marker(body):
            base, delta = self.clock.dates.get(date), self.clock.times.get(tm)
            if base is not None and delta is not None:  # a plain multi-line message
                return [Message(author, body, base + delta, f"line {line}", stamp, self.tzname)]
        msg = self._make(stamp, date, tm, author, body, line)
        return [msg, *extra] if extra else [msg]

    def _joined(self, body: str, cont: str, line: int, left_out: list[int] | None) -> str:
        """``body`` and its continuation lines ``cont``, cut to the limit with a mark and a
        record of what was left out (``left_out``: already left out while reading)."""
        dropped, first = (left_out[0], left_out[2]) if left_out else (0, 0)
        limit = self.limit
        if not dropped and (len(body) + len(cont) + 1) * 4 <= limit:
            return f"{body}\n{cont}"
        head = len(body.encode("utf-8", "surrogatepass")) + 1
        raw = cont.encode("utf-8", "surrogatepass")
        if not dropped and head + len(raw) <= limit:
            return f"{body}\n{cont}"
        keep = char_start(raw, max(0, min(len(raw), limit - head)))
        if keep < len(raw):
            first = line + 1 + raw.count(b"\n", 0, keep)
            dropped += len(raw) - keep
        kept = raw[:keep].decode("utf-8", "surrogatepass")
        self.cut_messages.append((line, first, dropped))
        mark = _MESSAGE_CUT.format(line=first)
        return f"{body}\n{kept}{mark}" if kept else f"{body}\n{mark}"

    def _split_loose(self, text: str, first_line: int) -> tuple[str, list[Message]]:
        """Headers in another layout inside continuation text: cut there, parse them loosely."""
        found = list(self.loose.finditer(text))
        if not found:
            return text, []
        out = []
        for i, m in enumerate(found):
            end = found[i + 1].start() if i + 1 < len(found) else len(text)
            line = first_line + text.count("\n", 0, m.start())
            self.stray.append(line)
            body = m.group("body")
            cont = text[m.end() + 1 : end].rstrip("\n")
            if cont:
                body = f"{body}\n{cont}"
            stamp, date, tm = m.group("stamp"), m.group("date"), m.group("time")
            out.append(self._make(stamp, date, tm, m.group("author"), body, line))
        return text[: found[0].start()], out

    def _skip_lines(self, text: str, first_line: int) -> None:
        for i, raw in enumerate(text.split("\n")):
            if raw.strip():
                rec = SkippedRecord(
                    f"line {first_line + i}", "text before the first message header", raw[:200]
                )
                self.conv.skipped.append(rec)

    def _make(
        self, stamp: str, date: str, tm: str, author: str | None, body: str, line: int
    ) -> Message:
        sent_at, note = self.clock.resolve(date, tm)
        if sent_at is None:
            self.untimed[note or "time not understood"] += 1
        if author is None:
            author, body = self._author_without_space(body)
        is_system = author is None
        if author is not None:
            if author in self.known:
                pass
            elif author in self.noticers:
                is_system = self.loc.is_system_text(body)
                if not is_system:
                    self.known.add(author)
            elif not _plausible_author(author):
                body, author, is_system = f"{author}: {body}", None, True
            elif self.loc.is_notice(body):
                self.noticers.add(author)
                is_system = True
            else:
                self.known.add(author)
            if author is not None and author not in self.seen:
                self.seen.add(author)
                self.conv.participants.append(Participant(author, author))
        info = classify_body(body, self.media) if self.loc.may_have_marker(body) else None
        if info is None:
            return Message(
                author, body, sent_at, f"line {line}", stamp,
                self.tzname if sent_at is not None else None,
                is_system=is_system, time_note=note,
            )  # fmt: skip
        return Message(
            author,
            info.text,
            sent_at,
            f"line {line}",
            stamp,
            self.tzname if sent_at is not None else None,
            is_edited=info.is_edited,
            is_deleted=info.is_deleted,
            is_system=is_system,
            attachments=info.attachments,
            time_note=note,
        )

    def _author_without_space(self, body: str) -> tuple[str | None, str]:
        """``Name:`` at the end of the line, or ``Name:text`` by a known author."""
        first, sep, rest = body.partition("\n")
        if first.endswith(":") and _plausible_author(first[:-1]):
            name = first[:-1].strip()
            if name in self.seen or not self.loc.is_system_text(first):
                return name, rest
        elif ":" in first:
            name = first.split(":", 1)[0]
            if name in self.seen:
                return name, first[len(name) + 1 :] + sep + rest
        return None, body

    def _finish(self, dec: Decoder) -> None:
        notes = self.conv.notes
        notes.extend(calendar_notes(self.clock.calendars))
        for reason, n in self.untimed.most_common():
            notes.append(f"{n} message(s) have no time: {reason}")
        if self.stray:
            lines = ", ".join(str(n) for n in self.stray[:5])
            notes.append(
                f"{len(self.stray)} header(s) in another layout, read loosely (lines {lines})"
            )
        for name in sorted(self.noticers - self.known):
            notes.append(
                f"{name!r} only appears before WhatsApp notices (probably the chat's name)"
            )
        if dec.bad:
            notes.append(
                f"{dec.bad} undecodable byte sequence(s) replaced by U+FFFD "
                f"(first at byte offset {dec.first_bad})"
            )
        if dec.nul_at is not None:
            notes.append(f"NUL byte at offset {dec.nul_at}: the file holds binary data")
        notes.extend(cut_notes(self.name, dec.cutter.cuts, self.limit))
        for line, first, dropped in self.cut_messages[:10]:
            notes.append(
                f"{self.name}: message at line {line} is longer than the {self.limit:,}-byte "
                f"limit ({SETTING}): cut in line {first}, {dropped:,} byte(s) of its "
                "continuation lines left out (the full bytes stay in the exhibit)"
            )
        if len(self.cut_messages) > 10:
            rest = self.cut_messages[10:]
            notes.append(
                f"{self.name}: {len(rest):,} more over-long message(s) cut, "
                f"{sum(d for _, _, d in rest):,} byte(s) left out in all "
                "(the full bytes stay in the exhibit)"
            )
