"""Scoring one Spark partition: Arrow record batches in, Arrow record batches out.

This is the code that runs on the executors (``mapInArrow``); it imports no Spark. Each
partition's records go through exactly the code path of ``vigil scan``
(:mod:`vigil.services.scan.read` turns records into conversations or bad records, and
:meth:`vigil.analysis.score.Scorer.score` scores ``batch`` conversations at a time with
``shares=False``), so a conversation gets the same score, flag, categories and urgency flags
under Spark as from ``vigil scan``.

The scorer is built once per Python worker (:func:`scorer_for` keeps it; Spark reuses its
Python workers across tasks) and is checked against the fingerprint the driver computed: an
executor with another Vigil version, taxonomy or model refuses to score instead of mixing
numbers from two setups.

Every output row is either a scored conversation (``error`` null) or a bad record (``error``
the reason, ``id`` when known, ``file`` and ``location`` where it was). A bad record never
stops the partition.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa

from vigil.gc_pause import gc_paused
from vigil.services.scan.read import (
    COLUMNS,
    SEGMENT,
    Bad,
    Record,
    json_record,
    row_conversations,
    segment_conversations,
)

TABLE, JSONL = "table", "jsonl"
"""How a partition's rows arrive: columns of a table (Parquet, any DataFrame), or raw JSON
lines (``line``, binary) that are parsed here as ``vigil scan`` parses them."""
LINE, FILE, POS = "_line", "_file", "_pos"
"""Input columns added by :mod:`vigil.scale.spark`: the raw JSON line, the file it came from,
and the row index in the file (Parquet) or the byte where the split starts (JSON lines)."""
UNIT = "record"

RESULT_FIELDS: tuple[tuple[str, pa.DataType], ...] = (
    ("id", pa.string()),
    ("score", pa.float64()),
    ("flagged", pa.bool_()),
    ("categories", pa.list_(pa.string())),
    ("flags", pa.list_(pa.string())),
    ("urgency", pa.int8()),
    ("language", pa.string()),
    ("checked", pa.bool_()),
    ("note", pa.string()),
    ("taxonomy_version", pa.string()),
    ("model_sha256", pa.string()),
    ("messages", pa.int32()),
    ("error", pa.string()),
    ("file", pa.string()),
    ("location", pa.string()),
)
SCHEMA = pa.schema(list(RESULT_FIELDS))
SPARK_SCHEMA = (
    "id string, score double, flagged boolean, categories array<string>, flags array<string>, "
    "urgency tinyint, language string, checked boolean, note string, taxonomy_version string, "
    "model_sha256 string, messages int, error string, file string, location string"
)
""":data:`SCHEMA` in Spark's DDL form (what ``mapInArrow`` is told it returns)."""


@dataclass(frozen=True, slots=True)
class ScoringSpec:
    """Which scorer to build on each executor (plain values: it travels in the task).

    ``model``: ``"default"`` (the model shipped inside the executor's Vigil), a model folder
    path readable on every executor, or None for the indicators alone. ``fingerprint``: the
    driver's :attr:`Scorer.fingerprint`; an executor whose scorer differs refuses to score.
    """

    model: str | None
    weights: str | None = None
    model_only: bool = False
    fingerprint: str = ""
    taxonomy_version: str = ""
    model_sha256: str = ""


@dataclass(frozen=True, slots=True)
class PartitionPlan:
    """What a partition needs besides its rows: the scorer, the layout and the input mode."""

    spec: ScoringSpec
    layout: str
    mode: str = TABLE
    batch: int = 2000


@cache
def scorer_for(spec: ScoringSpec) -> Any:
    """The scorer for ``spec``, built once per process (the same setup ``vigil scan`` builds)."""
    from vigil.analysis.learn.bundle import DEFAULT_MODEL_DIR
    from vigil.config import load_settings
    from vigil.services.scan.run import make_scorer

    folder = None if spec.model is None else (
        DEFAULT_MODEL_DIR if spec.model == "default" else Path(spec.model)
    )  # fmt: skip
    scorer, _ = make_scorer(
        load_settings(),
        folder,
        no_model=folder is None,
        weights=Path(spec.weights) if spec.weights else None,
        model_only=spec.model_only,
    )
    if spec.fingerprint and scorer.fingerprint != spec.fingerprint:
        raise RuntimeError(
            "this executor's Vigil scores differently from the driver's (another Vigil version, "
            f"taxonomy or model: fingerprint {scorer.fingerprint[:12]} here, "
            f"{spec.fingerprint[:12]} on the driver); install the same Vigil wheel everywhere"
        )
    return scorer


class _Locator:
    """Where record number ``n`` of this partition came from, from the last batches' columns.

    A bad record is always one of the records of the batch being read (conversations are made
    record by record), so the two latest batches are all that is kept."""

    def __init__(self, mode: str, partition: int) -> None:
        self.mode = mode
        self.partition = partition
        self.batches: list[tuple[int, list[Any], list[Any], list[int]]] = []
        self.split_line: dict[tuple[Any, Any], int] = {}

    def add(self, first: int, files: list[Any], pos: list[Any]) -> None:
        lines: list[int] = []
        if self.mode == JSONL:
            for f, p in zip(files, pos, strict=True):
                k = self.split_line.get((f, p), 0) + 1
                self.split_line[(f, p)] = k
                lines.append(k)
        self.batches = [*self.batches[-1:], (first, files, pos, lines)]

    def where(self, n: int) -> tuple[str | None, str]:
        firsts = [b[0] for b in self.batches]
        i = bisect.bisect_right(firsts, n) - 1
        if i < 0:
            return None, f"record {n} of partition {self.partition}"
        first, files, pos, lines = self.batches[i]
        j = n - first
        f, p = (files[j], pos[j]) if 0 <= j < len(files) else (None, None)
        if p is None:
            return f, f"record {n} of partition {self.partition}"
        if self.mode == JSONL:
            return f, f"line {lines[j]}" if p == 0 else f"line {lines[j]} after byte {p}"
        return f, f"row {int(p) + 1}"


