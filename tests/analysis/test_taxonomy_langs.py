"""Patterns in German, French, Spanish, Dutch and Polish: the language files, their loader, and
every example and near-miss through the real scanner with every engine.

All example texts are synthetic and non-graphic, phrased the way public safeguarding guidance
quotes grooming cues.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from vigil.analysis.engine import default_engine
from vigil.analysis.normalise import _data as shorthand_data
from vigil.analysis.normalise import normalise
from vigil.analysis.scanner import Scanner, available_engines
from vigil.analysis.taxonomy_load import (
    META_FILE,
    Pattern,
    TaxonomyError,
    check_pattern,
    load_taxonomy,
    parse_taxonomy,
    taxonomy_documents,
)

LANGS = ("de", "fr", "es", "nl", "pl")
STRONG = (
    "meeting_travel",
    "secrecy_exclusivity",
    "supervision_risk_assessment",
    "age_identity_probing",
    "image_requests",
    "gifts_inducements",
    "platform_migration",
)
TAXONOMY = load_taxonomy()
FOREIGN = [p for p in TAXONOMY.patterns() if p.lang != "en"]
CORPORA = Path(__file__).resolve().parents[1] / "fixtures" / "conversations"


def pattern_id(p: Pattern) -> str:
    return p.id


# --- coverage and shape -------------------------------------------------------------------


def test_the_five_languages_are_declared_and_have_patterns() -> None:
    assert set(LANGS) <= set(TAXONOMY.languages)
    assert set(TAXONOMY.by_language()) == {"en", *LANGS}
    assert set(LANGS) | {"en"} <= default_engine().languages


@pytest.mark.parametrize("lang", LANGS)
def test_every_strong_category_has_patterns_in_each_language(lang: str) -> None:
    per_language = load_taxonomy(lang)
    assert {p.lang for p in per_language.patterns()} == {lang}
    covered = {p.category for p in per_language.patterns()}
    assert covered == set(STRONG)


@pytest.mark.parametrize("p", FOREIGN, ids=pattern_id)
def test_pattern_shape(p: Pattern) -> None:
    assert len(p.examples) >= 3
    assert len(p.near_misses) >= 2
    assert p.id.startswith(f"{p.category}.{p.lang}.")
    assert check_pattern(p.pattern) is None
    # the tags the English patterns of the category use, so scoring and flags work unchanged
    english_tags = {
        t for q in TAXONOMY.category(p.category).patterns if q.lang == "en" for t in q.tags
    }
    assert set(p.tags) <= english_tags
    expected_speaker = "child" if "age_disclosure" in p.tags else "adult"
    assert p.speaker == expected_speaker


def test_language_files_add_their_sources_to_the_category() -> None:
    meeting = TAXONOMY.category("meeting_travel")
    assert any("klicksafe" in s for s in meeting.sources)
    assert any("e-Enfance" in s for s in meeting.sources)
    assert len(meeting.sources) == len(set(meeting.sources))


# --- examples and near-misses through the real scanner -----------------------------------------


def _scanners() -> dict[str, Scanner]:
    engine = default_engine()
    out = {"default": engine.scanner}
    for name in available_engines():
        out[name] = Scanner(list(engine.scanner.patterns), engine=name, prefilter=False)
    return out


@pytest.mark.parametrize("scanner_name", ["default", *available_engines()])
def test_examples_match_and_near_misses_do_not_with_every_engine(scanner_name: str) -> None:
    scanner = _scanners()[scanner_name]
    index = {p.id: i for i, p in enumerate(scanner.patterns)}
    texts = [t for p in FOREIGN for t in (*p.examples, *p.near_misses)]
    hits = scanner.scan(texts)
    k = 0
    problems = []
    for p in FOREIGN:
        for example in p.examples:
            if index[p.id] not in {h.pattern for h in hits[k]}:
                problems.append(("missed", p.id, example))
            k += 1
        for near_miss in p.near_misses:
            if index[p.id] in {h.pattern for h in hits[k]}:
                problems.append(("matched", p.id, near_miss))
            k += 1
    assert not problems


def test_examples_are_found_whatever_messages_surround_them() -> None:
    """Shuffled batches: an engine's match must not depend on the neighbouring messages."""
    engine = default_engine()
    index = {p.id: i for i, p in enumerate(engine.scanner.patterns)}
    items = [(p.id, t) for p in TAXONOMY.patterns() for t in (*p.examples, *p.near_misses)]
    owners = {(p.id, e) for p in FOREIGN for e in p.examples}
    for seed in range(3):
        random.Random(seed).shuffle(items)
        hits = engine.scanner.scan([t for _, t in items])
        missed = [
            (pid, text)
            for (pid, text), found in zip(items, hits, strict=True)
            if (pid, text) in owners and index[pid] not in {h.pattern for h in found}
        ]
        assert not missed, seed


