"""Hash-set look-ups at scale: a column of MD5 or PDQ hashes matched against imported hash sets.

The hash sets (imported :class:`~vigil.media.hashsets.base.HashList` objects with their
:class:`~vigil.media.matching.ListRef`) are broadcast to the executors once; each executor's
Python worker builds Vigil's own indexes from them once (:class:`~vigil.media.index.ExactIndex`
for MD5 / SHA-1 / SHA-256, :class:`~vigil.media.index.PdqIndex` for PDQ, each list searched
within its own Hamming threshold, 31 by default), exactly as ``vigil media`` builds them in
one process, and looks up whole Arrow batches at a time (``mapInArrow``, no per-row UDF). So
the answers are the single-process index's answers: the same status, the same matches and
distances. A PDQ hash whose quality is below 50 is ``cannot be scored``, never ``no match``.

API::

    sets = HashSets.of([(hash_list, ListRef("ncmec", "NCMEC", 31))])   # or load_hash_set(...)
    matched = match_hashes(spark, df, sets, algorithm="pdq", hash_col="pdq", id_col="id",
                           quality_col="quality")

``matched`` has one row per input row: ``id, algorithm, hash, quality, status, reason,
matches`` where ``matches`` is a list of ``(list_id, list_name, record_key, category,
distance)``. A value that is not a hash of the algorithm has status ``error`` and says why.

A match is a lead for a trained person, never a verdict.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from vigil.errors import UserError
from vigil.media.hashers.pdq import MIN_QUALITY, PdqHash
from vigil.media.hashsets.base import HashList
from vigil.media.matching import DEFAULT_THRESHOLD, ListRef, Lookup

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from vigil.media.index import ExactIndex, PdqIndex

ALGORITHMS = ("md5", "sha1", "sha256", "pdq")
HEX_DIGITS = {"md5": 32, "sha1": 40, "sha256": 64, "pdq": 64}
MATCH_TYPE = pa.struct(
    [("list_id", pa.string()), ("list_name", pa.string()), ("record_key", pa.string()),
     ("category", pa.string()), ("distance", pa.int32())]
)  # fmt: skip
SCHEMA = pa.schema(
    [("id", pa.string()), ("algorithm", pa.string()), ("hash", pa.string()),
     ("quality", pa.int32()), ("status", pa.string()), ("reason", pa.string()),
     ("matches", pa.list_(MATCH_TYPE))]
)  # fmt: skip
SPARK_SCHEMA = (
    "id string, algorithm string, hash string, quality int, status string, reason string, "
    "matches array<struct<list_id: string, list_name: string, record_key: string, "
    "category: string, distance: int>>"
)


@dataclass(frozen=True, slots=True)
class HashSets:
    """Imported hash lists and how each is named and thresholded: what is broadcast."""

    lists: tuple[tuple[HashList, ListRef], ...]

    @classmethod
    def of(cls, lists: Iterable[tuple[HashList, ListRef]]) -> HashSets:
        return cls(tuple(lists))

    def indexes(self) -> tuple[ExactIndex, PdqIndex]:
        """Vigil's single-process indexes over these lists (as ``build_indexes`` makes them)."""
        from vigil.media.index import ExactIndex, PdqIndex

        exact, pdq = ExactIndex(), PdqIndex()
        for hl, ref in self.lists:
            exact.add_list(hl, ref)
            pdq.add_list(hl, ref)
        pdq.build()
        return exact, pdq


def load_hash_set(
    path: Path,
    fmt: str,
    *,
    name: str | None = None,
    list_id: str | None = None,
    pdq_threshold: int = DEFAULT_THRESHOLD,
    scheme: str = "projectvic-us",
) -> tuple[HashList, ListRef]:
    """Read a hash-list file with one of the registered importers (``vics``, ``ncmec``,
    ``csv``, ``plain``, ...), as ``vigil media list-import`` reads it."""
    from vigil.media.hashsets import IMPORTERS

    if fmt not in IMPORTERS:
        raise UserError(f"unknown hash-list format {fmt!r}", hint="use " + "|".join(IMPORTERS))
    if not 0 <= pdq_threshold <= 128:
        raise UserError("the PDQ threshold must be between 0 and 128 bits")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from exc
    if fmt == "plain":
        hl: HashList = IMPORTERS[fmt](data, path.name)
    else:
        hl = IMPORTERS[fmt](data, path.name, scheme=scheme)
    label = name or path.name
    return hl, ListRef(list_id or label, label, pdq_threshold)


_BUILT: dict[int, tuple[Any, Any]] = {}


