"""Vigil's triage on Apache Spark: the same scores as ``vigil scan``, over tables of any size.

For platform data teams. The API (docs/scale.md shows it in use):

* :func:`session` — a SparkSession with Vigil's defaults (``local[*]`` or any ``--master``);
* :func:`scoring_spec` — build the scorer once on the driver and describe it for the
  executors (model, weights, fingerprint, taxonomy version, model SHA-256);
* :func:`score_dataframe` — score a DataFrame in the segment layout (``id, segment``) or the
  row layout (``conversation, text`` and optionally ``sender``, ``time``); returns a DataFrame
  of :data:`vigil.scale.partition.SCHEMA`: one row per conversation (``error`` null) and one
  per bad record (``error`` says why, with ``id``, ``file`` and ``location`` when known);
* :func:`results` and :func:`errors` — the two halves of that DataFrame, in the output columns;
* :func:`run` — read a Parquet or JSON-lines input, score it, write the results and the bad
  records as Parquet, and a provenance manifest (``_vigil_run.json``) beside the results.

Scoring runs in ``mapInArrow``: each executor's Python worker builds the scorer once
(:func:`vigil.scale.partition.scorer_for`) and scores Arrow batches through the very code path
of ``vigil scan``; there is no per-row Python UDF. Every result row carries the taxonomy
version and the model's SHA-256.

A score is a lead for a trained person, never a verdict.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vigil import LEAD_NOT_VERDICT, tool_version
from vigil.config import Settings, load_settings
from vigil.errors import ParseError, UserError
from vigil.scale.partition import (
    FILE,
    JSONL,
    LINE,
    POS,
    SPARK_SCHEMA,
    TABLE,
    PartitionPlan,
    ScoringSpec,
    spark_partition_fn,
)
from vigil.services.scan.read import COLUMNS, EXPECTED, ROWS, SEGMENT, format_of, layout_of
from vigil.services.scan.run import DEFAULT_BATCH, make_scorer

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

MANIFEST = "_vigil_run.json"
MANIFEST_SCHEMA = "vigil-spark-run/1"
RESULT_COLUMNS = (
    "id", "score", "flagged", "categories", "flags", "urgency", "language", "checked", "note",
    "taxonomy_version", "model_sha256",
)  # fmt: skip
ERROR_COLUMNS = ("id", "file", "location", "reason")


def session(
    master: str = "local[*]", app_name: str = "vigil-scan", conf: dict[str, str] | None = None
) -> SparkSession:
    """A SparkSession for Vigil: ``master`` as ``spark-submit --master`` takes it.

    On a local master the Python workers are this interpreter (``PYSPARK_PYTHON`` unless set),
    the web UI is off and shuffles use one partition per core; on a cluster, ``spark-submit``'s
    settings apply and Vigil must be installed on the executors (docs/scale.md).
    """
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    b = SparkSession.builder.master(master).appName(app_name)
    b = b.config("spark.sql.execution.arrow.maxRecordsPerBatch", "2000")
    if master.startswith("local"):
        cores = master[master.find("[") + 1 : -1] if "[" in master else "1"
        n = (os.cpu_count() or 1) if cores in ("*", "") else int(cores.split(",")[0])
        b = (
            b.config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", str(n))
        )
        b = b.config("spark.driver.memory", os.environ.get("VIGIL_SPARK_DRIVER_MEMORY", "2g"))
    for k, v in (conf or {}).items():
        b = b.config(k, v)
    spark = b.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def scoring_spec(
    settings: Settings | None = None,
    model: Path | str | None = None,
    *,
    no_model: bool = False,
    weights: Path | str | None = None,
    model_only: bool = False,
) -> ScoringSpec:
    """Build the scorer on the driver as ``vigil scan`` would (same options, same checks) and
    describe it for the executors. A model folder other than the shipped one must be readable
    at the same path on every executor."""
    from vigil.analysis.learn.bundle import DEFAULT_MODEL_DIR

    settings = settings or load_settings()
    scorer, folder = make_scorer(
        settings,
        Path(model) if model is not None else None,
        no_model,
        Path(weights) if weights is not None else None,
        model_only,
    )
    if folder is None:
        where: str | None = None
    elif folder.resolve() == DEFAULT_MODEL_DIR.resolve():
        where = "default"
    else:
        where = str(folder.resolve())
    sha = scorer.model.sha256 if scorer.model is not None else None
    return ScoringSpec(
        model=where,
        weights=str(Path(weights).resolve()) if weights is not None else None,
        model_only=model_only,
        fingerprint=scorer.fingerprint,
        taxonomy_version=scorer.engine.version,
        model_sha256=sha or "",
    )


def _lower_columns(df: DataFrame) -> dict[str, str]:
    real: dict[str, str] = {}
    for name in df.columns:
        real.setdefault(name.strip().lower(), name)
    return real


def score_dataframe(
    df: DataFrame,
    spec: ScoringSpec | None = None,
    *,
    layout: str | None = None,
    mode: str = TABLE,
    batch: int = DEFAULT_BATCH,
    partitions: int | None = None,
) -> DataFrame:
    """Score ``df``; one output row per conversation and one per bad record.

    ``df`` has the columns of a ``vigil scan`` input (names matched without regard to case,
    others ignored): ``id, segment`` (one conversation a row) or ``conversation, text`` with
    optional ``sender`` and ``time`` (one message a row; rows are gathered per conversation
    with a shuffle, in the DataFrame's order). ``mode`` is ``table``, or ``jsonl`` for a
    DataFrame of raw JSON lines in a binary column ``_line`` (what :func:`read_input` makes).
    ``spec`` defaults to :func:`scoring_spec` with the environment's settings.
    """
    from pyspark.sql import functions as F

    if batch < 1:
        raise UserError(f"--batch {batch}: must be 1 or more")
    spec = spec or scoring_spec()
    real = _lower_columns(df)
    extra = [c for c in (FILE, POS) if c in df.columns]
    if mode == JSONL:
        if layout is None:
            raise UserError("JSON-lines mode needs the layout", hint="use read_input()")
        cols = [F.col(LINE), *map(F.col, extra)]
        key = F.get_json_object(F.col(LINE).cast("string"), "$.conversation")
    else:
        layout = layout or layout_of(real, "DataFrame", "columns")
        wanted = [c for c in COLUMNS[layout] if c in real]
        cols = [F.col(f"`{real[c]}`").alias(c) for c in wanted] + [*map(F.col, extra)]
        key = F.col("conversation")
    frame = df.select(*cols)
    if layout == ROWS:
        # message order: by file name, then row (Parquet) or split and line (JSON lines);
        # Spark may read a folder's files in any order, so its own row ids are not enough
        n = partitions or frame.sparkSession.sparkContext.defaultParallelism
        order = ["_key", *extra, "_seq"]
        frame = (
            frame.withColumn("_key", key)
            .withColumn("_seq", F.monotonically_increasing_id())
            .repartition(n, "_key")
            .sortWithinPartitions(*order)
            .drop("_key", "_seq")
        )
    elif partitions:
        frame = frame.repartition(partitions)
    plan = PartitionPlan(spec, layout, mode, batch)
    return frame.mapInArrow(spark_partition_fn(plan), SPARK_SCHEMA)


def results(scored: DataFrame) -> DataFrame:
    """The scored conversations of :func:`score_dataframe`'s output, in the output columns."""
    from pyspark.sql import functions as F

    return scored.where(F.col("error").isNull()).select(*RESULT_COLUMNS)


def errors(scored: DataFrame) -> DataFrame:
    """The bad records of :func:`score_dataframe`'s output: ``id, file, location, reason``."""
    from pyspark.sql import functions as F

    bad = scored.where(F.col("error").isNotNull())
    return bad.select("id", "file", "location", F.col("error").alias("reason"))


# --- files ------------------------------------------------------------------------------------


def _is_local(path: str) -> bool:
    return "://" not in path


def _data_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith((".", "_")))


