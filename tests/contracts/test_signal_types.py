"""Every registered signal type (built-ins and the sample plugin's) passes the same checks:
hashing benign content, normalising, comparing, and finding itself in an index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.plugin_sample import SIGNAL
from tests.plugin_sample.testing import blocks_png, registered
from vigil.media.hashers.base import Signal, SignalType
from vigil.plugins import SIGNAL_TYPES

NAMES = sorted({*SIGNAL_TYPES, SIGNAL})
BYTES_NAMES = [n for n in NAMES if n == SIGNAL or "video" not in SIGNAL_TYPES[n].content]
"""Types hashed from bytes; videos are hashed from files (see test_vpdq_file_hash...)."""
VIDEO_REFS = ("pattern-sd-grey-bar", "doorknob-hd-no-bar")


@pytest.fixture(scope="module", autouse=True)
def _sample() -> Iterator[None]:
    with registered():
        yield


def _samples(kind: SignalType, shared: Path) -> list[Signal]:
    """Hashes of two different benign contents (videos: the reference vPDQ files)."""
    if "video" in kind.content:
        folder = shared / "media" / "vpdq"
        texts = [(folder / f"{n}.vpdq.txt").read_text() for n in VIDEO_REFS]
        return [Signal(kind.name, kind.normalise(t)) for t in texts]
    return [kind.hash_bytes(blocks_png(seed), name=f"blocks-{seed}.png") for seed in (1, 2)]


@pytest.mark.parametrize("name", NAMES)
def test_signal_type_contract(name: str, shared_fixtures: Path) -> None:
    kind = SIGNAL_TYPES[name]
    assert kind.name == name == name.lower() and kind.description
    assert kind.threshold >= 0 and kind.content
    a, b = _samples(kind, shared_fixtures)
    assert a.signal_type == name and a.value and a.value != b.value
    assert kind.normalise(a.value) == a.value
    assert kind.scorable(a)
    same = kind.compare(a.value, a.value)
    assert same.match and same.distance == 0 and same.threshold == kind.threshold
    other = kind.compare(a.value, b.value)
    assert other.distance > 0 and other.match == (other.distance <= kind.threshold)
    assert not kind.compare(a.value, b.value, threshold=other.distance - 1).match
    with pytest.raises(ValueError):
        kind.normalise("")
    with pytest.raises(ValueError):
        kind.normalise("not a hash")
    index = kind.build_index([(b.value, "other"), (a.value, "self")])
    assert len(index) == 2
    hits = index.query(a.value)
    assert hits and hits[0].meta == "self" and hits[0].distance == 0 and hits[0].value == a.value
    assert all(h.distance <= kind.threshold for h in hits)
    assert [h.meta for h in kind.build_index([(b.value, "other")]).query(a.value)] == (
        ["other"] if other.match else []
    )


@pytest.mark.parametrize("name", BYTES_NAMES)
def test_file_hash_equals_bytes_hash(name: str, tmp_path: Path) -> None:
    kind = SIGNAL_TYPES[name]
    path = tmp_path / "blocks.png"
    path.write_bytes(blocks_png(7))
    assert kind.hash_file(path) == kind.hash_bytes(path.read_bytes())


def test_vpdq_file_hash_matches_the_reference(shared_fixtures: Path) -> None:
    pytest.importorskip("vpdq")
    kind = SIGNAL_TYPES["vpdq"]
    folder = shared_fixtures / "media" / "vpdq"
    video = folder / "pattern-sd-grey-bar.mp4"
    got = kind.hash_file(video)
    assert kind.hash_bytes(video.read_bytes(), name=video.name) == got  # via a temporary file
    ref = (folder / "pattern-sd-grey-bar.vpdq.txt").read_text()
    assert kind.scorable(got) and got.quality is not None and got.quality >= 50
    assert kind.compare(got.value, ref).match
    assert not kind.compare(got.value, (folder / "doorknob-hd-no-bar.vpdq.txt").read_text()).match


def test_pdq_quality_floor_is_the_hashers() -> None:
    from vigil.media.hashers.pdq import MIN_QUALITY
    from vigil.media.matching import DEFAULT_THRESHOLD

    assert SIGNAL_TYPES["pdq"].min_quality == SIGNAL_TYPES["vpdq"].min_quality == MIN_QUALITY
    assert SIGNAL_TYPES["pdq"].threshold == DEFAULT_THRESHOLD


def test_flat_image_cannot_be_scored_by_pdq() -> None:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 64), (30, 30, 30)).save(out, format="PNG")
    kind = SIGNAL_TYPES["pdq"]
    sig = kind.hash_bytes(out.getvalue())
    assert sig.quality is not None and sig.quality < 50 and not kind.scorable(sig)
