"""Scoring conversations: indicators, fitted weights, the learned model and the stacker.

Pure (no files, no clock, no database). ``vigil scan`` (batch files) and ``vigil triage``
(a workspace) both call :meth:`Scorer.score`, so the same chat gets the same numbers from
both. For each conversation:

1. the scanner finds every indicator; :func:`vigil.analysis.assess.assess` works out who said
   what, the stage timeline and the urgency flags;
2. the findings become features (:mod:`vigil.analysis.features`) and the fitted indicator
   weights (:mod:`vigil.analysis.weights`) turn them into the indicator score, each finding's
   share listed;
3. when a learned model is on, its log-odds and the indicator log-odds are combined by the
   stacker (:mod:`vigil.analysis.stack`); ``flagged`` is the calibrated operating point;
4. the language is detected; a conversation in a language with no patterns says
   ``not checked: language xx`` instead of passing for a clean zero.

A score is a lead for a trained person, never a verdict.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from vigil.analysis.assess import Assessment, MsgView, assess
from vigil.analysis.engine import Engine
from vigil.analysis.features import child_evidence, features, finding_shares
from vigil.analysis.language import UNDETERMINED, detect
from vigil.analysis.scanner import Hit
from vigil.analysis.stack import Stacker
from vigil.analysis.weights import IndicatorWeights, sigmoid

if TYPE_CHECKING:
    from vigil.analysis.learn.model import TrainedModel

URGENT = 3
"""Urgency at which a conversation is flagged whatever its score (urgency flags override)."""
HIGH = 2
"""Urgency at which a conversation with a child in view is flagged whatever its score."""


@dataclass(frozen=True, slots=True)
class ConversationInput:
    """One conversation to score: its messages in order and any roles known from case data."""

    id: str
    messages: Sequence[MsgView]
    known_roles: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ScoreResult:
    """A conversation's score, whether it is flagged, and everything behind it."""

    id: str
    score: float
    flagged: bool
    categories: tuple[str, ...]
    """Indicator categories with counted findings."""
    flags: tuple[str, ...]
    """Urgency flags raised (severity above 0)."""
    urgency: int
    language: str
    checked: bool
    """False when the conversation's language has no patterns."""
    note: str
    indicator_score: float
    model_score: float | None
    assessment: Assessment
    features: dict[str, float]
    contributions: dict[str, float]
    """What each feature added to the indicator log-odds."""
    added: list[float] = field(default_factory=list)
    """What each finding (parallel to ``assessment.findings``) added to the log-odds: each
    feature's contribution shared equally among the findings it was built from."""


MODEL_TEXT_LIMIT = 200_000
"""Characters of a conversation the learned model reads: the most recent whole messages up to
this many (about 2,000 chat messages). The model was fitted on segments of a few thousand
characters; a million-message chat read as one bag of words says little and costs seconds.
The indicators always read every message."""


def conversation_text(messages: Sequence[MsgView], limit: int = MODEL_TEXT_LIMIT) -> str:
    """The text a learned model reads: the messages, one per line (the latest ``limit``
    characters' worth of whole messages; the last message alone when it is longer)."""
    texts = [m.text for m in messages if not m.is_system]
    total, first = 0, len(texts)
    while first > 0 and total + len(texts[first - 1]) + 1 <= limit + 1:
        first -= 1
        total += len(texts[first]) + 1
    if first == len(texts) and texts:
        return texts[-1][-limit:]
    return "\n".join(texts[first:])


