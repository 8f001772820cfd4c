"""The indicator taxonomy: structure, the pattern subset, examples and near-misses, corpora."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vigil.analysis.normalise import _data as shorthand_data
from vigil.analysis.normalise import normalise
from vigil.analysis.rules import WEAK_TAGS
from vigil.analysis.taxonomy_load import (
    META_FILE,
    Category,
    Pattern,
    TaxonomyError,
    check_pattern,
    load_taxonomy,
    parse_taxonomy,
    taxonomy_documents,
)

REPO = Path(__file__).resolve().parents[2]
CORPORA = REPO / "tests" / "fixtures" / "conversations"

CATEGORY_IDS = {
    "age_identity_probing",
    "trust_flattery",
    "secrecy_exclusivity",
    "supervision_risk_assessment",
    "isolation",
    "gifts_inducements",
    "platform_migration",
    "image_requests",
    "sexual_escalation",
    "compliance_testing",
    "meeting_travel",
    "coercion_sextortion",
    "identity_deception",
    "third_party_access",
    "livestream_purchase",
    "ai_misuse",
}
SCORER_TAGS = {
    "age_question",
    "age_disclosure",
    "location_question",
    "school_question",
    "real_check",
    "flattery",
    "secrecy",
    "delete_request",
    "exclusivity",
    "supervision_check",
    "alone_check",
    "police_check",
    "isolation",
    "gift_offer",
    "payment_offer",
    "game_currency",
    "job_offer",
    "platform_move",
    "phone_number_request",
    "camera_request",
    "image_request",
    "sexual_question",
    "reframing",
    "compliance_test",
    "meeting_proposal",
    "time_reference",
    "place_reference",
    "pickup_offer",
    "travel_payment",
    "threat",
    "sextortion",
    "guilt",
    "identity_claim",
    "access_offer",
    "price_negotiation",
    "livestream_payment",
    "remittance",
    "ai_nudify",
    "ai_generate",
}
URGENCY_FLAGS = {
    "meeting",
    "travel",
    "gift_payment",
    "third_party_access",
    "image_request",
    "secrecy_supervision",
    "threat",
}

TAXONOMY = load_taxonomy()
PATTERNS = TAXONOMY.patterns()


def pattern_id(p: Pattern) -> str:
    return p.id


# --- structure ---------------------------------------------------------------------------------


def test_all_sixteen_categories_are_present() -> None:
    assert {c.id for c in TAXONOMY.categories} == CATEGORY_IDS
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", TAXONOMY.version)


def test_tag_vocabulary_holds_every_tag_the_scorer_uses() -> None:
    assert set(TAXONOMY.tags) >= SCORER_TAGS
    assert all(description.strip() for description in TAXONOMY.tags.values())


@pytest.mark.parametrize("category", TAXONOMY.categories, ids=lambda c: c.id)
def test_category_shape(category: Category) -> None:
    assert 0 <= category.weight <= 1
    assert category.sources and all(s.strip() for s in category.sources)
    assert set(category.stage) == set(TAXONOMY.stages)
    for model, stage in category.stage.items():
        assert stage in TAXONOMY.stages[model]
    assert len(category.patterns) >= 6, "English needs several patterns per category"


def test_pattern_ids_are_unique_and_namespaced() -> None:
    ids = [p.id for p in PATTERNS]
    assert len(ids) == len(set(ids))
    assert all(p.id.startswith(f"{p.category}.{p.lang}.") for p in PATTERNS)


def test_language_grouping_and_filter() -> None:
    assert set(TAXONOMY.by_language()) == {"en", "de", "fr", "es", "nl", "pl"}
    assert load_taxonomy("en").patterns() == TAXONOMY.patterns("en")
    assert {p.lang for p in load_taxonomy("en").patterns()} == {"en"}


# --- every pattern: subset, examples, near-misses ------------------------------------------


@pytest.mark.parametrize("p", PATTERNS, ids=pattern_id)
def test_pattern_examples_match_and_near_misses_do_not(p: Pattern) -> None:
    assert p.examples and p.near_misses
    assert set(p.tags) <= set(TAXONOMY.tags)
    assert p.speaker in {"adult", "child", "any"}
    assert check_pattern(p.pattern) is None
    rx = re.compile(p.pattern)
    for example in p.examples:
        assert rx.search(normalise(example).text), f"example does not match: {example!r}"
    for near_miss in p.near_misses:
        found = rx.search(normalise(near_miss).text)
        assert found is None, f"near-miss matches {found.group()!r}: {near_miss!r}"


@pytest.mark.parametrize("p", PATTERNS, ids=pattern_id)
def test_pattern_never_matches_across_the_separator(p: Pattern) -> None:
    rx = re.compile(p.pattern)
    for example in p.examples:
        text = normalise(example).text
        blob = "a\x00" + text + "\x00b"
        for m in rx.finditer(blob):
            assert m.start() >= 2 and m.end() <= 2 + len(text), (example, m.group())


def test_no_match_spans_two_messages_in_a_blob_of_all_examples() -> None:
    texts = [normalise(e).text for p in PATTERNS for e in (*p.examples, *p.near_misses)]
    blob = "\x00".join(texts)
    for p in PATTERNS:
        for m in re.finditer(p.pattern, blob):
            assert "\x00" not in m.group(), (p.id, m.group())


def test_patterns_are_written_for_canonical_forms() -> None:
    """A word the normaliser always rewrites ("u", "pic", "cam") can never match."""
    variants = {
        v
        for v, canonical in shorthand_data().expansions.items()
        if re.fullmatch(r"[a-z]+", v) and v != canonical and len(v) > 1
    }
    offenders = {}
    for p in PATTERNS:
        source = re.sub(r"\\.", " ", p.pattern)  # escapes such as \b, \x00
        source = re.sub(r"\[[^\]]*\]", " ", source)  # character classes
        words = set(re.findall(r"[^\W\d_]+", source)) & variants  # "vidéo" is one word
        if words:
            offenders[p.id] = sorted(words)
    assert not offenders


def test_every_shorthand_expansion_is_used_by_some_pattern() -> None:
    """shorthand.yaml lists only canonical forms a pattern looks for (see its header).

    An expansion no pattern uses changes no finding but sends every message holding the
    variant down the slower offset-tracking path (the prefilter has to flag it).
    """
    sources = []
    for p in PATTERNS:
        source = re.sub(r"\\.", " ", p.pattern)  # escapes such as \b, \x00
        sources.append(re.sub(r"\[[^\]]*\]", " ", source))  # character classes
    text = " ".join(sources)
    unused = {
        canonical
        for canonical in set(shorthand_data().expansions.values())
        if not all(
            re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", text) for w in canonical.split()
        )
    }
    assert not unused


# --- other engines ------------------------------------------------------------------------------


def test_patterns_compile_and_agree_in_re2() -> None:
    re2 = pytest.importorskip("re2")
    for p in PATTERNS:
        rx = re2.compile(p.pattern)
        for example in p.examples:
            assert rx.search(normalise(example).text), (p.id, example)
        for near_miss in p.near_misses:
            assert not rx.search(normalise(near_miss).text), (p.id, near_miss)


def test_patterns_compile_into_one_hyperscan_database() -> None:
    hyperscan = pytest.importorskip("hyperscan")
    db = hyperscan.Database()
    db.compile(
        expressions=[p.pattern.encode() for p in PATTERNS],
        ids=list(range(len(PATTERNS))),
        elements=len(PATTERNS),
        flags=[hyperscan.HS_FLAG_SOM_LEFTMOST] * len(PATTERNS),
    )
    texts = [normalise(e).text for p in PATTERNS for e in p.examples]
    owner = [i for i, p in enumerate(PATTERNS) for _ in p.examples]
    blob = "\x00".join(texts).encode()
    bounds: list[tuple[int, int]] = []
    pos = 0
    for t in texts:
        size = len(t.encode())
        bounds.append((pos, pos + size))
        pos += size + 1
    hits: list[tuple[int, int, int]] = []

    def on_match(pid: int, start: int, end: int, flags: int, context: object) -> None:
        hits.append((pid, start, end))

    db.scan(blob, match_event_handler=on_match)
    found = set()
    for pid, start, end in hits:
        inside = [i for i, (a, b) in enumerate(bounds) if a <= start and end <= b]
        assert inside, (PATTERNS[pid].id, blob[start:end])
        found.add((pid, inside[0]))
    for i, pid in enumerate(owner):
        assert (pid, i) in found, (PATTERNS[pid].id, texts[i])


# --- the pattern subset and loader errors ---------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        (r"meet.{0,10}park", "'.'"),
        (r"meet(?= me)", "lookahead"),
        (r"(?<!not )meet", "lookahead or lookbehind"),
        (r"(meet) \1", "capturing group"),
        (r"(?P<x>meet)", "capturing group"),
        (r"(?i)meet", "inline flags"),
        (r"(?i:meet)", "inline flags"),
        (r"^meet", "anchor"),
        (r"meet$", "anchor"),
        (r"\Ameet", "anchor"),
        (r"meet me \w+", "unbounded"),
        (r"meet[^.]{0,10}", "NUL"),
        (r"meet\W", "NUL"),
        (r"meet\S{1,3}", "NUL"),
        (r"meet me{0,99}", "too large"),
        (r"Meet", "upper-case"),
        (r"meet\tme", "whitespace"),
        (r"meet\x00", "NUL"),
        (r"(?:meet)?", "empty string"),
        (r"meet{1,3}?", "lazy"),
        (r"(?>meet)", "atomic"),
        (r"meet (", "not a valid regular expression"),
    ],
)
def test_forbidden_constructs_are_rejected(pattern: str, problem: str) -> None:
    reason = check_pattern(pattern)
    assert reason is not None and problem in reason


@pytest.mark.parametrize(
    "pattern", [r"\bmeet me\b", r"meet[^.!?\x00]{0,30}park", r"(?:£|\$)[0-9]{1,4}", r"[a-z]{2,8}"]
)
def test_allowed_constructs_pass(pattern: str) -> None:
    assert check_pattern(pattern) is None


def _documents_with(
    edit: Callable[[str], str], file: str = "meeting_travel.yaml"
) -> dict[str, str]:
    docs = dict(taxonomy_documents())
    docs[file] = edit(docs[file])
    return docs


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda s: s.replace("tags: [pickup_offer, meeting_proposal]", "tags: [pickup_offr]"),
            "unknown tag(s): pickup_offr",
        ),
        (lambda s: s.replace("    speaker: adult\n", "", 1), "missing field(s): speaker"),
        (lambda s: s.replace("weight: 0.95", "weight: 1.5"), "weight 1.5 out of range"),
        (
            lambda s: s.replace("oconnell: conclusion_meeting", "oconnell: the_end"),
            "unknown oconnell stage",
        ),
        (
            lambda s: s.replace(
                "id: meeting_travel.en.pickup_offer", "id: meeting_travel.en.can_we_meet"
            ),
            "duplicate pattern id",
        ),
        (
            lambda s: s.replace("id: meeting_travel.en.pickup_offer", "id: gifts.en.pickup_offer"),
            "bad id",
        ),
        (
            lambda s: s.replace(
                r"(?:will|can|could|would|am going to|will come and|",
                r"(?=will)(?:will|can|could|would|am going to|will come and|",
            ),
            "lookahead",
        ),
        (
            lambda s: s.replace("id: meeting_travel\n", "id: meetings\n"),
            "does not match the file name",
        ),
        (lambda s: s.replace("lang: en\n", "lang: cy\n", 1), "unknown language 'cy'"),
    ],
)
def test_loader_errors_name_the_file_and_pattern(edit: Callable[[str], str], message: str) -> None:
    with pytest.raises(TaxonomyError) as info:
        parse_taxonomy(_documents_with(edit))
    text = str(info.value)
    assert "meeting_travel.yaml" in text
    assert message in text


def test_pattern_errors_name_the_pattern_id() -> None:
    docs = _documents_with(
        lambda s: s.replace("tags: [pickup_offer, meeting_proposal]", "tags: []")
    )
    with pytest.raises(TaxonomyError, match=r"pattern meeting_travel\.en\.pickup_offer"):
        parse_taxonomy(docs)


def test_missing_meta_file_is_an_error() -> None:
    docs = dict(taxonomy_documents())
    del docs[META_FILE]
    with pytest.raises(TaxonomyError, match=r"_taxonomy\.yaml"):
        parse_taxonomy(docs)


def test_a_second_language_is_grouped_and_filtered() -> None:
    docs = dict(taxonomy_documents())
    docs[META_FILE] = docs[META_FILE].replace("  en: English\n", "  en: English\n  cy: Welsh\n")
    docs["meeting_travel.yaml"] += (
        "  - id: meeting_travel.cy.cwrdd\n"
        "    lang: cy\n"
        "    pattern: '\\bgawn ni gwrdd\\b'\n"
        "    tags: [meeting_proposal]\n"
        "    speaker: adult\n"
        "    description: Proposes meeting.\n"
        "    notes: Welsh example used only by this test.\n"
        "    examples: ['gawn ni gwrdd fory?']\n"
        "    near_misses: ['gawn ni weld']\n"
    )
    both = parse_taxonomy(docs)
    assert set(both.by_language()) == {"en", "cy", "de", "fr", "es", "nl", "pl"}
    welsh = parse_taxonomy(docs, lang="cy")
    assert [p.id for p in welsh.patterns()] == ["meeting_travel.cy.cwrdd"]
    assert len(welsh.categories) == 16
    assert welsh.fingerprint() != both.fingerprint()


def test_fingerprint_tracks_content_not_formatting() -> None:
    docs = dict(taxonomy_documents())
    base = parse_taxonomy(docs).fingerprint()
    assert re.fullmatch(r"[0-9a-f]{64}", base)
    assert parse_taxonomy(docs).fingerprint() == base
    commented = _documents_with(lambda s: "# a comment\n" + s)
    assert parse_taxonomy(commented).fingerprint() == base
    changed = _documents_with(lambda s: s.replace("i can pick u up", "i can pick you up"))
    assert parse_taxonomy(changed).fingerprint() != base


# --- corpora --------------------------------------------------------------------------------


def _corpus(kind: str) -> list[Path]:
    return sorted((CORPORA / kind).glob("*.json"))


def _categories_hit(conversation: dict[str, Any]) -> set[str]:
    """Categories whose strong patterns match (weak context cues are left out)."""
    compiled = [
        (p.category, re.compile(p.pattern)) for p in PATTERNS if not set(p.tags) <= WEAK_TAGS
    ]
    hit: set[str] = set()
    for message in conversation["messages"]:
        text = normalise(message["text"]).text
        hit.update(category for category, rx in compiled if rx.search(text))
    return hit


def test_corpora_sizes() -> None:
    assert len(_corpus("grooming")) >= 8
    assert len(_corpus("hard_negatives")) >= 12
    assert len(_corpus("case_patterns")) == 2


@pytest.mark.parametrize(
    "path",
    [*_corpus("grooming"), *_corpus("hard_negatives"), *_corpus("case_patterns")],
    ids=lambda p: f"{p.parent.name}/{p.stem}",
)
def test_corpus_schema(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data) == {"title", "kind", "expect_flags", "participants", "messages"}
    assert (
        data["kind"]
        == {
            "grooming": "grooming",
            "hard_negatives": "hard_negative",
            "case_patterns": "case_pattern",
        }[path.parent.name]
    )
    assert set(data["expect_flags"]) <= URGENCY_FLAGS
    roles = {"suspect", "child", "officer_persona", "third_party", "unknown"}
    ids = {p["id"] for p in data["participants"]}
    assert all(p["role"] in roles for p in data["participants"])
    minutes = [m["minutes"] for m in data["messages"]]
    assert minutes == sorted(minutes)
    assert all(m["sender"] in ids and m["text"].strip() for m in data["messages"])
    if data["kind"] == "grooming":
        assert 20 <= len(data["messages"]) <= 60


@pytest.mark.parametrize("path", _corpus("grooming"), ids=lambda p: p.stem)
def test_grooming_conversations_span_many_categories(path: Path) -> None:
    hit = _categories_hit(json.loads(path.read_text(encoding="utf-8")))
    assert len(hit) >= 5, sorted(hit)


@pytest.mark.parametrize("path", _corpus("hard_negatives"), ids=lambda p: p.stem)
def test_hard_negatives_touch_few_categories(path: Path) -> None:
    hit = _categories_hit(json.loads(path.read_text(encoding="utf-8")))
    assert len(hit) <= 3, sorted(hit)


def test_case_patterns_reach_the_expected_categories() -> None:
    access = json.loads((CORPORA / "case_patterns" / "parent_negotiates_access.json").read_text())
    assert {"third_party_access", "gifts_inducements", "meeting_travel"} <= _categories_hit(access)
    drugs = CORPORA / "case_patterns" / "officer_persona_drugs_meeting.json"
    assert {"meeting_travel", "gifts_inducements"} <= _categories_hit(json.loads(drugs.read_text()))


def test_docs_list_every_category() -> None:
    doc = (REPO / "docs" / "taxonomy.md").read_text(encoding="utf-8")
    for category in TAXONOMY.categories:
        assert f"`{category.id}`" in doc
