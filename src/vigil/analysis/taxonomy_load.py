"""Load and check the grooming-indicator taxonomy kept as YAML in ``vigil/analysis/taxonomy/``.

One file per category plus ``_taxonomy.yaml`` (version, languages, stage vocabularies, tag
vocabulary). Patterns in other languages live in ``lang/<code>/<category id>.yaml`` (a
``category`` id, optional ``sources`` and a ``patterns`` list) and are merged into their
category when loaded. Every pattern is checked when loaded: required fields (among them a
``description``, one plain sentence for officers, apart from the technical ``notes``), known
tags and stages, unique ids, and a regex subset that Python ``re``, RE2 and Hyperscan all read
the same way and that can never match across the NUL separating messages in a scanned blob.
Errors name the file and the pattern id. See docs/taxonomy.md.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from vigil.analysis import normalise
from vigil.analysis.pattern_subset import MAX_REPEAT as MAX_REPEAT
from vigil.analysis.pattern_subset import check_pattern as check_pattern
from vigil.analysis.scanner import database_cache_folder
from vigil.analysis.yaml_data import YamlDataError, parse_yaml
from vigil.errors import ParseError

TAXONOMY_PACKAGE = "vigil.analysis.taxonomy"
META_FILE = "_taxonomy.yaml"
SPEAKERS = ("adult", "child", "any")

LANG_DIR = "lang"
"""Sub-folder of the taxonomy package holding one folder of pattern files per language."""

_CATEGORY_FIELDS = ("id", "name", "description", "stage", "weight", "sources", "patterns")
_LANG_FILE_FIELDS = ("category", "patterns")
_LANG_FILE_OPTIONAL = ("sources",)
_PATTERN_FIELDS = (
    "id",
    "lang",
    "pattern",
    "tags",
    "speaker",
    "description",
    "notes",
    "examples",
    "near_misses",
)


class TaxonomyError(ParseError):
    """The taxonomy data is malformed; the message names the file and the pattern."""


@dataclass(frozen=True)
class Pattern:
    """One indicator pattern, written for normalised text (see vigil.analysis.normalise)."""

    id: str
    category: str
    lang: str
    pattern: str
    tags: tuple[str, ...]
    speaker: str
    notes: str
    examples: tuple[str, ...]
    near_misses: tuple[str, ...]
    description: str = ""
    """What the pattern looks for, in one plain sentence for officers ("Asks how old the other
    person is."). ``notes`` is the technical note for whoever maintains the pattern."""


@dataclass(frozen=True)
class Category:
    """A grooming-indicator category with its place in the stage models and its patterns."""

    id: str
    name: str
    description: str
    stage: dict[str, str]
    weight: float
    sources: tuple[str, ...]
    patterns: tuple[Pattern, ...]


@dataclass(frozen=True)
class Taxonomy:
    """All categories, the tag vocabulary, and a fingerprint of the data that produced them."""

    version: str
    categories: tuple[Category, ...]
    tags: dict[str, str]
    languages: dict[str, str] = field(default_factory=dict)
    stages: dict[str, dict[str, str]] = field(default_factory=dict)
    digest: str = ""

    def patterns(self, lang: str | None = None) -> list[Pattern]:
        """Every pattern, in category then file order; only one language's when given."""
        return [p for c in self.categories for p in c.patterns if lang is None or p.lang == lang]

    def by_language(self) -> dict[str, tuple[Pattern, ...]]:
        """Patterns grouped by language code."""
        grouped: dict[str, list[Pattern]] = {}
        for p in self.patterns():
            grouped.setdefault(p.lang, []).append(p)
        return {lang: tuple(ps) for lang, ps in grouped.items()}

    def category(self, category_id: str) -> Category:
        """The category with this id (KeyError when there is none)."""
        for c in self.categories:
            if c.id == category_id:
                return c
        raise KeyError(category_id)

    def fingerprint(self) -> str:
        """SHA-256 of the canonical taxonomy and normaliser data: changes when results may."""
        return self.digest


# --- loading -----------------------------------------------------------------------------

DESCRIPTION_MAX = 160
"""Longest pattern description: one sentence an officer reads beside a quote."""
_DEVELOPER_WORDS = re.compile(r"\\|\b[a-z0-9]+_[a-z0-9_]+\b|[{}\[\]]")
"""Signs of a developer note: a backslash, a snake_case name, braces or brackets."""


def description_problem(value: Any) -> str | None:
    """Why ``value`` is not a usable officer description (one plain sentence), or None."""
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty string"
    text = " ".join(value.split())
    if len(text) > DESCRIPTION_MAX:
        return f"is longer than {DESCRIPTION_MAX} characters"
    if _DEVELOPER_WORDS.search(text):
        return "reads like a developer note (backslash, snake_case name or brackets)"
    if text.rstrip(".").count(". ") > 0:
        return "has more than one sentence"
    return None


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


def _parse_pattern(raw: Any, category: str, meta: Mapping[str, Any], file: str) -> Pattern:
    pid = raw.get("id") if isinstance(raw, dict) else None
    where = f"pattern {pid}" if isinstance(pid, str) else "pattern without id"

    def fail(message: str, expected: str | None = None) -> TaxonomyError:
        return TaxonomyError(message, file=file, location=where, expected=expected)

    if not isinstance(raw, dict):
        raise fail("pattern entry is not a mapping")
    missing = [k for k in _PATTERN_FIELDS if k not in raw]
    if missing:
        raise fail(f"missing field(s): {', '.join(missing)}")
    unknown = sorted(set(raw) - set(_PATTERN_FIELDS))
    if unknown:
        raise fail(f"unknown field(s): {', '.join(unknown)}")
    lang = raw["lang"]
    if lang not in meta["languages"]:
        raise fail(f"unknown language {lang!r}", ", ".join(meta["languages"]))
    if not isinstance(pid, str) or not pid.startswith(f"{category}.{lang}."):
        raise fail("bad id", f"an id starting with '{category}.{lang}.'")
    if not re.fullmatch(r"[a-z0-9_.]+", pid):
        raise fail("bad id", "lower-case letters, digits, '_' and '.' only")
    if not _str_list(raw["tags"]):
        raise fail("tags must be a non-empty list of strings")
    unknown_tags = [t for t in raw["tags"] if t not in meta["tags"]]
    if unknown_tags:
        raise fail(f"unknown tag(s): {', '.join(unknown_tags)}", "a tag from _taxonomy.yaml")
    if raw["speaker"] not in SPEAKERS:
        raise fail(f"unknown speaker {raw['speaker']!r}", " | ".join(SPEAKERS))
    for key in ("examples", "near_misses"):
        if not _str_list(raw[key]):
            raise fail(f"{key} must be a non-empty list of strings")
    if not isinstance(raw["notes"], str) or not raw["notes"].strip():
        raise fail("notes must be a non-empty string")
    problem = description_problem(raw["description"])
    if problem:
        raise fail(f"description {problem}", "one plain sentence for officers")
    problem = check_pattern(raw["pattern"]) if meta.get("check_patterns", True) else None
    if problem:
        raise fail(f"pattern not allowed: {problem}")
    return Pattern(
        id=pid,
        category=category,
        lang=lang,
        pattern=raw["pattern"],
        tags=tuple(raw["tags"]),
        speaker=raw["speaker"],
        notes=raw["notes"].strip(),
        description=" ".join(raw["description"].split()),
        examples=tuple(raw["examples"]),
        near_misses=tuple(raw["near_misses"]),
    )


def _parse_category(raw: Any, meta: Mapping[str, Any], file: str) -> Category:
    def fail(message: str, expected: str | None = None) -> TaxonomyError:
        return TaxonomyError(message, file=file, location="category", expected=expected)

    if not isinstance(raw, dict):
        raise fail("not a mapping")
    missing = [k for k in _CATEGORY_FIELDS if k not in raw]
    if missing:
        raise fail(f"missing field(s): {', '.join(missing)}")
    cid = raw["id"]
    if not isinstance(cid, str) or file != f"{cid}.yaml":
        raise fail(f"id {cid!r} does not match the file name")
    for key in ("name", "description"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise fail(f"{key} must be a non-empty string")
    stage = raw["stage"]
    if not isinstance(stage, dict) or set(stage) != set(meta["stages"]):
        raise fail("stage must name one stage per model", ", ".join(meta["stages"]))
    for model, value in stage.items():
        if value not in meta["stages"][model]:
            raise fail(f"unknown {model} stage {value!r}", ", ".join(meta["stages"][model]))
    weight = raw["weight"]
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 1:
        raise fail(f"weight {weight!r} out of range", "a number from 0 to 1")
    if not _str_list(raw["sources"]):
        raise fail("sources must be a non-empty list of strings")
    if not isinstance(raw["patterns"], list) or not raw["patterns"]:
        raise fail("patterns must be a non-empty list")
    patterns = tuple(_parse_pattern(p, cid, meta, file) for p in raw["patterns"])
    return Category(
        id=cid,
        name=raw["name"].strip(),
        description=" ".join(raw["description"].split()),
        stage=dict(stage),
        weight=float(weight),
        sources=tuple(raw["sources"]),
        patterns=patterns,
    )


def _lang_file_parts(name: str) -> tuple[str, str] | None:
    """(language code, category id) of a ``lang/<code>/<category>.yaml`` name, else None."""
    parts = name.split("/")
    if len(parts) != 3 or parts[0] != LANG_DIR or not parts[2].endswith(".yaml"):
        return None
    return parts[1], parts[2].removesuffix(".yaml")


def _merge_language_file(
    raw: Any, categories: Mapping[str, Category], meta: Mapping[str, Any], file: str
) -> Category:
    """The category named by a language file, with the file's patterns (and sources) added."""
    code, stem = _lang_file_parts(file) or ("", "")

    def fail(message: str, expected: str | None = None) -> TaxonomyError:
        return TaxonomyError(message, file=file, location="language file", expected=expected)

    if not isinstance(raw, dict):
        raise fail("not a mapping")
    missing = [k for k in _LANG_FILE_FIELDS if k not in raw]
    if missing:
        raise fail(f"missing field(s): {', '.join(missing)}")
    unknown = sorted(set(raw) - set(_LANG_FILE_FIELDS) - set(_LANG_FILE_OPTIONAL))
    if unknown:
        raise fail(f"unknown field(s): {', '.join(unknown)}")
    if code not in meta["languages"]:
        raise fail(f"unknown language {code!r}", ", ".join(meta["languages"]))
    cid = raw["category"]
    if cid != stem:
        raise fail(f"category {cid!r} does not match the file name")
    if cid not in categories:
        raise fail(f"unknown category {cid!r}", ", ".join(sorted(categories)))
    sources = raw.get("sources", [])
    if sources != [] and not _str_list(sources):
        raise fail("sources must be a list of strings")
    if not isinstance(raw["patterns"], list) or not raw["patterns"]:
        raise fail("patterns must be a non-empty list")
    patterns = tuple(_parse_pattern(p, cid, meta, file) for p in raw["patterns"])
    for p in patterns:
        if p.lang != code:
            raise TaxonomyError(
                f"language {p.lang!r} in the folder of language {code!r}",
                file=file,
                location=f"pattern {p.id}",
            )
    category = categories[cid]
    new_sources = tuple(s for s in sources if s not in category.sources)
    return dataclasses.replace(
        category,
        sources=category.sources + new_sources,
        patterns=category.patterns + patterns,
    )


def _parse_meta(raw: Any) -> dict[str, Any]:
    def fail(message: str) -> TaxonomyError:
        return TaxonomyError(message, file=META_FILE, location="taxonomy")

    if not isinstance(raw, dict):
        raise fail("not a mapping")
    for key in ("version", "languages", "stages", "tags"):
        if key not in raw:
            raise fail(f"missing field: {key}")
    if not isinstance(raw["version"], str):
        raise fail("version must be a string")
    for key in ("languages", "tags"):
        if not isinstance(raw[key], dict) or not raw[key]:
            raise fail(f"{key} must be a non-empty mapping")
    stages = raw["stages"]
    if not isinstance(stages, dict) or not all(isinstance(v, dict) for v in stages.values()):
        raise fail("stages must map each model to its stages")
    return raw


def _check_unique(patterns: tuple[Pattern, ...], seen: dict[str, str], name: str) -> None:
    for p in patterns:
        if p.id in seen:
            raise TaxonomyError(
                f"duplicate pattern id (also in {seen[p.id]})",
                file=name,
                location=f"pattern {p.id}",
            )
        seen[p.id] = name


def parse_taxonomy(
    documents: Mapping[str, str], lang: str | None = None, *, check_patterns: bool = True
) -> Taxonomy:
    """Build a taxonomy from YAML texts keyed by file name: ``_taxonomy.yaml``, the category
    files, and language files keyed ``lang/<code>/<category>.yaml``."""
    parsed: dict[str, Any] = {}
    for name, text in documents.items():
        try:
            parsed[name] = parse_yaml(text)
        except YamlDataError as exc:
            raise TaxonomyError(f"not valid YAML: {exc}", file=name) from exc
    if META_FILE not in parsed:
        raise TaxonomyError("missing", file=META_FILE)
    meta = {**_parse_meta(parsed[META_FILE]), "check_patterns": check_patterns}
    if lang is not None and lang not in meta["languages"]:
        raise TaxonomyError(f"unknown language {lang!r}", file=META_FILE, location="languages")
    by_id: dict[str, Category] = {}
    seen: dict[str, str] = {}
    names = sorted(n for n in parsed if n != META_FILE)
    language_files = [n for n in names if n.startswith(f"{LANG_DIR}/")]
    for name in names:
        if name in language_files:
            continue
        category = _parse_category(parsed[name], meta, name)
        by_id[category.id] = category
        _check_unique(category.patterns, seen, name)
    for name in language_files:
        if _lang_file_parts(name) is None:
            raise TaxonomyError(
                "misplaced file", file=name, expected=f"{LANG_DIR}/<language>/<category>.yaml"
            )
        merged = _merge_language_file(parsed[name], by_id, meta, name)
        _check_unique(merged.patterns[len(by_id[merged.id].patterns) :], seen, name)
        by_id[merged.id] = merged
    categories: list[Category] = []
    for category in by_id.values():
        if lang is not None:
            kept = tuple(p for p in category.patterns if p.lang == lang)
            category = dataclasses.replace(category, patterns=kept)
        categories.append(category)
    canonical = json.dumps(
        {
            "taxonomy": parsed,
            "lang": lang,
            "normaliser": {
                "version": normalise.NORMALISER_VERSION,
                "data": {k: parse_yaml(v) for k, v in normalise.data_texts().items()},
            },
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return Taxonomy(
        version=meta["version"],
        categories=tuple(categories),
        tags={str(k): str(v) for k, v in meta["tags"].items()},
        languages={str(k): str(v) for k, v in meta["languages"].items()},
        stages={str(m): {str(k): str(v) for k, v in s.items()} for m, s in meta["stages"].items()},
        digest=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
    )


def taxonomy_documents() -> dict[str, str]:
    """The packaged taxonomy YAML files by name (``lang/<code>/<category>.yaml`` for languages)."""
    pkg = resources.files(TAXONOMY_PACKAGE)
    docs = {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in pkg.iterdir()
        if entry.name.endswith(".yaml")
    }
    lang_dir = pkg / LANG_DIR
    if lang_dir.is_dir():
        for folder in lang_dir.iterdir():
            if not folder.is_dir():
                continue
            for entry in folder.iterdir():
                if entry.name.endswith(".yaml"):
                    name = f"{LANG_DIR}/{folder.name}/{entry.name}"
                    docs[name] = entry.read_text(encoding="utf-8")
    return docs


@functools.cache
def load_taxonomy(lang: str | None = None) -> Taxonomy:
    """The packaged taxonomy, checked; only one language's patterns when ``lang`` is given.

    Checking every pattern against the regex subset takes a good part of a second. When the
    compiled-pattern cache folder is set (``vigil.analysis.scanner.set_database_cache``), a
    marker named by the SHA-256 of the exact YAML texts records that they passed, and a later
    process loading the same texts skips that one check (every other check still runs).
    """
    docs = taxonomy_documents()
    folder = database_cache_folder()
    marker = None
    if folder is not None:
        digest = hashlib.sha256(json.dumps(docs, sort_keys=True).encode("utf-8")).hexdigest()
        marker = folder / f"taxonomy-{digest[:40]}.checked"
    trusted = marker is not None and marker.is_file()
    tax = parse_taxonomy(docs, lang, check_patterns=not trusted)
    if marker is not None and not trusted:
        with contextlib.suppress(OSError):  # a read-only cache only costs the check next time
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text("patterns checked\n", encoding="utf-8")
    return tax