def test_quotes_point_at_the_text_as_typed() -> None:
    engine = default_engine()
    text = "Salut !! T’as quel ÂGE ?"
    [found] = engine.scanner.scan([text])
    quotes = {engine.rules[h.pattern].id: text[h.start : h.end] for h in found}
    assert quotes["age_identity_probing.fr.quel_age"] == "T’as quel ÂGE"


def test_other_languages_patterns_stay_out_of_english_text() -> None:
    english = [t for p in TAXONOMY.patterns("en") for t in (*p.examples, *p.near_misses)]
    english += [
        m["text"]
        for path in sorted(CORPORA.rglob("*.json"))
        for m in json.loads(path.read_text(encoding="utf-8"))["messages"]
    ]
    compiled = [(p.id, re.compile(p.pattern)) for p in FOREIGN]
    hits = [
        (pid, text) for text in english for pid, rx in compiled if rx.search(normalise(text).text)
    ]
    assert not hits


def test_patterns_are_written_for_what_the_normaliser_produces() -> None:
    """A whole word the normaliser always rewrites can never match: "ik" reads "i know",
    "mam" and "mama" read "mum", "ya" reads "you", "wat" reads "what". Words are read with
    Unicode letters, so "vidéo" is one word (not "vid" and "o")."""
    variants = {
        v
        for v, canonical in shorthand_data().expansions.items()
        if re.fullmatch(r"[^\W\d_]+", v) and v != canonical and len(v) > 1
    }
    offenders = {}
    for p in FOREIGN:
        source = re.sub(r"\\.", " ", p.pattern)
        source = re.sub(r"\[[^\]]*\]", " ", source)
        words = set(re.findall(r"[^\W\d_]+", source)) & variants
        if words:
            offenders[p.id] = sorted(words)
    assert not offenders


def test_what_the_normaliser_does_to_these_languages() -> None:
    """The facts the pattern files are written for (see docs/taxonomy.md, "Languages")."""
    cases = {
        "Straße": "strasse",
        "ÄÖÜ éèñ ŁŻĄĘÓŚ": "äöü éèñ łżąęóś",
        "ik ben 13": "i know ben 13",
        "mam 13 lat": "mum 13 lat",
        "mama ist da": "mum ist da",
        "il y a quelqu'un": "il why a quelqu'un",
        "tú y yo": "tú why yo",
        "ya voy": "you voy",
        "u mnie": "you mnie",
        "im park": "i am park",
        "2º de la eso": "2o de la eso",
    }
    for raw, expected in cases.items():
        assert normalise(raw).text == expected


# --- the loader ---------------------------------------------------------------------------------


def _lang_file(category: str = "meeting_travel", lang: str = "de", pid: str = "") -> str:
    pid = pid or f"{category}.{lang}.test_only"
    return (
        f"category: {category}\n"
        "sources: ['Test source']\n"
        "patterns:\n"
        f"  - id: {pid}\n"
        f"    lang: {lang}\n"
        "    pattern: '\\btreffpunkt test\\b'\n"
        "    tags: [meeting_proposal]\n"
        "    speaker: adult\n"
        "    description: Proposes a meeting place.\n"
        "    notes: Used only by this test.\n"
        "    examples: ['treffpunkt test']\n"
        "    near_misses: ['treffpunkt']\n"
    )


def test_language_files_are_listed_by_path() -> None:
    names = set(taxonomy_documents())
    assert META_FILE in names and "meeting_travel.yaml" in names
    assert {f"lang/{lang}/{c}.yaml" for lang in LANGS for c in STRONG} <= names