def input_format(path: str, given: str | None) -> str:
    """``parquet`` or ``jsonl``: ``given``, else from the path's extension, else (a local
    folder) from its data files' extension."""
    target = Path(path.split("://", 1)[-1])
    if given is None and _is_local(path) and target.is_dir():
        files = _data_files(target)
        if not files:
            raise UserError(f"{path}: a folder without data files", hint="check --in")
        target = files[0]
    fmt = format_of(target, given, "--in-format")
    if fmt == "csv":
        raise UserError(
            "--engine spark reads Parquet or JSON lines, not CSV",
            hint="convert the CSV to Parquet, or use the local engine",
        )
    return fmt


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tree_sha256(path: Path) -> str:
    """SHA-256 of a file, or of a folder: of its data files' ``relative path TAB sha256``
    lines, sorted by path (files starting with ``.`` or ``_`` are not data)."""
    if path.is_file():
        return file_sha256(path)
    lines = [f"{p.relative_to(path).as_posix()}\t{file_sha256(p)}\n" for p in _data_files(path)]
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def read_input(spark: SparkSession, path: str, fmt: str) -> tuple[DataFrame, str, str]:
    """The input as :func:`score_dataframe` takes it: (DataFrame, layout, mode).

    Parquet is read as a table with each row's file and row index; JSON lines as raw lines
    (``vigil scan``'s parser reads them on the executors, so a bad line is a bad record, never
    a failed batch) with each line's file and split start. The layout comes from the Parquet
    schema, or from the first JSON object of the input, as ``vigil scan`` decides it.
    """
    from pyspark.sql import functions as F

    if fmt == "parquet":
        try:
            df = spark.read.parquet(path)
        except Exception as exc:  # AnalysisException: no such path, not Parquet
            raise ParseError(
                f"not a readable Parquet input ({_first_line(exc)})", file=path
            ) from exc
        table_layout = layout_of(_lower_columns(df), path, "schema")
        df = df.select(
            "*",
            F.col("_metadata.file_path").alias(FILE),
            F.col("_metadata.row_index").alias(POS),
        )
        return df, table_layout, TABLE
    try:
        text = spark.read.text(path)
        head = text.limit(1000).collect()
    except Exception as exc:
        raise ParseError(
            f"not a readable JSON-lines input ({_first_line(exc)})", file=path
        ) from exc
    layout: str | None = None
    for row in head:
        try:
            obj = json.loads(row[0])
        except ValueError:
            continue
        if isinstance(obj, dict):
            layout = layout_of({str(k).strip().lower() for k in obj}, path, "first JSON object")
            break
    if layout is None:
        raise ParseError(
            "no JSON object in the first 1,000 lines",
            file=path,
            expected=EXPECTED + " as JSON lines",
        )
    df = text.select(
        F.col("value").cast("binary").alias(LINE),
        F.col("_metadata.file_path").alias(FILE),
        F.col("_metadata.file_block_start").alias(POS),
    )
    return df, layout, JSONL


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# --- a whole run ------------------------------------------------------------------------------


