"""vPDQ: PDQ hashes of video frames (PyPI ``vpdq``, which decodes with the FFmpeg libraries).

Unlike the other hashers this one takes a path: vpdq's decoder reads the file itself. The
service passes the exhibit's read-only blob-store path. Every result records the preparation
(vpdq version, FFmpeg libavcodec version, seconds per hash, downsampling) with its pipeline
version. The reference text format (one line per frame: ``frame,quality,hash,timestamp``, the
timestamp optional) is read and written by :func:`parse_vpdq_text` and :func:`format_vpdq_text`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from vigil.errors import ParseError
from vigil.media.hashers.pdq import MIN_QUALITY
from vigil.media.hashsets.base import normalise_hash

PIPELINE_VERSION = "vpdq-prep/1"


@dataclass(frozen=True, slots=True)
class VpdqFrame:
    """One hashed frame: its number, PDQ quality, PDQ hash (hex) and time in seconds."""

    frame: int
    quality: int
    hash: str
    timestamp: float

    def scorable(self, min_quality: int = MIN_QUALITY) -> bool:
        """Whether this frame's quality is high enough to take part in matching."""
        return self.quality >= min_quality


@dataclass(frozen=True, slots=True)
class VideoPreparation:
    """How the frames were obtained (stored with every vPDQ hash)."""

    version: str
    hasher: str
    decoder: str
    seconds_per_hash: float
    downsample: tuple[int, int]


@dataclass(frozen=True, slots=True)
class VpdqResult:
    """A video's frame hashes and how they were made."""

    frames: tuple[VpdqFrame, ...]
    preparation: VideoPreparation


@cache
def _libavcodec_version() -> str:
    name = ctypes.util.find_library("avcodec")
    if name is None:
        return "FFmpeg libavcodec (version unknown)"
    try:
        lib = ctypes.CDLL(name)
        lib.avcodec_version.restype = ctypes.c_uint
        v = int(lib.avcodec_version())
    except (OSError, AttributeError):
        return f"FFmpeg {name} (version unknown)"
    return f"FFmpeg libavcodec {v >> 16}.{(v >> 8) & 0xFF}.{v & 0xFF}"


def hash_video(
    path: Path,
    *,
    seconds_per_hash: float = 1.0,
    downsample: tuple[int, int] = (0, 0),
    threads: int = 1,
) -> VpdqResult:
    """vPDQ of the video at ``path``; ``seconds_per_hash=0`` hashes every frame.

    ``downsample`` (width, height), when not (0, 0), scales frames before hashing.
    ParseError when FFmpeg cannot decode the file.
    """
    import vpdq  # imported here: the module needs the FFmpeg shared libraries

    try:
        features = vpdq.computeHash(
            str(path),
            seconds_per_hash=seconds_per_hash,
            downsample_width=downsample[0],
            downsample_height=downsample[1],
            thread_count=threads,
        )
    except ValueError as exc:
        raise ParseError(str(exc), file=str(path)) from exc
    except Exception as exc:  # vpdq raises a bare Exception when decoding fails
        raise ParseError(f"cannot hash video: {exc}", file=str(path)) from exc
    frames = tuple(
        VpdqFrame(int(f.frame_number), int(f.quality), str(f.hex), float(f.timestamp))
        for f in features
    )
    prep = VideoPreparation(
        version=PIPELINE_VERSION,
        hasher=f"vpdq {metadata.version('vpdq')}",
        decoder=_libavcodec_version(),
        seconds_per_hash=seconds_per_hash,
        downsample=downsample,
    )
    return VpdqResult(frames, prep)


def parse_vpdq_text(text: str, source: str = "<vpdq>") -> tuple[VpdqFrame, ...]:
    """Read ``frame,quality,hash[,timestamp]`` lines; ParseError names the bad line."""
    frames: list[VpdqFrame] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in line.split(",")]
        try:
            if len(parts) not in (3, 4):
                raise ValueError(f"{len(parts)} fields")
            frame, quality = int(parts[0]), int(parts[1])
            value = normalise_hash("pdq", parts[2])
            stamp = float(parts[3]) if len(parts) == 4 else 0.0
        except ValueError as exc:
            raise ParseError(
                str(exc),
                file=source,
                location=f"line {n}",
                expected="frame,quality,hash[,timestamp]",
            ) from exc
        frames.append(VpdqFrame(frame, quality, value, stamp))
    return tuple(frames)


def format_vpdq_text(frames: tuple[VpdqFrame, ...]) -> str:
    """Write frames in the reference text format."""
    return "".join(f"{f.frame},{f.quality},{f.hash},{f.timestamp:.3f}\n" for f in frames)
