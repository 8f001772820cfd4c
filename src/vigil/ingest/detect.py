"""Choosing a parser: every registered parser bids on the file's head and name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vigil.errors import ParseError, UserError
from vigil.ingest.base import Parser, Sniff

MIN_SCORE = 0.3
"""Bids below this are treated as "not mine"."""


@dataclass(frozen=True, slots=True)
class Choice:
    parser: Parser
    sniff: Sniff
    bids: tuple[tuple[str, Sniff], ...]

    @property
    def explanation(self) -> str:
        return f"{self.parser.name} (score {self.sniff.score:.2f}: {self.sniff.reason})"


def _bid(parser: Parser, head: bytes, name: str) -> Sniff:
    try:
        return parser.sniff(head, name)
    except Exception as exc:  # a parser's sniff must never stop detection
        return Sniff(0.0, f"sniff failed: {type(exc).__name__}: {exc}")


def detect(head: bytes, name: str, parsers: Sequence[Parser], fmt: str = "auto") -> Choice:
    """Pick the parser for a file, or raise naming what was tried and why each declined."""
    if fmt != "auto":
        by_name = {p.name: p for p in parsers}
        if fmt not in by_name:
            raise UserError(
                f"unknown format {fmt!r}",
                hint="choose one of: auto, " + ", ".join(sorted(by_name)),
            )
        p = by_name[fmt]
        return Choice(p, Sniff(1.0, "chosen with --format"), ())
    bids = tuple((p.name, _bid(p, head, name)) for p in parsers)
    ranked = sorted(zip(parsers, bids, strict=True), key=lambda pb: -pb[1][1].score)
    if not ranked or ranked[0][1][1].score < MIN_SCORE:
        tried = "; ".join(f"{n}: {s.reason} ({s.score:.2f})" for n, s in bids)
        raise ParseError(
            "no parser recognises this file. Tried " + (tried or "no parsers"),
            file=name,
            hint="pass --format NAME if you know the format (see `vigil ingest --help`)",
        )
    best, (_, sniff) = ranked[0]
    return Choice(best, sniff, bids)