def _indexes(key: int, sets: HashSets) -> tuple[ExactIndex, PdqIndex]:
    """The indexes of a broadcast, built once per Python worker."""
    if key not in _BUILT:
        _BUILT.clear()  # one broadcast at a time is kept
        _BUILT[key] = sets.indexes()
    return _BUILT[key]


def _match_rows(look: Lookup) -> list[dict[str, Any]]:
    return [
        {"list_id": m.list_id, "list_name": m.list_name, "record_key": m.record_key,
         "category": str(m.category) if m.category is not None else None,
         "distance": int(m.distance)}
        for m in look.matches
    ]  # fmt: skip


def _clean(value: Any, algorithm: str) -> tuple[str | None, str | None]:
    """(lower-case hex, None) or (None, why it is not a hash)."""
    if value is None:
        return None, "missing hash"
    if isinstance(value, bytes | bytearray):
        text = bytes(value).hex() if len(value) * 2 == HEX_DIGITS[algorithm] else ""
        if not text:
            return None, f"{len(value)} bytes, not a {algorithm.upper()} hash"
        return text, None
    text = str(value).strip().lower()
    if len(text) != HEX_DIGITS[algorithm] or any(c not in "0123456789abcdef" for c in text):
        shown = text if len(text) <= 70 else text[:70] + "…"
        return (
            None,
            f"{shown!r} is not a {algorithm.upper()} hash ({HEX_DIGITS[algorithm]} hex digits)",
        )
    return text, None


def lookup_batch(
    ids: Sequence[Any],
    values: Sequence[Any],
    qualities: Sequence[Any] | None,
    algorithm: str,
    exact: ExactIndex,
    pdq: PdqIndex,
    min_quality: int = MIN_QUALITY,
) -> pa.RecordBatch:
    """Look up one batch of hashes; a :data:`SCHEMA` batch, one row per input row."""
    rows: list[dict[str, Any]] = []
    looked: list[tuple[int, PdqHash]] = []
    for i, (ident, value) in enumerate(zip(ids, values, strict=True)):
        hexed, why = _clean(value, algorithm)
        quality = None
        if algorithm == "pdq":
            q = qualities[i] if qualities is not None else 100
            quality = int(q) if q is not None else None
        row: dict[str, Any] = {"id": None if ident is None else str(ident), "algorithm": algorithm,
                               "hash": hexed if hexed else None, "quality": quality,
                               "status": "error", "reason": why, "matches": []}  # fmt: skip
        if hexed is not None and algorithm == "pdq" and quality is None:
            row["reason"] = "missing PDQ quality"
        elif hexed is not None and algorithm == "pdq":
            looked.append((i, PdqHash(hexed, int(quality or 0))))
        elif hexed is not None:
            look = exact.lookup([(algorithm, hexed)])
            row.update(status=look.status, reason=look.reason, matches=_match_rows(look))
        rows.append(row)
    if looked:
        answers = pdq.lookup_many([h for _, h in looked], min_quality=min_quality)
        for (i, _), look in zip(looked, answers, strict=True):
            rows[i].update(status=look.status, reason=look.reason, matches=_match_rows(look))
    return pa.RecordBatch.from_pylist(rows, schema=SCHEMA)


def match_hashes(
    spark: SparkSession,
    df: DataFrame,
    sets: HashSets,
    *,
    algorithm: str = "pdq",
    hash_col: str = "hash",
    id_col: str = "id",
    quality_col: str | None = None,
    min_quality: int = MIN_QUALITY,
) -> DataFrame:
    """Look up ``df[hash_col]`` (hex text, or raw bytes) against ``sets``, broadcast once.

    ``quality_col`` gives each PDQ hash's quality (without it every PDQ hash counts as quality
    100). Returns :data:`SPARK_SCHEMA` rows, one per input row, in input order per partition.
    """
    if algorithm not in ALGORITHMS:
        raise UserError(f"unknown algorithm {algorithm!r}", hint="use " + "|".join(ALGORITHMS))
    for c in (hash_col, id_col, quality_col):
        if c is not None and c not in df.columns:
            raise UserError(f"no column {c!r} in the DataFrame (columns: {', '.join(df.columns)})")
    shared = spark.sparkContext.broadcast(sets)
    key = uuid.uuid4().int
    picked = [df[id_col].cast("string").alias("id"), df[hash_col].alias("hash")]
    if quality_col is not None:
        picked.append(df[quality_col].cast("int").alias("quality"))

    def look(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        exact, pdq = _indexes(key, shared.value)
        for b in batches:
            cols = b.to_pydict()
            yield lookup_batch(
                cols["id"], cols["hash"], cols.get("quality"), algorithm, exact, pdq, min_quality
            )

    return df.select(*picked).mapInArrow(look, SPARK_SCHEMA)
