"""Redaction (pure): reason codes, spans of text replaced by visible markers, rectangles of
images filled black and re-encoded, persona identities found as whole words, and the manifest
entries that say what was redacted, where, why and by whom, never the redacted words.

Nothing here opens files, reads the clock or touches the database; the services
(:mod:`vigil.services.redaction`) do. The original never changes: redaction produces a new
text or a new image, and the manifest records the SHA-256 of the original and of the output so
that the unredacted material can be produced to the court on order.
"""

from vigil.redaction.reasons import REASONS, check_reason, marker, reason_label
from vigil.redaction.spans import Applied, RedactedText, Span, apply_spans, find_words, merge

__all__ = [
    "REASONS",
    "Applied",
    "RedactedText",
    "Span",
    "apply_spans",
    "check_reason",
    "find_words",
    "marker",
    "merge",
    "reason_label",
]
