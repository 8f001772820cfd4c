"""PDQ index (flat and multi-index hashing) against brute force; exact look-ups."""

from __future__ import annotations

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


@pytest.mark.parametrize("flat_limit", [10_000, 100])
def test_index_equals_brute_force_with_per_list_thresholds(flat_limit: int) -> None:
    listed, queries = _data(1)
    index = PdqIndex(flat_limit=flat_limit)
    index.add_codes(listed[:2000], ListRef("a", "list A", threshold=31))
    index.add_codes(listed[2000:], ListRef("b", "list B", threshold=12))
    thr = np.array([31] * 2000 + [12] * 1000)
    got = [set(ids.tolist()) for ids, _ in index.search(queries)]
    assert index.kind == ("flat" if flat_limit > 3000 else "multihash")
    assert got == _brute(listed, queries, thr)
    assert sum(map(len, got)) >= 30  # the test has real hits to lose


def test_kind_switches_when_the_index_grows_past_the_flat_limit() -> None:
    listed, queries = _data(2)
    index = PdqIndex(flat_limit=2500)
    index.add_codes(listed[:2000], ListRef("a", "A"))
    first = index.search(queries[:5])
    assert index.kind == "flat"
    index.add_codes(listed[2000:], ListRef("b", "B"))
    second = index.search(queries)
    assert index.kind == "multihash" and len(index) == 3000
    assert [set(i.tolist()) for i, _ in second[:5]] == [set(i.tolist()) for i, _ in first]
    assert [set(i.tolist()) for i, _ in second] == _brute(listed, queries, np.full(3000, 31))


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
