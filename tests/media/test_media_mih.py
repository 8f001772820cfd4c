"""Vigil's multi-index hashing (vigil.media.mih) against a numpy brute force."""

from __future__ import annotations

import numpy as np
import pytest

from vigil.media.mih import MihIndex, distances, flip_masks


def _flip(rng: np.random.Generator, codes: np.ndarray, bits: np.ndarray) -> np.ndarray:
    """Flip ``bits[i]`` distinct random bits of row i."""
    unpacked = np.unpackbits(codes, axis=1)
    order = np.argsort(rng.random(unpacked.shape), axis=1)
    return np.packbits(unpacked ^ (order < bits[:, None]), axis=1)


def _spread(rng: np.random.Generator, code: np.ndarray, bits: int) -> np.ndarray:
    """``code`` with ``bits`` (16..32) flipped, one or two in every 16-bit chunk.

    The hard case for multi-index hashing: no chunk is equal to the query's.
    """
    chunks = np.arange(16)
    twice = rng.choice(16, size=bits - 16, replace=False)
    flips = np.unpackbits(code).copy()
    for c in np.concatenate([chunks, twice]):
        free = [i for i in range(16 * c, 16 * c + 16) if flips[i] == np.unpackbits(code)[i]]
        flips[rng.choice(free)] ^= 1
    return np.packbits(flips)


def _data(kind: str, n: int = 4000, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if kind == "random":
        listed = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    else:  # clusters of 10 near-duplicates, 1-24 bits from their centre
        centres = rng.integers(0, 256, (n // 10, 32), dtype=np.uint8)
        listed = _flip(rng, np.repeat(centres, 10, axis=0), rng.integers(1, 25, n))
    picks = rng.integers(0, n, 120)
    queries = _flip(rng, listed[picks], np.arange(120) % 50)  # 0..49 bits from a listed hash
    spread = [_spread(rng, listed[i], bits) for i, bits in enumerate(range(16, 33))]
    unrelated = rng.integers(0, 256, (20, 32), dtype=np.uint8)
    return listed, np.concatenate([queries, np.stack(spread), unrelated])


def _brute(listed: np.ndarray, queries: np.ndarray, radius: int) -> list[dict[int, int]]:
    bits = np.unpackbits(listed, axis=1)
    out = []
    for q in np.unpackbits(queries, axis=1):
        d = (bits != q).sum(axis=1)
        hit = np.flatnonzero(d <= radius)
        out.append(dict(zip(hit.tolist(), d[hit].tolist(), strict=True)))
    return out


def _as_dicts(found: tuple[np.ndarray, np.ndarray, np.ndarray]) -> list[dict[int, int]]:
    lims, dist, ids = found
    pairs = [(i, hit) for i in range(len(lims) - 1) for hit in ids[lims[i] : lims[i + 1]].tolist()]
    assert len(pairs) == len(set(pairs)), "a hit is reported twice"
    return [
        dict(zip(ids[a:b].tolist(), dist[a:b].tolist(), strict=True))
        for a, b in zip(lims[:-1].tolist(), lims[1:].tolist(), strict=True)
    ]


@pytest.mark.parametrize("kind", ["random", "clustered"])
@pytest.mark.parametrize("radius", [0, 7, 15, 16, 31, 32, 40])
def test_range_search_equals_brute_force(kind: str, radius: int) -> None:
    listed, queries = _data(kind)
    index = MihIndex(listed)
    truth = _brute(listed, queries, radius)
    assert _as_dicts(index.range_search(queries, radius)) == truth
    assert [_as_dicts(index.range_search(q, radius))[0] for q in queries[:40]] == truth[:40]
    if radius >= 31:
        assert sum(map(len, truth)) >= 60  # there are real hits to lose


def test_small_blocks_and_exhaustive_fallback_give_the_same_answer() -> None:
    listed, queries = _data("clustered", seed=5)
    truth = _brute(listed, queries, 31)
    tiny = MihIndex(listed, block_queries=7, block_candidates=50)
    assert _as_dicts(tiny.range_search(queries, 31)) == truth
    scanning = MihIndex(listed, scan_fraction=10**6)  # every query over the limit: full scans
    assert _as_dicts(scanning.range_search(queries, 31)) == truth
    wide = _brute(listed, queries[:10], 80)  # 5-bit flips per chunk: the scan is cheaper
    assert _as_dicts(MihIndex(listed).range_search(queries[:10], 80)) == wide


def test_skewed_chunks_are_still_exact() -> None:
    rng = np.random.default_rng(8)
    listed = rng.integers(0, 256, (3000, 32), dtype=np.uint8)
    listed[:1000, :4] = 0  # a third of the rows share two chunk values: two huge buckets
    queries = _flip(rng, listed[:30], np.arange(30))
    truth = _brute(listed, queries, 31)
    assert _as_dicts(MihIndex(listed, scan_fraction=1).range_search(queries, 31)) == truth
    assert _as_dicts(MihIndex(listed).range_search(queries, 31)) == truth  # scanned


def test_add_appends_rows_and_rebuilds() -> None:
    listed, queries = _data("random", seed=9)
    index = MihIndex()
    assert len(index) == 0
    assert _as_dicts(index.range_search(queries[:3], 31)) == [{}, {}, {}]
    index.add(listed[:1500])
    index.add(listed[1500:])
    index.add(np.zeros((0, 32), np.uint8))
    assert len(index) == len(listed) and np.array_equal(index.codes, listed)
    assert _as_dicts(index.range_search(queries, 31)) == _brute(listed, queries, 31)
    assert index.range_search(queries[:0], 31)[0].tolist() == [0]
    assert _as_dicts(index.range_search(queries[:2], -1)) == [{}, {}]
    assert index.nbytes == len(listed) * (32 + 16 * 4) + (16 * 65536 + 1) * 8


def test_flip_masks_and_distances() -> None:
    assert [len(flip_masks(r)) for r in (0, 1, 2)] == [1, 17, 137]
    assert np.bitwise_count(flip_masks(2)).max() == 2
    rng = np.random.default_rng(1)
    a = rng.integers(0, 256, (50, 32), dtype=np.uint8)
    b = a.copy()
    b[0] = ~a[0]  # all 256 bits differ: the lane sums must not overflow
    b[1:] = rng.integers(0, 256, (49, 32), dtype=np.uint8)
    want = (np.unpackbits(a, axis=1) != np.unpackbits(b, axis=1)).sum(axis=1)
    got = distances(a.view(np.uint64), b.view(np.uint64))
    assert got.tolist() == want.tolist() and got[0] == 256
    assert distances(a.view(np.uint64), a.view(np.uint64)[3])[3] == 0
