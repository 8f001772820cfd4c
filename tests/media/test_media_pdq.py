"""PDQ hashing against ThreatExchange's reference images, the pipeline record and dihedrals."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, _imaging

from vigil.errors import ParseError
from vigil.media.hashers import pdq
from vigil.media.index import PdqIndex, codes_from_hex
from vigil.media.matching import ListRef


def _rows(shared: Path, name: str) -> list[dict[str, str]]:
    with (shared / "media" / "pdq" / name).open(newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def pdq_dir(shared_fixtures: Path) -> Path:
    return shared_fixtures / "media" / "pdq"


def test_every_reference_image_hashes_to_the_expected_value(shared_fixtures: Path) -> None:
    rows = _rows(shared_fixtures, "expected-pdq.csv")
    assert len(rows) >= 40
    off = []
    for row in rows:
        data = (shared_fixtures / "media" / "pdq" / row["path"]).read_bytes()
        got = pdq.hash_image(data, name=row["path"])
        bits = pdq.distance(got.hash.hex, row["pdq_pdqhash_fullres"])
        if bits or got.hash.quality != int(row["quality"]):
            off.append((row["path"], bits, got.hash.quality, row["quality"]))
        assert (got.preparation.width, got.preparation.height) == (
            int(row["width"]),
            int(row["height"]),
        )
    assert off == []


def test_exif_oriented_pipeline_matches_its_reference(shared_fixtures: Path, pdq_dir: Path) -> None:
    for row in _rows(shared_fixtures, "expected-pdq-exif-oriented.csv"):
        got = pdq.hash_image((pdq_dir / row["path"]).read_bytes(), exif_transpose=True)
        assert got.hash.hex == row["pdq_pdqhash_fullres_exif_oriented"], row["path"]
        assert got.preparation.exif_applied is True
        assert (got.preparation.width, got.preparation.height) == (
            int(row["width"]),
            int(row["height"]),
        )


def test_preparation_is_recorded(pdq_dir: Path) -> None:
    got = pdq.hash_image((pdq_dir / "reg-test-input/exif-rotn/exif-rotn-6.jpg").read_bytes())
    prep = got.preparation
    assert prep.version == pdq.PIPELINE_VERSION
    assert prep.decoder.startswith("Pillow ")
    assert prep.exif_orientation == 6 and prep.exif_applied is False
    assert prep.resize.startswith("none")
    assert prep.hasher.startswith("pdqhash ")
    cmyk = pdq.hash_image((pdq_dir / "misc-images/modes/CMYK.jpg").read_bytes()).preparation
    assert cmyk.source_mode == "CMYK" and "convert('RGB') from CMYK" in cmyk.colour


def test_native_path_equals_pdqhash_compute(pdq_dir: Path) -> None:
    for rel in ("bridge-mods/aaa-orig.jpg", "misc-images/wee.jpg", "misc-images/small.jpg"):
        rgb = np.asarray(Image.open(pdq_dir / rel).convert("RGB"))
        for dihedral in (False, True):
            assert pdq.hash_rgb(rgb, dihedral=dihedral) == pdq.hash_rgb(
                rgb, dihedral=dihedral, use_native=False
            )


def test_resize_option_is_recorded_and_stays_close(pdq_dir: Path) -> None:
    data = (pdq_dir / "bridge-mods/aaa-orig.jpg").read_bytes()
    full, small = pdq.hash_image(data), pdq.hash_image(data, max_side=512)
    assert small.preparation.resize.startswith("Pillow resize to 512x")
    assert pdq.distance(full.hash.hex, small.hash.hex) <= 31


def test_all_eight_rotations_and_flips_match_with_the_dihedral_option(pdq_dir: Path) -> None:
    dih = sorted((pdq_dir / "reg-test-input" / "dih").glob("bridge-*.jpg"))
    assert len(dih) == 8
    original = pdq.hash_image(dih[0].read_bytes())
    index = PdqIndex()
    index.add_codes(codes_from_hex([original.hash.hex]), ListRef("l1", "bridge list"))
    plain_misses = 0
    for path in dih:
        data = path.read_bytes()
        with_dihedral = index.lookup(pdq.hash_image(data, dihedral=True))
        assert with_dihedral.status == "match", path.name
        assert with_dihedral.matches[0].distance <= 31
        if index.lookup(pdq.hash_image(data)).status == "no match":
            plain_misses += 1
    assert plain_misses >= 6  # rotations need the option: without it most are missed


def test_flat_image_cannot_be_scored_even_when_listed() -> None:
    buf = _png(Image.new("RGB", (128, 128), (120, 130, 140)))
    flat = pdq.hash_image(buf)
    assert flat.hash.quality < 50
    index = PdqIndex()
    index.add_codes(codes_from_hex([flat.hash.hex]), ListRef("l1", "list"))
    got = index.lookup(flat)
    assert got.status == "cannot be scored"
    assert got.matches == () and "below 50" in got.reason


def test_undecodable_bytes_raise_parse_error() -> None:
    with pytest.raises(ParseError, match="cannot decode image"):
        pdq.hash_image(b"\xff\xd8\xff\xe0 not really a jpeg", name="x.jpg")


def test_pixel_limit_is_enforced() -> None:
    with pytest.raises(ParseError, match="limit"):
        pdq.hash_image(_png(Image.new("RGB", (100, 100))), max_pixels=5000)


def _png(im: Image.Image) -> bytes:
    import io

    out = io.BytesIO()
    im.save(out, format="PNG")
    return out.getvalue()


def test_reuse_decoder_memory_sets_pillows_block_cache() -> None:
    before = _imaging.get_blocks_max()
    try:
        pdq.reuse_decoder_memory(5)
        assert _imaging.get_blocks_max() == 5
    finally:
        _imaging.set_blocks_max(before)


def test_truncated_image_refused_even_when_another_library_allows_them() -> None:
    """WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES globally; hashing must not follow it."""
    import io as _io

    from PIL import Image as _Image
    from PIL import ImageFile

    buf = _io.BytesIO()
    _Image.new("RGB", (64, 64), (200, 30, 30)).save(buf, "PNG")
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = True
    try:
        with pytest.raises(ParseError):
            pdq.hash_image(buf.getvalue()[:60])
        assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # restored for the other library
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before
