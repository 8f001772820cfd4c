"""vPDQ matching: a video matches a listed video when enough of its frames match.

Both sides keep only frames of quality >= ``min_quality`` (default 50) and drop repeated frame
hashes, as vPDQ's reference matcher does. A query frame matches a listed video when some frame of
that video is within the list's PDQ threshold (default 31). The video matches when at least
``min_query_percent`` (default 80) of the query's frames match, and at least
``min_reference_percent`` (default 0) of the listed video's frames are matched. All listed frames
sit in one :class:`~vigil.media.index.PdqIndex`, so a query costs one batched search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vigil.media.categories import Category
from vigil.media.hashers.pdq import MIN_QUALITY
from vigil.media.hashers.vpdq import VpdqFrame
from vigil.media.index import PdqIndex, codes_from_hex
from vigil.media.matching import ListRef, Status

MIN_QUERY_PERCENT = 80.0


@dataclass(frozen=True, slots=True)
class VpdqMatch:
    """A listed video that the query matches, with how much of each side matched.

    ``distance`` is the mean, and ``max_distance`` the largest, of the matched query frames' best
    distances; ``quality`` is the mean quality of the query frames that took part.
    """

    list_id: str
    list_name: str
    record_key: str
    category: Category | None
    distance: int
    max_distance: int
    quality: int
    threshold: int
    query_match_percent: float
    reference_match_percent: float
    reason: str


@dataclass(frozen=True, slots=True)
class VpdqLookup:
    """The answer for one query video."""

    status: Status
    frames_used: int
    quality: int | None
    matches: tuple[VpdqMatch, ...]
    reason: str


def usable_frames(frames: Sequence[VpdqFrame], min_quality: int) -> list[VpdqFrame]:
    """Frames at or above the quality floor, first occurrence of each hash only."""
    seen: set[str] = set()
    out: list[VpdqFrame] = []
    for f in frames:
        if f.quality >= min_quality and f.hash not in seen:
            seen.add(f.hash)
            out.append(f)
    return out


class VpdqIndex:
    """Listed videos' frame hashes, matched by the share of query frames they contain."""

    def __init__(self, *, min_quality: int = MIN_QUALITY, flat_limit: int | None = None) -> None:
        self.min_quality = min_quality
        self._pdq = PdqIndex() if flat_limit is None else PdqIndex(flat_limit=flat_limit)
        self._videos: list[tuple[ListRef, str, Category | None, int]] = []

    def __len__(self) -> int:
        return len(self._videos)

    def add_video(
        self, frames: Sequence[VpdqFrame], ref: ListRef, key: str, category: Category | None = None
    ) -> int:
        """Add one listed video; returns how many of its frames are usable for matching."""
        kept = usable_frames(frames, self.min_quality)
        self._videos.append((ref, key, category, len(kept)))
        self._pdq.add_codes(codes_from_hex(f.hash for f in kept), ref)
        return len(kept)

    def lookup(
        self,
        frames: Sequence[VpdqFrame],
        *,
        min_query_percent: float = MIN_QUERY_PERCENT,
        min_reference_percent: float = 0.0,
    ) -> VpdqLookup:
        """Match a query video's frames against every listed video."""
        query = usable_frames(frames, self.min_quality)
        if not query:
            return VpdqLookup(
                "cannot be scored",
                0,
                None,
                (),
                f"no frame has PDQ quality >= {self.min_quality}: the video cannot be scored",
            )
        quality = round(float(np.mean([f.quality for f in query])))
        found = self._pdq.search(codes_from_hex(f.hash for f in query))
        best: dict[int, dict[int, int]] = {}
        matched_refs: dict[int, set[int]] = {}
        for qi, (ids, dists) in enumerate(found):
            if not len(ids):
                continue
            videos, rows = self._pdq.owners(ids)
            for v, r, d in zip(videos.tolist(), rows.tolist(), dists.tolist(), strict=True):
                per_q = best.setdefault(v, {})
                per_q[qi] = min(d, per_q.get(qi, d))
                matched_refs.setdefault(v, set()).add(r)
        matches: list[VpdqMatch] = []
        for v, per_q in best.items():
            ref, key, cat, n_ref = self._videos[v]
            q_pct = 100.0 * len(per_q) / len(query)
            r_pct = 100.0 * len(matched_refs[v]) / n_ref if n_ref else 0.0
            if q_pct < min_query_percent or r_pct < min_reference_percent:
                continue
            best_d = list(per_q.values())
            matches.append(
                VpdqMatch(
                    ref.list_id,
                    ref.name,
                    key,
                    cat,
                    round(float(np.mean(best_d))),
                    max(best_d),
                    quality,
                    ref.threshold,
                    round(q_pct, 2),
                    round(r_pct, 2),
                    f"{q_pct:.1f}% of {len(query)} query frames within PDQ distance "
                    f"{ref.threshold} of {key!r} in {ref.name!r} (needs {min_query_percent:g}%); "
                    f"{r_pct:.1f}% of its frames matched",
                )
            )
        matches.sort(key=lambda m: (-m.query_match_percent, m.distance, m.record_key))
        if matches:
            reason = f"{len(matches)} listed video(s) match; best {matches[0].query_match_percent}%"
            return VpdqLookup("match", len(query), quality, tuple(matches), reason)
        return VpdqLookup(
            "no match",
            len(query),
            quality,
            (),
            f"no listed video holds {min_query_percent:g}% of the {len(query)} usable query frames",
        )
