"""Exact multi-index hashing (MIH) of 256-bit PDQ codes, in numpy.

Each code is cut into 16 chunks of 16 bits. For every chunk the index keeps a counting-sort
layout: the row ids ordered by that chunk's value, and where each of the 65,536 values starts.
A code within Hamming distance ``t`` of a query differs from it in at most ``t // 16`` bits in
at least one chunk (pigeonhole: if every chunk differed in more, the total would exceed ``t``).
A search therefore probes, in every chunk, the buckets of the query's chunk value and of every
value within ``t // 16`` bits of it (17 buckets per chunk at ``t = 31``), gathers the row ids
found there, and verifies each candidate by XOR and popcount against the stored codes. The
answer is exactly the brute-force answer.

All of it is vectorised: bucket ranges become candidate positions with one ``repeat``/``cumsum``
step, many queries are searched at once in blocks of bounded size, and no Python loop runs per
bucket or per candidate. A query whose buckets would yield more candidates than a fraction of
the index (very wide thresholds, or heavily skewed data) is answered by an exhaustive scan
instead, which is then cheaper.

Memory: 32 bytes per code plus 16 row ids of 4 bytes (96 bytes per hash), plus 8 MB of bucket
starts (int64), whatever the size.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.typing import NDArray

CODE_BYTES = 32
WORDS = CODE_BYTES // 8
CHUNKS = 16
CHUNK_BITS = 16
BUCKETS = 1 << CHUNK_BITS
BLOCK_QUERIES = 64
"""Queries whose probe lists are worked out together."""
BLOCK_CANDIDATES = 1 << 17
"""Candidates verified in one vectorised step (bounds the temporary memory to about 15 MB)."""
SCAN_FRACTION = 8
"""A query with more than ``len(index) // SCAN_FRACTION`` candidates is scanned exhaustively."""
SCAN_ROWS = 1 << 18
"""Rows compared at once by the exhaustive scan."""

Found = tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.int64]]
"""(lims, distances, ids) in the layout of faiss ``range_search``: query i's hits are
``ids[lims[i]:lims[i + 1]]``."""


@cache
def flip_masks(nflip: int) -> NDArray[np.int64]:
    """Every 16-bit value with at most ``nflip`` bits set (the XOR masks to probe)."""
    values = np.arange(BUCKETS, dtype=np.int64)
    masks: NDArray[np.int64] = values[np.bitwise_count(values) <= nflip]
    return masks


def as_words(codes: NDArray[np.uint8]) -> NDArray[np.uint64]:
    """An (n, 32) uint8 array viewed as (n, 4) uint64, copied only when it is not contiguous."""
    raw = np.ascontiguousarray(codes, dtype=np.uint8).reshape(-1, CODE_BYTES)
    return raw.view(np.uint64)


def distances(codes: NDArray[np.uint64], query: NDArray[np.uint64]) -> NDArray[np.uint32]:
    """Hamming distances from each row of ``codes`` (n, 4) to one query (4,) or to rows (n, 4)."""
    counts = np.bitwise_count(codes ^ query)  # (n, 4) uint8, at most 64 each
    # Add each row's four byte counts as one uint32: pairwise in 16-bit lanes (no overflow:
    # every partial sum is at most 256), far faster than numpy's sum over an axis of length 4.
    v = np.ascontiguousarray(counts).view(np.uint32).reshape(-1)
    v = (v & 0x00FF00FF) + ((v >> 8) & 0x00FF00FF)
    out: NDArray[np.uint32] = (v & 0xFFFF) + (v >> 16)
    return out


def _empty(n_queries: int) -> Found:
    return np.zeros(n_queries + 1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int64)


