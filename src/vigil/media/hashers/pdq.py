"""PDQ perceptual hashes of images, with the image-preparation pipeline recorded in every result.

Pipeline ``pdq-prep/1`` (the default, which reproduces ThreatExchange's reference vectors to
0 bits): decode with Pillow; take frame 0; do **not** apply the EXIF orientation (the eight
dihedral variants cover rotated and mirrored copies; ``exif_transpose=True`` applies it and says
so); convert to RGB with Pillow's ``convert("RGB")`` (alpha dropped, palettes expanded, CMYK and
greyscale converted by Pillow); no resizing (full resolution) unless ``max_side`` is given or
the image has more than ``FULL_PIXELS`` pixels; luminance ``0.299 R + 0.587 G + 0.114 B`` in
float64 rounded to float32, as ``pdqhash`` does; then pdqhash's PDQ (Jarosz filter, 64x64
decimation, DCT, median threshold).

Bounded memory (docs/media.md): the pixel count is checked from the header before decoding
(``max_pixels``, the setting ``VIGIL_MAX_IMAGE_PIXELS``); conversion to RGB and the luminance are
computed in bands of rows, so the peak is about 8 bytes a pixel hashed. An image over
``FULL_PIXELS`` is hashed from a reduced copy instead of at full resolution: a JPEG decoded at
1/2, 1/4 or 1/8 scale (Pillow ``draft``), then reduced by the smallest whole factor that brings
it to ``FULL_PIXELS`` or fewer (Pillow ``reduce``, a box average); the preparation's ``resize``
says so. Images up to ``FULL_PIXELS`` hash exactly as before.

The hashing step calls pdqhash's own compiled PDQ entry point directly when the installed
pdqhash is a version known to export it (saving pdqhash's Python-side conversions); otherwise it
uses ``pdqhash.compute``. Both give identical hashes (tests/media/test_media_pdq.py checks).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pdqhash
import PIL
from numpy.typing import NDArray
from PIL import Image, _imaging

from vigil.errors import ParseError
from vigil.media.decoding import (
    DECODE_ERRORS,
    DEFAULT_MAX_PIXELS,
    check_pixels,
    draft_for,
    factor_for,
    open_lazily,
    orientation,
    rgb_reduced,
    strict_decoding,
    transposed,
)

PIPELINE_VERSION = "pdq-prep/1"
MIN_QUALITY = 50
FULL_PIXELS = 32_000_000
"""Images up to this many pixels are hashed at full resolution; larger ones from a reduced copy
(hashing needs about 8 bytes a pixel: 256 MB here)."""
VARIANTS: tuple[str, ...] = (
    "original",
    "rotate-90",
    "rotate-180",
    "rotate-270",
    "flip-x",
    "flip-y",
    "flip-plus-1",
    "flip-minus-1",
)
_NATIVE_VERSIONS = frozenset({"0.2.8"})
_LUMA_BLOCK = 1 << 18  # pixels per block of the luminance computation
_SYM_ONE = (
    "_ZN8facebook3pdq7hashing23pdqHash256FromFloatLumaEPfS2_iiPA64_fS4_PA16_fRNS1_7Hash256ERi"
)
_SYM_DIH = (
    "_ZN8facebook3pdq7hashing33pdqDihedralHash256esFromFloatLumaEPfS2_iiPA64_fS4_PA16_fS6_"
    "PNS1_7Hash256ES8_S8_S8_S8_S8_S8_S8_Ri"
)


@dataclass(frozen=True, slots=True)
class PdqHash:
    """A 256-bit PDQ hash as 64 hex digits, with the quality (0-100) of the image it came from."""

    hex: str
    quality: int

    def code(self) -> bytes:
        """The 32 raw bytes (for binary indexes)."""
        return bytes.fromhex(self.hex)

    def scorable(self, min_quality: int = MIN_QUALITY) -> bool:
        """Whether the quality is high enough for a match or no-match to mean anything."""
        return self.quality >= min_quality


@dataclass(frozen=True, slots=True)
class Preparation:
    """How the pixels that were hashed were obtained from the file (stored with every hash)."""

    version: str
    decoder: str
    source_format: str
    source_mode: str
    width: int
    height: int
    frame: int
    frames: int
    exif_orientation: int | None
    exif_applied: bool
    colour: str
    resize: str
    hasher: str


@dataclass(frozen=True, slots=True)
class PdqResult:
    """The PDQ hash of an image, how it was prepared, and the 8 dihedral variants if asked for."""

    hash: PdqHash
    preparation: Preparation
    dihedral: tuple[PdqHash, ...] = ()

    def variants(self) -> tuple[tuple[str, PdqHash], ...]:
        """``(variant name, hash)`` pairs: all eight when computed, else just the original."""
        if not self.dihedral:
            return (("original", self.hash),)
        return tuple(zip(VARIANTS, self.dihedral, strict=True))


def reuse_decoder_memory(blocks: int = 8) -> None:
    """Let Pillow keep up to ``blocks`` freed image-memory blocks for the next image.

    Process-wide (a Pillow setting), so it is never done on import: a scanning service or worker
    calls it once. On large photos it saves tens of thousands of page faults per image, which
    is what limits scaling across processes on a virtual machine.
    """
    _imaging.set_blocks_max(blocks)


def distance(a: str, b: str) -> int:
    """Hamming distance between two hex PDQ hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _words_to_hex(words: NDArray[np.uint16]) -> str:
    return words[::-1].astype(">u2").tobytes().hex()


