"""Synthetic WhatsApp exports of any size, built from the shared lorem fixture.

The source is ``../shared/fixtures/chats/whatsapp/whatstk/lorem-2000.txt``: 2,000 one-line
messages of lorem-ipsum filler between a few senders. An export is that text repeated, so its
message count is known exactly. Grooming cues (the taxonomy's own examples: synthetic,
non-graphic, written the way safeguarding guidance quotes them) can be appended to a random
fraction of the messages or to messages at known positions.

Used by ``bench/triage_e2e.py`` and by the slow suites in ``tests/slow/``. Stdlib only, apart
from :func:`taxonomy_cues` (which loads Vigil's taxonomy when called).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping
from pathlib import Path

FIXTURE = (
    Path(__file__).resolve().parents[2] / "shared/fixtures/chats/whatsapp/whatstk/lorem-2000.txt"
)


@functools.cache
def fixture_text() -> bytes:
    """The fixture's bytes, ending in a newline (so that copies can be concatenated)."""
    text = FIXTURE.read_bytes()
    return text if text.endswith(b"\n") else text + b"\n"


def messages_per_copy(text: bytes | None = None) -> int:
    """Messages in one copy of ``text`` (default the fixture): its ``[date time] name:`` lines."""
    return sum(1 for line in (text or fixture_text()).split(b"\n") if line.startswith(b"["))


@functools.cache
def taxonomy_cues() -> list[bytes]:
    """Every example of every English taxonomy pattern, as UTF-8."""
    from vigil.analysis.taxonomy_load import load_taxonomy

    return [ex.encode() for p in load_taxonomy("en").patterns() for ex in p.examples]


def with_cues(text: bytes, rate: float, seed: int) -> bytes:
    """``text`` with a taxonomy example appended to about ``rate`` of its message lines."""
    cues = taxonomy_cues()
    rng = random.Random(seed)
    lines = text.split(b"\n")
    for i, line in enumerate(lines):
        if line.startswith(b"[") and rng.random() < rate:
            lines[i] = line + b" " + rng.choice(cues)
    return b"\n".join(lines)


def with_cues_at(text: bytes, cues: Mapping[int, bytes]) -> bytes:
    """``text`` with ``cues[i]`` appended to its ``i``-th message line (0-based)."""
    lines = text.split(b"\n")
    n = -1
    for i, line in enumerate(lines):
        if line.startswith(b"["):
            n += 1
            if n in cues:
                lines[i] = line + b" " + cues[n]
    return b"\n".join(lines)


def copies_for_bytes(size: int) -> int:
    """Copies of the fixture that make an export of at most ``size`` bytes (at least one)."""
    return max(1, size // len(fixture_text()))


def write_export(
    path: Path,
    copies: int,
    *,
    cue_rate: float = 0.0,
    cues_at: Mapping[int, bytes] | None = None,
) -> int:
    """Write ``copies`` copies of the fixture to ``path``; return the number of messages.

    ``cue_rate`` appends a random taxonomy example to about that fraction of the messages (copy
    ``i`` is seeded with ``i``, so the same arguments give the same bytes). ``cues_at`` maps a
    0-based message position in the whole export to a cue appended to that message.
    """
    text = fixture_text()
    per = messages_per_copy(text)
    wanted = dict(cues_at or {})
    if any(not 0 <= pos < copies * per for pos in wanted):
        raise ValueError(f"cue positions must lie in 0..{copies * per - 1}")
    if any(b"\n" in cue for cue in wanted.values()):
        raise ValueError("a cue must be one line (it is appended to one message)")
    by_copy: dict[int, dict[int, bytes]] = {}
    for pos, cue in wanted.items():
        by_copy.setdefault(pos // per, {})[pos % per] = cue
    with path.open("wb") as fh:
        for i in range(copies):
            chunk = with_cues(text, cue_rate, seed=i) if cue_rate else text
            if i in by_copy:
                chunk = with_cues_at(chunk, by_copy[i])
            fh.write(chunk)
    return copies * per
