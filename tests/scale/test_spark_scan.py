"""``vigil scan --engine spark`` gives exactly the numbers of ``vigil scan``; bad records go to
the error output with their ids and never stop a batch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.scale.conftest import chat_rows, segments
from vigil.analysis.learn.bundle import DEFAULT_MODEL_DIR
from vigil.cli import scan as scan_cli
from vigil.config import Settings
from vigil.errors import ParseError, UserError
from vigil.scale import spark as vs
from vigil.scale.partition import ScoringSpec
from vigil.services.scan.run import scan

pytestmark = pytest.mark.slow  # a Spark JVM per worker: in `make slow` (CI), not `make test`

FIELDS = ("score", "flagged", "categories", "flags", "urgency", "language", "checked", "note")


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "no-ws", model_dir=None, cache_dir=tmp_path / "cache")


@pytest.fixture(scope="module")
def spec() -> ScoringSpec:
    """The default scorer (indicators, the shipped model, stacker, language check)."""
    return vs.scoring_spec(Settings(model_dir=None, cache_dir=None))


def by_id(path: Path, fields: tuple[str, ...] = FIELDS) -> dict[str, tuple[Any, ...]]:
    table = pq.read_table(path).to_pylist()
    out = {r["id"]: tuple(r[f] for f in fields) for r in table}
    assert len(out) == len(table), "ids are unique in these inputs"
    return out


def write_segments(path: Path, segs: list[tuple[str, str]], fmt: str) -> Path:
    if fmt == "parquet":
        table = pa.table({"id": [i for i, _ in segs], "segment": [s for _, s in segs]})
        pq.write_table(table, path, row_group_size=250)  # several splits for local[2]
    else:
        with path.open("w", encoding="utf-8") as f:
            f.writelines(json.dumps({"id": i, "segment": s}) + "\n" for i, s in segs)
    return path


def test_spark_gives_the_same_results_as_vigil_scan(
    spark: Any, tmp_path: Path, settings: Settings, spec: ScoringSpec
) -> None:
    segs = segments(3000)
    src = write_segments(tmp_path / "in.parquet", segs, "parquet")
    scan(settings, src, tmp_path / "local.parquet")
    r = vs.run(spark, src, tmp_path / "spark.parquet", spec=spec, partitions=4)
    local, remote = by_id(tmp_path / "local.parquet"), by_id(tmp_path / "spark.parquet")
    assert remote == local
    assert len(remote) == r.conversations == 3000 and r.bad_records == 0
    flagged = sum(1 for v in remote.values() if v[1])
    assert 0 < flagged < 3000 and r.flagged == flagged  # a mix, not all one answer
    assert any(v[3] for v in remote.values()) and len({v[5] for v in remote.values()}) > 1
    assert r.messages == sum(len([x for x in s.split("\n") if x.strip()]) for _, s in segs)
    extra = pq.read_table(tmp_path / "spark.parquet").select(["taxonomy_version", "model_sha256"])
    assert set(extra.column(0).to_pylist()) == {spec.taxonomy_version}
    model_card = json.loads((DEFAULT_MODEL_DIR / "model_card.json").read_text())
    assert set(extra.column(1).to_pylist()) == {model_card["model_file"]["sha256"]}
    manifest = vs.read_manifest(tmp_path / "spark.parquet")
    assert manifest["run_id"] == r.run_id and manifest["input_sha256"] == vs.file_sha256(src)
    assert manifest["model_sha256"] == spec.model_sha256 and manifest["parts"]


def test_jsonl_and_the_row_layout_match_too(
    spark: Any, tmp_path: Path, settings: Settings, spec: ScoringSpec
) -> None:
    segs = segments(400, seed=3)
    src = write_segments(tmp_path / "in.jsonl", segs, "jsonl")
    scan(settings, src, tmp_path / "local.parquet")
    vs.run(spark, src, tmp_path / "spark.parquet", spec=spec)
    assert by_id(tmp_path / "spark.parquet") == by_id(tmp_path / "local.parquet")

    rows = chat_rows(300)
    src = tmp_path / "rows.parquet"
    pq.write_table(pa.Table.from_pylist(rows), src, row_group_size=200)
    scan(settings, src, tmp_path / "rows-local.parquet")
    vs.run(spark, src, tmp_path / "rows-spark.parquet", spec=spec, partitions=3)
    local, remote = by_id(tmp_path / "rows-local.parquet"), by_id(tmp_path / "rows-spark.parquet")
    assert remote == local and len(remote) == 300
    assert any("meeting" in v[3] or v[4] >= 2 for v in remote.values())  # turns and ages count


def test_broken_rows_go_to_the_error_output_with_their_ids(
    spark: Any, tmp_path: Path, spec: ScoringSpec
) -> None:
    good = segments(50)
    ids = [i for i, _ in good] + ["bad-utf8", "missing-seg", None]
    texts = [s.encode() for _, s in good] + [b"how old are you \xff\xfe", None, b"hi"]
    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ids, "segment": pa.array(texts, pa.binary())}), src)
    r = vs.run(spark, src, tmp_path / "out.parquet", spec=spec)
    assert r.conversations == 50 and r.bad_records == 3
    assert set(by_id(tmp_path / "out.parquet")) == {i for i, _ in good}
    errs = pq.read_table(Path(r.errors or "")).to_pylist()
    got = {(e["id"], e["location"], e["reason"]) for e in errs}
    assert got == {
        ("bad-utf8", "row 51", "segment has bytes that are not UTF-8"),
        ("missing-seg", "row 52", "missing segment"),
        (None, "row 53", "missing id"),
    }
    assert all(e["file"].endswith("in.parquet") for e in errs)

    # JSON lines: bad bytes, broken JSON and a missing field, among good lines
    lines = [json.dumps({"id": i, "segment": s}).encode() for i, s in good[:20]]
    lines[3] = b'{"id": "j-bad-utf8", "segment": "caf\xe9 tonight?"}'
    lines[7] = b'{"id": "j-broken", "segment": "no closing brace"'
    lines[9] = b'{"id": "j-missing"}'
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    r = vs.run(spark, src, tmp_path / "j.parquet", spec=spec)
    assert r.conversations == 17 and r.bad_records == 3
    errs = pq.read_table(Path(r.errors or "")).to_pylist()
    got = {(e["id"], e["location"], e["reason"].split(" (")[0].split(" at ")[0]) for e in errs}
    assert got == {
        ("j-bad-utf8", "line 4", "bytes that are not UTF-8"),
        (None, "line 8", "invalid JSON"),
        ("j-missing", "line 10", "missing segment"),
    }


def test_text_that_is_not_utf8_in_a_string_column_is_one_bad_record(
    spark: Any, tmp_path: Path, spec: ScoringSpec
) -> None:
    raw = pa.array([b"how old are you", b"caf\xe9", b"see you"], pa.binary()).view(pa.string())
    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["a", "b", "c"], "segment": raw}), src)
    r = vs.run(spark, src, tmp_path / "out.parquet", spec=spec)
    assert r.conversations == 2 and set(by_id(tmp_path / "out.parquet")) == {"a", "c"}
    errs = pq.read_table(Path(r.errors or "")).to_pylist()
    assert [(e["id"], e["reason"]) for e in errs] == [("b", "segment has bytes that are not UTF-8")]


def test_unreadable_inputs_and_outputs_are_refused(
    spark: Any, tmp_path: Path, spec: ScoringSpec
) -> None:
    src = tmp_path / "cols.parquet"
    pq.write_table(pa.table({"id": ["a"], "body": ["hi"]}), src)
    with pytest.raises(ParseError, match="required columns are missing"):
        vs.run(spark, src, tmp_path / "out.parquet", spec=spec)
    good = write_segments(tmp_path / "in.parquet", segments(10), "parquet")
    keep = tmp_path / "mine"
    keep.mkdir()
    (keep / "notes.txt").write_text("not Vigil's")
    with pytest.raises(UserError, match="not the output of an earlier Vigil run"):
        vs.run(spark, good, keep, spec=spec)
    assert (keep / "notes.txt").read_text() == "not Vigil's"
    (tmp_path / "x.csv").write_text("id,segment\na,hi\n")
    with pytest.raises(UserError, match="CSV"):
        vs.run(spark, tmp_path / "x.csv", tmp_path / "o.parquet", spec=spec)


def test_a_second_run_replaces_the_first_and_clears_stale_errors(
    spark: Any, tmp_path: Path, spec: ScoringSpec
) -> None:
    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["a", None], "segment": ["how old are you", "hi"]}), src)
    out = tmp_path / "out.parquet"
    first = vs.run(spark, src, out, spec=spec)
    assert first.bad_records == 1 and Path(first.errors or "").is_dir()
    pq.write_table(pa.table({"id": ["a", "b"], "segment": ["how old are you", "hi"]}), src)
    second = vs.run(spark, src, out, spec=spec)
    assert second.errors is None and not Path(vs.default_errors_path(str(out))).exists()
    assert set(by_id(out)) == {"a", "b"} and vs.read_manifest(out)["run_id"] == second.run_id
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no leftovers


def test_the_cli_runs_the_spark_engine(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_segments(tmp_path / "in.parquet", segments(200, seed=9), "parquet")
    scan_cli.main(["--in", str(src), "--out", str(tmp_path / "local.parquet")])
    scan_cli.main(["--in", str(src), "--out", str(tmp_path / "s.parquet"), "--engine", "spark",
                   "--master", "local[2]", "--json"])  # fmt: skip
    captured = capsys.readouterr()
    doc = json.loads(captured.out[captured.out.index("{") :])
    assert doc["conversations"] == 200 and doc["layout"] == "segment"
    assert "spark run" in captured.err and "a lead for a trained person" in captured.err
    assert by_id(tmp_path / "s.parquet") == by_id(tmp_path / "local.parquet")
    with pytest.raises(UserError, match="need --engine spark"):
        scan_cli.main(["--in", str(src), "--out", str(tmp_path / "x.csv"), "--master", "local"])


def test_a_spark_runs_flagged_rows_import_into_a_case(
    spark: Any, tmp_path: Path, spec: ScoringSpec, ws: Any
) -> None:
    from vigil.services.leads.importing import import_results
    from vigil.services.leads.read import list_leads

    src = write_segments(tmp_path / "in.parquet", segments(300, seed=4), "parquet")
    r = vs.run(spark, src, tmp_path / "platform.parquet", spec=spec)
    flagged = {k for k, v in by_id(tmp_path / "platform.parquet").items() if v[1]}
    assert flagged and r.flagged == len(flagged)
    imp = import_results(ws, "OP-TEST", tmp_path / "platform.parquet", only_flagged=True)
    assert (imp.run_id, imp.rows_read, imp.leads) == (r.run_id, 300, len(flagged))
    found = list_leads(ws, "OP-TEST")
    assert {x.item_id for x in found.leads} == flagged
    i = found.imports[0]
    assert (i.input_sha256, i.spark_version, i.model_sha256) == (
        vs.file_sha256(src), spark.version, spec.model_sha256)  # fmt: skip


def test_row_layout_across_files_keeps_each_conversations_message_order(
    spark: Any, tmp_path: Path, settings: Settings, spec: ScoringSpec
) -> None:
    rows = chat_rows(120, seed=2)
    whole = tmp_path / "whole.parquet"
    pq.write_table(pa.Table.from_pylist(rows), whole)
    scan(settings, whole, tmp_path / "local.parquet")
    folder = tmp_path / "folder"
    folder.mkdir()
    cut = len(rows) // 4  # the later file is the larger: Spark reads the larger files first
    pq.write_table(pa.Table.from_pylist(rows[:cut]), folder / "part-1.parquet")
    pq.write_table(pa.Table.from_pylist(rows[cut:]), folder / "part-2.parquet")
    vs.run(spark, folder, tmp_path / "spark.parquet", spec=spec)
    assert by_id(tmp_path / "spark.parquet") == by_id(tmp_path / "local.parquet")


def test_outputs_on_a_cluster_file_system_get_the_manifest_and_are_never_replaced(
    spark: Any, tmp_path: Path, spec: ScoringSpec
) -> None:
    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["a", None], "segment": ["how old are you", "hi"]}), src)
    uri = f"file://{tmp_path}/out.parquet"  # through Hadoop's file system, as HDFS or S3A
    r = vs.run(spark, src, uri, spec=spec)
    assert r.errors == f"{uri}.errors.parquet" and r.bad_records == 1 and not r.parts
    assert vs.read_manifest(tmp_path / "out.parquet")["run_id"] == r.run_id
    assert set(by_id(tmp_path / "out.parquet")) == {"a"}
    with pytest.raises(UserError, match="already exists"):
        vs.run(spark, src, uri, spec=spec)
