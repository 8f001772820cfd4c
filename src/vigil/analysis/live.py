"""Live early warning: the score of a growing chat, message by message (pure).

Each new message is scanned once; after it, the last ``window`` messages are scored with the
same :class:`vigil.analysis.score.Scorer` used for whole conversations, and the eSPD rule of
:mod:`vigil.analysis.early_warning` decides whether a warning fires. Used for undercover chats
that are still running; a warning is a prompt for the officer's supervisor to read the chat.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from vigil.analysis.assess import Assessment, MsgView
from vigil.analysis.early_warning import EarlyWarning, Step, WarningSettings
from vigil.analysis.scanner import Hit
from vigil.analysis.score import ConversationInput, Scorer, ScoreResult


@dataclass(frozen=True, slots=True)
class _Scanned:
    msg: MsgView
    hits: tuple[Hit, ...]


class LiveMonitor:
    """Scores a conversation as it grows; ``push`` one message at a time."""

    def __init__(
        self,
        scorer: Scorer,
        known_roles: Mapping[str, str] | None = None,
        settings: WarningSettings | None = None,
    ) -> None:
        self.scorer = scorer
        self.known_roles = dict(known_roles or {})
        self.last: Assessment | None = None
        self.last_result: ScoreResult | None = None
        # a step is positive when its window is flagged (the scorer's operating point, its
        # child-evidence gate and urgency rules): the step's score is 1 then, else 0
        settings = settings or WarningSettings(threshold=0.5)
        self._ew: EarlyWarning[_Scanned] = EarlyWarning(self._score, settings)

    def _score(self, window: Sequence[_Scanned]) -> float:
        msgs = [s.msg for s in window]
        conv = ConversationInput("live", msgs, self.known_roles)
        r = self.scorer.score_scanned(conv, [list(s.hits) for s in window], msgs[-1].sent_at)
        self.last, self.last_result = r.assessment, r
        return 1.0 if r.flagged else 0.0

    def push(self, message: MsgView) -> Step:
        [hits] = self.scorer.engine.scanner.scan([message.text])
        return self._ew.push(_Scanned(message, tuple(hits)))

    def run(self, messages: Iterable[MsgView]) -> list[Step]:
        return [self.push(m) for m in messages]
