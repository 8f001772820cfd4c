"""``vigil leads import`` / ``list``: a Spark run's results folder becomes an exhibit of the case
(custody like any evidence), an import record with the run's provenance, and one lead per row.

The results folders here are written the way ``vigil.scale.spark.run`` writes them (Parquet
parts and the ``_vigil_run.json`` manifest with each part's SHA-256); tests/scale runs Spark
itself and imports its real output."""

from __future__ import annotations

import io
import json
import re
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


def not_checked(i: int) -> bool:
    """Whether :func:`result_rows` makes row ``i`` one the run did not check (German: no
    patterns), scored 0 for that reason alone."""
    return i % 3 != 0 and i % 4 == 1


def result_rows(n: int) -> list[dict[str, Any]]:
    """Rows as a Spark run writes them: platform item ids and scores, no conversation text.
    Every third is flagged; some (:func:`not_checked`) were not checked: language ``de``."""
    rows = []
    for i in range(n):
        flagged = i % 3 == 0
        skipped = not_checked(i)
        rows.append({
            "id": f"platform-conv-{i}", "score": round(0.9 - i / (2 * n), 6) if flagged
            else 0.0 if skipped else 0.05,
            "flagged": flagged, "categories": ["age_identity_probing"] if flagged else [],
            "flags": ["meeting"] if i % 6 == 0 else [], "urgency": 3 if i % 6 == 0 else 0,
            "language": "de" if skipped else "en", "checked": not skipped,
            "note": "not checked: language de" if skipped
            else "not flagged: no evidence that a child takes part" if i % 3 == 2 else "",
            "taxonomy_version": "2026.11.1", "model_sha256": "ab" * 32,
        })  # fmt: skip
    return rows


OLD_COLUMNS = ("language", "checked", "note")
"""Columns a run written before Vigil's runs had a language check lacks."""


