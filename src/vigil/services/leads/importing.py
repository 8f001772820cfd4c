"""``vigil leads import``: a Spark run's results into a case, as an exhibit and as leads.

The results folder that ``vigil scan --engine spark`` wrote (Parquet part files and the run's
manifest ``_vigil_run.json``) is checked against the manifest (each part file's SHA-256), read
and checked row by row, then packed into one deterministic tar (sorted names, zero times and
owners: the same folder always gives the same bytes) and registered as an exhibit of the case
with its custody entry, like any evidence. In the same transaction the import record (the run's
id, input path and SHA-256, the results' SHA-256, the Vigil, Spark, taxonomy and model
versions, who imported it and when) and one lead per imported row are written, with one custody
entry for the import. Nothing is written unless all of it is: a bad row refuses the import,
naming the file and the row. Each lead keeps the run's language check (``language``,
``checked``, ``note``) when the run wrote it: ``checked`` false means the conversation's
language has no patterns, so its score says nothing about it.

A lead is for a trained person to review, never a verdict.
"""

from __future__ import annotations

import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from vigil import tool_version
from vigil.db.tables.leads import Lead, LeadImport
from vigil.errors import IntegrityError, ParseError, UserError
from vigil.evidence import custody
from vigil.evidence.refs import initials
from vigil.services import access, audit
from vigil.services.cases import get_case
from vigil.services.evidence.exhibits import record_in_session
from vigil.services.workspace import Workspace

REQUIRED = ("id", "score", "flagged", "categories", "flags", "taxonomy_version", "model_sha256")
OPTIONAL = ("urgency", "language", "checked", "note")
"""Read when a part has them: runs written before they existed still import, the fields empty."""
LANGUAGE_MAX = 16
MIME = "application/x-tar"


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import stored."""

    case_ref: str
    ref: str
    exhibit_ref: str
    run_id: str
    rows_read: int
    leads: int
    only_flagged: bool
    results_sha256: str
    first_lead: str | None
    last_lead: str | None


@dataclass(frozen=True, slots=True)
class _Row:
    item_id: str
    score: float
    flagged: bool
    categories: str
    flags: str
    urgency: int | None
    taxonomy_version: str
    model_sha256: str
    language: str | None = None
    checked: bool | None = None
    note: str | None = None


def _manifest(folder: Path) -> tuple[dict[str, Any], bytes]:
    from vigil.scale.spark import MANIFEST, read_manifest

    if not folder.exists():
        raise UserError(f"{folder}: does not exist", hint="give the results folder of a Spark run")
    if not folder.is_dir():
        raise UserError(
            f"{folder}: not a folder",
            hint="give the folder `vigil scan --engine spark --out` wrote (it holds the "
            "Parquet parts and the run's manifest)",
        )
    data = read_manifest(folder)
    for key in ("run_id", "input", "vigil_version", "spark_version", "taxonomy_version"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ParseError(f"the manifest has no {key}", file=str(folder / MANIFEST))
    return data, (folder / MANIFEST).read_bytes()


def _parts(folder: Path, manifest: dict[str, Any]) -> list[Path]:
    """The data files, each checked against the manifest's SHA-256."""
    from vigil.scale.spark import _data_files, file_sha256

    listed: dict[str, str] = manifest.get("parts") or {}
    found = {p.relative_to(folder).as_posix(): p for p in _data_files(folder)}
    if listed:
        missing = sorted(set(listed) - set(found))
        extra = sorted(set(found) - set(listed))
        if missing or extra:
            raise IntegrityError(
                f"{folder}: the files differ from the run's manifest "
                f"(missing: {', '.join(missing) or 'none'}; not listed: {', '.join(extra) or 'none'})"
            )
        for name, want in sorted(listed.items()):
            if file_sha256(found[name]) != want:
                raise IntegrityError(
                    f"{found[name]}: SHA-256 differs from the run's manifest; refusing the import"
                )
    if not found:
        raise UserError(f"{folder}: no result files", hint="check the folder")
    return [found[k] for k in sorted(found)]


def _text_list(value: Any, what: str, where: tuple[str, str]) -> str:
    if value is None:
        return ""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ParseError(f"{what} is not a list of text", file=where[0], location=where[1])
    return ";".join(value)


