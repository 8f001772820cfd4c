"""Text normalisation that survives how people type.

Indicator patterns are written once, for a canonical form of English chat text; this module
turns what people actually type into that form. The steps, in order (docs/taxonomy.md explains
each choice):

1. NUL characters (the message separator) and invisible characters (zero-width spaces and
   joiners, direction marks and embeddings, word joiner, BOM, soft hyphen, variation selectors,
   tag characters, Hangul fillers) are removed.
2. Unicode NFKC (fullwidth and mathematical letters, ligatures, non-breaking spaces).
3. Case folding (``str.casefold``).
4. Spacing tricks: three or more single letters separated by single spaces (``d e l e t e``)
   at the start of a message or after a space are joined into one word, unless every letter
   is a common one-letter word or shorthand (``y r u``).
5. Whitespace runs become one space; leading and trailing whitespace goes.
6. Word by word (a word is a run of non-whitespace characters):
   a. typographic punctuation to ASCII (’ to '), and Cyrillic/Greek look-alike letters to
      Latin inside words that also hold a Latin letter;
   b. single letters separated by dots, hyphens or slashes (``a.s.l``, ``d-e-l-e-t-e``) joined;
   c. digits and symbols used as letters (``m33t``, ``@lone``, ``$ecret``) mapped to letters
      when the token mixes them with letters in a leet-like way; numbers, times, ages and
      prices (``14``, ``3pm``, ``14yo``, ``£200``) stay as typed;
   d. stretched letters (three or more of the same letter) collapse to one, or to two when
      that gives a known word (``pleeease`` to please, ``meeeet`` to meet);
   e. chat shorthand and contractions expanded, whole tokens only (``u`` to you, ``ur`` to
      your, ``don't`` to do not).

:func:`normalise` keeps, for every character of the result, the span of the original text it
came from, so a pattern match can be quoted from the original message. :func:`normalise_blob`
is the fast path for millions of messages: it returns exactly
``sep.join(normalise(t).text for t in texts)`` using C-level string operations over joined
chunks and a cache of normalised words. Pure functions: no files beyond the packaged data, no
clock, no database.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from vigil.analysis.yaml_data import parse_yaml

NORMALISER_VERSION = "2"
"""Bumped whenever a change here can change normalised text (part of the taxonomy fingerprint)."""

DATA_FILES = ("shorthand.yaml", "confusables.yaml")

_SEP = "\x00"
_CHUNK = 2000  # messages joined per C-level pass in normalise_blob
_CACHE_LIMIT = 400_000  # distinct words cached before the word cache is cleared

_INVISIBLE_RANGES = (
    (0x00AD, 0x00AD),  # soft hyphen
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x061C, 0x061C),  # Arabic letter mark
    (0x115F, 0x1160),  # Hangul choseong/jungseong fillers
    (0x17B4, 0x17B5),  # Khmer inherent vowels
    (0x180E, 0x180E),  # Mongolian vowel separator
    (0x200B, 0x200F),  # zero-width space, non-joiner, joiner, LRM, RLM
    (0x202A, 0x202E),  # bidi embeddings and overrides
    (0x2060, 0x2064),  # word joiner, invisible operators
    (0x2066, 0x206F),  # bidi isolates, deprecated format characters
    (0x3164, 0x3164),  # Hangul filler
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFEFF, 0xFEFF),  # byte order mark / zero-width no-break space
    (0xFFA0, 0xFFA0),  # halfwidth Hangul filler
    (0xE0000, 0xE007F),  # tag characters
)
_INVISIBLE = frozenset(
    chr(cp) for low, high in _INVISIBLE_RANGES for cp in range(low, high + 1)
) | {_SEP}
_INVISIBLE_RE = re.compile(
    "[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _INVISIBLE_RANGES) + "]"
)
_DROPPED_RE = re.compile(  # step 1's characters, NUL included, in runs
    "[\x00" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _INVISIBLE_RANGES) + "]+"
)
_SPACE_RUN_RE = re.compile(r"\s+")

_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s"}
_LEET_TABLE = str.maketrans(_LEET)
_LEET_CHARS = frozenset(_LEET)
_NOT_LEET_DIGITS = frozenset("269")  # a token holding one of these is a number, not leet
_LETTER_RE = re.compile("[a-z]")
_LEET_TOKEN_RE = re.compile(r"[a-z0-9@$]+")
_DIGITS_THEN_LETTERS_RE = re.compile(r"([0-9]+)([a-z]+)")
_INTERIOR_LEET_RE = re.compile(r"[a-z][0134578@$]+[a-z]")
_SPACED_RE = re.compile(r"[a-z](?: [a-z]){2,}(?![\w'])")
_SPACED_AFTER_SPACE_RE = re.compile(r" [a-z] [a-z] [a-z](?![\w'])")  # literal prefix: fast
_SPACED_AFTER_SEP_RE = re.compile(r"\x00[a-z] [a-z] [a-z](?![\w'])")
_DOTTED_RE = re.compile(r"(?<![\w'])[a-z]([./-])[a-z](?:\1[a-z])+(?![\w'])")
_WORD_CHARS_RE = re.compile(r"\w+")
_LETTER_RUN_RE = re.compile(r"[a-z]+")
_TRIPLE_RE = re.compile(r"([a-z])\1\1")
_SHORTHAND_RE = re.compile(r"(?<![\w'@&/])[a-z0-9@&]+(?:'[a-z]+)?(?![\w'@&/])")


@dataclass(frozen=True)
class _Data:
    expansions: dict[str, str]
    single_letters: frozenset[str]
    number_suffixes: frozenset[str]
    doubles: frozenset[str]
    keep_runs: frozenset[str]
    letters: dict[str, str]
    punctuation: dict[str, str]


def _read_yaml(name: str) -> dict[str, Any]:
    text = resources.files("vigil.analysis").joinpath(name).read_text(encoding="utf-8")
    data = parse_yaml(text)
    if not isinstance(data, dict):
        raise ValueError(f"{name}: expected a mapping at the top level")
    return data


@functools.cache
def _data() -> _Data:
    short = _read_yaml("shorthand.yaml")
    conf = _read_yaml("confusables.yaml")
    expansions: dict[str, str] = {}
    for canonical, variants in short["expansions"].items():
        for variant in variants:
            expansions[str(variant)] = str(canonical)
    return _Data(
        expansions=expansions,
        single_letters=frozenset(str(x) for x in short["single_letter_words"]),
        number_suffixes=frozenset(str(x) for x in short["number_suffixes"]),
        doubles=frozenset(str(x) for x in short["double_letter_words"]),
        keep_runs=frozenset(str(x) for x in short["keep_runs"]),
        letters={str(k): str(v) for k, v in conf["letters"].items()},
        punctuation={str(k): str(v) for k, v in conf["punctuation"].items()},
    )


# --- tracked text: a string plus, per character, the original span it came from ---------


class _Tracked:
    __slots__ = ("ends", "starts", "text")

    def __init__(self, text: str, starts: list[int], ends: list[int]) -> None:
        self.text = text
        self.starts = starts
        self.ends = ends


def _identity(text: str) -> _Tracked:
    return _Tracked(text, list(range(len(text))), list(range(1, len(text) + 1)))


def _map_chars(t: _Tracked, fn: Callable[[str], str]) -> _Tracked:
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for ch, a, b in zip(t.text, t.starts, t.ends, strict=True):
        rep = fn(ch)
        out.append(rep)
        starts.extend([a] * len(rep))
        ends.extend([b] * len(rep))
    return _Tracked("".join(out), starts, ends)


Piece = tuple[str, int, int]
"""Replacement text and the [start, end) it came from, relative to the replaced span."""
Edit = tuple[int, int, list[Piece]]
"""Replace text[start:end] by the pieces, in order."""


def _apply_edits(t: _Tracked, edits: Iterable[Edit]) -> _Tracked:
    if isinstance(edits, list) and not edits:
        return t
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for a, b, pieces in edits:
        out.append(t.text[pos:a])
        starts.extend(t.starts[pos:a])
        ends.extend(t.ends[pos:a])
        for rep, ra, rb in pieces:
            out.append(rep)
            starts.extend([t.starts[a + ra]] * len(rep))
            ends.extend([t.ends[a + rb - 1]] * len(rep))
        pos = b
    out.append(t.text[pos:])
    starts.extend(t.starts[pos:])
    ends.extend(t.ends[pos:])
    return _Tracked("".join(out), starts, ends)


def _apply_edits_text(text: str, edits: Iterable[Edit]) -> str:
    out: list[str] = []
    pos = 0
    for a, b, pieces in edits:
        out.append(text[pos:a])
        out.extend(rep for rep, _, _ in pieces)
        pos = b
    out.append(text[pos:])
    return "".join(out)


def _nfkc(t: _Tracked) -> _Tracked:
    """NFKC with offsets: each starter and its combining marks normalise as one cluster."""
    if t.text.isascii() or unicodedata.is_normalized("NFKC", t.text):
        return t
    whole = unicodedata.normalize("NFKC", t.text)
    if whole == t.text:
        return t
    text = t.text
    bounds = [i for i, ch in enumerate(text) if i == 0 or unicodedata.combining(ch) == 0]
    bounds.append(len(text))
    parts = [unicodedata.normalize("NFKC", text[a:b]) for a, b in itertools.pairwise(bounds)]
    if "".join(parts) != whole:  # compositions across clusters (Hangul jamo and the like)
        safe = [0]
        for b in bounds[1:-1]:
            if (
                unicodedata.normalize("NFKC", text[:b]) + unicodedata.normalize("NFKC", text[b:])
                == whole
            ):
                safe.append(b)
        bounds = [*safe, len(text)]
        parts = [unicodedata.normalize("NFKC", text[a:b]) for a, b in itertools.pairwise(bounds)]
    edits = [
        (a, b, [(part, 0, b - a)] if part else [])
        for (a, b), part in zip(itertools.pairwise(bounds), parts, strict=True)
    ]
    return _apply_edits(t, edits)


# --- steps shared by both paths ------------------------------------------------------------


def _spaced_edits(text: str) -> list[Edit]:
    """Runs of >= 3 single letters separated by single spaces, to be joined into one word.

    A run starts a message or follows a space, and ends before a character that is not a
    letter, digit, underscore or apostrophe.
    """
    single = _data().single_letters
    edits: list[Edit] = []

    def take(m: re.Match[str]) -> None:
        letters = m.group()[::2]
        if not set(letters) <= single:
            edits.append(
                (m.start(), m.end(), [(ch, 2 * i, 2 * i + 1) for i, ch in enumerate(letters)])
            )

    starts = [m.start() + 1 for m in _SPACED_AFTER_SPACE_RE.finditer(text)]
    if _SEP in text:
        starts.extend(m.start() + 1 for m in _SPACED_AFTER_SEP_RE.finditer(text))
        starts.sort()
    if _SPACED_RE.match(text, 0) is not None:
        starts.insert(0, 0)
    pos = 0
    for start in starts:
        if start < pos:  # inside a run already taken
            continue
        run = _SPACED_RE.match(text, start)
        if run is not None:
            take(run)
            pos = run.end()
    return edits


def _dotted_edits(text: str) -> list[Edit]:
    single = _data().single_letters
    edits: list[Edit] = []
    for m in _DOTTED_RE.finditer(text):
        letters = m.group()[::2]
        if not set(letters) <= single:
            edits.append(
                (m.start(), m.end(), [(ch, 2 * i, 2 * i + 1) for i, ch in enumerate(letters)])
            )
    return edits


def _confusable_edits(text: str) -> list[Edit]:
    letters = _data().letters
    edits: list[Edit] = []
    for m in _WORD_CHARS_RE.finditer(text):
        word = m.group()
        if any(ch in letters for ch in word) and any("a" <= ch <= "z" for ch in word):
            edits.append(
                (m.start(), m.end(), [(letters.get(ch, ch), i, i + 1) for i, ch in enumerate(word)])
            )
    return edits


def _is_leet(token: str) -> bool:
    data = _data()
    if token in data.expansions:
        return False
    if _LEET_CHARS.isdisjoint(token) or _LETTER_RE.search(token) is None:
        return False
    if not _NOT_LEET_DIGITS.isdisjoint(token):
        return False
    lead = _DIGITS_THEN_LETTERS_RE.fullmatch(token)
    if lead is not None:  # 3pm, 14yo, 5mins stay; 4lone, 3vil are leet
        return len(lead[1]) == 1 and len(lead[2]) >= 3 and lead[2] not in data.number_suffixes
    if token[0] in "@$" and len(token) > 1 and "a" <= token[1] <= "z":
        return True
    return _INTERIOR_LEET_RE.search(token) is not None


def _leet_edits(text: str) -> list[Edit]:
    edits: list[Edit] = []
    for m in _LEET_TOKEN_RE.finditer(text):
        token = m.group()
        if _is_leet(token):
            mapped = token.translate(_LEET_TABLE)
            edits.append((m.start(), m.end(), [(ch, i, i + 1) for i, ch in enumerate(mapped)]))
    return edits


def _destretch(word: str) -> list[Piece]:
    data = _data()
    groups = [(ch, len(list(run))) for ch, run in itertools.groupby(word)]
    long_runs = [i for i, (_, n) in enumerate(groups) if n >= 3]
    doubled: set[int] = set()
    if len(long_runs) <= 3:
        for size in range(1, len(long_runs) + 1):
            for combo in itertools.combinations(long_runs, size):
                candidate = "".join(
                    ch * (n if n < 3 else 2 if i in combo else 1)
                    for i, (ch, n) in enumerate(groups)
                )
                if candidate in data.doubles:
                    doubled = set(combo)
                    break
            if doubled:
                break
    pieces: list[Piece] = []
    pos = 0
    for i, (ch, n) in enumerate(groups):
        if n < 3:
            pieces.extend((ch, pos + k, pos + k + 1) for k in range(n))
        else:
            pieces.append((ch * (2 if i in doubled else 1), pos, pos + n))
        pos += n
    return pieces


def _stretch_edits(text: str) -> list[Edit]:
    keep = _data().keep_runs
    edits: list[Edit] = []
    for m in _LETTER_RUN_RE.finditer(text):
        word = m.group()
        if word not in keep and _TRIPLE_RE.search(word) is not None:
            edits.append((m.start(), m.end(), _destretch(word)))
    return edits


def _shorthand_edits(text: str) -> list[Edit]:
    expansions = _data().expansions
    edits: list[Edit] = []
    for m in _SHORTHAND_RE.finditer(text):
        rep = expansions.get(m.group())
        if rep is not None:
            edits.append((m.start(), m.end(), [(rep, 0, m.end() - m.start())]))
    return edits


def _punctuation(ch: str) -> str:
    return _data().punctuation.get(ch, ch)


@functools.cache
def _punctuation_table() -> dict[int, str]:
    return str.maketrans(_data().punctuation)


@functools.cache
def _ascii_punctuation() -> frozenset[str]:
    """The ASCII characters of the punctuation table (a word of ASCII without them keeps)."""
    return frozenset(ch for ch in _data().punctuation if ch.isascii())


@functools.lru_cache(maxsize=65536)
def _word_tracked(word: str) -> _Tracked:
    """Normalise one whitespace-free word, keeping offsets relative to the word.

    Cached: callers must not modify the result.
    """
    t = _map_chars(_identity(word), _punctuation)
    if not t.text.isascii():
        t = _apply_edits(t, _confusable_edits(t.text))
    for step in (_dotted_edits, _leet_edits, _stretch_edits, _shorthand_edits):
        t = _apply_edits(t, step(t.text))
    return t


@functools.lru_cache(maxsize=65536)
def _word_unchanged(word: str) -> bool:
    """True when normalising ``word`` changes neither its text nor any offset."""
    t = _word_tracked(word)
    n = len(word)
    return t.text == word and t.starts == list(range(n)) and t.ends == list(range(1, n + 1))


@functools.lru_cache(maxsize=65536)
def _word_plain(word: str) -> str:
    """``_word_tracked(word).text`` without building the offset map (the same steps)."""
    # a step whose trigger is absent from the text so far would change nothing: skipped
    text = word
    if not text.isascii() or not _ascii_punctuation().isdisjoint(text):
        text = word.translate(_punctuation_table())
    if not text.isascii():
        text = _edited(text, _confusable_edits(text))
    if "." in text or "/" in text or "-" in text:
        text = _edited(text, _dotted_edits(text))
    if not _LEET_CHARS.isdisjoint(text) and _LETTER_RE.search(text) is not None:
        text = _edited(text, _leet_edits(text))
    if _TRIPLE_RE.search(text) is not None:
        text = _edited(text, _stretch_edits(text))
    if _data().expansions.keys().isdisjoint(_SHORTHAND_RE.findall(text)):
        return text
    return _edited(text, _shorthand_edits(text))


def _edited(text: str, edits: list[Edit]) -> str:
    return _apply_edits_text(text, edits) if edits else text


_MARKS = r"""[!?.,;:()\[\]{}<>"*~^+=|#%]"""
_LETTERS_IN_MARKS = re.compile(f"({_MARKS}*)([a-z]+)({_MARKS}*)")
"""A word of ASCII letters between marks that no step reads ("lol!", "(hi", '"ok"', "u?"):
the commonest words the plain check turns away. No mark here is a letter, digit, leet
symbol, joiner of dotted letters or part of a shorthand token, so the word normalises as its
letters (expanded when shorthand) between the same marks (a test checks it is the same as the
full path)."""


def _word_text(word: str) -> str:
    if word.isascii() and word.isalpha() and _TRIPLE_RE.search(word) is None:
        return _data().expansions.get(word, word)
    m = _LETTERS_IN_MARKS.fullmatch(word)
    if m is not None and _TRIPLE_RE.search(m.group(2)) is None:
        letters = m.group(2)
        return m.group(1) + _data().expansions.get(letters, letters) + m.group(3)
    return _word_plain(word)


class _WordCache(dict[str, str]):
    def __missing__(self, word: str) -> str:
        if word.isalpha() and word.isascii() and _TRIPLE_RE.search(word) is None:
            value = _data().expansions.get(word, word)  # (_word_text's first case, inline)
        else:
            value = _word_text(word)
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        self[word] = value
        return value


_WORDS = _WordCache({_SEP: _SEP})

_ALPHA_LINE_RE = re.compile(r"^[a-z]+$", re.MULTILINE)
_MARKED_LINE_RE = re.compile(f"^({_MARKS}*)([a-z]+)({_MARKS}*)$", re.MULTILINE)


def _tripled(blob: str) -> set[str]:
    """The lines of ``blob`` with a letter three times in a row ("sooo")."""
    found: set[str] = set()
    pos = 0
    while (m := _TRIPLE_RE.search(blob, pos)) is not None:
        start = blob.rfind("\n", 0, m.start()) + 1
        end = blob.find("\n", m.end())
        end = len(blob) if end < 0 else end
        found.add(blob[start:end])
        pos = end
    return found


def _learn(words: set[str]) -> None:
    """Put the normal form of every one of ``words`` (whitespace-free, case-folded) in the word
    cache at once: what :meth:`_WordCache.__missing__` gives one word at a time, with the two
    commonest kinds (plain ASCII letters, and letters between marks such as ``"hi!"``) found
    by regex passes over the words joined by newlines instead of a Python call each.
    Words with a letter tripled ("sooo") and the rest go the word-by-word way."""
    cache = _WORDS
    expansions = _data().expansions
    blob = "\n".join(words)
    alpha = _ALPHA_LINE_RE.findall(blob)
    cache.update(zip(alpha, map(expansions.get, alpha, alpha), strict=True))
    rest = words.difference(alpha)
    if rest:
        for m in _MARKED_LINE_RE.finditer("\n".join(rest)):
            letters = m.group(2)
            cache[m.group()] = m.group(1) + expansions.get(letters, letters) + m.group(3)
        for word in rest.difference(cache):
            cache[word] = _word_plain(word)
    for word in _tripled(blob):
        cache[word] = _word_text(word)


# --- public API ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Normalised:
    """Normalised text with a map back to the original."""

    original: str
    text: str
    _starts: list[int] = field(repr=False)
    _ends: list[int] = field(repr=False)

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map ``text[start:end]`` to the ``[start, end)`` of the original it came from."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) outside normalised text of {len(self.text)}")
        if start == end:
            pos = self._starts[start] if start < len(self.text) else len(self.original)
            return pos, pos
        return min(self._starts[start:end]), max(self._ends[start:end])