@dataclass(slots=True)
class SparkRun:
    """What a Spark run did; written as the output's manifest and printed by the CLI."""

    run_id: str
    input: str
    input_format: str
    layout: str
    input_sha256: str | None
    output: str
    errors: str | None
    master: str
    vigil_version: str
    spark_version: str
    python_version: str
    taxonomy_version: str
    model: str
    model_sha256: str
    scorer_fingerprint: str
    started_at: str
    finished_at: str = ""
    conversations: int = 0
    messages: int = 0
    flagged: int = 0
    bad_records: int = 0
    first_bad: list[dict[str, Any]] = field(default_factory=list)
    parts: dict[str, str] = field(default_factory=dict)
    """SHA-256 of each data file of the results (local outputs)."""
    seconds: float = 0.0
    schema: str = MANIFEST_SCHEMA
    note: str = LEAD_NOT_VERDICT


def default_errors_path(out: str) -> str:
    """Where a run writing ``out`` lists its bad records."""
    return out.rstrip("/") + ".errors.parquet"


def _check_target(target: Path) -> None:
    """Refuse to replace anything but an earlier Vigil (or Spark) output folder."""
    if target.is_file():
        raise UserError(
            f"{target}: exists and is a file, not the output folder of an earlier Vigil run",
            hint="choose another --out or --errors, or remove it",
        )
    ours = (target / MANIFEST).is_file() or (target / "_SUCCESS").is_file()
    if target.is_dir() and not ours and any(target.iterdir()):
        raise UserError(
            f"{target}: exists and is not the output of an earlier Vigil run",
            hint="choose another --out or --errors, or remove it",
        )


