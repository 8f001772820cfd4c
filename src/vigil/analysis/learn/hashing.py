"""Hashed word n-gram features computed with NumPy, a batch of texts at a time (pure).

Vigil's learned model reads hashed word 1- and 2-grams. scikit-learn's ``HashingVectorizer``
builds every n-gram as a Python string, which made the model the slowest step of ``vigil
scan``; this module gets the same kind of features from array arithmetic on the UTF-8 bytes:

- the batch is lower-cased and joined with newlines, and encoded to UTF-8 once;
- a *word* is a run of bytes that are ASCII letters, digits or ``_``, or any byte of a
  non-ASCII character (so words of every script stay whole; emoji join the word they touch);
- each word's hash is a polynomial hash of its bytes modulo 2^64, from prefix sums (the
  modular inverse of the odd base makes a word's hash a difference of two prefix sums);
- a 2-gram's hash mixes the hashes of two neighbouring words of the same text;
- every hash is finalised with the SplitMix64 mixer and its top bits pick one of
  ``2**bits`` columns.

Counts are damped with ``log1p`` and each row scaled to unit length, as before. The same text
always lands in the same columns on every machine (nothing depends on Python's ``hash``).
:func:`gram_columns` gives the column of each n-gram of one text, for explanations.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

_BASE = np.uint64(0x9E3779B97F4A7C15 | 1)
_INV = np.uint64(pow(int(_BASE), -1, 2**64))
_BIGRAM_SALT = np.uint64(0xD6E8FEB86659FD93)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_WORD = np.zeros(256, dtype=bool)
_WORD[[*range(ord("0"), ord("9") + 1), *range(ord("a"), ord("z") + 1), ord("_")]] = True
_WORD[[*range(ord("A"), ord("Z") + 1)]] = True
_WORD[0x80:] = True
U64 = npt.NDArray[np.uint64]


def _mix(x: U64) -> U64:
    """SplitMix64's finaliser: every input bit affects every output bit."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))  # a new array; the rest in place
        x *= _M1
        x ^= x >> np.uint64(27)
        x *= _M2
        x ^= x >> np.uint64(31)
        return x


def _powers(base: np.uint64, n: int) -> U64:
    out = np.full(n, base, dtype=np.uint64)
    out[0] = 1
    with np.errstate(over="ignore"):
        return np.cumprod(out, dtype=np.uint64)


