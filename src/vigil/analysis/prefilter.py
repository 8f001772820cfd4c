"""Which messages the normaliser would leave as plain ``str.lower()`` text.

Most chat messages are plain ASCII words separated by single spaces, with no shorthand, no
digits or symbols inside words, no stretched letters and no spacing tricks. For such a message
:func:`vigil.analysis.normalise.normalise` returns exactly ``text.lower()``, so the taxonomy
patterns can be matched on the lower-cased text directly and the normaliser can be skipped.

:func:`untrusted_patterns` lists Hyperscan expressions (over the UTF-8 bytes of lower-cased
text) that fire on every message the normaliser *might* change. They err on the side of
firing: a message that fires is simply normalised as before, so the only requirement is that a
message that fires none of them really is left unchanged. Each expression below names the
normaliser step it guards (see the step list in ``normalise.py``):

- any non-ASCII byte (:data:`NON_ASCII`, always the first expression): invisible characters,
  NFKC, case folding beyond ASCII, typographic punctuation and look-alike letters are all
  non-ASCII (the one ASCII punctuation entry, the backtick, has its own expression). A message
  this is the only expression to fire on is checked once more: each run of its non-ASCII
  characters by :func:`safe_run` (the scanner does this straight from the scan's hits, once
  per distinct run: :func:`unsafe_runs`; :func:`only_safe_non_ascii` is the same test on a
  whole text). Emoji, most symbols and
  letters of other scripts are left alone by every normaliser step, so such a message is plain
  after all;
- ASCII whitespace other than one space between words, leading spaces, empty messages made of
  spaces (step 5);
- trailing spaces (step 5 trims them; no expression: the scanner reads each message's last
  byte at the separators it finds anyway): a message ending in a space that fires nothing
  (or only :data:`NON_ASCII`, with safe characters) normalises to its lower-cased text
  without its trailing spaces. That text is a prefix of the lower-cased text, so every pattern match in it is
  also a match in the text scanned (patterns have no anchors but ``\\b`` and no lookarounds, see
  ``taxonomy_load.check_pattern``): the scan finds its candidates, and they are confirmed on
  the trimmed text (:func:`plain_form`);
- three single letters separated by single spaces with no word character either side
  (step 4, spacing tricks);
- a letter, then ``.``/``-``/``/``, a letter, the same again (step 6b, dotted letters);
- a digit, ``@`` or ``$`` next to a letter (step 6c, leet: a leet token holds both, so
  somewhere one touches the other);
- three of the same letter in a row (step 6d, stretched letters);
- every shorthand variant as a whole token (step 6e).

A NUL inside a message is handled by the caller (it never reaches the scan).
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from typing import Any

from vigil.analysis.normalise import _INVISIBLE, _data

_NOT_WORD = r"[^a-z0-9_]"
NON_ASCII = 0
"""Index of the non-ASCII expression in :func:`untrusted_patterns`."""
_JAMO = ((0x1100, 0x11FF), (0xA960, 0xA97F), (0xD7B0, 0xD7FF))  # compose under NFKC


@functools.cache
def safe_char(ch: str) -> bool:
    """True for a non-ASCII character that no normaliser step changes or reacts to.

    Excluded: marks, separators, controls and format characters (invisible, or they compose
    with a neighbour under NFKC), conjoining Hangul jamo, anything NFKC or case folding
    changes, whitespace, and the normaliser's look-alike letters and typographic punctuation.
    What is left (emoji, symbols, most letters of other scripts) can only make the
    normaliser's word-boundary tests stricter than the prefilter's ASCII ones, never looser.
    """
    if ch.isascii() or ch in _INVISIBLE or ch.isspace():
        return False
    if unicodedata.category(ch)[0] in "MZC":
        return False
    cp = ord(ch)
    if any(low <= cp <= high for low, high in _JAMO):
        return False
    if unicodedata.normalize("NFKC", ch) != ch or ch.casefold() != ch or ch.lower() != ch:
        return False
    data = _data()
    return ch not in data.letters and ch not in data.punctuation


NON_ASCII_RUN = re.compile(rb"[\x80-\xff]+")
"""A run of non-ASCII bytes: in UTF-8, whole characters."""
_TEXT_RUN = re.compile("[^\x00-\x7f]+")


@functools.lru_cache(maxsize=1 << 16)
def safe_run(run: bytes) -> bool:
    """True when every character of the UTF-8 ``run`` is a :func:`safe_char` (chats repeat the
    same few emoji, so the answer is cached by the bytes)."""
    try:
        return all(map(safe_char, run.decode("utf-8")))
    except UnicodeDecodeError:
        return False


RUN_WINDOW = 32
"""Bytes of a run :func:`unsafe_runs` compares at once (a multiple of 8); longer runs are
read one by one."""
_MIX = 0x9E3779B97F4A7C15  # an odd 64-bit multiplier to combine the window's words


def unsafe_runs(data: bytes, starts: Any) -> Any:
    """For each start (a numpy int array of offsets in ``data`` where a run of non-ASCII bytes
    begins), whether that run is not a :func:`safe_run`.

    A chat repeats the same few emoji in a quarter of its messages: the runs are cut out in
    fixed windows with numpy, grouped by a hash of the window (each row is then compared with
    its group's first row, so a collision only costs a separate check), and only one run per
    group is checked.
    """
    import numpy as np

    if len(starts) == 0:
        return np.zeros(0, dtype=bool)
    arr = np.frombuffer(data, dtype=np.uint8)
    pos = starts[:, None] + np.arange(RUN_WINDOW)
    window = np.where(pos < arr.size, arr[np.minimum(pos, arr.size - 1)], 0).astype(np.uint8)
    high = window >= 0x80
    length = np.where(high.all(axis=1), RUN_WINDOW, np.argmin(high, axis=1))
    window[np.arange(RUN_WINDOW) >= length[:, None]] = 0  # non-ASCII bytes are never 0
    words = window.view(np.uint64)
    key = words[:, 0].copy()
    for k in range(1, words.shape[1]):
        key = key * np.uint64(_MIX) ^ words[:, k]
    _keys, first, group = np.unique(key, return_index=True, return_inverse=True)
    group = group.ravel()
    bad = np.array([not safe_run(window[i].tobytes().rstrip(b"\x00")) for i in first])
    result = bad[group]
    own = ~(window == window[first[group]]).all(axis=1) | (length == RUN_WINDOW)
    for i in np.flatnonzero(own):  # a hash collision, or a run maybe longer than the window
        run = NON_ASCII_RUN.match(data, int(starts[i]))
        result[i] = not safe_run(run.group())  # type: ignore[union-attr]
    return result


def only_safe_non_ascii(text: str) -> bool:
    """True when every non-ASCII character of ``text`` is a :func:`safe_char`."""
    runs = _TEXT_RUN.findall(text)
    return all(safe_run(r.encode("utf-8")) for r in runs) and unicodedata.is_normalized(
        "NFKC", text
    )


@functools.cache
def untrusted_patterns() -> tuple[str, ...]:
    """Hyperscan expressions over raw bytes (no UTF-8 flag); see the module docstring."""
    data = _data()
    ascii_punct = sorted(ch for ch in data.punctuation if ch.isascii())
    out: list[str] = [
        r"(?:^|[\x00-\x7f])[\x80-\xff]",  # once per run of non-ASCII bytes, not per byte
        r"[\t\n\x0b\x0c\r\x1c-\x1f]",
        r"  |^ |\x00 ",
        rf"(?:^|{_NOT_WORD})[a-z] [a-z] [a-z](?:{_NOT_WORD}|$)",
        r"[a-z][./\-][a-z][./\-][a-z]",
        r"[a-z][0-9@$]|[0-9@$][a-z]",
        "|".join(ch * 3 for ch in string.ascii_lowercase),
    ]
    if ascii_punct:
        out.append("[" + "".join(re.escape(ch) for ch in ascii_punct) + "]")
    # one alternation of every variant: Hyperscan's literal matcher takes them in one pass
    # (a third faster than one expression per initial letter, measured on bench/scan.py text)
    variants = "|".join(re.escape(v) for v in sorted(data.expansions))
    out.append(f"(?:^|{_NOT_WORD})(?:{variants})(?:{_NOT_WORD}|$)")
    return tuple(out)


@functools.cache
def _python_untrusted() -> re.Pattern[str]:
    """The same test with Python ``re`` over one lower-cased message's bytes read as Latin-1,
    the non-ASCII expression left out (:func:`is_plain` checks those characters itself)."""
    exprs = untrusted_patterns()
    return re.compile("|".join(f"(?:{e})" for i, e in enumerate(exprs) if i != NON_ASCII))


def plain_form(text: str) -> str | None:
    """What the normaliser returns for ``text`` when these rules can tell without running it:
    ``text.lower()``, or that without trailing spaces; None when they cannot."""
    if "\x00" in text or not (text.isascii() or only_safe_non_ascii(text)):
        return None
    folded = text.lower()
    trimmed = folded.rstrip(" ")
    if not trimmed:  # empty (plain), or all spaces (leading spaces: not plain)
        return None if folded else ""
    probe = trimmed if text.isascii() else trimmed.encode("utf-8").decode("latin-1")
    # (the expressions read bytes; safe characters are left as they are)
    return trimmed if _python_untrusted().search(probe) is None else None


def is_plain(text: str) -> bool:
    """True when the normaliser would return ``text.lower()`` unchanged (by these rules)."""
    return plain_form(text) == text.lower()
