"""The process-wide taxonomy rules and scanner (compiled once per process)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from vigil.analysis.rules import Rule, rules_from_taxonomy
from vigil.analysis.scanner import Scanner


@dataclass(frozen=True, slots=True)
class Engine:
    rules: tuple[Rule, ...]
    scanner: Scanner
    version: str
    fingerprint: str


@cache
def default_engine(lang: str = "en") -> Engine:
    """Rules of the built-in taxonomy for ``lang`` and their compiled scanner."""
    from vigil.analysis.taxonomy_load import load_taxonomy

    tax = load_taxonomy(lang)
    rules = tuple(rules_from_taxonomy(tax))
    scanner = Scanner([r.scan_pattern() for r in rules])
    return Engine(rules, scanner, str(tax.version), str(tax.fingerprint()))