def _words(data: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Start and end (exclusive) offsets of every word."""
    mask = _WORD[data]
    edges = np.diff(np.concatenate(([False], mask, [False])).astype(np.int8))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


_SHORT = 32
"""Words of up to this many bytes are hashed a byte position at a time (Horner's rule over
all of them at once); longer ones from prefix sums over their own bytes only."""


def _word_hashes(
    data: npt.NDArray[np.uint8], starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]
) -> U64:
    """Polynomial hash of each word's bytes, modulo 2^64: ``h = h * BASE + byte`` over the
    word, plus its length (which keeps "a" and "\x00a" apart)."""
    lengths = ends - starts
    out = np.zeros(len(starts), dtype=np.uint64)
    short = np.flatnonzero(lengths <= _SHORT)
    if len(short):
        # longest first, so the words still going at byte k are a prefix of the order
        # (a byte-sized key: NumPy sorts it by radix, in linear time)
        order = short[np.argsort((_SHORT - lengths[short]).astype(np.uint8), kind="stable")]
        first, size = starts[order], lengths[order]
        going = np.searchsorted(-size, -np.arange(int(size[0])), side="left")
        h = np.zeros(len(order), dtype=np.uint64)
        at = first.copy()  # each word's next byte
        with np.errstate(over="ignore"):
            for n in going.tolist():
                part = h[:n]
                part *= _BASE
                part += data[at[:n]]
                at[:n] += 1
        out[order] = h
    long = np.flatnonzero(lengths > _SHORT)
    if len(long):
        out[long] = _long_word_hashes(data, starts[long], ends[long])
    with np.errstate(over="ignore"):
        return out + lengths.astype(np.uint64)


def _long_word_hashes(
    data: npt.NDArray[np.uint8], starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]
) -> U64:
    """The same hash for long words, from prefix sums (the modular inverse of the odd base
    makes a word's hash a difference of two prefix sums) over the words' bytes alone."""
    lengths = ends - starts
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    within = np.arange(int(offsets[-1])) - np.repeat(offsets[:-1] - starts, lengths)
    packed = data[within]
    n = len(packed)
    new_ends = offsets[1:]
    with np.errstate(over="ignore"):
        weighted = packed.astype(np.uint64) * _powers(_INV, n)
        prefix = np.concatenate(
            (np.zeros(1, dtype=np.uint64), np.cumsum(weighted, dtype=np.uint64))
        )
        raw: U64 = (prefix[new_ends] - prefix[offsets[:-1]]) * _powers(_BASE, n + 1)[new_ends - 1]
    return raw


def gram_hashes(texts: Sequence[str]) -> tuple[npt.NDArray[np.int64], U64]:
    """For a batch of texts: the text index and the mixed hash of every 1-gram and 2-gram."""
    if not texts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    joined = "\n".join(texts).lower().encode("utf-8", "surrogatepass")
    data = np.frombuffer(joined, dtype=np.uint8)
    starts, ends = _words(data)
    lengths = np.fromiter(  # (lower-casing ASCII keeps its length)
        (len(t) if t.isascii() else len(t.lower().encode("utf-8", "surrogatepass")) for t in texts),
        np.int64,
        count=len(texts),
    )
    doc_ends = np.cumsum(lengths + 1) - 1
    doc = np.searchsorted(doc_ends, starts, side="right").astype(np.int64)
    h = _word_hashes(data, starts, ends)
    mixed = _mix(h)
    same = doc[1:] == doc[:-1]
    with np.errstate(over="ignore"):
        bi = h[:-1][same] * _BIGRAM_SALT + mixed[1:][same]
    return np.concatenate((doc, doc[:-1][same])), np.concatenate((mixed, _mix(bi)))


def columns(hashes: U64, bits: int) -> npt.NDArray[np.int64]:
    """The column (top ``bits`` bits) of each mixed hash."""
    return (hashes >> np.uint64(64 - bits)).astype(np.int64)


def _counted(key: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The distinct values of ``key``, ascending, and how often each occurs (what
    ``np.unique(key, return_counts=True)`` gives, in a third of its time)."""
    if key.size == 0:
        return key, np.zeros(0, dtype=np.int64)
    ordered = np.sort(key)
    first = np.empty(ordered.size, dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return ordered[starts], np.diff(np.append(starts, ordered.size))


def _log1p(counts: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """``log1p`` of each count, as the C library computes it (``math.log1p``): NumPy's own
    ``log1p`` can differ in the last bit, and the C scorer (``_grams.c``) must give the same
    doubles as this code."""
    if counts.size == 0:
        return np.zeros(0, dtype=np.float64)
    table = np.array([math.log1p(i) for i in range(int(counts.max()) + 1)], dtype=np.float64)
    return table[counts]


def rows(
    texts: Sequence[str], bits: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The non-zero entries of the feature rows: (row, column, value), each row log1p-damped
    and scaled to unit length."""
    doc, hashes = gram_hashes(texts)
    uniq, counts = _counted(doc * (1 << bits) + columns(hashes, bits))
    r = uniq >> bits
    c = uniq & ((1 << bits) - 1)
    v = _log1p(counts)
    norms = np.sqrt(np.bincount(r, weights=v * v, minlength=len(texts)))
    return r, c, v / norms[r]


def decision(
    texts: Sequence[str], weights: npt.NDArray[np.float64], intercept: float, bits: int
) -> npt.NDArray[np.float64]:
    """``rows(texts) @ weights + intercept`` without building a matrix."""
    r, c, v = rows(texts, bits)
    z = np.bincount(r, weights=v * weights[c], minlength=len(texts)) + intercept
    return np.asarray(z, dtype=np.float64)


def gram_columns(text: str, bits: int) -> list[tuple[str, int]]:
    """Each distinct 1-gram and 2-gram of ``text`` (as words joined by a space) and its column."""
    joined = text.lower().encode("utf-8", "surrogatepass")
    data = np.frombuffer(joined, dtype=np.uint8)
    starts, ends = _words(data)
    words = [joined[s:e].decode("utf-8", "replace") for s, e in zip(starts, ends, strict=True)]
    grams = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
    _, hashes = gram_hashes([text])
    cols = columns(hashes, bits).tolist()
    return sorted(set(zip(grams, cols, strict=True)))
