"""Hash-set look-ups: exact for cryptographic hashes, multi-index hashing for PDQ.

PDQ look-ups return exactly the brute-force answer: every listed hash within the list's
threshold (default 31, settable per list). Three engines, chosen by ``engine``:

- ``mih`` (:mod:`vigil.media.mih`): Vigil's own multi-index hashing in numpy: 16 chunks of 16
  bits, each with a counting-sort table of row ids; a query probes every chunk's value and its
  ``threshold // 16``-bit neighbours (pigeonhole), then verifies the candidates by XOR and
  popcount. Vectorised across many queries. Used above ``flat_limit`` hashes.
- ``flat``: ``faiss.IndexBinaryFlat``, exhaustive. Used up to ``flat_limit`` (default 50,000,
  see :data:`FLAT_LIMIT`), where it is faster than probing 272 buckets.
- ``multihash``: ``faiss.IndexBinaryMultiHash`` (16 sub-hashes of 16 bits, ``nflip =
  threshold // 16``), the structure python-threatexchange uses. Kept for comparison: on 1M
  hashes it measured 3-6x slower than ``mih``, with 2.3x its peak memory.

``engine="auto"`` (the default) picks ``flat`` or ``mih`` by size and switches when the index
grows. The index searches at the largest list threshold and filters per list. Queries with
quality below ``min_quality`` (default 50) are ``cannot be scored`` and are not searched.

faiss's thread count is process-wide; for the faiss engines the index sets it to ``threads``
(default 1) before each search, because OpenMP threads contending for two shared cores make
single look-ups far slower.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import faiss
import numpy as np
from numpy.typing import NDArray

from vigil.media.categories import Category
from vigil.media.hashers.crypto import CryptoHashes
from vigil.media.hashers.pdq import MIN_QUALITY, PdqHash, PdqResult
from vigil.media.hashsets.base import HashList
from vigil.media.matching import ListRef, Lookup, Match, low_quality, summarise
from vigil.media.mih import MihIndex

BITS = 256
CODE_BYTES = 32
FLAT_LIMIT = 50_000
"""Largest index searched exhaustively by ``engine="auto"``. Measured on the project's 2-core
machine (faiss 1.15, numpy 2.4): faiss flat and Vigil's multi-index hashing cross over near
65,000 hashes for single queries and near 10,000 for batches."""
ENGINES = ("auto", "mih", "flat", "multihash")
EXACT_ALGORITHMS = ("md5", "sha1", "sha256")


@dataclass(slots=True)
class _Listed:
    ref: ListRef
    keys: Sequence[str] | None
    categories: Sequence[Category | None] | None
    codes_hex: Sequence[str] | None

    def key(self, row: int) -> str:
        return self.keys[row] if self.keys is not None else f"#{row}"

    def category(self, row: int) -> Category | None:
        return self.categories[row] if self.categories is not None else None


def codes_from_hex(hexes: Iterable[str]) -> NDArray[np.uint8]:
    """An (n, 32) uint8 array from hex PDQ hashes."""
    raw = b"".join(bytes.fromhex(h) for h in hexes)
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, CODE_BYTES).copy()


class PdqIndex:
    """PDQ hashes from any number of lists, searched exactly within each list's threshold.

    ``engine`` is ``auto`` (faiss flat up to ``flat_limit`` hashes, Vigil's multi-index hashing
    above), or one of ``mih``, ``flat`` and ``multihash`` to force that engine at every size.
    ``nhash`` and ``threads`` apply to the faiss engines only.
    """

    def __init__(
        self,
        *,
        flat_limit: int = FLAT_LIMIT,
        nhash: int = 16,
        threads: int = 1,
        engine: str = "auto",
    ) -> None:
        if BITS % nhash:
            raise ValueError("nhash must divide 256")
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
        self.flat_limit, self.nhash, self.threads, self.engine = flat_limit, nhash, threads, engine
        self._lists: list[_Listed] = []
        self._pending: list[tuple[NDArray[np.uint8], int]] = []
        self._list_no = np.zeros(0, np.int32)
        self._row = np.zeros(0, np.int32)
        self._threshold_list: list[int] = []
        self._thresholds = np.zeros(0, np.int32)
        self._index: Any = None  # what is searched (the faiss multi-hash index sits in an ID map)
        self._inner: Any = None  # the MihIndex, or the faiss flat or multi-hash index itself
        self.kind = "empty"

    def __len__(self) -> int:
        return int(self._list_no.size) + sum(len(c) for c, _ in self._pending)

    def add_codes(
        self,
        codes: NDArray[np.uint8],
        ref: ListRef,
        *,
        keys: Sequence[str] | None = None,
        categories: Sequence[Category | None] | None = None,
        codes_hex: Sequence[str] | None = None,
    ) -> None:
        """Add an (n, 32) uint8 array of hashes belonging to list ``ref``."""
        codes = np.ascontiguousarray(codes, dtype=np.uint8).reshape(-1, CODE_BYTES)
        for name, seq in (("keys", keys), ("categories", categories), ("codes_hex", codes_hex)):
            if seq is not None and len(seq) != len(codes):
                raise ValueError(f"{name} has {len(seq)} items for {len(codes)} hashes")
        self._lists.append(_Listed(ref, keys, categories, codes_hex))
        self._threshold_list.append(ref.threshold)
        self._pending.append((codes, len(self._lists) - 1))

    def add_list(self, hash_list: HashList, ref: ListRef) -> int:
        """Add the PDQ hashes of a list's live entries (deletions excluded); returns how many."""
        hexes: list[str] = []
        keys: list[str] = []
        cats: list[Category | None] = []
        for rec in hash_list.entries:
            for h in rec.hashes:
                if h.algorithm == "pdq":
                    hexes.append(h.value)
                    keys.append(rec.key)
                    cats.append(rec.category)
        self.add_codes(codes_from_hex(hexes), ref, keys=keys, categories=cats, codes_hex=hexes)
        return len(hexes)

    def _stored_codes(self) -> NDArray[np.uint8]:
        if self._inner is None or not self._list_no.size:
            return np.zeros((0, CODE_BYTES), np.uint8)
        if self.kind == "mih":
            codes: NDArray[np.uint8] = self._inner.codes
            return codes
        raw: NDArray[np.uint8] = faiss.vector_to_array(self._storage().xb)
        return raw.reshape(-1, CODE_BYTES)

    def _kind_for(self, total: int) -> str:
        if self.engine != "auto":
            return self.engine
        return "flat" if total <= self.flat_limit else "mih"

    def build(self) -> None:
        """Move pending hashes into the index, switching engine at ``flat_limit``."""
        if not self._pending:
            return
        new = np.concatenate([c for c, _ in self._pending])
        list_no = np.concatenate([np.full(len(c), n, np.int32) for c, n in self._pending])
        row = np.concatenate([np.arange(len(c), dtype=np.int32) for c, _ in self._pending])
        self._pending = []
        self._thresholds = np.asarray(self._threshold_list, dtype=np.int32)
        kind = self._kind_for(self._list_no.size + len(new))
        if kind != self.kind:
            old = self._stored_codes()
            if kind == "mih":
                self._inner = self._index = MihIndex()
            elif kind == "flat":
                self._inner = self._index = faiss.IndexBinaryFlat(BITS)
            else:
                # Wrapped in an ID map: measured twice as fast for range search as the bare
                # multi-hash index (faiss 1.15), at 16 bytes more per hash.
                self._inner = faiss.IndexBinaryMultiHash(BITS, self.nhash, BITS // self.nhash)
                self._index = faiss.IndexBinaryIDMap2(self._inner)
            self.kind = kind
            if len(old):
                self._add(old.copy())
        self._add(new)
        self._list_no = np.concatenate([self._list_no, list_no])
        self._row = np.concatenate([self._row, row])

    def _add(self, codes: NDArray[np.uint8]) -> None:
        if self.kind == "multihash":
            start = int(self._index.ntotal)
            self._index.add_with_ids(codes, np.arange(start, start + len(codes), dtype=np.int64))
        else:
            self._index.add(codes)

    def _storage(self) -> Any:
        inner = self._inner.storage if self.kind == "multihash" else self._inner
        return faiss.downcast_IndexBinary(inner)

    def search(
        self, codes: NDArray[np.uint8], threshold: int | None = None
    ) -> list[tuple[NDArray[np.int64], NDArray[np.int32]]]:
        """Exact search: for each query, (ids, distances) within each hit's list threshold.

        With ``threshold`` given, every list is searched at that threshold instead.
        """
        self.build()
        queries = np.ascontiguousarray(codes, dtype=np.uint8).reshape(-1, CODE_BYTES)
        if self._index is None or not self._list_no.size or not len(queries):
            return [(np.zeros(0, np.int64), np.zeros(0, np.int32)) for _ in range(len(queries))]
        radius = int(threshold if threshold is not None else self._thresholds.max())
        if self.kind == "mih":
            lims, dist, ids = self._index.range_search(queries, radius)
        else:
            faiss.omp_set_num_threads(self.threads)
            if self.kind == "multihash":
                self._inner.nflip = radius // self.nhash
            lims, raw_dist, ids = self._index.range_search(queries, radius + 1)
            dist = raw_dist.astype(np.int32)
        if threshold is None and self._thresholds.min() < radius:
            keep = dist <= self._thresholds[self._list_no[ids]]
            cum = np.concatenate([[0], np.cumsum(keep)])
            lims, dist, ids = cum[lims], dist[keep], ids[keep]
        return [
            (ids[lims[i] : lims[i + 1]], dist[lims[i] : lims[i + 1]]) for i in range(len(queries))
        ]

    def owners(self, ids: NDArray[np.int64]) -> tuple[NDArray[np.int32], NDArray[np.int32]]:
        """For hit ids from :meth:`search`: the number of the add call (list) and the row in it."""
        return self._list_no[ids], self._row[ids]

    def _match(self, hit: int, dist: int, quality: int, variant: str) -> Match:
        listed = self._lists[int(self._list_no[hit])]
        row = int(self._row[hit])
        ref_hex = listed.codes_hex[row] if listed.codes_hex is not None else self._reconstruct(hit)
        turned = "" if variant == "original" else f" (query {variant})"
        return Match(
            algorithm="pdq",
            list_id=listed.ref.list_id,
            list_name=listed.ref.name,
            record_key=listed.key(row),
            category=listed.category(row),
            distance=dist,
            quality=quality,
            threshold=listed.ref.threshold,
            reference=ref_hex,
            reason=f"PDQ distance {dist} <= {listed.ref.threshold} in {listed.ref.name!r}{turned}",
            variant=variant,
        )

    def _reconstruct(self, hit: int) -> str:
        if self.kind == "mih":
            return bytes(self._inner.codes[hit]).hex()
        return bytes(self._storage().reconstruct(hit)).hex()

    def lookup_many(
        self, queries: Sequence[PdqHash | PdqResult], *, min_quality: int = MIN_QUALITY
    ) -> list[Lookup]:
        """Look up many images at once; a PdqResult with dihedral variants searches all eight."""
        plan: list[tuple[int, str, PdqHash]] = []
        for qi, q in enumerate(queries):
            variants = q.variants() if isinstance(q, PdqResult) else (("original", q),)
            plan.extend((qi, name, h) for name, h in variants)
        base = [q.hash if isinstance(q, PdqResult) else q for q in queries]
        scorable = [h.scorable(min_quality) for h in base]
        todo = [p for p in plan if scorable[p[0]]]
        found = self.search(np.frombuffer(b"".join(h.code() for _, _, h in todo), np.uint8))
        best: list[dict[int, tuple[int, str]]] = [{} for _ in queries]
        for (qi, name, _), (ids, dists) in zip(todo, found, strict=True):
            for hit, d in zip(ids.tolist(), dists.tolist(), strict=True):
                if hit not in best[qi] or d < best[qi][hit][0]:
                    best[qi][hit] = (d, name)
        out: list[Lookup] = []
        for qi, h in enumerate(base):
            if not scorable[qi]:
                out.append(low_quality("pdq", h.hex, h.quality, min_quality))
                continue
            matches = [self._match(hit, d, h.quality, v) for hit, (d, v) in best[qi].items()]
            out.append(summarise("pdq", h.hex, h.quality, matches))
        return out

    def lookup(self, query: PdqHash | PdqResult, *, min_quality: int = MIN_QUALITY) -> Lookup:
        """Look up one image (see :meth:`lookup_many`)."""
        return self.lookup_many([query], min_quality=min_quality)[0]


class ExactIndex:
    """MD5 / SHA-1 / SHA-256 look-ups in a dict keyed by algorithm and raw digest."""

    def __init__(self) -> None:
        self._lists: list[ListRef] = []
        self._records: list[tuple[int, str, Category | None]] = []
        self._map: dict[bytes, list[int]] = {}

    def __len__(self) -> int:
        return len(self._map)

    def add_list(self, hash_list: HashList, ref: ListRef) -> int:
        """Add the cryptographic hashes of a list's live entries; returns how many."""
        self._lists.append(ref)
        n_list, added = len(self._lists) - 1, 0
        for rec in hash_list.entries:
            for h in rec.hashes:
                if h.algorithm in EXACT_ALGORITHMS:
                    self._records.append((n_list, rec.key, rec.category))
                    key = h.algorithm.encode() + bytes.fromhex(h.value)
                    self._map.setdefault(key, []).append(len(self._records) - 1)
                    added += 1
        return added

    def lookup(self, hashes: CryptoHashes | Iterable[tuple[str, str]]) -> Lookup:
        """Every listed item whose MD5, SHA-1 or SHA-256 equals one of ``hashes``."""
        pairs = list(hashes.items() if isinstance(hashes, CryptoHashes) else hashes)
        matches: list[Match] = []
        for alg, value in pairs:
            for i in self._map.get(alg.encode() + bytes.fromhex(value), ()):
                n_list, key, cat = self._records[i]
                ref = self._lists[n_list]
                matches.append(
                    Match(
                        alg,
                        ref.list_id,
                        ref.name,
                        key,
                        cat,
                        0,
                        None,
                        None,
                        value,
                        f"{alg.upper()} identical to an entry of {ref.name!r}",
                    )
                )
        query = ",".join(f"{a}:{v}" for a, v in pairs)
        return summarise("crypto", query, None, matches)
