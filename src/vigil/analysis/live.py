"""Live early warning: the indicator score of a growing chat, message by message (pure).

Each new message is scanned once; after it, the last ``window`` messages are assessed with the
same :func:`vigil.analysis.assess.assess` used for whole conversations, and the eSPD rule of
:mod:`vigil.analysis.early_warning` decides whether a warning fires. Used for undercover chats
that are still running; a warning is a prompt for the officer's supervisor to read the chat.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from vigil.analysis.assess import Assessment, MsgView, assess
from vigil.analysis.early_warning import EarlyWarning, Step, WarningSettings
from vigil.analysis.engine import Engine
from vigil.analysis.scanner import Hit


@dataclass(frozen=True, slots=True)
class _Scanned:
    msg: MsgView
    hits: tuple[Hit, ...]


class LiveMonitor:
    """Scores a conversation as it grows; ``push`` one message at a time."""

    def __init__(
        self,
        engine: Engine,
        known_roles: Mapping[str, str] | None = None,
        settings: WarningSettings | None = None,
    ) -> None:
        self.engine = engine
        self.known_roles = dict(known_roles or {})
        self.last: Assessment | None = None
        self._ew: EarlyWarning[_Scanned] = EarlyWarning(self._score, settings)

    def _score(self, window: Sequence[_Scanned]) -> float:
        msgs = [s.msg for s in window]
        hits = [list(s.hits) for s in window]
        self.last = assess(msgs, hits, self.engine.rules, self.known_roles, msgs[-1].sent_at)
        return self.last.risk

    def push(self, message: MsgView) -> Step:
        [hits] = self.engine.scanner.scan([message.text])
        return self._ew.push(_Scanned(message, tuple(hits)))

    def run(self, messages: Iterable[MsgView]) -> list[Step]:
        return [self.push(m) for m in messages]
