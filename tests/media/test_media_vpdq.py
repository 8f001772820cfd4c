"""vPDQ hashes of the sample videos against the reference files, and video matching."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from vigil.errors import ParseError
from vigil.media.hashers import pdq
from vigil.media.hashers.vpdq import (
    VpdqFrame,
    format_vpdq_text,
    hash_video,
    parse_vpdq_text,
)
from vigil.media.matching import ListRef
from vigil.media.vpdq_index import VpdqIndex

VIDEOS = (
    "doorknob-hd-no-bar",
    "pattern-hd-no-bar",
    "pattern-sd-grey-bar",
    "pattern-sd-with-small-logo-bar",
)


@pytest.fixture(scope="module")
def vpdq_dir(shared_fixtures: Path) -> Path:
    return shared_fixtures / "media" / "vpdq"


@pytest.mark.parametrize("name", VIDEOS)
def test_sample_video_matches_reference_frame_by_frame(
    vpdq_dir: Path, name: str, record_property: Callable[[str, object], None]
) -> None:
    ref = parse_vpdq_text((vpdq_dir / f"{name}.vpdq.txt").read_text(), name)
    got = hash_video(vpdq_dir / f"{name}.mp4", seconds_per_hash=0)
    assert [f.frame for f in got.frames] == [f.frame for f in ref]
    pairs = list(zip(got.frames, ref, strict=True))
    every = np.array([pdq.distance(a.hash, b.hash) for a, b in pairs])
    # Frames below quality 50 are near-uniform (fades to black): their hashes are noise and
    # never take part in matching, so, as in vPDQ's own regression test, they are not compared.
    scored = np.array(
        [pdq.distance(a.hash, b.hash) for a, b in pairs if min(a.quality, b.quality) >= 50]
    )
    within = float(np.mean(scored <= 31))
    record_property("vpdq_mean_distance", float(scored.mean()))
    record_property("vpdq_max_distance", int(scored.max()))
    print(
        f"{name}: {len(scored)}/{len(every)} frames of quality >= 50: mean {scored.mean():.2f}, "
        f"max {scored.max()}, within 31 {within:.1%}; all frames: mean {every.mean():.2f}, "
        f"max {every.max()}, within 31 {np.mean(every <= 31):.1%}"
    )
    assert len(scored) >= 0.5 * len(every)
    assert within >= 0.95
    assert got.preparation.seconds_per_hash == 0
    assert got.preparation.hasher.startswith("vpdq ")


def test_reference_text_round_trips(vpdq_dir: Path) -> None:
    text = (vpdq_dir / "pattern-sd-grey-bar.vpdq.txt").read_text()
    frames = parse_vpdq_text(text)
    assert parse_vpdq_text(format_vpdq_text(frames)) == frames


def test_bad_reference_line_names_the_line() -> None:
    good = "0,100," + "ab" * 32 + ",0.000\n"
    with pytest.raises(ParseError, match="line 2"):
        parse_vpdq_text(good + "1,100,nothex\n", "bad.txt")


def _frames(vpdq_dir: Path, name: str) -> tuple[VpdqFrame, ...]:
    return parse_vpdq_text((vpdq_dir / f"{name}.vpdq.txt").read_text(), name)


def test_video_matches_itself_and_not_a_different_video(vpdq_dir: Path) -> None:
    index = VpdqIndex()
    ref = ListRef("v1", "video list")
    index.add_video(_frames(vpdq_dir, "doorknob-hd-no-bar"), ref, "door")
    hashed = hash_video(vpdq_dir / "doorknob-hd-no-bar.mp4", seconds_per_hash=0)
    got = index.lookup(hashed.frames)
    assert got.status == "match"
    m = got.matches[0]
    assert m.record_key == "door" and m.query_match_percent >= 80
    assert m.list_name == "video list" and m.quality >= 50 and m.distance <= m.max_distance <= 31
    other = index.lookup(_frames(vpdq_dir, "pattern-hd-no-bar"))
    assert other.status == "no match"


def test_match_needs_eighty_percent_of_query_frames(vpdq_dir: Path) -> None:
    door = _frames(vpdq_dir, "doorknob-hd-no-bar")
    index = VpdqIndex()
    assert all(f.quality >= 50 for f in door[:30] + door[100:120])
    index.add_video(door[:30], ListRef("v1", "list"), "opening")
    # 30 listed frames out of 35 usable query frames: 86 %.
    hit = index.lookup(door[:30] + door[115:120])
    assert hit.status == "match" and 80 <= hit.matches[0].query_match_percent < 100
    # 30 out of 50: 60 %, below the 80 % rule.
    assert index.lookup(door[:30] + door[100:120]).status == "no match"
    assert index.lookup(door[:30] + door[100:120], min_query_percent=50).status == "match"


def test_low_quality_video_cannot_be_scored() -> None:
    frames = tuple(VpdqFrame(i, 10, f"{i:064x}", i / 30) for i in range(5))
    index = VpdqIndex()
    index.add_video(frames, ListRef("v1", "list"), "dull")
    got = index.lookup(frames)
    assert got.status == "cannot be scored" and got.matches == ()
