"""Chat transcript exhibits: what one holds, which messages a selection keeps, and its HTML
and PDF (pure).

A transcript is a conversation (or a selection of its messages) laid out as an officer
produces it in court: the exhibit label, the source exhibit and its SHA-256, the time zone the
times are given in, and each message with its sequence number, time, sender, text and
attachment references. Review decisions and the officers' notes go on a separate annex, so the
transcript itself is the record and the annex the officers' work on it. Every page's footer
carries the exhibit label and "page x of y".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from jinja2 import Environment, PackageLoader, select_autoescape

from vigil.errors import UserError

_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+))?\s*$")


@dataclass(frozen=True, slots=True)
class Line:
    """One message as the transcript shows it."""

    seq: int
    time: str
    sender: str
    text: str
    attachments: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    """Words such as "deleted", "edited", "system message"."""


@dataclass(frozen=True, slots=True)
class AnnexLine:
    """One review decision or note: when, who, on what, and what."""

    time: str
    by: str
    about: str
    what: str


@dataclass(frozen=True, slots=True)
class Transcript:
    label: str
    case_ref: str
    source_ref: str
    source_name: str
    source_sha256: str
    conversation: str
    platform: str
    zone: str
    selection: str
    participants: tuple[str, ...]
    lines: tuple[Line, ...]
    total_messages: int
    produced_by: str
    produced_at: str
    tool_version: str
    annex: tuple[AnnexLine, ...] = field(default=())


def parse_ranges(text: str) -> list[tuple[int, int]]:
    """``"1-20,35,40-45"`` as inclusive ranges; UserError naming the bad part."""
    out = []
    for part in text.split(","):
        m = _RANGE.match(part)
        if m is None:
            raise UserError(f"bad message range {part.strip()!r}", hint="e.g. 1-20,35,40-45")
        lo = int(m.group(1))
        hi = int(m.group(2) or lo)
        if lo < 1 or hi < lo:
            raise UserError(f"bad message range {part.strip()!r}", hint="from 1, low to high")
        out.append((lo, hi))
    return out


def in_ranges(seq: int, ranges: Sequence[tuple[int, int]]) -> bool:
    return any(lo <= seq <= hi for lo, hi in ranges)


def describe(
    ranges: Sequence[tuple[int, int]],
    tags: Iterable[str],
    bookmarked: bool,
    categories: Iterable[str],
) -> str:
    """The selection in words for the front page ("the whole conversation" when none)."""
    parts = []
    if ranges:
        parts.append(
            "messages " + ", ".join(f"{a}" if a == b else f"{a} to {b}" for a, b in ranges)
        )
    tags = list(tags)
    if tags:
        parts.append("messages tagged " + ", ".join(f"“{t}”" for t in tags))
    if bookmarked:
        parts.append("bookmarked messages")
    cats = list(categories)
    if cats:
        parts.append("messages with indicators of " + ", ".join(cats))
    return "; ".join(parts) if parts else "the whole conversation"


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("vigil.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(t: Transcript) -> str:
    """The transcript as an HTML page (``templates/transcript.html.j2``)."""
    return _env().get_template("transcript.html.j2").render(t=t)


def render_pdf(t: Transcript) -> bytes:
    """The transcript as a paginated PDF, laid out by ReportLab (``transcript_pdf``)."""
    from vigil.reports.transcript_pdf import render

    return render(t)