def _urgency(value: Any, where: tuple[str, str]) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3:
        raise ParseError(f"urgency {_short(value)} is not 0 to 3", file=where[0], location=where[1])
    return value


def _short(value: Any) -> str:
    """A bad value for an error message, cut short."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _language_check(
    r: dict[str, Any], where: tuple[str, str]
) -> tuple[str | None, bool | None, str | None]:
    """The row's language, checked and note, each ``None`` when the run did not write it; a
    value of the wrong kind is a bad row."""
    language, checked, note = r.get("language"), r.get("checked"), r.get("note")
    if language is not None and (
        not isinstance(language, str) or len(language) > LANGUAGE_MAX or not language.isprintable()
    ):
        raise ParseError(
            f"language {_short(language)} is not a language code", file=where[0],
            location=where[1],
            expected=f"text of at most {LANGUAGE_MAX} characters, e.g. en",
        )  # fmt: skip
    if checked is not None and not isinstance(checked, bool):
        raise ParseError("checked is not true or false", file=where[0], location=where[1])
    if note is not None and (not isinstance(note, str) or "\x00" in note):
        raise ParseError(f"note {_short(note)} is not text", file=where[0], location=where[1])
    return language or None, checked, note


def read_rows(parts: list[Path], only_flagged: bool) -> tuple[int, list[_Row]]:
    """(rows read, rows to import): every row checked; a bad one raises, naming file and row."""
    import pyarrow.parquet as pq

    total, out = 0, []
    for part in parts:
        try:
            pf = pq.ParquetFile(part)
        except Exception as exc:  # ArrowInvalid / OSError: not Parquet
            raise ParseError(f"not a readable Parquet file ({exc})", file=str(part)) from exc
        names = set(pf.schema_arrow.names)
        missing = [c for c in REQUIRED if c not in names]
        if missing:
            raise ParseError(
                f"missing columns {', '.join(missing)}", file=str(part), location="schema",
                expected=", ".join(REQUIRED),
            )  # fmt: skip
        cols = [*REQUIRED, *(c for c in OPTIONAL if c in names)]
        n = 0
        for batch in pf.iter_batches(columns=cols):
            for r in batch.to_pylist():
                n += 1
                where = (str(part), f"row {n}")
                ident, score, flagged = r["id"], r["score"], r["flagged"]
                if not isinstance(ident, str) or not ident.strip():
                    raise ParseError("missing id", file=where[0], location=where[1])
                if not isinstance(score, float) or not 0.0 <= score <= 1.0:
                    raise ParseError(
                        f"score {score!r} is not between 0 and 1", file=where[0], location=where[1]
                    )
                if not isinstance(flagged, bool):
                    raise ParseError(
                        "flagged is not true or false", file=where[0], location=where[1]
                    )
                urgency = _urgency(r.get("urgency"), where)
                language, checked, note = _language_check(r, where)
                if only_flagged and not flagged:
                    continue
                out.append(
                    _Row(
                        ident, score, flagged,
                        _text_list(r["categories"], "categories", where),
                        _text_list(r["flags"], "flags", where),
                        urgency, str(r["taxonomy_version"] or ""),
                        str(r["model_sha256"] or ""), language, checked, note,
                    )
                )  # fmt: skip
        total += n
    return total, out


def pack(folder: Path, dest: Any) -> None:
    """Write ``folder``'s files (hidden ``.`` files left out) as a deterministic tar."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    with tarfile.open(fileobj=dest, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for p in files:
            info = tarfile.TarInfo(f"{folder.name}/{p.relative_to(folder).as_posix()}")
            info.size = p.stat().st_size
            info.mtime, info.mode, info.uid, info.gid = 0, 0o644, 0, 0
            info.uname = info.gname = ""
            with p.open("rb") as fh:
                tar.addfile(info, fh)


