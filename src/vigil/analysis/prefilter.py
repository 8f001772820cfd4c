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
  characters by :func:`run_verdict` (the scanner does this straight from the scan's hits,
  once per distinct run: :func:`run_verdicts`). Emoji, most symbols and letters of other
  scripts are left alone by every normaliser step (:func:`safe_char`), so a message whose runs
  hold only such characters is plain after all. A run that also holds invisible characters
  (emoji joined by zero-width joiners, variation selectors) but keeps at least one safe one is
  *strippable*: step 1 deletes the invisible characters and no other step reacts, because
  what is left of the run still stands between the same ASCII neighbours (every expression
  here reads any non-ASCII byte alike). Such a message normalises to its lower-cased text
  without its invisible characters (:func:`stripped`); the scanner matches that text instead
  of normalising it;
- ASCII whitespace other than one space between words, leading spaces, empty messages made of
  spaces (step 5);
- trailing spaces (step 5 trims them; no expression: the scanner reads each message's last
  byte at the separators it finds anyway): a message ending in a space that fires nothing
  (or only :data:`NON_ASCII`, with safe characters) normalises to its lower-cased text
  without its trailing spaces. That text is a prefix of the lower-cased text, so every
  pattern match in it is also a match in the text scanned (patterns have no anchors but
  ``\\b`` and no lookarounds, see ``pattern_subset.check_pattern``): the scan finds its
  candidates, and they are confirmed on the trimmed text (:func:`plain_form`);
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

from vigil.analysis.normalise import _INVISIBLE, _INVISIBLE_RE, _data

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


SAFE, STRIPPABLE, UNSAFE = 0, 1, 2
"""What :func:`run_verdict` says of a run of non-ASCII characters."""


@functools.lru_cache(maxsize=1 << 16)
def run_verdict(run: bytes) -> int:
    """:data:`SAFE` when every character of the UTF-8 ``run`` is a :func:`safe_char`;
    :data:`STRIPPABLE` when the others are invisible characters (step 1 deletes them) and at
    least one safe character stays; else :data:`UNSAFE`. Chats repeat the same few emoji, so
    the answer is cached by the bytes."""
    try:
        chars = run.decode("utf-8")
    except UnicodeDecodeError:
        return UNSAFE
    safe = [safe_char(ch) for ch in chars]
    if all(safe):
        return SAFE
    if any(safe) and all(ok or ch in _INVISIBLE for ok, ch in zip(safe, chars, strict=True)):
        return STRIPPABLE
    return UNSAFE


def stripped(text: str) -> str:
    """``text`` without the invisible characters step 1 deletes (NUL aside: NUL-joined texts
    stay joined), lower-cased."""
    return _INVISIBLE_RE.sub("", text).lower()


RUN_WINDOW = 32
"""Bytes of a run :func:`run_verdicts` compares at once (a multiple of 8); longer runs are
read one by one."""
_MIX = 0x9E3779B97F4A7C15  # an odd 64-bit multiplier to combine the window's words


def run_verdicts(data: bytes, starts: Any) -> Any:
    """For each start (a numpy int array of offsets in ``data`` where a run of non-ASCII bytes
    begins), that run's :func:`run_verdict` (a numpy int8 array).

    A chat repeats the same few emoji in a quarter of its messages: the runs are cut out in
    fixed windows with numpy, grouped by a hash of the window (each row is then compared with
    its group's first row, so a collision only costs a separate check), and only one run per
    group is checked.
    """
    import numpy as np

    if len(starts) == 0:
        return np.zeros(0, dtype=np.int8)
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
    verdicts = [run_verdict(window[i].tobytes().rstrip(b"\x00")) for i in first]
    result = np.array(verdicts, dtype=np.int8)[group]
    own = ~(window == window[first[group]]).all(axis=1) | (length == RUN_WINDOW)
    for i in np.flatnonzero(own):  # a hash collision, or a run maybe longer than the window
        run = NON_ASCII_RUN.match(data, int(starts[i]))
        result[i] = run_verdict(run.group())  # type: ignore[union-attr]
    return result


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
    ``text.lower()``, or that without trailing spaces, or without invisible characters in
    strippable runs; None when they cannot."""
    if "\x00" in text:
        return None
    base = text
    if not text.isascii():
        # (a lone surrogate, which JSON can carry, encodes with surrogatepass and is unsafe)
        verdicts = {
            run_verdict(r.encode("utf-8", "surrogatepass")) for r in _TEXT_RUN.findall(text)
        }
        if UNSAFE in verdicts:
            return None
        if STRIPPABLE in verdicts:
            base = _INVISIBLE_RE.sub("", text)
        if not unicodedata.is_normalized("NFKC", base):
            return None
    folded = text.lower()
    trimmed = folded.rstrip(" ")
    if not trimmed:  # empty (plain), or all spaces (leading spaces: not plain)
        return None if folded else ""
    probe = trimmed if text.isascii() else trimmed.encode("utf-8").decode("latin-1")
    # (the expressions read the bytes the scan reads; safe characters are left as they are)
    if _python_untrusted().search(probe) is not None:
        return None
    return trimmed if base is text else base.lower().rstrip(" ")


def is_plain(text: str) -> bool:
    """True when the normaliser would return ``text.lower()`` unchanged (by these rules)."""
    return plain_form(text) == text.lower()