def old_style(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same rows as an older run wrote them, without :data:`OLD_COLUMNS`."""
    return [{k: v for k, v in r.items() if k not in OLD_COLUMNS} for r in rows]


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
    # the run's language check comes through, row for row
    by_item = {x.item_id: x for x in found.leads}
    for row in result_rows(30):
        x = by_item[row["id"]]
        assert (x.language, x.checked, x.note) == (row["language"], row["checked"], row["note"])
    skipped = by_item["platform-conv-1"]
    assert not_checked(1) and (skipped.score, skipped.checked) == (0.0, False)
    assert (skipped.check, skipped.remarks) == ("not checked: language de", "")
    seen = by_item["platform-conv-2"]
    assert (seen.check, seen.remarks) == (
        "checked (en)", "not flagged: no evidence that a child takes part")  # fmt: skip
    first_row = by_item["platform-conv-0"]
    assert (first_row.check, first_row.remarks) == ("checked (en)", "")
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


def test_a_run_written_without_the_language_check_still_imports(
    ws: Workspace, tmp_path: Path
) -> None:
    """An older run's Parquet has no language, checked or note columns: its leads import with
    those fields empty, and say that the run did not record whether they were checked."""
    folder = results_folder(tmp_path / "old.parquet", old_style(result_rows(8)))
    assert not set(OLD_COLUMNS) & set(pq.read_schema(folder / "part-00000.snappy.parquet").names)
    r = import_results(ws, CASE, folder)
    assert (r.rows_read, r.leads) == (8, 8)
    leads = list_leads(ws, CASE).leads
    assert len(leads) == 8
    for x in leads:
        assert (x.language, x.checked, x.note) == (None, None, None)
        assert (x.check, x.remarks) == ("not recorded by the run", "")
    with ws.sessions() as s:
        stored = list(s.execute(select(Lead.language, Lead.checked, Lead.note)))
    assert stored == [(None, None, None)] * 8


def _everywhere(rows: list[dict[str, Any]], key: str, value: Any) -> list[dict[str, Any]]:
    return [{**r, key: value} for r in rows]


def _at(rows: list[dict[str, Any]], i: int, key: str, value: Any) -> list[dict[str, Any]]:
    return [{**r, key: value} if k == i else r for k, r in enumerate(rows)]


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        # a column of the wrong type: the first row of the first part is named
        (_everywhere(result_rows(6), "checked", "no"),
         r"part-00000\.snappy\.parquet, row 1: checked is not true or false"),
        (_everywhere(result_rows(6), "language", 7),
         r"part-00000\.snappy\.parquet, row 1: language 7 is not a language code"),
        (_everywhere(result_rows(6), "note", 3),
         r"part-00000\.snappy\.parquet, row 1: note 3 is not text"),
        (_everywhere(result_rows(6), "urgency", "3"),
         r"part-00000\.snappy\.parquet, row 1: urgency '3' is not 0 to 3"),
        # a bad value in one row (row 4 of 6 is the second part's row 2, and not flagged)
        (_at(result_rows(6), 4, "language", "x" * 17),
         r"part-00001\.snappy\.parquet, row 2: language 'x{17}' is not a language code"),
        (_at(result_rows(6), 4, "language", "e\nn"),
         r"part-00001\.snappy\.parquet, row 2: language 'e\\nn' is not a language code"),
        (_at(result_rows(6), 4, "note", "not checked\x00"),
         r"part-00001\.snappy\.parquet, row 2: note 'not checked\\x00' is not text"),
        (_at(result_rows(6), 4, "urgency", 9),
         r"part-00001\.snappy\.parquet, row 2: urgency 9 is not 0 to 3"),
    ],
)  # fmt: skip
def test_bad_language_check_values_are_bad_rows_and_nothing_is_written(
    ws: Workspace, tmp_path: Path, rows: list[dict[str, Any]], words: str
) -> None:
    """A wrong type or value in the language check (or urgency) refuses the import, naming the
    file and the row, even when the row would not be imported (``only_flagged``)."""
    assert not rows[4]["flagged"]
    before = counts(ws)
    folder = results_folder(tmp_path / "bad.parquet", rows)
    for only_flagged in (False, True):
        with pytest.raises(ParseError, match=words):
            import_results(ws, CASE, folder, only_flagged=only_flagged)
    assert counts(ws) == before


def test_migration_0021_adds_the_columns_and_its_downgrade_removes_them(
    ws: Workspace, tmp_path: Path
) -> None:
    """Leads imported before 0021 keep their rows through the upgrade, the new fields empty;
    the downgrade drops the three columns and keeps the rows. One head, chained after 0020."""
    from alembic import command
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect

    from vigil.db import session as dbs

    cfg = dbs.alembic_config(ws.engine)
    script = ScriptDirectory.from_config(cfg)
    assert len(script.get_heads()) == 1
    rev = script.get_revision("0021")
    assert rev is not None and rev.down_revision == "0020"
    assert dbs.current_revision(ws.engine) == script.get_current_head()

    def columns() -> set[str]:
        return {c["name"] for c in inspect(ws.engine).get_columns("leads")}

    assert set(OLD_COLUMNS) <= columns()
    import_results(ws, CASE, results_folder(tmp_path / "r.parquet", result_rows(6)))
    ws.engine.dispose()
    command.downgrade(cfg, "0020")
    assert dbs.current_revision(ws.engine) == "0020"
    assert not set(OLD_COLUMNS) & columns()
    with ws.engine.connect() as c:
        kept = sorted(r[0] for r in c.execute(select(Lead.item_id)))
    assert kept == sorted(r["id"] for r in result_rows(6))
    command.upgrade(cfg, "head")
    assert set(OLD_COLUMNS) <= columns()
    leads = list_leads(ws, CASE).leads
    assert sorted(x.item_id for x in leads) == kept
    assert {(x.language, x.checked, x.note, x.check) for x in leads} == {
        (None, None, None, "not recorded by the run")}  # fmt: skip


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

    monkeypatch.setattr(common.console, "width", 300)  # (in process: COLUMNS is read at import)
    home = tmp_path / "ws"
    ws, _, _ = init_workspace(Settings(home=home, user="cli.tester", database_url=None))
    create_case(ws, CASE, "Platform referral", None, "UTC")
    folder = results_folder(tmp_path / "results.parquet", result_rows(12))
    env = {"VIGIL_HOME": str(home), "VIGIL_USER": "cli.tester", "COLUMNS": "300",
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
    assert all(x["checked"] is True and x["language"] == "en" for x in doc["leads"])
    r = CliRunner().invoke(app, ["leads", "list", "--case", CASE], env=env)
    assert "platform-conv-0" in r.output and "OP-TEST-LI1" in r.output
    assert "checked (en)" in r.output and "not checked" not in r.output
    # every row of a second run, and an older run that did not record the language check
    for name, rows, run_id in (("all.parquet", result_rows(6), "run-2"),
                               ("old.parquet", old_style(result_rows(3)), "run-3")):  # fmt: skip
        folder = results_folder(tmp_path / name, rows, run_id=run_id)
        r = CliRunner().invoke(app, ["leads", "import", str(folder), "--case", CASE], env=env)
        assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["leads", "list", "--case", CASE, "--json"], env=env)
    doc = json.loads(r.output)
    by_item = {(x["import_ref"], x["item_id"]): x for x in doc["leads"]}
    skipped = by_item[(f"{CASE}-LI2", "platform-conv-1")]
    assert (skipped["language"], skipped["checked"], skipped["note"]) == (
        "de", False, "not checked: language de")  # fmt: skip
    old = by_item[(f"{CASE}-LI3", "platform-conv-1")]
    assert (old["language"], old["checked"], old["note"]) == (None, None, None)
    r = CliRunner().invoke(app, ["leads", "list", "--case", CASE], env=env)
    lines = {m.group(1): line for line in r.output.splitlines()
             if (m := re.match(rf"│ ({CASE}-L\d+) ", line))}  # fmt: skip
    assert len(lines) == 4 + 6 + 3, r.output
    assert "not checked: language de" in lines[f"{CASE}-L6"]  # run-2's platform-conv-1
    assert "not flagged: no evidence that a child takes part" in lines[f"{CASE}-L7"]
    assert "not recorded by the run" in lines[f"{CASE}-L12"]  # run-3's platform-conv-1