def test_a_language_file_is_merged_into_its_category() -> None:
    docs = {k: v for k, v in taxonomy_documents().items() if not k.startswith("lang/")}
    docs["lang/de/meeting_travel.yaml"] = _lang_file()
    tax = parse_taxonomy(docs)
    meeting = tax.category("meeting_travel")
    assert meeting.patterns[-1].id == "meeting_travel.de.test_only"
    assert meeting.patterns[-1].category == "meeting_travel"
    assert "Test source" in meeting.sources
    german = parse_taxonomy(docs, lang="de")
    assert [p.id for p in german.patterns()] == ["meeting_travel.de.test_only"]
    assert german.fingerprint() != tax.fingerprint()


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "lang/de/meeting_travel.yaml",
            _lang_file(category="gifts_inducements"),
            "does not match the file name",
        ),
        ("lang/de/meetings.yaml", _lang_file(category="meetings"), "unknown category 'meetings'"),
        ("lang/xx/meeting_travel.yaml", _lang_file(lang="xx"), "unknown language 'xx'"),
        (
            "lang/de/meeting_travel.yaml",
            _lang_file(lang="fr"),
            "language 'fr' in the folder of language 'de'",
        ),
        ("lang/meeting_travel.yaml", _lang_file(), "misplaced file"),
        ("lang/de/meeting_travel.yaml", _lang_file() + "extra: 1\n", "unknown field(s): extra"),
        ("lang/de/meeting_travel.yaml", "category: meeting_travel\n", "missing field(s): patterns"),
    ],
)
def test_language_file_errors_name_the_file(name: str, text: str, message: str) -> None:
    docs = dict(taxonomy_documents())
    docs[name] = text
    with pytest.raises(TaxonomyError) as info:
        parse_taxonomy(docs)
    assert name in str(info.value)
    assert message in str(info.value)


def test_a_pattern_id_in_a_category_file_and_a_language_file_is_a_duplicate() -> None:
    docs = dict(taxonomy_documents())
    german = _lang_file(pid="meeting_travel.de.treffen").split("patterns:\n", 1)[1]
    docs["meeting_travel.yaml"] += german
    with pytest.raises(TaxonomyError, match="duplicate pattern id") as info:
        parse_taxonomy(docs)
    assert "lang/de/meeting_travel.yaml" in str(info.value)


@pytest.mark.parametrize(
    ("pattern", "ok"),
    [
        (r"\bübermorgen", False),
        (r"\bmorgen|\büber", False),
        (r"là\b", False),
        (r"\b(?:morgen|übermorgen)\b", False),
        (r"\b(?:à|a) personne\b", False),
        (r"(?:ça|\bca) reste", True),
        (r" (?:à|a) personne\b", True),
        (r"\bparfüm\b", True),
        (r"\bsi(?:ę|e) spotkać", True),
        (r"\bwhat is your (?:snapchat|instagram)(?: name| id)?\b", True),
    ],
)
def test_word_boundaries_sit_next_to_ascii_letters(pattern: str, ok: bool) -> None:
    """Hyperscan and RE2 read \\b with ASCII word characters only, Python with Unicode ones."""
    problem = check_pattern(pattern)
    assert (problem is None) == ok, problem
    if not ok:
        assert problem is not None and "\\b next to a letter outside ASCII" in problem


@pytest.mark.skipif("hyperscan" not in available_engines(), reason="Hyperscan not installed")
def test_every_example_is_found_after_any_earlier_message() -> None:
    """Hyperscan once missed a German pattern's match when certain text preceded it in the
    scanned blob (long runs of one letter or of spaces, or some chat lines), though it found
    it alone; Python and RE2 did not. Every example must be found whatever comes before it."""
    tax = load_taxonomy()
    examples = [e for p in tax.patterns() for e in p.examples]
    before = ["a" * 60, " " * 60, "age me when you land", "they would never cancel the match",
              "x", "lol " * 30, "😀" * 20]  # fmt: skip
    hs = Scanner(default_engine().scanner.patterns, engine="hyperscan")
    py = Scanner(default_engine().scanner.patterns, engine="python")
    for lead in before:
        texts = [t for e in examples for t in (lead, e)]
        got = [sorted(h.pattern for h in m) for m in hs.scan(texts)]
        want = [sorted(h.pattern for h in m) for m in py.scan(texts)]
        assert got == want, lead
