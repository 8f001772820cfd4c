"""Evidence bundles: export, check with no database, detect tampering, check by hand."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from vigil.errors import ParseError, UserError
from vigil.services.evidence.bundles import check_bundle, export_case
from vigil.services.evidence.exhibits import register_file
from vigil.services.workspace import Workspace


@pytest.fixture()
def bundle(ws: Workspace, tmp_path: Path) -> Path:
    for name, data in [
        ("chat export.txt", b"12/03/2024, 18:02 - Sam: hi\n"),
        ("Ünïcode name.bin", bytes(range(256)) * 10),
    ]:
        p = tmp_path / name
        p.write_bytes(data)
        register_file(
            ws,
            "OP-TEST",
            p,
            source="handset",
            acquired_by="Jane Smith",
            acquired_at="2024-03-13T09:30",
        )
    out = tmp_path / "bundle.zip"
    r = export_case(ws, "OP-TEST", out, "disclosure to defence")
    assert r.exhibits == 2
    return out


def _rewrite(src: Path, dst: Path, change: dict[str, bytes]) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = change.get(item.filename, zin.read(item.filename))
            zout.writestr(item.filename, data)


def test_bundle_verifies_without_database(bundle: Path, ws: Workspace) -> None:
    ws.engine.dispose()
    shutil.rmtree(ws.settings.resolved_home)  # no workspace at all
    rep = check_bundle(bundle)
    assert rep.ok, rep.problems
    assert rep.exhibits == 2
    assert rep.entries >= 4
    names = zipfile.ZipFile(bundle).namelist()
    assert {"manifest.json", "custody.jsonl", "chain.json", "SHA256SUMS", "README.txt"} <= set(
        names
    )
    manifest = json.loads(zipfile.ZipFile(bundle).read("manifest.json"))
    ex = manifest["exhibits"][0]
    assert {"ref", "path", "sha256", "sha1", "md5", "size", "acquisitions"} <= set(ex)
    assert manifest["tool_version"].startswith("vigil ")


def test_modified_exhibit_file_fails(bundle: Path, tmp_path: Path) -> None:
    manifest = json.loads(zipfile.ZipFile(bundle).read("manifest.json"))
    path = manifest["exhibits"][0]["path"]
    bad = tmp_path / "bad.zip"
    _rewrite(bundle, bad, {path: b"12/03/2024, 18:02 - Sam: HI\n"})
    rep = check_bundle(bad)
    assert not rep.ok
    assert any(path in p and "SHA-256" in p for p in rep.problems)


def test_modified_manifest_fails_even_with_sums_rewritten(bundle: Path, tmp_path: Path) -> None:
    import hashlib

    z = zipfile.ZipFile(bundle)
    manifest = json.loads(z.read("manifest.json"))
    manifest["exhibits"][0]["acquisitions"][0]["acquired_by"] = "Someone Else"
    new = json.dumps(manifest, indent=2).encode()
    sums = z.read("SHA256SUMS").decode().splitlines()
    sums = [
        (
            f"{hashlib.sha256(new).hexdigest()}  manifest.json"
            if s.endswith("  manifest.json")
            else s
        )
        for s in sums
    ]
    bad = tmp_path / "bad-manifest.zip"
    _rewrite(bundle, bad, {"manifest.json": new, "SHA256SUMS": ("\n".join(sums) + "\n").encode()})
    rep = check_bundle(bad)
    assert not rep.ok
    assert any("acquired_by" in p for p in rep.problems)


def test_modified_manifest_hash_fails(bundle: Path, tmp_path: Path) -> None:
    z = zipfile.ZipFile(bundle)
    manifest = json.loads(z.read("manifest.json"))
    manifest["exhibits"][1]["md5"] = "0" * 32
    bad = tmp_path / "bad-md5.zip"
    _rewrite(bundle, bad, {"manifest.json": json.dumps(manifest).encode()})
    rep = check_bundle(bad)
    assert not rep.ok
    assert any("MD5" in p for p in rep.problems)
    assert any("manifest.json" in p and "SHA256SUMS" in p for p in rep.problems)


def test_edited_custody_line_fails(bundle: Path, tmp_path: Path) -> None:
    z = zipfile.ZipFile(bundle)
    lines = z.read("custody.jsonl").decode().splitlines()
    e = json.loads(lines[1])
    e["actor"] = "mallory"
    lines[1] = json.dumps(e, sort_keys=True)
    bad = tmp_path / "bad-log.zip"
    _rewrite(bundle, bad, {"custody.jsonl": ("\n".join(lines) + "\n").encode()})
    rep = check_bundle(bad)
    assert any("does not match its hash" in p for p in rep.problems)


def test_not_a_bundle(tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"\x00garbage" * 10)
    with pytest.raises(ParseError, match=r"junk\.zip"):
        check_bundle(junk)
    with pytest.raises(UserError):
        check_bundle(tmp_path / "absent.zip")


@pytest.mark.skipif(not (shutil.which("jq") and shutil.which("unzip")), reason="needs jq and unzip")
def test_bundle_checks_by_hand_with_standard_tools(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "unpacked"
    subprocess.run(["unzip", "-q", str(bundle), "-d", str(out)], check=True)
    sums = r"""
set -euo pipefail
sha256sum -c SHA256SUMS
jq -r '.exhibits[] | "\(.sha1)  \(.path)"' manifest.json | sha1sum -c
jq -r '.exhibits[] | "\(.md5)  \(.path)"'  manifest.json | md5sum -c
"""
    loop = r"""
while read -r line; do
  want=$(jq -r .entry_hash <<<"$line")
  got=$(jq -jcS 'del(.entry_hash)' <<<"$line" | sha256sum | cut -d' ' -f1)
  [ "$want" = "$got" ] && echo "ok $want" || echo "BAD $(jq .seq <<<"$line")"
done < custody.jsonl
"""
    r = subprocess.run(["bash", "-c", sums + loop], cwd=out, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "BAD" not in r.stdout
    assert r.stdout.count("\nok ") + r.stdout.startswith("ok ") >= 4
    # and the hand check does catch an edit
    log = out / "custody.jsonl"
    log.write_text(
        log.read_text()
        .replace('"action":"register"', '"action":"view"', 1)
        .replace('"action": "register"', '"action": "view"', 1)
    )
    r2 = subprocess.run(["bash", "-c", sums], cwd=out, capture_output=True, text=True)
    assert r2.returncode != 0 and "custody.jsonl: FAILED" in r2.stdout
    r3 = subprocess.run(["bash", "-c", loop], cwd=out, capture_output=True, text=True)
    assert "BAD" in r3.stdout


def test_docs_show_the_same_hand_check() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "evidence.md").read_text()
    assert "jq -jcS 'del(.entry_hash)'" in doc
    assert "sha256sum -c SHA256SUMS" in doc


def test_bundle_carries_a_checkable_signed_checkpoint(bundle: Path) -> None:
    import base64

    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    from vigil.evidence.chain import canonical

    manifest = json.loads(zipfile.ZipFile(bundle).read("manifest.json"))
    cp = manifest["checkpoint"]
    key = load_pem_public_key(manifest["checkpoint_public_key"].encode())
    signed = canonical({"at": cp["at"], "entry_hash": cp["entry_hash"], "seq": cp["seq"]})
    key.verify(base64.b64decode(cp["sig"]), signed)  # type: ignore[union-attr,call-arg]
    links = json.loads(zipfile.ZipFile(bundle).read("chain.json"))
    assert any(row["entry_hash"] == cp["entry_hash"] for row in links)