def _pylist(col: pa.Array | pa.ChunkedArray) -> list[Any]:
    """Python values of a column; text that is not UTF-8 comes back as bytes (then reported
    as a bad record by the same checks as ``vigil scan``), never as an error for the batch."""
    try:
        values: list[Any] = col.to_pylist()
    except (UnicodeDecodeError, pa.ArrowInvalid):
        binary = pa.large_binary() if pa.types.is_large_string(col.type) else pa.binary()
        values = col.view(binary).to_pylist()
    return values


def _optional(batch: pa.RecordBatch, name: str) -> list[Any]:
    i = batch.schema.get_field_index(name)
    return batch.column(i).to_pylist() if i >= 0 else [None] * batch.num_rows


def _recover_id(raw: bytes) -> str | None:
    """The id of a JSON line that is not valid UTF-8, when the id itself is clean."""
    import json

    try:
        obj = json.loads(raw.decode("utf-8", errors="replace"))
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    for k, v in obj.items():
        if str(k).strip().lower() in ("id", "conversation") and isinstance(v, str):
            return None if "\ufffd" in v or not v.strip() else v
    return None


def _records(
    batches: Iterable[pa.RecordBatch], plan: PartitionPlan, where: _Locator
) -> Iterator[Record | Bad]:
    cols = COLUMNS[plan.layout]
    n = 0
    for batch in batches:
        where.add(n + 1, _optional(batch, FILE), _optional(batch, POS))
        if plan.mode == JSONL:
            for raw in _pylist(batch.column(batch.schema.get_field_index(LINE))):
                n += 1
                if isinstance(raw, str):
                    raw = raw.encode("utf-8")
                item = json_record(n, raw or b"")
                if item is None:
                    continue
                if isinstance(item, Bad):
                    known = _recover_id(raw) if "UTF-8" in item.reason else None
                    yield Bad(f"{UNIT} {n}", known, item.reason)
                    continue
                yield n, {k: item[1][k] for k in cols if k in item[1]}
            continue
        names = [c for c in cols if batch.schema.get_field_index(c) >= 0]
        data = [(c, _pylist(batch.column(batch.schema.get_field_index(c)))) for c in names]
        for i in range(batch.num_rows):
            n += 1
            yield n, {c: values[i] for c, values in data}


def _result_batch(
    results: list[Any], messages: list[int], bad: list[tuple[Bad, str | None, str]],
    spec: ScoringSpec,
) -> pa.RecordBatch:  # fmt: skip
    rows: list[dict[str, Any]] = [
        {"id": r.id, "score": r.score, "flagged": r.flagged, "categories": list(r.categories),
         "flags": list(r.flags), "urgency": r.urgency, "language": r.language,
         "checked": r.checked, "note": r.note, "taxonomy_version": spec.taxonomy_version,
         "model_sha256": spec.model_sha256, "messages": m}
        for r, m in zip(results, messages, strict=True)
    ]  # fmt: skip
    rows += [{"id": b.id, "error": b.reason, "file": f, "location": loc} for b, f, loc in bad]
    return pa.RecordBatch.from_pylist(rows, schema=SCHEMA)


def score_partition(
    batches: Iterable[pa.RecordBatch], plan: PartitionPlan, partition: int = 0
) -> Iterator[pa.RecordBatch]:
    """Score one partition's rows; yields :data:`SCHEMA` batches of results and bad records.

    Row layout: each conversation's rows must arrive together and in message order (the
    caller sorts them); a conversation is scored as soon as the next one begins.
    """
    scorer = scorer_for(plan.spec)
    where = _Locator(plan.mode, partition)
    records = _records(batches, plan, where)
    items = (
        segment_conversations(records, UNIT)
        if plan.layout == SEGMENT
        else row_conversations(records, grouped=True, unit=UNIT)
    )
    pending: list[Any] = []
    bad: list[tuple[Bad, str | None, str]] = []
    with gc_paused():
        for item in items:
            if isinstance(item, Bad):
                f, loc = where.where(int(item.location.rsplit(" ", 1)[1]))
                bad.append((item, f, loc))
            else:
                pending.append(item)
            if len(pending) >= plan.batch or len(bad) >= plan.batch:
                results = scorer.score(pending, shares=False)
                yield _result_batch(results, [len(c.messages) for c in pending], bad, plan.spec)
                pending, bad = [], []
        if pending or bad:
            results = scorer.score(pending, shares=False) if pending else []
            yield _result_batch(results, [len(c.messages) for c in pending], bad, plan.spec)


def spark_partition_fn(plan: PartitionPlan) -> Any:
    """The function given to ``mapInArrow``: :func:`score_partition` with the task's partition
    number (for locations of records read without a file)."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        ctx = TaskContext.get()
        yield from score_partition(batches, plan, ctx.partitionId() if ctx else 0)

    return run
