"""The regex subset taxonomy patterns must keep to (pure).

Python ``re``, RE2 and Hyperscan must all read a pattern the same way, and it must never match
across the NUL that separates messages in a scanned blob: no ``.``, no lookarounds,
backreferences, atomic groups, lazy or unbounded repeats, no anchors but ``\\b`` (and none
next to a letter outside ASCII), no capturing groups or inline flags, no upper-case or
whitespace literals other than a space (text is case-folded and single-spaced), and no
empty match. :func:`check_pattern` says why a pattern is outside it.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

MAX_REPEAT = 30
"""Largest repetition bound a pattern may use ({0,30}); larger gaps are too big for Hyperscan with start-of-match in UTF-8 mode."""

_sre: Any = importlib.import_module("re._parser")
_sc: Any = importlib.import_module("re._constants")


def _matches_nul(items: list[tuple[Any, Any]]) -> bool:
    """Whether an IN (character class) item list can match NUL."""
    negate = any(op is _sc.NEGATE for op, _ in items)
    nul_categories = (
        _sc.CATEGORY_NOT_WORD,
        _sc.CATEGORY_NOT_DIGIT,
        _sc.CATEGORY_NOT_SPACE,
        _sc.CATEGORY_UNI_NOT_WORD,
        _sc.CATEGORY_UNI_NOT_DIGIT,
        _sc.CATEGORY_UNI_NOT_SPACE,
    )
    hits = any(
        (op is _sc.LITERAL and av == 0)
        or (op is _sc.RANGE and av[0] == 0)
        or (op is _sc.CATEGORY and av in nul_categories)
        for op, av in items
    )
    return hits != negate


def _check_literal(code: int) -> str | None:
    ch = chr(code)
    if ch != ch.casefold():
        return f"upper-case literal {ch!r} (text is case-folded; write it in lower case)"
    if code == 0:
        return "literal NUL (the message separator)"
    if ch.isspace() and ch != " ":
        return f"whitespace literal {ch!r} (normalised text has only single spaces)"
    return None


def _walk(items: Any) -> str | None:
    for op, av in items:
        problem: str | None = None
        if op is _sc.ANY:
            problem = "'.' (matches the NUL separator; use a bounded class such as [^.!?\\x00])"
        elif op in (_sc.ASSERT, _sc.ASSERT_NOT):
            problem = "lookahead or lookbehind"
        elif op in (_sc.GROUPREF, _sc.GROUPREF_EXISTS):
            problem = "backreference"
        elif op in (_sc.ATOMIC_GROUP, _sc.POSSESSIVE_REPEAT):
            problem = "atomic group or possessive repeat"
        elif op is _sc.MIN_REPEAT:
            problem = "lazy repeat"
        elif op is _sc.AT and av is not _sc.AT_BOUNDARY:
            problem = f"anchor {av} (only \\b is allowed)"
        elif op is _sc.SUBPATTERN:
            group, add_flags, del_flags, sub = av
            if group is not None:
                problem = "capturing group (use (?:...))"
            elif add_flags or del_flags:
                problem = "inline flags"
            else:
                problem = _walk(sub)
        elif op is _sc.MAX_REPEAT:
            _low, high, sub = av
            if high is _sc.MAXREPEAT or high > MAX_REPEAT:
                problem = f"unbounded or too large repeat (at most {{0,{MAX_REPEAT}}})"
            else:
                problem = _walk(sub)
        elif op is _sc.BRANCH:
            for alternative in av[1]:
                problem = problem or _walk(alternative)
        elif op is _sc.IN:
            if _matches_nul(av):
                problem = "character class that can match the NUL separator (add \\x00 to [^...])"
            elif not any(inner_op is _sc.NEGATE for inner_op, _ in av):
                for inner_op, inner_av in av:
                    if inner_op is _sc.LITERAL:
                        problem = problem or _check_literal(inner_av)
        elif op is _sc.NOT_LITERAL:
            if av != 0:
                problem = "negated character that can match the NUL separator"
        elif op is _sc.LITERAL:
            problem = _check_literal(av)
        if problem:
            return problem
    return None


_ANY: frozenset[str] = frozenset({"any"})
"""Edge of a sequence that can be any character (a negated class, a category)."""


def _edge(items: Any, last: bool, beyond: frozenset[str]) -> frozenset[str]:
    """The characters a sequence can start (or end) with; ``beyond`` is what follows (or
    precedes) it, counted when the sequence can match nothing. Ranges count by their ends."""
    items = list(items)
    if not items:
        return beyond
    op, av = items[-1] if last else items[0]
    rest = items[:-1] if last else items[1:]
    if op is _sc.LITERAL:
        return frozenset({chr(av)})
    if op is _sc.IN:
        if any(o not in (_sc.LITERAL, _sc.RANGE) for o, _ in av):
            return _ANY
        return frozenset(chr(c) for o, v in av for c in ((v,) if o is _sc.LITERAL else v))
    if op is _sc.SUBPATTERN:
        return _edge(av[3], last, _edge(rest, last, beyond))
    if op is _sc.BRANCH:
        after = _edge(rest, last, beyond)
        return frozenset().union(*(_edge(alt, last, after) for alt in av[1]))
    if op is _sc.MAX_REPEAT:
        after = _edge(rest, last, beyond)
        inner = _edge(av[2], last, after)
        return inner if av[0] >= 1 else inner | after
    return _ANY


def _ascii_word(chars: frozenset[str]) -> bool:
    return chars != _ANY and all(c.isascii() and (c.isalnum() or c == "_") for c in chars)


def _other_letter(chars: frozenset[str]) -> bool:
    return chars != _ANY and any(not c.isascii() and c.isalnum() for c in chars)


def _boundary_problem(
    items: Any, before: frozenset[str] = _ANY, after: frozenset[str] = _ANY
) -> str | None:
    """A ``\\b`` next to a non-ASCII letter of the pattern, with no ASCII letter or digit of
    the pattern on its other side.

    Hyperscan and RE2 read ``\\b`` with ASCII word characters, Python with Unicode ones, so
    ``\\bübermorgen`` or ``là\\b`` match in Python only. ``before``/``after``: the characters
    around this sequence.
    """
    items = list(items)
    for i, (op, av) in enumerate(items):
        left = _edge(items[:i], True, before)
        right = _edge(items[i + 1 :], False, after)
        problem: str | None = None
        if op is _sc.AT and av is _sc.AT_BOUNDARY:
            if (_other_letter(left) and not _ascii_word(right)) or (
                _other_letter(right) and not _ascii_word(left)
            ):
                problem = (
                    "\\b next to a letter outside ASCII (Hyperscan and RE2 read \\b with "
                    "ASCII letters only): put \\b next to an ASCII letter, or a space instead"
                )
        elif op is _sc.SUBPATTERN:
            problem = _boundary_problem(av[3], left, right)
        elif op is _sc.BRANCH:
            for alternative in av[1]:
                problem = problem or _boundary_problem(alternative, left, right)
        elif op is _sc.MAX_REPEAT:
            problem = _boundary_problem(av[2], left, right)
        if problem:
            return problem
    return None


def check_pattern(pattern: str) -> str | None:
    """Why a pattern is outside the allowed subset, or None when it is fine."""
    if not isinstance(pattern, str) or not pattern:
        return "empty pattern"
    try:
        parsed = _sre.parse(pattern)
    except re.error as exc:
        return f"not a valid regular expression: {exc}"
    if parsed.state.flags & ~re.UNICODE:
        return "inline flags"
    problem = _walk(parsed) or _boundary_problem(parsed)
    if problem:
        return problem
    low, _ = parsed.getwidth()
    if low == 0:
        return "can match the empty string"
    return None
