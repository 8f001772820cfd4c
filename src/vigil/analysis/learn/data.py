"""Labelled training and evaluation data for the optional classifier (pure: streams in, data out).

Two sources:

* PAN 2012 corpus XML plus its predator-id list: each conversation becomes one labelled chat,
  label 1 when any participant is on the predator list. The XML is read by Vigil's own PAN12
  parser (:mod:`vigil.ingest.formats.pan12_xml`), so the same repairs and notes apply.
* CSV with a header ``segment,label``: ``label`` is 0 or 1; the segment's lines are its messages
  (a one-line segment is a one-message chat), which is what message-by-message evaluation uses.

A bad CSV row raises :class:`~vigil.errors.ParseError` naming the file and line: a training set
with holes in it would give a model card that does not describe the model.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions
from vigil.ingest.formats.pan12_xml import PARSER as PAN12
from vigil.ingest.formats.pan12_xml import apply_predator_ids
from vigil.model import ParticipantRole

CSV_HEADER = ("segment", "label")


@dataclass(frozen=True, slots=True)
class LabelledChat:
    """One conversation (or segment) with its label: 1 concerning, 0 not."""

    messages: tuple[str, ...]
    label: int
    source: str
    """Where it came from: ``file, conversation ID`` or ``file, line N``."""

    @property
    def text(self) -> str:
        """The whole chat as one segment, one message per line."""
        return "\n".join(self.messages)


@dataclass(frozen=True, slots=True)
class Loaded:
    """Chats read from one file, and what was left out and why."""

    chats: list[LabelledChat]
    notes: list[str]


def chats_from_pan12(stream: BinaryIO, name: str, predator_ids: set[str]) -> Loaded:
    """Read PAN12 corpus XML; a chat is labelled 1 when a participant is in ``predator_ids``."""
    chats: list[LabelledChat] = []
    notes: list[str] = []
    empty = 0
    for conv in apply_predator_ids(PAN12.parse(stream, name, ParseOptions()), predator_ids):
        texts = tuple(m.text for m in conv.messages)
        for skip in conv.skipped:
            notes.append(f"{name}, {skip.source_location}: skipped: {skip.reason}")
        notes.extend(f"{name}: {n}" for n in conv.notes)
        if not texts:
            empty += 1
            continue
        label = int(any(p.role is ParticipantRole.SUSPECT for p in conv.participants))
        chats.append(LabelledChat(texts, label, f"{name}, conversation {conv.source_id}"))
    if empty:
        notes.append(f"{name}: {empty} conversation(s) without messages left out")
    if not chats:
        raise ParseError("no conversations with messages", file=name, expected="PAN12 corpus XML")
    return Loaded(chats, notes)


def _label(raw: str, name: str, line: int) -> int:
    value = raw.strip()
    if value not in ("0", "1"):
        raise ParseError(
            f"label is {raw!r}", file=name, location=f"line {line}", expected="label 0 or 1"
        )
    return int(value)


def chats_from_csv(stream: BinaryIO, name: str) -> Loaded:
    """Read a ``segment,label`` CSV (UTF-8, header row first)."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    chats: list[LabelledChat] = []
    line = 1
    try:
        header = next(reader, None)
        if header is None or tuple(h.strip().lower() for h in header) != CSV_HEADER:
            raise ParseError(
                f"header is {header!r}" if header else "the file is empty",
                file=name,
                location="line 1",
                expected="a header row 'segment,label'",
            )
        for row in reader:
            line = reader.line_num - row_lines(row) + 1
            if not row:
                continue
            if len(row) != 2:
                raise ParseError(
                    f"{len(row)} field(s)",
                    file=name,
                    location=f"line {line}",
                    expected="two fields: segment,label",
                )
            segment, raw_label = row
            label = _label(raw_label, name, line)
            messages = tuple(m.rstrip("\r") for m in segment.split("\n") if m.strip())
            if not messages:
                raise ParseError(
                    "empty segment", file=name, location=f"line {line}", expected="chat text"
                )
            chats.append(LabelledChat(messages, label, f"{name}, line {line}"))
    except UnicodeDecodeError as exc:
        raise ParseError(
            "undecodable bytes", file=name, location=f"after line {line}", expected="UTF-8 text"
        ) from exc
    except csv.Error as exc:
        raise ParseError(
            str(exc), file=name, location=f"line {reader.line_num}", expected="CSV"
        ) from exc
    finally:
        text.detach()
    if not chats:
        raise ParseError("no data rows", file=name, expected="rows of segment,label")
    return Loaded(chats, [])


def row_lines(row: Sequence[str]) -> int:
    """How many physical lines a parsed CSV row spans (newlines inside quoted fields)."""
    return 1 + sum(field.count("\n") for field in row)


@dataclass(frozen=True, slots=True)
class Balance:
    """Class counts of a set of labelled chats."""

    total: int
    positives: int
    negatives: int
    messages: int

    @property
    def positive_share(self) -> float:
        return self.positives / self.total if self.total else 0.0

    def as_dict(self) -> dict[str, int | float]:
        return {
            "chats": self.total,
            "positives": self.positives,
            "negatives": self.negatives,
            "positive_share": round(self.positive_share, 6),
            "messages": self.messages,
        }


def balance(chats: Iterable[LabelledChat]) -> Balance:
    """Count chats, positives, negatives and messages."""
    total = positives = messages = 0
    for c in chats:
        total += 1
        positives += c.label
        messages += len(c.messages)
    return Balance(total, positives, total - positives, messages)
