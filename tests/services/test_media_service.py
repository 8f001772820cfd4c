"""Media triage services on a real workspace, with benign media only (generated images and the
ThreatExchange reference photos in ../shared/fixtures/media)."""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from sqlalchemy import select

from vigil.db.tables.evidence import CustodyEntry
from vigil.errors import AccessDenied, ParseError, UserError
from vigil.media.hashers.crypto import crypto_hashes
from vigil.media.hashers.pdq import distance, hash_image
from vigil.media.hashsets import read_vics
from vigil.services.access import as_user
from vigil.services.media.lists import import_list, list_lists
from vigil.services.media.review import export_graded, exposures, grade, review, thumbnail
from vigil.services.media.scan import ScanReport, matches, rematch, scan
from vigil.services.users import create_user, set_membership
from vigil.services.workspace import Workspace

CASE = "OP-TEST"


def noise_png(path: Path, seed: int, *, text: dict[str, str] | None = None) -> Path:
    """A benign random-pattern PNG (blocks of colour), optionally with PNG text chunks."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, size=(16, 16, 3), dtype=np.uint8)
    im = Image.fromarray(blocks, "RGB").resize((160, 160), Image.Resampling.NEAREST)
    info = PngInfo()
    for k, v in (text or {}).items():
        info.add_text(k, v)
    im.save(path, format="PNG", pnginfo=info)
    return path


@pytest.fixture()
def folder(tmp_path: Path, shared_fixtures: Path) -> Path:
    d = tmp_path / "seized"
    d.mkdir()
    noise_png(d / "one.png", 1)
    noise_png(d / "two.png", 2, text={"parameters": "a lighthouse at dusk, Steps: 20, Seed: 7"})
    Image.new("RGB", (120, 90), (128, 128, 128)).save(d / "flat.png")
    shutil.copy(shared_fixtures / "media/pdq/bridge-mods/aaa-orig.jpg", d / "bridge.jpg")
    (d / "notes.txt").write_text("not media\n")
    return d


def hash_list(tmp_path: Path, folder: Path, shared_fixtures: Path) -> tuple[Path, str, str]:
    """A CSV list: one image's MD5 (UK cat. C) and a *modified* bridge's PDQ (Project VIC 1)."""
    md5 = crypto_hashes((folder / "one.png").read_bytes()).md5
    blurred = shared_fixtures / "media/pdq/bridge-mods/blur-a-little.jpg"
    pdq = hash_image(blurred.read_bytes()).hash.hex
    p = tmp_path / "list.csv"
    p.write_text(
        "hash,category,source,algorithm,id\n"
        f"{md5},uk-sentencing:C,partner,md5,K-1\n"
        f"{pdq},1,partner,pdq,K-2\n"
    )
    return p, md5, pdq


def by_name(ws: Workspace, rep: ScanReport) -> dict[str, int]:
    from vigil.services.evidence.exhibits import list_exhibits

    names = {e.ref: e.original_name for e in list_exhibits(ws, CASE)}
    out = {}
    for r in review(ws, CASE, include_agreed=True):
        out[names[r.exhibit_ref]] = r.item_id
    for m in matches(ws, CASE):
        out[names[m.exhibit_ref]] = m.item_id
    assert set(out.values()) <= set(rep.item_ids)
    return out


def test_scan_match_review_grade_export(
    ws: Workspace, folder: Path, tmp_path: Path, shared_fixtures: Path
) -> None:
    lst, _md5, listed_pdq = hash_list(tmp_path, folder, shared_fixtures)
    info, issues = import_list(ws, lst, name="partner-list", fmt="csv", version="7")
    assert (info.entries, info.version, issues) == (2, "7", ())

    rep = scan(ws, CASE, [folder], source="seized laptop")
    assert (rep.items, rep.new_items, rep.images) == (4, 4, 4)
    assert rep.skipped and "notes.txt" in rep.skipped[0]
    assert (rep.exact, rep.pdq, rep.vpdq, rep.cannot_be_scored) == (1, 1, 0, 1)
    assert rep.for_review == 2 and rep.with_markers == 1
    ids = by_name(ws, rep)

    found = {(m.item_id, m.status, m.method): m for m in matches(ws, CASE)}
    exact = found[(ids["one.png"], "match", "exact")]
    assert (exact.algorithm, exact.distance, exact.list_name) == ("md5", 0, "partner-list")
    assert exact.listed_media_id == "K-1" and exact.category is not None
    assert exact.category.startswith("uk-sentencing:C")
    pdq = found[(ids["bridge.jpg"], "match", "pdq")]
    own = hash_image((folder / "bridge.jpg").read_bytes()).hash
    assert pdq.distance == distance(own.hex, listed_pdq) and 0 < pdq.distance <= 31
    assert pdq.quality == own.quality and pdq.threshold == 31
    assert pdq.category is not None and pdq.category.startswith("projectvic-us:1")
    low = found[(ids["flat.png"], "cannot be scored", "pdq")]
    assert low.quality is not None and low.quality < 50 and "below 50" in low.reason
    assert not any(k[0] == ids["flat.png"] and k[1] == "match" for k in found)

    queue = {r.item_id: r for r in review(ws, CASE)}
    assert set(queue) == {ids["two.png"], ids["flat.png"]}  # known material is not queued
    assert queue[ids["flat.png"]].status == "cannot be scored"
    assert any("possible AI-generation marker" in m for m in queue[ids["two.png"]].markers)
    assert queue[ids["flat.png"]].markers == []

    # two-person grading; the same person cannot grade twice; disagreement is flagged
    two, flat = ids["two.png"], ids["flat.png"]
    first = grade(ws, two, "C")
    assert first is not None and first.state == "awaiting second grader"
    with pytest.raises(UserError):
        grade(ws, two, "B")
    with pytest.raises(AccessDenied):  # the second grader must be on the case
        grade(as_user(ws, "grader.two"), two, "B")
    create_user(ws, "grader.two", "investigator")
    set_membership(ws, "grader.two", "OP-TEST", True)
    second = grade(as_user(ws, "grader.two"), two, "B")
    assert second is not None and second.disagreement
    grade(ws, flat, "not_indecent")
    agreed = grade(as_user(ws, "grader.two"), flat, "not-indecent")
    assert agreed is not None and agreed.state == "agreed" and not agreed.disagreement
    queue = {r.item_id: r for r in review(ws, CASE)}
    assert set(queue) == {two} and queue[two].disagreement

    doc, n, left_out = export_graded(ws, CASE, recipient="partner unit")
    assert (n, left_out) == (1, 1)
    back = read_vics(doc, "export.json")
    assert back.version == "2.0" and len(back.entries) == 1
    rec = back.entries[0]
    flat_bytes = (folder / "flat.png").read_bytes()
    assert rec.get("md5") == crypto_hashes(flat_bytes).md5
    assert rec.get("sha256") == crypto_hashes(flat_bytes).sha256
    assert rec.get("pdq") is None  # quality < 50: not shared as a perceptual hash
    assert rec.category is not None and rec.category.code == "0"


def test_scan_records_pipeline_and_custody(ws: Workspace, folder: Path) -> None:
    rep = scan(ws, CASE, [folder / "one.png"], dihedral=True)
    from vigil.db.tables.media import MediaItem

    with ws.sessions() as s:
        item = s.get(MediaItem, rep.item_ids[0])
        assert item is not None
        prep = json.loads(item.preparation or "{}")
        assert item.pipeline_version == prep["version"] == "pdq-prep/1"
        assert prep["decoder"].startswith("Pillow") and prep["hasher"].startswith("pdqhash")
        assert len(json.loads(item.pdq_dihedral or "[]")) == 8
        views = s.execute(
            select(CustodyEntry).where(CustodyEntry.action == "view", CustodyEntry.case_ref == CASE)
        ).scalars()
        assert [v.purpose for v in views] == ["media hashing"]
    again = scan(ws, CASE, [folder / "one.png"])
    assert (again.items, again.new_items) == (1, 0)


def test_dihedral_scan_matches_rotated_copy(
    ws: Workspace, tmp_path: Path, shared_fixtures: Path
) -> None:
    src = shared_fixtures / "media/pdq/bridge-mods/aaa-orig.jpg"
    lst = tmp_path / "l.csv"
    lst.write_text(f"hash,category,algorithm\n{hash_image(src.read_bytes()).hash.hex},1,pdq\n")
    import_list(ws, lst, name="l", fmt="csv")
    rotated = tmp_path / "rotated.png"
    Image.open(src).transpose(Image.Transpose.ROTATE_90).save(rotated)
    assert scan(ws, CASE, [rotated]).pdq == 0
    other = tmp_path / "rot2.png"
    Image.open(src).transpose(Image.Transpose.ROTATE_270).save(other)
    assert scan(ws, CASE, [other], dihedral=True).pdq == 1
    (m,) = [x for x in matches(ws, CASE) if x.method == "pdq"]
    assert m.variant not in (None, "original") and m.distance is not None and m.distance <= 31


def test_thumbnail_blur_unblur_exposure(ws: Workspace, folder: Path, tmp_path: Path) -> None:
    rep = scan(ws, CASE, [folder / "one.png"])
    item = rep.item_ids[0]
    blurred = thumbnail(ws, item)
    assert blurred.blurred and not blurred.exposure
    original = Image.open(folder / "one.png").convert("RGB")
    thumb = Image.open(io.BytesIO(blurred.data)).convert("RGB").resize(original.size)
    assert np.abs(np.asarray(thumb, int) - np.asarray(original, int)).mean() > 20
    assert exposures(ws) == []
    with pytest.raises(UserError):
        thumbnail(ws, item, unblur_reason="  ")
    assert exposures(ws) == []
    clear = thumbnail(ws, item, unblur_reason="confirm grade for charging")
    assert not clear.blurred and clear.exposure
    (exp,) = exposures(ws, item)
    assert (exp.user, exp.reason) == ("tester", "confirm grade for charging")
    with ws.sessions() as s:
        entries = list(
            s.execute(select(CustodyEntry).where(CustodyEntry.purpose == exp.reason)).scalars()
        )
    assert len(entries) == 1 and entries[0].action == "view" and entries[0].actor == "tester"


def test_thumbnail_refuses_an_image_over_the_workspace_pixel_limit(
    ws: Workspace, folder: Path
) -> None:
    item = scan(ws, CASE, [folder / "one.png"]).item_ids[0]
    assert thumbnail(ws, item).blurred
    with Image.open(folder / "one.png") as im:
        pixels = im.width * im.height
    small = replace(ws, settings=replace(ws.settings, max_image_pixels=pixels - 1))
    with pytest.raises(ParseError, match="pixel limit"):
        thumbnail(small, item)
    with pytest.raises(ParseError, match="pixel limit"):
        thumbnail(small, item, unblur_reason="confirm grade for charging")
    assert exposures(ws) == []


def test_list_deletions_and_rematch(ws: Workspace, folder: Path, tmp_path: Path) -> None:
    md5 = crypto_hashes((folder / "one.png").read_bytes()).md5
    first = tmp_path / "v1.txt"
    first.write_text(f"{md5}\n")
    import_list(ws, first, name="plain", fmt="plain", source="unit A")
    assert scan(ws, CASE, [folder / "one.png"]).exact == 1
    two = crypto_hashes((folder / "two.png").read_bytes()).md5
    first.write_text(f"{two}\n")  # line 1 of another file under another name: unaffected
    import_list(ws, first, name="other", fmt="plain")
    update = tmp_path / "v2.txt"
    update.write_text(f"-{md5}\n")
    info, _ = import_list(ws, update, name="plain", fmt="plain", source="unit A")
    assert info.deleted == 2  # the file's own deletion record and the earlier entry
    assert scan(ws, CASE, [folder / "two.png"]).exact == 1
    rep = rematch(ws, CASE)
    assert (rep.items, rep.exact) == (2, 1)  # one.png's entry is deleted; two.png still listed
    assert {m.list_name for m in matches(ws, CASE)} == {"other"}
    assert [x.source for x in list_lists(ws)] == ["unit A", "v1.txt", "unit A"]


def test_from_attachments_and_video(ws: Workspace, shared_fixtures: Path, tmp_path: Path) -> None:
    pytest.importorskip("vpdq")
    from vigil.services.evidence.exhibits import register_file

    video = shared_fixtures / "media/vpdq/pattern-sd-grey-bar.mp4"
    register_file(ws, CASE, video, source="phone", acquired_by="tester")
    ref_text = (shared_fixtures / "media/vpdq/pattern-sd-grey-bar.vpdq.txt").read_text()
    vics = {
        "@odata.context": "http://github.com/ICMEC/ProjectVic/DataModels/2.0.xml/US/$metadata#Media",
        "value": [
            {
                "MediaID": 9,
                "Category": 3,
                "AlternativeHashes": [{"HashName": "vPDQ", "HashValue": ref_text}],
            },
        ],
    }
    lst = tmp_path / "v.json"
    lst.write_text(json.dumps(vics))
    import_list(ws, lst, name="videos", fmt="vics")
    rep = scan(ws, CASE, from_attachments=True)
    assert (rep.videos, rep.undecodable, rep.vpdq) == (1, 0, 1)
    (m,) = [x for x in matches(ws, CASE) if x.method == "vpdq"]
    assert m.listed_media_id == "9" and m.quality is not None and m.distance is not None
    assert m.distance <= 31


def test_undecodable_image_is_recorded_not_fatal(
    ws: Workspace, folder: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes((folder / "one.png").read_bytes()[:60])
    rep = scan(ws, CASE, [broken, folder / "two.png"])
    assert (rep.items, rep.undecodable, rep.for_review) == (2, 1, 2)
    states = {r.status for r in review(ws, CASE)}
    assert states == {"undecodable", "no match"}