def normalise(text: str) -> Normalised:
    """Normalise one message, keeping the origin of every output character."""
    t = _prepared(text)
    fast = _single_spaced(text, t)
    return fast if fast is not None else _words(text, t)


def _prepared(text: str) -> _Tracked:
    """Steps 1-4 (invisible characters, NFKC, case folding, spacing tricks) with offsets."""
    t = _identity(text)
    if _SEP in text or (not text.isascii() and _INVISIBLE_RE.search(text)):
        t = _apply_edits(t, [(m.start(), m.end(), []) for m in _DROPPED_RE.finditer(text)])
    t = _nfkc(t)
    folded = t.text.casefold()
    if len(folded) == len(t.text):  # every character folds to exactly one: offsets unchanged
        t = _Tracked(folded, t.starts, t.ends)
    else:
        t = _map_chars(t, str.casefold)
    return _apply_edits(t, _spaced_edits(t.text))


def _words(original: str, t: _Tracked) -> Normalised:
    """The word step (whitespace runs to one space, each word normalised) with offsets.

    Leading and trailing whitespace goes and every other run of whitespace that is not one
    space becomes one space (standing for the whole run), which leaves the single-spaced
    shape :func:`_single_spaced` handles.
    """
    text = t.text
    edits: list[Edit] = []
    for m in _SPACE_RUN_RE.finditer(text):
        a, b = m.span()
        if a == 0 or b == len(text):
            edits.append((a, b, []))
        elif b - a > 1 or text[a] != " ":
            edits.append((a, b, [(" ", 0, b - a)]))
    spaced = _apply_edits(t, edits)
    if not spaced.text:
        return Normalised(original, "", [], [])
    done = _single_spaced(original, spaced)
    assert done is not None  # the edits leave single spaces between words only
    return done


