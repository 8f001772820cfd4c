"""Early warning for a growing conversation, by the eSPD protocol (pure).

Vogt, Leser & Akbik (ACL 2021), *Early Detection of Sexual Predators in Chats*: after each new
message a scorer scores the last ``window`` messages (default 50); a warning fires when at least
``positives`` (default 5) of the last ``last`` (default 10) scores are positive, a score being
positive when it is at least ``threshold`` (default 0.5). The first message at which the warning
fires gives the latency ``k`` (1-based) used by the eSPD metrics in
:mod:`vigil.analysis.learn.metrics`.

Until ``last`` scores exist the rule counts over the scores seen so far, so a warning can fire
as early as message ``positives``.

Three entry points share one rule, :class:`WarningRule`:

* :class:`EarlyWarning` keeps the state for a live chat: :meth:`EarlyWarning.push` takes one
  message, calls the scorer once on the current window and returns a :class:`Step`. Apart from
  the scorer call the work per message is constant (a ring buffer for the window and a running
  count of positives among the last ``last`` scores); the window handed to the scorer is an
  immutable tuple copy of at most ``window`` messages.
* :func:`scan` does the same for a finished conversation with a *batch* scorer that scores every
  window in one call (what a vectorised model wants); the steps are identical to
  :meth:`EarlyWarning.run`.
* :meth:`WarningRule.observe` applies the rule to scores computed elsewhere.

The scorer is generic over the message type: strings, :class:`vigil.model.Message` objects or
anything else. Nothing here reads files, the clock or a database. A warning is a lead for a
trained person to read the chat, never a verdict.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from vigil.errors import UserError

M = TypeVar("M")

Scorer = Callable[[Sequence[M]], float]
"""Scores one window (the most recent messages, oldest first); higher means more concerning."""

BatchScorer = Callable[[Sequence[Sequence[M]]], Sequence[float]]
"""Scores many windows at once; returns one score per window, in order."""


@dataclass(frozen=True, slots=True)
class WarningSettings:
    """The eSPD protocol's parameters; the defaults are those of Vogt et al. (2021)."""

    window: int = 50
    """How many of the most recent messages the scorer sees."""
    positives: int = 5
    """How many positive scores among the last ``last`` raise a warning (``k``)."""
    last: int = 10
    """How many of the most recent scores are counted."""
    threshold: float = 0.5
    """A score at or above this is positive."""

    def __post_init__(self) -> None:
        if self.window < 1:
            raise UserError(f"early-warning window must be at least 1 message, got {self.window}")
        if self.last < 1:
            raise UserError(f"early-warning 'last' must be at least 1 score, got {self.last}")
        if not 1 <= self.positives <= self.last:
            raise UserError(
                f"early-warning 'positives' must be between 1 and last={self.last}, "
                f"got {self.positives}"
            )
        if self.threshold != self.threshold:  # NaN
            raise UserError("early-warning threshold must be a number, got NaN")


@dataclass(frozen=True, slots=True)
class Step:
    """What the protocol concluded after one message.

    ``index`` is the message's 0-based position in the conversation. ``warning_fired`` is True
    when, at this message, at least ``positives`` of the last ``last`` scores are positive;
    ``first_warning_index`` is the index of the first message at which that happened (None
    until it does) and never changes afterwards.
    """

    index: int
    score: float
    positive: bool
    positives_in_last: int
    warning_fired: bool
    first_warning_index: int | None

    @property
    def is_first_warning(self) -> bool:
        """True only at the message where the warning fired for the first time."""
        return self.first_warning_index == self.index

    @property
    def reason(self) -> str:
        """A plain-language account of this step, for explanations."""
        verdict = "warning" if self.warning_fired else "no warning"
        return (
            f"message {self.index + 1}: score {self.score:.3f} "
            f"({'positive' if self.positive else 'negative'}); "
            f"{self.positives_in_last} positive in the recent scores: {verdict}"
        )


class WarningRule:
    """The "at least ``positives`` of the last ``last`` scores" rule, fed one score at a time."""

    __slots__ = ("_count", "_first", "_flags", "_index", "settings")

    def __init__(self, settings: WarningSettings | None = None) -> None:
        self.settings = settings or WarningSettings()
        self._flags: deque[bool] = deque(maxlen=self.settings.last)
        self._count = 0
        self._index = -1
        self._first: int | None = None

    @property
    def first_warning_index(self) -> int | None:
        """0-based index of the first message at which the warning fired, if it has."""
        return self._first

    def observe(self, score: float) -> Step:
        """Record the score for the next message and return the resulting step."""
        s = self.settings
        value = float(score)
        positive = value >= s.threshold
        if len(self._flags) == s.last and self._flags[0]:
            self._count -= 1  # the oldest score drops out of the last ``last``
        self._flags.append(positive)
        self._count += positive
        self._index += 1
        fired = self._count >= s.positives
        if fired and self._first is None:
            self._first = self._index
        return Step(self._index, value, positive, self._count, fired, self._first)


class EarlyWarning(Generic[M]):
    """Incremental early warning for one conversation; push messages as they arrive."""

    __slots__ = ("_rule", "_window", "scorer", "settings")

    def __init__(self, scorer: Scorer[M], settings: WarningSettings | None = None) -> None:
        self.scorer = scorer
        self.settings = settings or WarningSettings()
        self._window: deque[M] = deque(maxlen=self.settings.window)
        self._rule = WarningRule(self.settings)

    @property
    def first_warning_index(self) -> int | None:
        """0-based index of the first message at which the warning fired, if it has."""
        return self._rule.first_warning_index

    def push(self, message: M) -> Step:
        """Add the next message, score the current window and apply the rule."""
        self._window.append(message)
        return self._rule.observe(self.scorer(tuple(self._window)))

    def run(self, messages: Iterable[M]) -> list[Step]:
        """Push every message in order and return every step."""
        return [self.push(m) for m in messages]


def windows(messages: Sequence[M], size: int) -> list[tuple[M, ...]]:
    """The window the protocol scores after each message: the last ``size`` messages so far."""
    if size < 1:
        raise UserError(f"window size must be at least 1, got {size}")
    return [tuple(messages[max(0, i + 1 - size) : i + 1]) for i in range(len(messages))]


def scan(
    messages: Sequence[M], scorer: BatchScorer[M], settings: WarningSettings | None = None
) -> list[Step]:
    """Run the protocol over a finished conversation, scoring every window in one call.

    Gives the same steps as ``EarlyWarning(scorer, settings).run(messages)`` with a per-window
    scorer that returns the same scores.
    """
    s = settings or WarningSettings()
    wins = windows(messages, s.window)
    scores = list(scorer(wins)) if wins else []
    if len(scores) != len(wins):
        raise ValueError(f"batch scorer returned {len(scores)} scores for {len(wins)} windows")
    rule = WarningRule(s)
    return [rule.observe(x) for x in scores]
