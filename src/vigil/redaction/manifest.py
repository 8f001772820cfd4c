"""The redacted bundle's manifest entries (pure): what was redacted, where, why, by whom and
when, and for each file produced the SHA-256 of the original it came from and of the redacted
output. Never the redacted text itself: a phrase is described by its length, a span by its
message and character offsets, a box by its place in pixels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vigil.redaction.reasons import reason_label

FORMAT = "vigil-redacted-bundle/1"

README = """Vigil redacted bundle ({fmt}), prepared for: {audience}

This bundle holds redacted copies only: transcripts (transcripts/*.pdf), conversation
exports (conversations/*.json) and images (images/*.png, re-encoded from their pixels, with
no metadata). Each redacted stretch of text reads [REDACTED: reason]; each redacted area of an
image is filled black. manifest.json lists every redaction (what, where, why, by whom, when)
and, for each file, the SHA-256 of the original exhibit and of the redacted copy. The
originals are unchanged and can be produced to the court on order; files that cannot be
redacted here are listed under "withheld" and are not in this bundle.

Check the files: unzip bundle.zip -d b && cd b && sha256sum -c SHA256SUMS
chain.json is the custody log's hash skeleton (no content); manifest.json "anchor" is the
entry that records this export.

Vigil's output is a lead for a trained person, never a verdict.
"""


@dataclass(frozen=True, slots=True)
class Entry:
    """One redaction as the manifest records it."""

    id: int | None
    kind: str
    where: str
    reason: str
    note: str | None
    by: str
    at: str
    used_in: tuple[str, ...] = ()


def entry_json(e: Entry) -> dict[str, Any]:
    return {
        "id": e.id,
        "kind": e.kind,
        "where": e.where,
        "reason": e.reason,
        "reason_label": reason_label(e.reason),
        "note": e.note,
        "by": e.by,
        "at": e.at,
        "used_in": list(e.used_in),
    }


@dataclass(frozen=True, slots=True)
class Output:
    """One redacted file of the bundle and where it came from."""

    path: str
    what: str
    source_ref: str
    source_sha256: str
    sha256: str
    size: int
    redactions: tuple[int, ...]
    persona_redactions: int = 0


def output_json(o: Output) -> dict[str, Any]:
    return {
        "path": o.path,
        "what": o.what,
        "source_exhibit": o.source_ref,
        "source_sha256": o.source_sha256,
        "sha256": o.sha256,
        "size": o.size,
        "redactions": list(o.redactions),
        "persona_redactions": o.persona_redactions,
    }