@dataclass(frozen=True)
class Scorer:
    """The whole scoring setup; one per process, reused for every batch."""

    engine: Engine
    weights: IndicatorWeights
    model: TrainedModel | None = None
    stacker: Stacker | None = None
    model_only: bool = False
    """Score with the learned model alone (for evaluation): flagged at 0.5."""

    @property
    def threshold(self) -> float:
        """The operating point: a score at or above it is ``flagged``."""
        if self.model is not None and self.model_only:
            return 0.5
        if self.model is not None and self.stacker is not None:
            return self.stacker.threshold
        return self.weights.threshold

    @property
    def fingerprint(self) -> str:
        """Changes whenever any part that decides a score changes."""
        parts = [self.engine.fingerprint, self.weights.digest]
        if self.model is not None:
            parts += [self.model.sha256 or "unsaved", self.stacker.digest if self.stacker else ""]
            parts += ["model-only"] if self.model_only else []
        return hashlib.sha256("|".join(parts).encode()).hexdigest()

    def score(
        self,
        convs: Sequence[ConversationInput],
        now: datetime | None = None,
        *,
        shares: bool = True,
    ) -> list[ScoreResult]:
        """Score a batch of conversations (scanned together). ``shares=False`` is for callers
        that show no findings (``vigil scan``): it skips each finding's share (``added``) and
        quotes findings from the normalised text instead of mapping them back to the original
        (the same findings and numbers)."""
        flat = [m.text for c in convs for m in c.messages]
        hits = self.engine.scanner.scan(flat, spans=shares)
        texts = [conversation_text(c.messages) for c in convs]
        z_model: list[float] | None = None
        if self.model is not None and convs:
            z_model = [float(z) for z in self.model.decision(texts)]
        out: list[ScoreResult] = []
        pos = 0
        for i, c in enumerate(convs):
            n = len(c.messages)
            a = assess(c.messages, hits[pos : pos + n], self.engine.rules, c.known_roles, now)
            pos += n
            out.append(
                self._result(c, a, texts[i], None if z_model is None else z_model[i], shares)
            )
        return out

    def score_scanned(
        self, conv: ConversationInput, hits: Sequence[Sequence[Hit]], now: datetime | None = None
    ) -> ScoreResult:
        """Score one conversation whose messages were already scanned (``hits[i]`` for message
        ``i``): live monitoring scans each message once as it arrives."""
        a = assess(conv.messages, hits, self.engine.rules, conv.known_roles, now)
        text = conversation_text(conv.messages)
        z_model = None
        if self.model is not None:
            z_model = float(self.model.decision([text])[0])
        return self._result(conv, a, text, z_model)

    def _result(
        self,
        c: ConversationInput,
        a: Assessment,
        text: str,
        z_model: float | None,
        shares: bool = True,
    ) -> ScoreResult:
        feats = features(a, c.messages)
        z_ind = self.weights.decision(feats)
        found = any(f.counted and not f.context for f in a.findings)
        ind = sigmoid(z_ind) if found else 0.0  # nothing found scores 0 on indicators alone
        if z_model is not None and self.model_only:
            score = sigmoid(z_model)
        elif z_model is not None and self.stacker is not None:
            score = self.stacker.score(z_ind, z_model)
        else:
            score = ind
        hit = score >= self.threshold
        st = self.stacker
        if z_model is not None and st is not None and not self.model_only:
            hit = hit or (st.indicator_threshold is not None and ind >= st.indicator_threshold)
        lang = detect(text)
        checked = lang.code in self.engine.languages or lang.code == UNDETERMINED
        notes = [] if checked else [f"not checked: language {lang.code}"]
        senders = {m.sender for m in c.messages if m.sender is not None and not m.is_system}
        child = child_evidence(a)
        if hit and len(senders) >= 2 and not child:
            hit = False  # with speaker turns, flagging needs a child in view (docs/triage.md)
            notes.append("not flagged: no evidence that a child takes part")
        contrib = self.weights.contributions(feats)
        added = [0.0] * len(a.findings)
        if shares:
            for k, idx in finding_shares(a, feats).items():
                for i in idx:
                    added[i] += contrib.get(k, 0.0) / len(idx)
            added = [round(x, 6) for x in added]
        a.risk = round(score, 6)
        flags = tuple(f.id for f in a.flags if f.severity > 0)
        cats = tuple(sorted({f.category for f in a.findings if f.counted and not f.context}))
        return ScoreResult(
            id=c.id,
            score=round(score, 6),
            flagged=hit or a.urgency >= URGENT or (a.urgency >= HIGH and child),
            categories=cats,
            flags=flags,
            urgency=a.urgency,
            language=lang.code,
            checked=checked,
            note="; ".join(notes),
            indicator_score=round(ind, 6),
            model_score=None if z_model is None else round(sigmoid(z_model), 6),
            assessment=a,
            features=feats,
            contributions=contrib,
            added=added,
        )