class MihIndex:
    """256-bit codes searched exactly within a Hamming radius by multi-index hashing."""

    def __init__(
        self,
        codes: NDArray[np.uint8] | None = None,
        *,
        block_queries: int = BLOCK_QUERIES,
        block_candidates: int = BLOCK_CANDIDATES,
        scan_fraction: int = SCAN_FRACTION,
    ) -> None:
        self.block_queries, self.block_candidates = block_queries, block_candidates
        self.scan_fraction = scan_fraction
        self._codes: NDArray[np.uint64] = np.zeros((0, WORDS), np.uint64)
        self._ids: NDArray[np.int32] = np.zeros(0, np.int32)
        self._starts: NDArray[np.int64] = np.zeros(CHUNKS * BUCKETS + 1, np.int64)
        if codes is not None:
            self.add(codes)

    def __len__(self) -> int:
        return int(self._codes.shape[0])

    @property
    def codes(self) -> NDArray[np.uint8]:
        """The stored codes as an (n, 32) uint8 array (a view, not a copy)."""
        out: NDArray[np.uint8] = self._codes.view(np.uint8)
        return out

    @property
    def nbytes(self) -> int:
        """Bytes held by the index: codes, sorted row ids and bucket starts."""
        return int(self._codes.nbytes + self._ids.nbytes + self._starts.nbytes)

    def add(self, codes: NDArray[np.uint8]) -> None:
        """Append codes (row ids continue from the current size) and rebuild the chunk tables."""
        new = as_words(codes)
        if not len(new):
            return
        self._codes = np.concatenate([self._codes, new]) if len(self._codes) else new.copy()
        self._build()

    def _build(self) -> None:
        n = len(self._codes)
        if n >= 2**31:
            raise ValueError("MihIndex holds fewer than 2**31 codes")
        chunks = self._codes.view(np.uint16)  # (n, 16): chunk j is bytes 2j and 2j + 1
        ids = np.empty(CHUNKS * n, np.int32)
        starts = np.empty(CHUNKS * BUCKETS + 1, np.int64)
        starts[0] = 0
        for j in range(CHUNKS):
            values = chunks[:, j]
            ids[j * n : (j + 1) * n] = np.argsort(values, kind="stable")  # radix sort for uint16
            counts = np.bincount(values, minlength=BUCKETS)
            starts[j * BUCKETS + 1 : (j + 1) * BUCKETS + 1] = j * n + np.cumsum(counts)
        self._ids, self._starts = ids, starts

    def range_search(self, queries: NDArray[np.uint8], radius: int) -> Found:
        """Every stored code within ``radius`` bits of each query: (lims, distances, ids)."""
        q = as_words(queries)
        if radius < 0 or not len(self) or not len(q):
            return _empty(len(q))
        masks = flip_masks(min(radius // CHUNKS, CHUNK_BITS))
        parts: list[tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.int64]]] = []
        if CHUNKS * len(masks) * self.scan_fraction > BUCKETS:
            # So wide a radius (48 or more by default) expects more candidates than the limit.
            parts = [self._scan(row, i, radius) for i, row in enumerate(q)]
        else:
            for s in range(0, len(q), self.block_queries):
                block = q[s : s + self.block_queries]
                parts.extend(self._search_block(block, s, radius, masks))
        if not parts:
            return _empty(len(q))
        qidx = np.concatenate([p[0] for p in parts])
        dist = np.concatenate([p[1] for p in parts])
        ids = np.concatenate([p[2] for p in parts])
        order = np.argsort(qidx, kind="stable")
        lims = np.zeros(len(q) + 1, np.int64)
        np.cumsum(np.bincount(qidx, minlength=len(q)), out=lims[1:])
        return lims, dist[order], ids[order]

    def _search_block(
        self, q: NDArray[np.uint64], first: int, radius: int, masks: NDArray[np.int64]
    ) -> list[tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.int64]]]:
        """Hits of a block of queries as (query number, distance, id) triples."""
        base = np.arange(CHUNKS, dtype=np.int64) * BUCKETS
        values = q.view(np.uint16).astype(np.int64)  # (b, 16)
        keys = ((values + base)[:, :, None] ^ masks).reshape(len(q), -1)  # chunk bits unaffected
        lo = self._starts[keys]
        counts = self._starts[keys + 1] - lo  # (b, probes)
        per_query = counts.sum(axis=1)
        scan = per_query > len(self) // self.scan_fraction
        out = [self._scan(q[i], first + i, radius) for i in np.flatnonzero(scan).tolist()]
        if scan.any():
            counts[scan] = 0
            per_query[scan] = 0
        ends = np.cumsum(per_query)
        s = 0
        while s < len(q):  # sub-blocks of at most block_candidates candidates (or one query)
            limit = ends[s] - per_query[s] + self.block_candidates
            e = max(s + 1, int(np.searchsorted(ends, limit, side="right")))
            e = min(e, len(q))
            out.append(self._verify(q[s:e], first + s, radius, lo[s:e], counts[s:e]))
            s = e
        return out

    def _verify(
        self,
        q: NDArray[np.uint64],
        first: int,
        radius: int,
        lo: NDArray[np.int64],
        counts: NDArray[np.int64],
    ) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.int64]]:
        """Expand bucket ranges into candidates, keep those within ``radius``, drop repeats."""
        flat = counts.ravel()
        total = int(flat.sum())
        if not total:
            return np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int64)
        run_start = np.cumsum(flat) - flat  # where each bucket's run begins among the candidates
        pos = np.arange(total, dtype=np.int64) + np.repeat(lo.ravel() - run_start, flat)
        cand = self._ids.take(pos)
        if len(q) == 1:
            qn = np.zeros(total, np.int64)
        else:
            qn = np.repeat(np.arange(len(q), dtype=np.int64), counts.sum(axis=1))
        dist = distances(self._codes.take(cand, axis=0), q.take(qn, axis=0))
        keep = np.flatnonzero(dist <= radius)
        if not len(keep):
            return np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int64)
        pair = qn[keep] * len(self) + cand[keep]  # a code found through several chunks
        pair, first_seen = np.unique(pair, return_index=True)
        found = dist[keep[first_seen]].astype(np.int32)
        return first + pair // len(self), found, pair % len(self)

    def _scan(
        self, query: NDArray[np.uint64], number: int, radius: int
    ) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.int64]]:
        """Exhaustive search for one query, in blocks of rows."""
        ids: list[NDArray[np.int64]] = []
        dists: list[NDArray[np.int32]] = []
        for s in range(0, len(self), SCAN_ROWS):
            d = distances(self._codes[s : s + SCAN_ROWS], query)
            hit = np.flatnonzero(d <= radius)
            ids.append(hit + s)
            dists.append(d[hit].astype(np.int32))
        found = np.concatenate(ids)
        return np.full(len(found), number, np.int64), np.concatenate(dists), found
