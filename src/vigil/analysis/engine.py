"""The process-wide taxonomy rules and scanner (compiled once per process)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from vigil.analysis.rules import Rule, rules_from_taxonomy
from vigil.analysis.scanner import Scanner


@dataclass(frozen=True, slots=True)
class Engine:
    rules: tuple[Rule, ...]
    scanner: Scanner
    version: str
    fingerprint: str
    languages: frozenset[str] = frozenset({"en"})
    """Languages that have patterns: a conversation in another language is not checked."""
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    category_names: Mapping[str, str] = field(default_factory=dict)
    tag_descriptions: Mapping[str, str] = field(default_factory=dict)

    def describe(self, feature: str) -> str:
        """A finding feature in plain words (see :func:`vigil.analysis.features.describe`)."""
        from vigil.analysis.features import describe

        return describe(feature, self.category_names, self.tag_descriptions)


@cache
def default_engine(lang: str | None = None) -> Engine:
    """Rules of the built-in taxonomy (every language, or only ``lang``) and their scanner."""
    from vigil.analysis.taxonomy_load import load_taxonomy

    tax = load_taxonomy(lang)
    rules = tuple(rules_from_taxonomy(tax))
    scanner = Scanner([r.scan_pattern() for r in rules], subset=True)  # checked on loading
    return Engine(
        rules,
        scanner,
        str(tax.version),
        str(tax.fingerprint()),
        frozenset(r.lang for r in rules),
        tuple(c.id for c in tax.categories),
        tuple(tax.tags),
        {c.id: c.name for c in tax.categories},
        dict(tax.tags),
    )