def import_results(
    ws: Workspace, case_ref: str, results: Path, *, only_flagged: bool = False
) -> ImportReport:
    """Import a Spark run's results folder into ``case_ref`` (write access to the case)."""
    with ws.sessions() as s:
        access.require_act(s, ws, "write", case_ref)  # before the folder is looked at
        manifest, manifest_bytes = _manifest(results)
        case = get_case(s, case_ref)
        dup = s.execute(
            select(LeadImport.ref).where(
                LeadImport.case_id == case.id, LeadImport.run_id == manifest["run_id"]
            )
        ).scalar_one_or_none()
        if dup is not None:
            raise UserError(
                f"run {manifest['run_id']} was already imported into {case_ref} as {dup}"
            )
    parts = _parts(results, manifest)
    rows_read, rows = read_rows(parts, only_flagged)
    with tempfile.TemporaryFile() as tmp:
        pack(results, tmp)
        tmp.seek(0)
        stored = ws.store.put_stream(tmp, ws.settings.hash_chunk_bytes)
    now = ws.now()
    with ws.transaction() as session:
        custody.lock(session)
        ex, _, _ = record_in_session(
            ws, session, case_ref, stored, mime=MIME, officer=initials(ws.actor),
            original_name=f"{results.name}.tar", original_path=str(results.resolve()),
            source=f"vigil scan --engine spark, run {manifest['run_id']}",
            acquired_by=ws.actor, when=now, when_text=None, tz_assumed=None, parent_id=None,
            derived_path=None,
        )  # fmt: skip
        user = access.require_act(session, ws, "write", case_ref)
        case = get_case(session, case_ref)
        seq = (
            int(
                session.execute(
                    select(func.max(LeadImport.seq)).where(LeadImport.case_id == case.id)
                ).scalar_one()
                or 0
            )
            + 1
        )
        imp = LeadImport(
            ref=f"{case.ref}-LI{seq}", case_id=case.id, seq=seq, exhibit_id=ex.id,
            run_id=manifest["run_id"], input_path=manifest["input"],
            input_sha256=manifest.get("input_sha256"), results_sha256=stored.digests.sha256,
            run_vigil_version=manifest["vigil_version"], spark_version=manifest["spark_version"],
            taxonomy_version=manifest["taxonomy_version"],
            model_sha256=manifest.get("model_sha256") or "",
            run_started_at=str(manifest.get("started_at") or ""), only_flagged=only_flagged,
            rows_read=rows_read, leads=len(rows), imported_at=now, imported_by_id=user.user_id,
            tool_version=tool_version(), manifest=manifest_bytes.decode("utf-8", "replace"),
        )  # fmt: skip
        session.add(imp)
        session.flush()
        first = (
            int(
                session.execute(
                    select(func.max(Lead.seq)).where(Lead.case_id == case.id)
                ).scalar_one()
                or 0
            )
            + 1
        )
        if rows:
            session.execute(
                insert(Lead),
                [
                    {"import_id": imp.id, "case_id": case.id, "seq": first + i,
                     "ref": f"{case.ref}-L{first + i}", "item_id": r.item_id, "score": r.score,
                     "flagged": r.flagged, "categories": r.categories, "flags": r.flags,
                     "urgency": r.urgency, "taxonomy_version": r.taxonomy_version,
                     "model_sha256": r.model_sha256, "language": r.language,
                     "checked": r.checked, "note": r.note}
                    for i, r in enumerate(rows)
                ],
            )  # fmt: skip
        details = {
            "exhibit": ex.ref, "run_id": imp.run_id, "input": imp.input_path,
            "input_sha256": imp.input_sha256, "results_sha256": imp.results_sha256,
            "run_vigil_version": imp.run_vigil_version, "spark_version": imp.spark_version,
            "taxonomy_version": imp.taxonomy_version, "model_sha256": imp.model_sha256,
            "only_flagged": only_flagged, "rows_read": rows_read, "leads": len(rows),
            "lead_refs": f"{case.ref}-L{first}..{case.ref}-L{first + len(rows) - 1}"
            if rows else None,
        }  # fmt: skip
        audit.record(
            session, user, "create", audit.Subject("lead_import", imp.ref, case.ref),
            details=details, now=now,
        )  # fmt: skip
        report = ImportReport(
            case.ref, imp.ref, ex.ref, imp.run_id, rows_read, len(rows), only_flagged,
            imp.results_sha256,
            f"{case.ref}-L{first}" if rows else None,
            f"{case.ref}-L{first + len(rows) - 1}" if rows else None,
        )  # fmt: skip
    return report
