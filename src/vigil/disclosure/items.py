"""Item keys: which record of a case an item is, written ``kind:reference``.

=================== ================================ ==========================================
kind                reference                        the record
=================== ================================ ==========================================
``exhibit``         the exhibit reference (``SE/1``) an exhibit not stored by a capture
``conversation``    the conversation id (``12``)     a conversation read from an exhibit
``capture``         session ref ``#`` seq            a capture (its screenshot, MHTML and HTML)
                    (``OP-1/CS1#3``)
``capture-note``    session ref ``#`` seq            a contemporaneous note in a capture session
``review-note``     the review decision id (``7``)   a reviewer's note on a conversation
=================== ================================ ==========================================

Continuity statements and transcripts are exhibits, so they are ``exhibit`` items.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigil.errors import UserError

ITEM_KINDS: tuple[str, ...] = ("exhibit", "conversation", "capture", "capture-note", "review-note")
KIND_LABELS: dict[str, str] = {
    "exhibit": "exhibit",
    "conversation": "conversation",
    "capture": "capture",
    "capture-note": "capture note",
    "review-note": "review note",
}
KEY_MAX = 160


@dataclass(frozen=True, slots=True, order=True)
class ItemKey:
    """A parsed item key; ``str()`` gives it back as written."""

    kind: str
    ref: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref}"


def parse_key(text: str) -> ItemKey:
    """``exhibit:SE/1`` → ``ItemKey("exhibit", "SE/1")``; a clear error otherwise."""
    kind, sep, ref = text.strip().partition(":")
    kind = kind.strip().lower()
    ref = ref.strip()
    if not sep or kind not in ITEM_KINDS or not ref or len(text) > KEY_MAX:
        raise UserError(
            f"bad item reference {text!r}",
            hint="kind:reference, kind one of "
            + ", ".join(ITEM_KINDS)
            + " (e.g. exhibit:SE/1, conversation:12); see `vigil disclosure items`",
        )
    if kind in ("conversation", "review-note") and not ref.isdigit():
        raise UserError(f"bad item reference {text!r}: a {kind} is referred to by its number")
    return ItemKey(kind, ref)
