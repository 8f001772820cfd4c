"""Reason codes for redaction, as data: a short code stored with each redaction, the words
shown in the marker that replaces the redacted text, and a line of guidance."""

from __future__ import annotations

from vigil.errors import UserError

REASONS: dict[str, tuple[str, str]] = {
    "third_party": (
        "third-party personal data",
        "names, numbers, addresses or accounts of people not party to the case",
    ),
    "victim": ("victim identity", "anything that identifies a child or other victim"),
    "witness": ("witness identity", "anything that identifies a witness"),
    "operational": (
        "operationally sensitive",
        "tradecraft, techniques, tools, locations or staff of the investigating unit",
    ),
    "persona": ("persona identity", "names and handles of undercover personas"),
    "other": ("other", "give the reason in words (--note)"),
}
"""``code: (label, guidance)``. The persona code is also applied automatically to exports for
the defence (:mod:`vigil.services.redaction.text`)."""

NOTE_MAX = 500


def check_reason(code: str, note: str | None) -> tuple[str, str | None]:
    """The reason code (accepting the label or the code, any case) and the cleaned note.

    ``other`` needs a note of a few words; UserError names the codes otherwise."""
    raw = " ".join((code or "").split()).lower().replace("-", "_")
    by_label = {label: c for c, (label, _) in REASONS.items()}
    found = raw if raw in REASONS else by_label.get(raw.replace("_", "-"), by_label.get(raw))
    if found is None:
        raise UserError(f"unknown redaction reason {code!r}", hint="reasons: " + ", ".join(REASONS))
    text = " ".join((note or "").replace("\x00", " ").split())[:NOTE_MAX] or None
    if found == "other" and (text is None or len(text) < 4):
        raise UserError("the reason 'other' needs a note saying why", hint="e.g. --note '...'")
    return found, text


def reason_label(code: str) -> str:
    """The words for ``code`` (the code itself when unknown)."""
    return REASONS.get(code, (code, ""))[0]


def marker(codes: list[str] | tuple[str, ...]) -> str:
    """The visible marker for a redacted stretch: ``[REDACTED: victim identity]``; several
    reasons (overlapping redactions merged) are joined with "; " in the order given."""
    labels: list[str] = []
    for c in codes:
        label = reason_label(c)
        if label not in labels:
            labels.append(label)
    return f"[REDACTED: {'; '.join(labels)}]"
