"""Reading each hit with the messages around it, its matches marked (for a page of hits)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from vigil.db.tables.conversations import ConversationRow, MessageRow, ParticipantRow
from vigil.services import links
from vigil.services.search.query import Term, marks

HIT_CHARS = 2_000
CONTEXT_CHARS = 400
"""Longer messages are shown as a stretch of this many characters (around the first match)."""


@dataclass(slots=True)
class ShownMessage:
    """A hit, or a message shown around one: ``marks`` are the ``[start, end)`` spans of
    ``text`` that matched (of a hit; none for the messages around it); ``clipped_before`` /
    ``clipped_after``: ``text`` is a stretch of a longer message."""

    seq: int
    sent_at: datetime | None
    sender: str | None
    text: str
    marks: list[tuple[int, int]]
    is_hit: bool = False
    is_system: bool = False
    is_deleted: bool = False
    clipped_before: bool = False
    clipped_after: bool = False


@dataclass(slots=True)
class SearchHit:
    """A message that matched, where it is, and the messages just before and after it."""

    case_ref: str
    conversation_id: int
    platform: str
    title: str | None
    message: ShownMessage
    before: list[ShownMessage] = field(default_factory=list)
    after: list[ShownMessage] = field(default_factory=list)
    link: str = ""
    """The conversation viewer at this message."""


def read_hits(
    s: Session,
    terms: Sequence[Term],
    refs: Mapping[int, str],
    found: Sequence[tuple[int, int, int]],
    context: int,
) -> list[SearchHit]:
    """Each ``(message id, conversation id, seq)`` found, with ``context`` messages before and
    after it, its matches marked; ``refs`` maps the searched cases' ids to their references."""
    if not found:
        return []
    conv_ids = sorted({cid for _, cid, _ in found})
    convs = {
        c.id: c
        for c in s.execute(
            select(ConversationRow).where(ConversationRow.id.in_(conv_ids))
        ).scalars()
    }
    names = {
        pid: name or platform_id
        for pid, name, platform_id in s.execute(
            select(
                ParticipantRow.id, ParticipantRow.display_name, ParticipantRow.platform_id
            ).where(ParticipantRow.conversation_id.in_(conv_ids))
        )
    }
    spans: dict[int, list[tuple[int, int]]] = {}
    for _, cid, seq in found:
        spans.setdefault(cid, []).append((seq - context, seq + context))
    windows = " OR ".join(
        f"(conversation_id = {int(cid)} AND seq BETWEEN {int(lo)} AND {int(hi)})"
        for cid, ranges in spans.items()
        for lo, hi in merged(ranges)
    )
    shown: dict[tuple[int, int], Any] = {
        (r.conversation_id, r.seq): r
        for r in s.execute(
            select(
                MessageRow.conversation_id, MessageRow.seq, MessageRow.sent_at,
                MessageRow.sender_id, MessageRow.text, MessageRow.is_system,
                MessageRow.is_deleted,
            ).where(text(windows))
        )
    }  # fmt: skip

    def view(cid: int, seq: int, hit: bool) -> ShownMessage | None:
        r = shown.get((cid, seq))
        if r is None:
            return None
        body = r.text or ""
        found_at = marks(body, terms) if hit else []
        body, found_at, cut_a, cut_b = clip(body, found_at, HIT_CHARS if hit else CONTEXT_CHARS)
        sender = names.get(r.sender_id) if r.sender_id is not None else None
        return ShownMessage(seq, r.sent_at, sender, body, found_at, hit, bool(r.is_system),
                            bool(r.is_deleted), cut_a, cut_b)  # fmt: skip

    out = []
    for _, cid, seq in found:
        conv = convs[cid]
        msg = view(cid, seq, True)
        assert msg is not None
        before = [v for k in range(seq - context, seq) if (v := view(cid, k, False))]
        after = [v for k in range(seq + 1, seq + context + 1) if (v := view(cid, k, False))]
        ref = refs[conv.case_id]
        link = links.conversation(ref, cid, f"m-{seq}", start=max(1, seq - 2))
        out.append(SearchHit(ref, cid, conv.platform, conv.title, msg, before, after, link))
    return out


def merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching ranges of message numbers joined."""
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def clip(
    body: str, spans: list[tuple[int, int]], size: int
) -> tuple[str, list[tuple[int, int]], bool, bool]:
    """At most ``size`` characters of ``body`` around its first match, spans moved to fit."""
    if len(body) <= size:
        return body, spans, False, False
    first = spans[0][0] if spans else 0
    start = max(0, min(first - size // 4, len(body) - size))
    end = start + size
    kept = [(max(a, start) - start, min(b, end) - start) for a, b in spans if a < end and b > start]
    return body[start:end], kept, start > 0, end < len(body)
