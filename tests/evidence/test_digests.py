"""The digests' JSON: orjson's bytes are the standard library's, on every kind of character."""

from __future__ import annotations

import json
import random

import pytest

from vigil.evidence import digests

_STDLIB = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _stdlib(rows: object) -> bytes:
    return _STDLIB(rows).encode("utf-8", "surrogatepass")


def _text(rng: random.Random) -> str:
    out = []
    for _ in range(rng.randint(0, 24)):
        r = rng.random()
        if r < 0.5:  # ASCII, control characters, quotes and backslashes included
            out.append(chr(rng.randint(0, 0x7F)))
        elif r < 0.75:
            out.append(chr(rng.randint(0x80, 0xD7FF)))
        else:
            out.append(chr(rng.randint(0xE000, 0x10FFFF)))
    return "".join(out)


def test_same_bytes_as_the_standard_library() -> None:
    rng = random.Random(7)
    for _ in range(20_000):
        row = [rng.randint(-(2**63), 2**63 - 1), _text(rng), None, 1, 0, _text(rng)]
        assert digests._encode([row]) == _stdlib([row])


@pytest.mark.parametrize(
    "row",
    [
        [1, "a\ud800b", None],  # a lone surrogate (JSON exports can carry one)
        [2**70, "big", None],  # beyond 64 bits
        [0, '\u2028\u2029\x7f\x00\x1f"\\', None],
    ],
)
def test_what_orjson_refuses_is_written_as_before(row: list[object]) -> None:
    assert digests._encode([row]) == _stdlib([row])


def test_roots_unchanged_by_the_encoder() -> None:
    """A root computed now equals one computed with the standard library's encoder."""
    rows = [
        (i, 1, f"2024-01-01 10:00:{i % 60:02d}.000000", None, 0, f"message {i} é 😀", None,
         None, None, None, 0, 0, 0, 0, f"line {i}", None)
        for i in range(600)
    ]  # fmt: skip
    d = digests.MessageDigest()
    for r in rows:
        d.add(r)
    expected = digests.MerkleBuilder()
    for at in range(0, len(rows), digests.BLOCK):
        expected.add_leaf(_stdlib(rows[at : at + digests.BLOCK]))
    assert d.root() == expected.root()
