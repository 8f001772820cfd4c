"""A plugin loaded with VIGIL_PLUGINS (no package installed) shows up and works in the CLI:
its signal type, hash-list format, export format and report format. Benign generated data.

Plugins are loaded when a process starts, so every command here runs in a process started with
the variable set (or not): most through a :class:`tests.clirun.Session` (one start-up for a
test's commands), the missing-module check through the real executable, one process a command.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import tests.plugin_sample as sample
from tests.clirun import REPO, Session, child
from tests.plugin_sample.testing import NAME, blocks_png

from vigil.media.hashers.base import hamming


def env_for(home: Path, plugins: str | None = NAME) -> dict[str, str]:
    env = {**os.environ, "VIGIL_HOME": str(home), "VIGIL_USER": "officer.p", "COLUMNS": "250"}
    env.pop("VIGIL_DATABASE_URL", None)
    env.pop("VIGIL_PLUGINS", None)
    if plugins is not None:
        env["VIGIL_PLUGINS"] = plugins
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def run(home: Path, *args: str, plugins: str | None = NAME) -> subprocess.CompletedProcess[str]:
    """``vigil args`` in a process of its own."""
    return child(args, env_for(home, plugins))


def vigil(home: Path, plugins: str | None = NAME) -> Session:
    """A process started with (or without) the plugin that runs the commands it is given."""
    return Session(env_for(home, plugins))


def ok(r: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def test_plugin_choices_appear_in_help_only_when_loaded(tmp_path: Path) -> None:
    helps = {
        ("media", "hash"): sample.SIGNAL,
        ("media", "hashset", "import"): sample.HASHLIST,
        ("intel", "export"): sample.EXPORTER,
        ("report", "stats"): sample.RENDERER,
    }
    with vigil(tmp_path) as loaded, vigil(tmp_path, plugins=None) as plain:
        for cmd, name in helps.items():
            with_plugin = ok(loaded.run(*cmd, "--help")).stdout
            assert name in with_plugin, cmd
            without = ok(plain.run(*cmd, "--help")).stdout
            assert name not in without, cmd
        assert "toy entity list" in ok(loaded.run("intel", "export", "--help")).stdout


def test_signal_type_lists_hashes_and_compares(tmp_path: Path) -> None:
    with vigil(tmp_path) as v:
        listed = json.loads(ok(v.run("media", "signals", "--json")).stdout)
        by_name = {s["name"]: s for s in listed}
        assert by_name[sample.SIGNAL]["plugin"] == NAME
        assert by_name["pdq"]["plugin"] == "vigil.media.hashers"
        a, b = tmp_path / "a.png", tmp_path / "b.png"
        a.write_bytes(blocks_png(11))
        b.write_bytes(blocks_png(12))
        rows = json.loads(
            ok(v.run("media", "hash", str(a), str(b), "--signal", sample.SIGNAL, "--json")).stdout
        )
        values = [r["value"] for r in rows]
        assert values == [sample.fold(a.read_bytes()), sample.fold(b.read_bytes())]
        both = json.loads(ok(v.run("media", "hash", str(a), "--json")).stdout)
        assert {r["signal_type"] for r in both} >= {"md5", "sha256", "pdq", sample.SIGNAL}
        cmp = json.loads(
            ok(v.run("media", "compare", *values, "--signal", sample.SIGNAL, "--json")).stdout
        )
        assert cmp["distance"] == hamming(*values) and cmp["threshold"] == 8
        assert cmp["match"] == (cmp["distance"] <= 8)
        same = ok(v.run("media", "compare", values[0], values[0], "--signal", sample.SIGNAL))
        assert "distance 0" in same.stdout and ": match" in same.stdout
    unknown = run(tmp_path, "media", "hash", str(a), "--signal", sample.SIGNAL, plugins=None)
    assert unknown.returncode == 3 and sample.SIGNAL in unknown.stderr


def test_hashlist_format_imports_and_matches(tmp_path: Path) -> None:
    home, media = tmp_path / "ws", tmp_path / "media"
    media.mkdir()
    pic = media / "known.png"
    pic.write_bytes(blocks_png(21))
    (media / "other.png").write_bytes(blocks_png(22))
    with vigil(home) as v:
        md5 = json.loads(ok(v.run("media", "hash", str(pic), "--signal", "md5", "--json")).stdout)
        lst = tmp_path / "known.pairs"
        lst.write_text(
            f"# sample list\nmd5={md5[0]['value']}\n{sample.SIGNAL}={sample.fold(b'x')}\nnonsense\n"
        )
        ok(v.run("admin", "init"))
        ok(v.run("case", "create", "OP-PLUG", "--title", "Plugin test"))
        r = ok(v.run("media", "hashset", "import", str(lst), "--name", "pairs",
                     "--format", sample.HASHLIST))  # fmt: skip
        assert "2 entries" in r.stdout and "1 issue(s)" in r.stdout and "line 4" in r.stderr
        (info,) = json.loads(ok(v.run("media", "hashset", "list", "--json")).stdout)
        assert info["format"] == sample.HASHLIST and info["entries"] == 2
        rep = json.loads(
            ok(v.run("media", "scan", "--case", "OP-PLUG", str(media), "--json")).stdout
        )
        assert rep["items"] == 2 and rep["exact"] == 1
    refused = run(home, "media", "hashset", "import", str(lst), "--name", "p2",
                  "--format", sample.HASHLIST, plugins=None)  # fmt: skip
    assert refused.returncode == 3 and sample.HASHLIST in refused.stderr


def test_report_format_renders(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    period = ["--from", "2022-10-01", "--to", "2023-09-30"]
    with vigil(home) as v:
        ok(v.run("admin", "init"))
        figures = json.loads(ok(v.run("report", "stats", *period, "--format", "json")).stdout)
        text = ok(v.run("report", "stats", *period, "--format", sample.RENDERER)).stdout
        lines = dict(line.split("=", 1) for line in text.splitlines())
        assert lines["report"] == "statistics"
        assert int(lines["arrests"]) == figures["figures"]["arrests"]
        assert int(lines["custodial_months"]) == figures["figures"]["custodial_months"]
        out = tmp_path / "p.txt"
        ok(v.run("report", "platforms", *period, "--format", sample.RENDERER, "--out", str(out),
                 "--purpose", "plugin format test"))  # fmt: skip
        assert out.read_text().startswith("report=platforms\n")
    bad = run(home, "report", "stats", *period, "--format", sample.RENDERER, plugins=None)
    assert bad.returncode == 3 and "json" in bad.stderr


def test_a_missing_plugin_module_is_named(tmp_path: Path) -> None:
    r = run(tmp_path, "media", "signals", plugins="tests.no_such_plugin")
    assert r.returncode == 3 and "tests.no_such_plugin" in r.stderr and "Traceback" not in r.stderr
    assert "could not be loaded" in run(tmp_path, "media", "hash", "--help",
                                        plugins="tests.no_such_plugin").stdout  # fmt: skip


def test_export_format_writes_the_case_graph(tmp_path: Path) -> None:
    from tests.services.intel_fixtures import chat_a

    home = tmp_path / "ws"
    out = tmp_path / "north.tsv"
    with vigil(home) as v:
        ok(v.run("admin", "init"))
        ok(v.run("case", "create", "OP-NORTH", "--title", "North"))
        ok(v.run("ingest", str(chat_a(tmp_path / "a.json")), "--case", "OP-NORTH"))
        ok(v.run("intel", "extract", "--case", "OP-NORTH"))
    r = run(home, "intel", "export", "--case", "OP-NORTH", "--format", sample.EXPORTER,
            "--out", str(out), "--purpose", "plugin test")  # fmt: skip
    assert r.returncode == 0, r.stderr
    lines = out.read_text().splitlines()
    assert lines[0] == "id\ttype\tlabel" and len(lines) > 1
    with vigil(home, plugins=None) as v:
        log = json.loads(ok(v.run("evidence", "log", "--case", "OP-NORTH", "--json")).stdout)
    assert [e["details"]["format"] for e in log if e["object_type"] == "intel_export"] == [
        sample.EXPORTER
    ]
