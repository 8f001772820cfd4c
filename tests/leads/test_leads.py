"""``vigil leads import`` / ``list``: a Spark run's results folder becomes an exhibit of the case
(custody like any evidence), an import record with the run's provenance, and one lead per row.

The results folders here are written the way ``vigil.scale.spark.run`` writes them (Parquet
parts and the ``_vigil_run.json`` manifest with each part's SHA-256); tests/scale runs Spark
itself and imports its real output."""

from __future__ import annotations

import io
import json
import tarfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from vigil.cli.main import app
from vigil.config import Settings
from vigil.db.tables.evidence import Blob, CustodyEntry, Exhibit
from vigil.db.tables.leads import Lead, LeadImport
from vigil.errors import AccessDenied, IntegrityError, ParseError, UserError
from vigil.scale.spark import MANIFEST, SparkRun, file_sha256
from vigil.services.access import as_user
from vigil.services.cases import create_case
from vigil.services.leads.importing import import_results, pack
from vigil.services.leads.read import list_leads
from vigil.services.users import create_user, set_membership
from vigil.services.workspace import Workspace, init_workspace

CASE = "OP-TEST"


def result_rows(n: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        flagged = i % 3 == 0
        rows.append({
            "id": f"platform-conv-{i}", "score": round(0.9 - i / (2 * n), 6) if flagged else 0.05,
            "flagged": flagged, "categories": ["age_identity_probing"] if flagged else [],
            "flags": ["meeting"] if i % 6 == 0 else [], "urgency": 3 if i % 6 == 0 else 0,
            "language": "en", "checked": True, "note": "", "taxonomy_version": "2026.11.1",
            "model_sha256": "ab" * 32,
        })  # fmt: skip
    return rows


def results_folder(path: Path, rows: list[dict[str, Any]], run_id: str = "run-1") -> Path:
    path.mkdir()
    half = len(rows) // 2
    for k, chunk in enumerate((rows[:half], rows[half:])):
        pq.write_table(pa.Table.from_pylist(chunk), path / f"part-0000{k}.snappy.parquet")
    (path / "_SUCCESS").write_bytes(b"")
    (path / ".part-00000.snappy.parquet.crc").write_bytes(b"crc")  # Spark's hidden checksums
    run = SparkRun(
        run_id=run_id, input="/data/platform/chats.parquet", input_format="parquet",
        layout="segment", input_sha256="cd" * 32, output=str(path), errors=None,
        master="local[2]", vigil_version="vigil 0.1.0", spark_version="4.0.5",
        python_version="3.11", taxonomy_version="2026.11.1", model="default",
        model_sha256="ab" * 32, scorer_fingerprint="ef" * 32, started_at="2026-12-07T17:00:00+00:00",
        conversations=len(rows), flagged=sum(r["flagged"] for r in rows),
        parts={p.name: file_sha256(p) for p in sorted(path.glob("part-*"))},
    )  # fmt: skip
    (path / MANIFEST).write_text(json.dumps(asdict(run), indent=2, sort_keys=True))
    return path


def counts(ws: Workspace) -> tuple[int, int, int, int]:
    with ws.sessions() as s:
        return tuple(  # type: ignore[return-value]
            s.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (Exhibit, LeadImport, Lead, CustodyEntry)
        )


def test_import_records_the_exhibit_provenance_and_leads(ws: Workspace, tmp_path: Path) -> None:
    folder = results_folder(tmp_path / "results.parquet", result_rows(30))
    r = import_results(ws, CASE, folder)
    assert (r.rows_read, r.leads, r.ref) == (30, 30, f"{CASE}-LI1")
    assert (r.first_lead, r.last_lead) == (f"{CASE}-L1", f"{CASE}-L30")
    with ws.sessions() as s:
        imp = s.execute(select(LeadImport)).scalar_one()
        ex = s.get(Exhibit, imp.exhibit_id)
        assert ex is not None and ex.ref == r.exhibit_ref and ex.mime_type == "application/x-tar"
        assert ex.blob_sha256 == imp.results_sha256 == r.results_sha256
        assert (imp.run_id, imp.input_path, imp.input_sha256) == (
            "run-1", "/data/platform/chats.parquet", "cd" * 32)  # fmt: skip
        assert (imp.spark_version, imp.taxonomy_version, imp.model_sha256) == (
            "4.0.5", "2026.11.1", "ab" * 32)  # fmt: skip
        assert json.loads(imp.manifest)["run_id"] == "run-1"
        entries = list(s.execute(select(CustodyEntry).order_by(CustodyEntry.seq)).scalars())
        blob = s.get(Blob, ex.blob_sha256)
        assert blob is not None
    acts = [(e.action, e.object_type, e.object_id) for e in entries[-2:]]
    assert acts == [("register", "exhibit", r.exhibit_ref), ("create", "lead_import", r.ref)]
    assert json.loads(entries[-1].details)["results_sha256"] == r.results_sha256
    # the stored exhibit holds the run's files, byte for byte, hidden files left out
    with tarfile.open(fileobj=io.BytesIO(ws.store.path_for(blob.sha256).read_bytes())) as tar:
        names = sorted(tar.getnames())
        part = tar.extractfile("results.parquet/part-00000.snappy.parquet")
        assert (
            part is not None and part.read() == (folder / "part-00000.snappy.parquet").read_bytes()
        )
    assert names == [f"results.parquet/{n}" for n in (
        "_SUCCESS", MANIFEST, "part-00000.snappy.parquet", "part-00001.snappy.parquet")]  # fmt: skip

    found = list_leads(ws, CASE)
    assert [i.ref for i in found.imports] == [r.ref] and found.imports[0].imported_by == "tester"
    assert len(found.leads) == 30
    first = found.leads[0]
    assert first.flagged and first.urgency == 3 and first.flags == ("meeting",)
    ranked = [(x.flagged, x.urgency or 0, x.score) for x in found.leads]
    assert ranked == sorted(ranked, reverse=True)  # most urgent, highest scored first
    with ws.sessions() as s:
        last = s.execute(
            select(CustodyEntry).order_by(CustodyEntry.seq.desc()).limit(1)
        ).scalar_one()
    assert (last.action, last.object_type) == ("view", "leads")


def test_only_flagged_rows_and_no_second_import_of_a_run(ws: Workspace, tmp_path: Path) -> None:
    rows = result_rows(30)
    folder = results_folder(tmp_path / "results.parquet", rows)
    r = import_results(ws, CASE, folder, only_flagged=True)
    assert (r.rows_read, r.leads) == (30, sum(x["flagged"] for x in rows))
    assert all(x.flagged for x in list_leads(ws, CASE).leads)
    before = counts(ws)
    with pytest.raises(UserError, match="already imported"):
        import_results(ws, CASE, folder)
    assert counts(ws) == before
    r2 = import_results(ws, CASE, results_folder(tmp_path / "second", rows[:4], run_id="run-2"))
    assert (r2.ref, r2.first_lead) == (f"{CASE}-LI2", f"{CASE}-L{r.leads + 1}")


def test_altered_results_and_bad_rows_are_refused_and_nothing_is_written(
    ws: Workspace, tmp_path: Path
) -> None:
    before = counts(ws)
    folder = results_folder(tmp_path / "altered", result_rows(10))
    part = folder / "part-00001.snappy.parquet"
    pq.write_table(pa.Table.from_pylist(result_rows(10)[5:]), part, compression="gzip")
    with pytest.raises(IntegrityError, match="SHA-256 differs from the run's manifest"):
        import_results(ws, CASE, folder)
    (folder / "part-00009.parquet").write_bytes(b"extra")
    with pytest.raises(IntegrityError, match=r"not listed: part-00009\.parquet"):
        import_results(ws, CASE, folder)

    rows = result_rows(10)
    rows[7]["score"] = None
    bad = results_folder(tmp_path / "bad", rows)
    with pytest.raises(ParseError, match=r"part-00001.snappy.parquet.*row 3.*score None"):
        import_results(ws, CASE, bad)
    with pytest.raises(UserError, match=r"no _vigil_run\.json"):
        (tmp_path / "plain").mkdir()
        import_results(ws, CASE, tmp_path / "plain")
    assert counts(ws) == before


def test_import_needs_write_access_and_listing_needs_membership(
    ws: Workspace, tmp_path: Path
) -> None:
    folder = results_folder(tmp_path / "results.parquet", result_rows(6))
    before = counts(ws)
    with pytest.raises(AccessDenied, match="not a member"):
        import_results(as_user(ws, "officer.c"), CASE, folder)
    create_user(ws, "auditor.a", "auditor")
    set_membership(ws, "auditor.a", CASE, True)
    with pytest.raises(AccessDenied, match="may not write"):
        import_results(as_user(ws, "auditor.a"), CASE, folder)
    assert counts(ws)[:3] == before[:3]  # (the new account and membership have entries)
    import_results(ws, CASE, folder)
    with pytest.raises(AccessDenied):
        list_leads(as_user(ws, "officer.c"), CASE)


def test_the_packed_exhibit_is_the_same_bytes_every_time(tmp_path: Path) -> None:
    folder = results_folder(tmp_path / "r", result_rows(5))
    a, b = io.BytesIO(), io.BytesIO()
    pack(folder, a)
    (folder / "part-00000.snappy.parquet").touch()  # a new mtime changes nothing
    pack(folder, b)
    assert a.getvalue() == b.getvalue()


def test_the_cli_imports_and_lists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vigil.cli import common

    monkeypatch.setattr(common.console, "width", 250)  # (in process: COLUMNS is read at import)
    home = tmp_path / "ws"
    ws, _, _ = init_workspace(Settings(home=home, user="cli.tester", database_url=None))
    create_case(ws, CASE, "Platform referral", None, "UTC")
    folder = results_folder(tmp_path / "results.parquet", result_rows(12))
    env = {"VIGIL_HOME": str(home), "VIGIL_USER": "cli.tester", "COLUMNS": "250",
           "VIGIL_DATABASE_URL": ""}  # fmt: skip
    r = CliRunner().invoke(app, ["leads", "import", str(folder), "--case", CASE,
                                 "--only-flagged"], env=env)  # fmt: skip
    assert r.exit_code == 0, r.output
    said = " ".join(r.output.split())  # (the console wraps long lines)
    assert "4 lead(s) (OP-TEST-L1 to OP-TEST-L4) of 12 row(s), flagged rows only" in said
    r = CliRunner().invoke(app, ["leads", "list", "--case", CASE, "--json"], env=env)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["imports"][0]["run_id"] == "run-1" and len(doc["leads"]) == 4
    assert "never a verdict" in doc["note"]
    r = CliRunner().invoke(app, ["leads", "list", "--case", CASE], env=env)
    assert "platform-conv-0" in r.output and "OP-TEST-LI1" in r.output