def _single_spaced(original: str, t: _Tracked) -> Normalised | None:
    """:func:`normalise`'s word step when words are separated by single spaces (most chat).

    Same result as the general loop, but only the words the normaliser changes are visited
    one offset at a time; the text between them is copied in slices. None: not that shape.
    """
    text = t.text
    words = text.split(" ")
    if text.split() != words:
        return None  # leading, trailing or repeated spaces, or other whitespace
    unchanged = _word_unchanged
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = last = 0
    for word in words:
        if not unchanged(word):
            out.append(text[last:pos])
            starts.extend(t.starts[last:pos])
            ends.extend(t.ends[last:pos])
            w = _word_tracked(word)
            out.append(w.text)
            starts.extend(t.starts[pos + i] for i in w.starts)
            ends.extend(t.ends[pos + i - 1] for i in w.ends)
            last = pos + len(word)
        pos += len(word) + 1
    if not out:
        return Normalised(original, text, t.starts, t.ends)
    out.append(text[last:])
    starts.extend(t.starts[last:])
    ends.extend(t.ends[last:])
    return Normalised(original, "".join(out), starts, ends)


def _normalise_joined(joined: str) -> str:
    """The fast path for NUL-joined messages (no NUL inside a message)."""
    s = joined
    if not s.isascii():
        s = _INVISIBLE_RE.sub("", s)
        if not unicodedata.is_normalized("NFKC", s):  # the quick check: emoji text passes
            # message by message (NUL composes with nothing): only those that need it
            s = _SEP.join(
                m if unicodedata.is_normalized("NFKC", m) else unicodedata.normalize("NFKC", m)
                for m in s.split(_SEP)
            )
    s = s.casefold()
    edits = _spaced_edits(s)
    if edits:
        s = _apply_edits_text(s, edits)
    split = [m.split() for m in s.split(_SEP)]
    words = set(itertools.chain.from_iterable(split))
    new = words.difference(_WORDS)
    if new:
        if len(_WORDS) + len(new) > _CACHE_LIMIT:
            _WORDS.clear()
            _WORDS[_SEP] = _SEP
            new = words
        _learn(new)
    word = _WORDS.__getitem__
    return _SEP.join([" ".join(map(word, words)) for words in split])


def normalise_blob(texts: Sequence[str], sep: str = _SEP) -> str:
    """``sep.join(normalise(t).text for t in texts)``, computed fast for many messages."""
    out: list[str] = []
    for i in range(0, len(texts), _CHUNK):
        chunk = texts[i : i + _CHUNK]
        joined = _SEP.join(chunk)
        if joined.count(_SEP) != len(chunk) - 1:
            joined = _SEP.join(t.replace(_SEP, "") for t in chunk)
        out.append(_normalise_joined(joined))
    blob = _SEP.join(out)
    return blob if sep == _SEP else blob.replace(_SEP, sep)


def data_texts() -> dict[str, str]:
    """The normaliser's data files by name (for the taxonomy fingerprint)."""
    pkg = resources.files("vigil.analysis")
    return {name: pkg.joinpath(name).read_text(encoding="utf-8") for name in DATA_FILES}