def _vector_to_hex(vector: NDArray[np.integer]) -> str:
    return np.packbits(np.asarray(vector, dtype=np.uint8)).tobytes().hex()


@cache
def _native() -> tuple[Any, Any] | None:
    """pdqhash's compiled entry points, when the installed version is one known to export them."""
    if pdqhash.__version__ not in _NATIVE_VERSIONS:
        return None
    try:
        lib = ctypes.CDLL(pdqhash.bindings.__file__)
        one, dih = getattr(lib, _SYM_ONE), getattr(lib, _SYM_DIH)
    except (OSError, AttributeError):
        return None
    ptr = ctypes.c_void_p
    one.restype = dih.restype = None
    one.argtypes = [ptr, ptr, ctypes.c_int, ctypes.c_int, ptr, ptr, ptr, ptr, ptr]
    dih.argtypes = [ptr, ptr, ctypes.c_int, ctypes.c_int, ptr, ptr, ptr, ptr] + [ptr] * 9
    return one, dih


def backend() -> str:
    """Which pdqhash path hashes pixels here: ``native`` or ``pdqhash.compute``."""
    return "native" if _native() is not None else "pdqhash.compute"


def _luma_of(im: Image.Image) -> NDArray[np.float32]:
    """:func:`_luma` of an RGB image, read from it in bands (no full-size array copy)."""
    width, height = im.size
    out = np.empty((height, width), np.float32)
    rows = max(1, _LUMA_BLOCK // max(1, width))
    for start in range(0, height, rows):
        band = np.asarray(im.crop((0, start, width, min(height, start + rows))), dtype=np.uint8)
        out[start : start + band.shape[0]] = _luma(band)
    return out


def _luma(rgb: NDArray[np.uint8]) -> NDArray[np.float32]:
    """pdqhash's luminance, bit for bit: float64 products summed in order, then float32.

    Computed in blocks of rows so the float64 temporaries stay small (a few MB, reused) instead
    of two full-size arrays: fewer page faults and better cache use on large photos.
    """
    height, width = rgb.shape[0], rgb.shape[1]
    out = np.empty((height, width), np.float32)
    rows = max(1, _LUMA_BLOCK // max(1, width))
    acc = np.empty((min(rows, height), width))
    tmp = np.empty_like(acc)
    for start in range(0, height, rows):
        block = rgb[start : start + rows]
        n = block.shape[0]
        a, t = acc[:n], tmp[:n]
        np.multiply(block[..., 0], 0.299, out=a)
        np.multiply(block[..., 1], 0.587, out=t)
        a += t
        np.multiply(block[..., 2], 0.114, out=t)
        a += t
        out[start : start + n] = a
    return out


def hash_rgb(
    rgb: NDArray[np.uint8], *, dihedral: bool = False, use_native: bool = True
) -> tuple[PdqHash, ...]:
    """PDQ of an H x W x 3 uint8 RGB array: one hash, or the eight dihedral variants."""
    if rgb.ndim != 3 or rgb.shape[2] < 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected an HxWx3 uint8 array, got {rgb.dtype} {rgb.shape}")
    native = _native() if use_native else None
    if native is None:
        if dihedral:
            vectors, quality = pdqhash.compute_dihedral(rgb)
            return tuple(PdqHash(_vector_to_hex(v), int(quality)) for v in vectors)
        vector, quality = pdqhash.compute(rgb)
        return (PdqHash(_vector_to_hex(vector), int(quality)),)
    return _hash_luma(_luma(rgb), native, dihedral)


def _hash_luma(
    gray: NDArray[np.float32], native: tuple[Any, Any], dihedral: bool
) -> tuple[PdqHash, ...]:
    """PDQ of a luminance array with pdqhash's compiled code (which overwrites ``gray``)."""
    scratch = np.empty_like(gray)
    b64 = np.empty((64, 64), np.float32)
    b16x64 = np.empty((16, 64), np.float32)
    b16 = np.empty((16, 16), np.float32)
    quality = np.zeros(1, np.int32)
    rows, cols = gray.shape
    if not dihedral:
        words = np.zeros(16, np.uint16)
        native[0](
            gray.ctypes.data,
            scratch.ctypes.data,
            rows,
            cols,
            b64.ctypes.data,
            b16x64.ctypes.data,
            b16.ctypes.data,
            words.ctypes.data,
            quality.ctypes.data,
        )
        return (PdqHash(_words_to_hex(words), int(quality[0])),)
    aux = np.empty((16, 16), np.float32)
    out = np.zeros((8, 16), np.uint16)
    native[1](
        gray.ctypes.data,
        scratch.ctypes.data,
        rows,
        cols,
        b64.ctypes.data,
        b16x64.ctypes.data,
        b16.ctypes.data,
        aux.ctypes.data,
        *(out[i].ctypes.data for i in range(8)),
        quality.ctypes.data,
    )
    return tuple(PdqHash(_words_to_hex(out[i]), int(quality[0])) for i in range(8))


def hash_image(
    data: bytes,
    *,
    name: str = "<image>",
    exif_transpose: bool = False,
    dihedral: bool = False,
    max_side: int | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> PdqResult:
    """Decode an image file's bytes and PDQ-hash it; ParseError when it cannot be decoded or
    has more than ``max_pixels`` pixels (checked before decoding)."""
    try:
        with strict_decoding():
            im = open_lazily(data)
            fmt, mode = im.format or "?", im.mode
            size = im.size
            factor = 1 if max_side is not None else factor_for(size, FULL_PIXELS)
            scale = draft_for(im, factor)
            check_pixels(im, name, max_pixels)
            frames = getattr(im, "n_frames", 1)
            turn = orientation(im)
            im.seek(0)
            resize = "none (full resolution)"
            if factor > 1:
                factor = factor_for(im.size, FULL_PIXELS)
                steps = [f"JPEG decoded at 1/{scale} scale (Pillow draft)"] if scale > 1 else []
                if factor > 1:
                    steps.append(f"Pillow reduce({factor}) (box average)")
                resize = (
                    f"{' then '.join(steps)}: {size[0]}x{size[1]} is over {FULL_PIXELS:,} pixels"
                )
            colour = "as decoded (RGB)" if mode == "RGB" else f"Pillow convert('RGB') from {mode}"
            rgb = rgb_reduced(im, factor)
            del im
            if exif_transpose:
                rgb = transposed(rgb, turn)
            if max_side is not None and max(rgb.size) > max_side:
                scale_to = max_side / max(rgb.size)
                new = (max(1, round(rgb.width * scale_to)), max(1, round(rgb.height * scale_to)))
                rgb = rgb.resize(new, Image.Resampling.LANCZOS)
                resize = f"Pillow resize to {new[0]}x{new[1]} (longest side {max_side}), Lanczos"
    except ParseError:
        raise
    except DECODE_ERRORS as exc:
        raise ParseError(f"cannot decode image: {exc}", file=name) from exc
    width, height = rgb.size
    native = _native()
    if native is None:
        hashes = hash_rgb(np.asarray(rgb, dtype=np.uint8), dihedral=dihedral)
    else:
        gray = _luma_of(rgb)
        del rgb
        hashes = _hash_luma(gray, native, dihedral)
    prep = Preparation(
        version=PIPELINE_VERSION,
        decoder=f"Pillow {PIL.__version__}",
        source_format=fmt,
        source_mode=mode,
        width=int(width),
        height=int(height),
        frame=0,
        frames=int(frames),
        exif_orientation=turn,
        exif_applied=exif_transpose,
        colour=colour,
        resize=resize,
        hasher=f"pdqhash {pdqhash.__version__} ({backend()})",
    )
    return PdqResult(hashes[0], prep, hashes if dihedral else ())
