"""PDQ index (every engine: faiss flat, faiss multi-hash, Vigil MIH) against brute force; exact look-ups."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from vigil.media.categories import registry
from vigil.media.hashers.crypto import crypto_hashes
from vigil.media.hashers.pdq import PdqHash
from vigil.media.hashsets import HashList, HashRecord, HashValue
from vigil.media.index import ExactIndex, PdqIndex
from vigil.media.matching import ListRef


def _near(rng: np.random.Generator, base: np.ndarray, bits: int) -> np.ndarray:
    out = base.copy()
    flat = np.unpackbits(out)
    flat[rng.choice(256, size=bits, replace=False)] ^= 1
    return np.packbits(flat)


def _data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    listed = rng.integers(0, 256, (3000, 32), dtype=np.uint8)
    # Queries at known distances from listed hashes (0..40 bits), plus unrelated ones.
    queries = [_near(rng, listed[i * 7], bits) for i, bits in enumerate(range(0, 41))]
    queries += list(rng.integers(0, 256, (20, 32), dtype=np.uint8))
    return listed, np.stack(queries)


def _brute(listed: np.ndarray, queries: np.ndarray, thr: np.ndarray) -> list[set[int]]:
    x = np.unpackbits(listed, axis=1)
    out = []
    for q in np.unpackbits(queries, axis=1):
        d = (x != q).sum(axis=1)
        out.append(set(np.nonzero(d <= thr)[0].tolist()))
    return out


def _clustered(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """300 clusters of 10 near-duplicates (1-24 bits from the centre), queries near them."""
    rng = np.random.default_rng(seed)
    centres = rng.integers(0, 256, (300, 32), dtype=np.uint8)
    listed = np.stack([_near(rng, centres[i // 10], int(rng.integers(1, 25))) for i in range(3000)])
    queries = [_near(rng, listed[i * 61], bits) for i, bits in enumerate(range(0, 41))]
    return listed, np.stack(queries)


ENGINE_CASES = [
    ("auto", 10_000, "flat"),
    ("auto", 100, "mih"),
    ("mih", 10_000, "mih"),
    ("flat", 100, "flat"),
    ("multihash", 10_000, "multihash"),
]


@pytest.mark.parametrize("data", [_data, _clustered])
@pytest.mark.parametrize(("engine", "flat_limit", "kind"), ENGINE_CASES)
def test_every_engine_equals_brute_force_with_per_list_thresholds(
    data: Callable[[int], tuple[np.ndarray, np.ndarray]], engine: str, flat_limit: int, kind: str
) -> None:
    listed, queries = data(1)
    index = PdqIndex(engine=engine, flat_limit=flat_limit)
    index.add_codes(listed[:1200], ListRef("a", "list A", threshold=31))
    index.add_codes(listed[1200:2000], ListRef("b", "list B", threshold=12))
    index.add_codes(listed[2000:], ListRef("c", "list C", threshold=40))
    thr = np.array([31] * 1200 + [12] * 800 + [40] * 1000)
    found = index.search(queries)
    got = [set(ids.tolist()) for ids, _ in found]
    assert index.kind == kind
    assert got == _brute(listed, queries, thr)
    assert sum(map(len, got)) >= 30  # the test has real hits to lose
    assert got[0] and all(len(ids) == len(set(ids.tolist())) for ids, _ in found)
    x = np.unpackbits(listed, axis=1)
    for q, (ids, dists) in zip(np.unpackbits(queries, axis=1), found, strict=True):
        assert dists.tolist() == (x[ids] != q).sum(axis=1).tolist()
    wide = [set(ids.tolist()) for ids, _ in index.search(queries, threshold=20)]
    assert wide == _brute(listed, queries, np.full(3000, 20))
    lists, rows = index.owners(np.array([0, 1199, 1200, 2999]))
    assert lists.tolist() == [0, 0, 1, 2] and rows.tolist() == [0, 1199, 0, 999]


@pytest.mark.parametrize(("grown", "engine"), [("mih", "auto"), ("multihash", "multihash")])
def test_kind_switches_when_the_index_grows_past_the_flat_limit(grown: str, engine: str) -> None:
    listed, queries = _data(2)
    index = PdqIndex(flat_limit=2500, engine=engine)
    index.add_codes(listed[:2000], ListRef("a", "A"))
    first = index.search(queries[:5])
    assert index.kind == ("flat" if engine == "auto" else engine)
    index.add_codes(listed[2000:], ListRef("b", "B"))
    second = index.search(queries)
    assert index.kind == grown and len(index) == 3000
    assert [set(i.tolist()) for i, _ in second[:5]] == [set(i.tolist()) for i, _ in first]
    assert [set(i.tolist()) for i, _ in second] == _brute(listed, queries, np.full(3000, 31))


@pytest.mark.parametrize("engine", ["mih", "flat", "multihash"])
def test_reference_is_read_back_from_the_index_without_hex(engine: str) -> None:
    listed, _ = _data(5)
    index = PdqIndex(engine=engine)
    index.add_codes(listed[:50], ListRef("a", "A"))
    index.add_codes(listed[50:100], ListRef("b", "B"))
    got = index.lookup(PdqHash(bytes(listed[77]).hex(), 90))
    assert [(m.list_name, m.record_key, m.reference) for m in got.matches] == [
        ("B", "#27", bytes(listed[77]).hex())
    ]


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="engine must be one of"):
        PdqIndex(engine="lsh")


@pytest.mark.parametrize("engine", ["mih", "flat", "multihash"])
def test_lookups_with_several_lists_deletions_and_low_quality(engine: str) -> None:
    listed, _ = _data(4)
    hexes = [bytes(c).hex() for c in listed[:40]]
    cat = registry().category("uk-sentencing", "B")
    live = tuple(HashRecord(f"k{i}", (HashValue("pdq", h),), cat) for i, h in enumerate(hexes[:20]))
    gone = HashRecord("k20", (HashValue("pdq", hexes[20]),), cat, deleted=True)
    first = HashList("a.json", "vics", "2.0", live, deletions=(gone,))
    second = HashList("b.csv", "csv", None, (HashRecord("m0", (HashValue("pdq", hexes[0]),)),))
    index = PdqIndex(engine=engine)
    assert index.add_list(first, ListRef("A", "list A")) == 20
    assert index.add_list(second, ListRef("B", "list B", threshold=5)) == 1
    near = f"{int(hexes[0], 16) ^ 0b1111111:064x}"  # 7 bits: within A's 31, over B's 5
    looks = index.lookup_many(
        [PdqHash(hexes[0], 90), PdqHash(near, 80), PdqHash(hexes[20], 99), PdqHash(near, 49)]
    )
    assert [lk.status for lk in looks] == ["match", "match", "no match", "cannot be scored"]
    assert sorted((m.list_name, m.record_key, m.distance) for m in looks[0].matches) == [
        ("list A", "k0", 0),
        ("list B", "m0", 0),
    ]
    assert [(m.list_name, m.distance, m.category) for m in looks[1].matches] == [("list A", 7, cat)]
    assert looks[3].matches == () and "below 50" in looks[3].reason


def test_lookup_results_carry_distance_quality_list_and_category() -> None:
    cat = registry().category("projectvic-us", 1)
    base = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
    hl = HashList("vics.json", "vics", "2.0", (HashRecord("m1", (HashValue("pdq", base),), cat),))
    index = PdqIndex()
    assert index.add_list(hl, ListRef("L1", "partner list", threshold=20)) == 1
    near = f"{int(base, 16) ^ 0b111:064x}"
    got = index.lookup(PdqHash(near, 87))
    assert got.status == "match"
    m = got.matches[0]
    assert (m.distance, m.quality, m.list_name, m.category, m.record_key) == (
        3,
        87,
        "partner list",
        cat,
        "m1",
    )
    assert m.reference == base and "distance 3" in m.reason
    far = f"{int(base, 16) ^ ((1 << 25) - 1):064x}"  # 25 bits: over this list's 20
    assert index.lookup(PdqHash(far, 90)).status == "no match"


def test_exact_index() -> None:
    data = b"benign test bytes"
    ch = crypto_hashes(data)
    cat = registry().category("uk-sentencing", "C")
    hl = HashList(
        "p.txt",
        "plain",
        None,
        (
            HashRecord("r1", (HashValue("md5", ch.md5),), cat),
            HashRecord("r2", (HashValue("sha1", ch.sha1), HashValue("pdq", "00" * 32))),
        ),
    )
    index = ExactIndex()
    assert index.add_list(hl, ListRef("L", "local list")) == 2
    got = index.lookup(ch)
    assert got.status == "match"
    assert sorted((m.algorithm, m.record_key, m.distance) for m in got.matches) == [
        ("md5", "r1", 0),
        ("sha1", "r2", 0),
    ]
    assert next(m for m in got.matches if m.algorithm == "md5").category == cat
    assert index.lookup(crypto_hashes(b"other")).status == "no match"