def _aside(target: Path, run_id: str) -> Path | None:
    """Move an earlier output out of the way (returned, to delete once the new one is in
    place)."""
    if not target.exists():
        return None
    _check_target(target)
    old = target.with_name(f".{target.name}.{run_id}.old")
    os.replace(target, old)
    return old


def _remove(path: Path | None) -> None:
    if path is None:
        return
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def run(
    spark: SparkSession,
    in_path: str | Path,
    out_path: str | Path,
    *,
    errors_path: str | Path | None = None,
    spec: ScoringSpec | None = None,
    in_format: str | None = None,
    batch: int = DEFAULT_BATCH,
    partitions: int | None = None,
    hash_input: bool = True,
) -> SparkRun:
    """Score ``in_path`` (Parquet or JSON lines, a file or a folder) into ``out_path``.

    Writes the results (:data:`RESULT_COLUMNS`) as Parquet at ``out_path`` with the manifest
    ``_vigil_run.json`` inside; bad records (``id, file, location, reason``) as Parquet at
    ``errors_path`` (default ``OUT.errors.parquet``) when there are any. On local paths both
    are written beside their targets and renamed into place at the end, so a failed run leaves
    the earlier output or none; on a cluster file system Spark's commit protocol applies.
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    src, out = str(in_path), str(out_path).rstrip("/")
    errs = str(errors_path) if errors_path is not None else default_errors_path(out)
    if src.rstrip("/") in (out, errs):
        raise UserError(f"{out}: the output would overwrite the input", hint="choose another --out")
    if _is_local(src) and not Path(src).exists():
        raise UserError(f"{src}: does not exist", hint="give an input file or folder with --in")
    if _is_local(out) and not Path(out).parent.is_dir():
        raise UserError(f"{Path(out).parent}: no such folder for --out")
    for target in (out, errs):
        if _is_local(target):
            _check_target(Path(target))
        elif _hadoop_exists(spark, target):
            raise UserError(
                f"{target}: already exists", hint="choose another --out or --errors, or remove it"
            )
    fmt = input_format(src, in_format)
    t0 = time.perf_counter()
    spec = spec or scoring_spec()
    report = SparkRun(
        run_id=str(uuid.uuid4()), input=src, input_format=fmt, layout="", input_sha256=None,
        output=out, errors=None, master=spark.sparkContext.master or "", vigil_version=tool_version(),
        spark_version=spark.version, python_version=platform.python_version(),
        taxonomy_version=spec.taxonomy_version, model=spec.model or "none",
        model_sha256=spec.model_sha256, scorer_fingerprint=spec.fingerprint,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )  # fmt: skip
    if hash_input and _is_local(src):
        report.input_sha256 = tree_sha256(Path(src))
    df, layout, mode = read_input(spark, src, fmt)
    report.layout = layout
    scored = score_dataframe(
        df, spec, layout=layout, mode=mode, batch=batch, partitions=partitions
    ).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        totals = scored.agg(
            F.count(F.when(F.col("error").isNull(), 1)).alias("conversations"),
            F.coalesce(F.sum("messages"), F.lit(0)).alias("messages"),
            F.count(F.when(F.col("flagged"), 1)).alias("flagged"),
            F.count(F.when(F.col("error").isNotNull(), 1)).alias("bad"),
        ).collect()[0]
        report.conversations, report.messages = int(totals[0]), int(totals[1])
        report.flagged, report.bad_records = int(totals[2]), int(totals[3])
        bad = errors(scored)
        report.first_bad = (
            [r.asDict() for r in bad.limit(5).collect()] if report.bad_records else []
        )
        _write(report, results(scored), bad, out, errs)
    finally:
        scored.unpersist()
    report.seconds = time.perf_counter() - t0
    return report


def _write(report: SparkRun, good: DataFrame, bad: DataFrame, out: str, errs: str) -> None:
    if not _is_local(out):
        good.write.mode("errorifexists").parquet(out)
        if report.bad_records:
            bad.write.mode("errorifexists").parquet(errs)
            report.errors = errs
        report.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
        _hadoop_write(good.sparkSession, f"{out}/{MANIFEST}", _manifest(report))
        return
    target, err_target = Path(out), Path(errs)
    tmp = target.with_name(f".{target.name}.{report.run_id}.part")
    err_tmp = err_target.with_name(f".{err_target.name}.{report.run_id}.part")
    olds: list[Path | None] = []
    try:
        good.write.parquet(str(tmp))
        if report.bad_records:
            bad.write.parquet(str(err_tmp))
            report.errors = errs
        report.parts = {p.relative_to(tmp).as_posix(): file_sha256(p) for p in _data_files(tmp)}
        report.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
        (tmp / MANIFEST).write_bytes(_manifest(report))
        olds.append(_aside(target, report.run_id))
        os.replace(tmp, target)
        olds.append(_aside(err_target, report.run_id))
        if report.bad_records:
            os.replace(err_tmp, err_target)
    finally:
        _remove(tmp)
        _remove(err_tmp)
        for old in olds:
            _remove(old)


def _manifest(report: SparkRun) -> bytes:
    return (json.dumps(asdict(report), indent=2, sort_keys=True, default=str) + "\n").encode()


def _hadoop_exists(spark: SparkSession, uri: str) -> bool:
    """Whether ``uri`` exists on its Hadoop file system (HDFS, S3A, ...)."""
    jvm: Any = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return bool(path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).exists(path))


def _hadoop_write(spark: SparkSession, uri: str, data: bytes) -> None:
    """Write a small file through Hadoop's file system (HDFS, S3A, ...), as Spark writes."""
    jvm: Any = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    stream = fs.create(path, True)
    try:
        stream.write(bytearray(data))
    finally:
        stream.close()


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a local run output (:data:`MANIFEST` in the results folder)."""
    path = folder / MANIFEST
    if not path.is_file():
        raise UserError(
            f"{folder}: no {MANIFEST} (not the output of `vigil scan --engine spark`)",
            hint="import the folder that a Spark run wrote, with its manifest",
        )
    try:
        data: dict[str, Any] = json.loads(path.read_bytes())
    except ValueError as exc:
        raise ParseError(f"the run manifest is not JSON ({exc})", file=str(path)) from exc
    if data.get("schema") != MANIFEST_SCHEMA:
        raise ParseError(
            f"unknown manifest schema {data.get('schema')!r}", file=str(path),
            expected=MANIFEST_SCHEMA,
        )  # fmt: skip
    return data


__all__ = [
    "ERROR_COLUMNS",
    "MANIFEST",
    "RESULT_COLUMNS",
    "ROWS",
    "SEGMENT",
    "ScoringSpec",
    "SparkRun",
    "errors",
    "input_format",
    "read_input",
    "read_manifest",
    "results",
    "run",
    "score_dataframe",
    "scoring_spec",
    "session",
]
