"""``vigil scan``: score conversations from a file into a file, without a workspace.

Reads CSV, JSON lines or Parquet (:mod:`vigil.services.scan.read`), scores ``batch``
conversations at a time with the same :class:`~vigil.analysis.score.Scorer` that triage uses
(same engine, weights, model and stacker, so the same chat gets the same numbers), and writes
one record per conversation: ``id,score,flagged,categories,flags,urgency,language,checked,note``.

Output and error list are written to temporary files beside their targets and renamed into
place only when the input has been read to the end, so a crash or Ctrl-C leaves the previous
files (or none), never half a file. Bad records are skipped, never silently: each is listed,
with its line or row and the reason, in ``<out>.errors.csv``.

A score is a lead for a trained person, never a verdict.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from vigil.analysis.scanner import set_database_cache
from vigil.config import Settings
from vigil.errors import UserError
from vigil.gc_pause import gc_paused
from vigil.services.scan.read import (
    SEGMENT,
    Bad,
    format_of,
    open_input,
    row_conversations,
    segment_conversations,
)

if TYPE_CHECKING:
    from vigil.analysis.score import ConversationInput, Scorer, ScoreResult

DEFAULT_BATCH = 2000
OUT_COLUMNS = ("id", "score", "flagged", "categories", "flags", "urgency", "language", "checked", "note")  # fmt: skip
ERROR_COLUMNS = ("id", "location", "reason")
SHOWN_BAD = 5
"""Bad records quoted in the report (all of them are in the error file)."""


@dataclass(slots=True)
class ScanReport:
    """What a scan did; the CLI prints it."""

    input: str
    output: str
    in_format: str
    out_format: str
    layout: str
    model: str
    """The model folder used, or ``none`` (indicators alone)."""
    conversations: int = 0
    messages: int = 0
    flagged: int = 0
    bad_records: int = 0
    errors_file: str | None = None
    first_bad: list[Bad] = field(default_factory=list)
    seconds: float = 0.0


def errors_path(out: Path) -> Path:
    """Where the bad records of a scan writing ``out`` are listed."""
    return out.with_name(f"{out.name}.errors.csv")


def make_scorer(
    settings: Settings,
    model: Path | None = None,
    no_model: bool = False,
    weights: Path | None = None,
    model_only: bool = False,
) -> tuple[Scorer, Path | None]:
    """The scorer triage would use with these settings, and its model folder (None: none).

    ``model`` overrides ``VIGIL_MODEL_DIR``; without either the shipped default model is used
    when there is one; ``no_model`` scores with the indicators alone; ``model_only`` with
    the learned model alone (for evaluation).
    """
    from vigil.analysis.learn.bundle import build_scorer, resolve_model_dir

    if no_model and model is not None:
        raise UserError("--model and --no-model together", hint="give one of them")
    if no_model and model_only:
        raise UserError("--no-model and --model-only together", hint="give one of them")
    if weights is not None and not weights.is_file():
        raise UserError(f"{weights}: no such indicator-weights file", hint="check --weights")
    folder = None if no_model else resolve_model_dir(model or settings.model_dir)
    if folder is not None and not folder.is_dir():
        raise UserError(
            f"{folder}: no such model folder",
            hint="give a folder written by `vigil model train`, or --no-model",
        )
    if settings.cache_dir is not None:
        cache = settings.cache_dir.expanduser() / "hyperscan"
        try:
            cache.mkdir(parents=True, exist_ok=True)
            set_database_cache(cache if os.access(cache, os.W_OK) else None)
        except OSError:
            set_database_cache(None)
    scorer = build_scorer(folder, weights_path=weights, light=True)
    if model_only:
        if scorer.model is None:
            raise UserError("--model-only needs a model", hint="give --model or VIGIL_MODEL_DIR")
        scorer = replace(scorer, model_only=True)
    return scorer, folder


def scan(
    settings: Settings,
    src: Path,
    out: Path,
    *,
    model: Path | None = None,
    no_model: bool = False,
    weights: Path | None = None,
    batch: int = DEFAULT_BATCH,
    in_format: str | None = None,
    out_format: str | None = None,
    grouped: bool = False,
    model_only: bool = False,
    errors: Path | None = None,
) -> ScanReport:
    """Score every conversation in ``src`` and write the results to ``out`` (bad records to
    ``errors``, by default ``OUT.errors.csv``)."""
    scorer, folder = make_scorer(settings, model, no_model, weights, model_only)
    return scan_with(
        scorer,
        src,
        out,
        model=str(folder) if folder is not None else "none",
        batch=batch,
        in_format=in_format,
        out_format=out_format,
        grouped=grouped,
        errors=errors,
    )


def scan_with(
    scorer: Scorer,
    src: Path,
    out: Path,
    *,
    model: str = "",
    batch: int = DEFAULT_BATCH,
    in_format: str | None = None,
    out_format: str | None = None,
    grouped: bool = False,
    errors: Path | None = None,
) -> ScanReport:
    """:func:`scan` with a scorer already built (tests, repeated runs)."""
    if batch < 1:
        raise UserError(f"--batch {batch}: must be 1 or more")
    ifmt = format_of(src, in_format, "--in-format")
    ofmt = format_of(out, out_format, "--format")
    errors = errors if errors is not None else errors_path(out)
    if errors.absolute() == out.absolute():
        raise UserError(f"{errors}: --errors is the output file", hint="choose another --errors")
    if not out.parent.is_dir():
        raise UserError(f"{out.parent}: no such folder for --out")
    if src.exists() and any(p.exists() and p.samefile(src) for p in (out, errors)):
        raise UserError(f"{out}: the output would overwrite the input", hint="choose another --out")
    t0 = time.perf_counter()
    source = open_input(src, ifmt)
    report = ScanReport(str(src), str(out), ifmt, ofmt, source.layout, model or "none")
    items = (
        segment_conversations(source.records, source.unit)
        if source.layout == SEGMENT
        else row_conversations(source.records, grouped, source.unit)
    )
    with ExitStack() as stack:
        stack.callback(source.records.close)
        tmp_out = stack.enter_context(_atomic(out))
        writer = stack.enter_context(_writer(ofmt, tmp_out))
        bad_log = stack.enter_context(_BadLog(errors, report))
        # Reading and scoring make many objects and no reference cycles; with the cycle finder
        # on, holding a row-layout input's messages made it walk them again and again.
        stack.enter_context(gc_paused())
        pending: list[ConversationInput] = []
        for item in items:
            if isinstance(item, Bad):
                bad_log.add(item)
                continue
            pending.append(item)
            if len(pending) >= batch:
                _score(scorer, pending, writer, report)
                pending = []
        if pending:
            _score(scorer, pending, writer, report)
    report.seconds = time.perf_counter() - t0
    return report


def _score(
    scorer: Scorer, convs: Sequence[ConversationInput], writer: Writer, report: ScanReport
) -> None:
    results = scorer.score(convs, shares=False)
    writer.write(results)
    report.conversations += len(results)
    report.messages += sum(len(c.messages) for c in convs)
    report.flagged += sum(1 for r in results if r.flagged)


@contextmanager
def _atomic(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``, renamed onto it when the block ends without error."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise UserError(f"{target.parent}: cannot write there ({exc.strerror})") from exc
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, target)


class _BadLog:
    """Bad records, listed in a temporary CSV opened at the first one; renamed at the end."""

    def __init__(self, target: Path, report: ScanReport) -> None:
        self.target = target
        self.report = report
        self.stack = ExitStack()
        self.writer: Any = None

    def __enter__(self) -> _BadLog:
        return self

    def add(self, bad: Bad) -> None:
        if self.writer is None:
            tmp = self.stack.enter_context(_atomic(self.target))
            fh = self.stack.enter_context(tmp.open("w", encoding="utf-8", newline=""))
            self.writer = csv.writer(fh, lineterminator="\n")
            self.writer.writerow(ERROR_COLUMNS)
        self.writer.writerow((bad.id or "", bad.location, bad.reason))
        self.report.bad_records += 1
        if len(self.report.first_bad) < SHOWN_BAD:
            self.report.first_bad.append(bad)

    def __exit__(self, *exc: object) -> None:
        self.stack.__exit__(*exc)  # type: ignore[arg-type]
        if exc[0] is None:
            if self.writer is not None:
                self.report.errors_file = str(self.target)
            else:  # an error list left by an earlier run no longer matches the output
                self.target.unlink(missing_ok=True)


# --- writers ---------------------------------------------------------------------------------


class Writer:
    """Writes score results to one output file."""

    def write(self, results: Sequence[ScoreResult]) -> None:
        raise NotImplementedError


class _CsvWriter(Writer):
    def __init__(self, fh: TextIO) -> None:
        self.w = csv.writer(fh, lineterminator="\n")
        self.w.writerow(OUT_COLUMNS)

    def write(self, results: Sequence[ScoreResult]) -> None:
        self.w.writerows(
            (r.id, f"{r.score:.6f}", int(r.flagged), ";".join(r.categories), ";".join(r.flags),
             r.urgency, r.language, int(r.checked), r.note)
            for r in results
        )  # fmt: skip


def as_record(r: ScoreResult) -> dict[str, Any]:
    """A result as the JSON-lines and Parquet outputs hold it."""
    return {
        "id": r.id,
        "score": r.score,
        "flagged": r.flagged,
        "categories": list(r.categories),
        "flags": list(r.flags),
        "urgency": r.urgency,
        "language": r.language,
        "checked": r.checked,
        "note": r.note,
    }


class _JsonlWriter(Writer):
    def __init__(self, fh: TextIO) -> None:
        self.fh = fh

    def write(self, results: Sequence[ScoreResult]) -> None:
        self.fh.writelines(json.dumps(as_record(r), ensure_ascii=False) + "\n" for r in results)


class _ParquetWriter(Writer):
    def __init__(self, path: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.pa: Any = pa
        self.schema = pa.schema(
            [("id", pa.string()), ("score", pa.float64()), ("flagged", pa.bool_()),
             ("categories", pa.list_(pa.string())), ("flags", pa.list_(pa.string())),
             ("urgency", pa.int8()), ("language", pa.string()), ("checked", pa.bool_()),
             ("note", pa.string())]
        )  # fmt: skip
        self.pq: Any = pq.ParquetWriter(str(path), self.schema)

    def write(self, results: Sequence[ScoreResult]) -> None:
        rows = [as_record(r) for r in results]
        self.pq.write_table(self.pa.Table.from_pylist(rows, schema=self.schema))

    def close(self) -> None:
        self.pq.close()


@contextmanager
def _writer(fmt: str, path: Path) -> Iterator[Writer]:
    if fmt == "parquet":
        pw = _ParquetWriter(path)
        try:
            yield pw
        finally:
            pw.close()
        return
    with path.open("w", encoding="utf-8", newline="") as fh:
        yield _CsvWriter(fh) if fmt == "csv" else _JsonlWriter(fh)
