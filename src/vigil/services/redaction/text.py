"""Applying a case's redactions to text: messages, and the free text around them (names,
titles, file names, schedule entries).

:class:`Redactor` is built once per case and audience inside the caller's session and then
applied without further queries. Spans apply to their message; phrases to every text of their
scope (one conversation, or the whole case); persona identities (every name and handle of the
personas used in the case, any case, whole words) when the audience asks for them: by default
for the defence, not for the prosecution (CPS). All spans of a text are found on the original
and applied once (:mod:`vigil.redaction.spans`).

:func:`redact_text` is the public entry point for other produced documents (disclosure
schedules): case-wide phrases and persona identities.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil.db.tables.access import User
from vigil.db.tables.capture import CaptureSession
from vigil.db.tables.cases import Authorisation, Operation, Persona, PersonaHandle
from vigil.db.tables.evidence import CustodyEntry
from vigil.errors import UserError
from vigil.redaction.spans import RedactedText, Span, apply_spans, find_any, find_words
from vigil.services.redaction.records import rows_of

AUDIENCES: dict[str, bool] = {"defence": True, "cps": False}
"""Audience → whether persona identities are redacted unless told otherwise."""


def check_audience(audience: str) -> str:
    a = (audience or "").strip().lower()
    if a not in AUDIENCES:
        raise UserError(f"unknown audience {audience!r}", hint="defence or cps")
    return a


def persona_words(session: Session, case_id: int, case_ref: str) -> list[str]:
    """Names and handles of every persona used in the case: in its capture sessions, under
    authorisations of its operations, or named when its evidence was stored (``--persona``)."""
    ids: set[int] = set(
        session.execute(
            select(CaptureSession.persona_id).where(CaptureSession.case_id == case_id)
        ).scalars()
    )
    ids.update(
        session.execute(
            select(Authorisation.persona_id)
            .join(Operation, Operation.id == Authorisation.operation_id)
            .where(Operation.case_id == case_id)
        ).scalars()
    )
    refs: set[str] = set()
    for raw in session.execute(
        select(CustodyEntry.details).where(
            CustodyEntry.case_ref == case_ref, CustodyEntry.details.like('%"persona"%')
        )
    ).scalars():
        try:
            ref = json.loads(raw).get("persona")
        except (ValueError, AttributeError):
            continue
        if isinstance(ref, str):
            refs.add(ref)
    if refs:
        ids.update(session.execute(select(Persona.id).where(Persona.ref.in_(refs))).scalars())
    words: set[str] = set()
    for p in session.execute(select(Persona).where(Persona.id.in_(ids))).scalars():
        words.add(p.name_used)
        words.update(w for w in p.name_used.split() if len(w) >= 3)
    for h in session.execute(
        select(PersonaHandle.handle).where(PersonaHandle.persona_id.in_(ids))
    ).scalars():
        words.add(h)
        if h.startswith("@") and len(h) > 2:
            words.add(h[1:])
    return sorted((w.strip() for w in words if w.strip()), key=lambda w: (-len(w), w))


@dataclass(slots=True)
class Redactor:
    """The standing redactions of one case for one audience, ready to apply."""

    audience: str
    personas: bool
    spans: dict[tuple[int, int], list[Span]] = field(default_factory=dict)
    phrases: list[tuple[int | None, str, bool, str, int]] = field(default_factory=list)
    """``(conversation id or None for the case, phrase, whole word, reason, redaction id)``."""
    persona_words: list[str] = field(default_factory=list)
    used: set[int] = field(default_factory=set)
    """Ids of the redactions that changed something so far."""
    persona_hits: int = 0
    meta: dict[int, tuple[str, datetime, str, str | None]] = field(default_factory=dict)
    """Redaction id → (made by, when, reason, note), for annexes and manifests."""

    def found(self, text: str, conv_id: int | None) -> list[Span]:
        """The phrase and persona spans in ``text`` (not yet applied)."""
        out: list[Span] = []
        for scope, phrase, whole, reason, rid in self.phrases:
            if scope is not None and scope != conv_id:
                continue
            out += [Span(a, b, reason, rid) for a, b in find_words(text, phrase, whole_word=whole)]
        if self.personas and self.persona_words:
            words = tuple(self.persona_words)
            out += [Span(a, b, "persona") for a, b in find_any(text, words)]
        return out

    def _done(self, r: RedactedText) -> RedactedText:
        for a in r.applied:
            self.used.update(a.rids)
            if "persona" in a.reasons and not a.rids:
                self.persona_hits += 1
        return r

    def message(self, conv_id: int, seq: int, text: str) -> RedactedText:
        """One message's text with its spans, its conversation's and the case's phrases and
        (for this audience) persona identities redacted."""
        spans = list(self.spans.get((conv_id, seq), ())) + self.found(text, conv_id)
        return self._done(apply_spans(text, spans))

    def free(self, text: str, conv_id: int | None = None) -> RedactedText:
        """Any other text (a sender's name, a title, a file name): phrases and personas."""
        if not text:
            return RedactedText(text)
        return self._done(apply_spans(text, self.found(text, conv_id)))


def redactor(
    session: Session, case_id: int, case_ref: str, audience: str, personas: bool | None = None
) -> Redactor:
    """The case's standing redactions for ``audience`` (``personas`` overrides its default)."""
    audience = check_audience(audience)
    r = Redactor(audience, AUDIENCES[audience] if personas is None else personas)
    names: dict[int, str] = {}
    for row in rows_of(session, case_id):
        if row.created_by_id not in names:
            u = session.get(User, row.created_by_id)
            names[row.created_by_id] = (u.display_name or u.username) if u else "?"
        r.meta[row.id] = (names[row.created_by_id], row.created_at, row.reason, row.note)
        if row.kind == "span" and row.conversation_id is not None and row.message_seq is not None:
            r.spans.setdefault((row.conversation_id, row.message_seq), []).append(
                Span(row.start_char or 0, row.end_char or 0, row.reason, row.id)
            )
        elif row.kind == "phrase" and row.phrase:
            r.phrases.append((row.conversation_id, row.phrase, row.whole_word, row.reason, row.id))
    if r.personas:
        r.persona_words = persona_words(session, case_id, case_ref)
    return r


def redact_text(
    session: Session, case_id: int, text: str, audience: str, personas: bool | None = None
) -> RedactedText:
    """``text`` (a schedule entry, a description) with the case-wide phrases and, for the
    audience, persona identities redacted. Reads inside the caller's session; checks no access
    (the caller has)."""
    from vigil.db.tables.cases import Case

    case = session.get(Case, case_id)
    if case is None:
        raise UserError(f"no case with id {case_id}")
    return redactor(session, case_id, case.ref, audience, personas).free(text)
