"""One multi-pattern matcher over many messages at once, with exact spans in the original text.

The fast path normalises a batch of messages into one blob (messages joined by ``"\\x00"``),
scans it once with Hyperscan and maps each hit back to its message. Only the few messages
with hits are then normalised one by one with an offset map and re-matched with Python's
``re``, which gives the exact span in the original text. Without Hyperscan an RE2 ``Set``
(``google-re2``) picks candidate messages instead, and without either every pattern is tried
with ``re``: slower, same results.

With Hyperscan and the built-in normaliser, a prefilter (:mod:`vigil.analysis.prefilter`)
first scans the lower-cased batch: messages that the normaliser would leave as their
lower-cased text are matched there directly, and only the rest are normalised. Same findings,
fewer messages normalised; ``Scanner(..., prefilter=False)`` turns it off.

A :class:`Scanner` compiles once per process (cached by its pattern list) and pickles as its
pattern list, so the same object works in a process pool or a Spark/Dask worker.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from unicodedata import is_normalized

from vigil.gc_pause import gc_paused

SEP = "\x00"
PREFILTER_MEAN_LIMIT = 500
"""Messages of this many characters on average or more skip the prefilter: nearly every long
one holds something the normaliser must see (a shorthand word, a digit), so its scan of the
lower-cased text is wasted work (measured on the evaluation segments, 1.4 KB each). The
result is the same either way; only the time differs."""
CHUNK = 100_000
"""Messages scanned at a time: a million messages in one call scan about a tenth slower than in
chunks of this size (the joined text and the arrays over it fall out of the CPU cache), and
smaller chunks gain nothing (measured on bench/scan.py text and the lorem WhatsApp text)."""
_SURROGATE = re.compile("[\ud800-\udfff]")
ENGINES = ("hyperscan", "re2", "python")


@dataclass(frozen=True, slots=True)
class ScanPattern:
    """What the scanner needs of a taxonomy pattern."""

    id: str
    category: str
    pattern: str
    tags: tuple[str, ...] = ()
    speaker: str = "any"


@dataclass(frozen=True, slots=True)
class Hit:
    """One match: the pattern, the message, and the span in the ORIGINAL message text."""

    pattern: int  # index into Scanner.patterns
    message: int  # index into the scanned batch
    start: int
    end: int
    quote: str


class NormalisedText(Protocol):
    text: str

    def span_to_original(self, start: int, end: int) -> tuple[int, int]: ...


class Normaliser(Protocol):
    def normalise(self, text: str) -> NormalisedText: ...

    def normalise_blob(self, texts: Sequence[str], sep: str = SEP) -> str: ...


def _default_normaliser() -> Normaliser:
    from vigil.analysis import normalise as module

    return module  # type: ignore[return-value]


def available_engines() -> list[str]:
    """Engines importable here, fastest first."""
    found = []
    try:
        import hyperscan  # noqa: F401

        found.append("hyperscan")
    except ImportError:
        pass
    try:
        import re2  # noqa: F401

        found.append("re2")
    except ImportError:
        pass
    found.append("python")
    return found


def _fingerprint(patterns: Sequence[ScanPattern]) -> str:
    h = hashlib.sha256()
    for p in patterns:
        h.update(p.pattern.encode())
        h.update(b"\x00")
    return h.hexdigest()


class _Engine(Protocol):
    name: str

    def candidates(self, norm_texts: Sequence[str], blob: str) -> list[tuple[int, int]]:
        """(message index, pattern index) pairs that may match."""
        ...


_DB_CACHE: list[Path] = []
"""Where compiled Hyperscan databases are kept between processes (set by the services)."""


def set_database_cache(folder: Path | None) -> None:
    """Keep compiled databases in ``folder`` (None: compile in every process).

    Compiling the taxonomy takes seconds; a serialised database loads in milliseconds. Files
    are named by a hash of the Hyperscan version, the expressions and their flags, and are
    written atomically, so a stale or foreign file is never used.
    """
    _DB_CACHE[:] = [folder] if folder is not None else []


def database_cache_folder() -> Path | None:
    """The folder set by :func:`set_database_cache`, or None."""
    return _DB_CACHE[0] if _DB_CACHE else None


def _hs_database(hs: Any, expressions: Sequence[str], flags: Sequence[int]) -> Any:
    """Compile (or load from the cache) a block-mode database; ids are list positions."""
    key = hashlib.sha256(repr((getattr(hs, "__version__", "?"), tuple(expressions),
                               tuple(flags))).encode()).hexdigest()  # fmt: skip
    path = _DB_CACHE[0] / f"hs-{key}.db" if _DB_CACHE else None
    if path is not None and path.is_file():
        try:
            return hs.loadb(path.read_bytes(), hs.HS_MODE_BLOCK)
        except Exception:  # corrupt or from another Hyperscan build: compile afresh
            pass
    db = hs.Database(mode=hs.HS_MODE_BLOCK)
    db.compile(
        expressions=[e.encode("utf-8") for e in expressions],
        ids=list(range(len(expressions))),
        elements=len(expressions),
        flags=list(flags),
    )
    if path is not None:
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".hs-", dir=path.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(hs.dumpb(db))
            os.replace(tmp, path)
    return db


SMALL_BATCH = 20_000
"""Up to this many matches and messages, :meth:`_Hyperscan.candidates` pairs them up in plain
Python: the same pairs, without importing NumPy (a tenth of a second, most of a small
``vigil scan``)."""


def _pairs_small(data: bytes, ends: list[int], ids: list[int]) -> list[tuple[int, int]]:
    """The distinct (message number, pattern id) pairs of the matches ending at ``ends``,
    sorted: what the NumPy path gives, for a small batch (``data``: messages joined by NUL)."""
    seps: list[int] = []
    at = data.find(0)
    while at >= 0:
        seps.append(at)
        at = data.find(0, at + 1)
    msgs = [bisect.bisect_right(seps, end - 1) for end in ends]
    return sorted(set(zip(msgs, ids, strict=True)))


def _unique(values: Any) -> Any:
    """``np.unique`` of a 1-D int array, in one linear pass when it is already sorted.

    Hyperscan reports matches in order of their end offsets, so message numbers usually come
    sorted; a million of them (one per emoji-holding message) then need no hashing.
    """
    import numpy as np

    if values.size > 1 and not bool((values[1:] >= values[:-1]).all()):
        values = np.sort(values)  # (not np.unique: it loads numpy.ma, a hundredth of a second)
    if values.size <= 1:
        return values
    keep = np.empty(values.size, dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def _ending_in_space(arr: Any, seps: Any) -> Any:
    """Numbers of the messages whose last byte is a space, from the separators' positions."""
    import numpy as np

    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.append(seps, arr.size)  # each message's end (exclusive)
    starts = np.concatenate([[0], seps + 1])
    return np.flatnonzero((ends > starts) & (arr[np.maximum(ends - 1, 0)] == 0x20))


def _settle_non_ascii(
    texts: Sequence[str], light: Light, nul: set[int]
) -> tuple[set[int], list[int], str]:
    """Of the prefilter's non-ASCII messages (those holding a NUL aside): the ones to
    normalise, and the strippable ones with their stripped texts joined by NULs.

    Safe characters compose with nothing, so the NFKC check here is a safety net only; it is
    made on the texts joined by NULs (a NUL composes with nothing either, so the whole is
    normalised when every text is), and text by text only if not.
    """
    from vigil.analysis.prefilter import stripped

    if not light.non_ascii:
        return set(), [], ""
    unsafe = set(light.unsafe)
    strip = [m for m in light.strippable if m not in nul]
    strip_blob = stripped(SEP.join([texts[m] for m in strip]))
    flagged = unsafe.union(strip)
    rest = [m for m in light.non_ascii if m not in flagged]
    if rest and not is_normalized("NFKC", SEP.join(texts[m] for m in rest)):
        unsafe.update(m for m in rest if not is_normalized("NFKC", texts[m]))
    if strip and not is_normalized("NFKC", strip_blob):
        split = list(zip(strip, strip_blob.split(SEP), strict=True))
        kept = [(m, t) for m, t in split if is_normalized("NFKC", t)]
        unsafe.update(set(strip).difference(m for m, _ in kept))
        strip, strip_blob = [m for m, _ in kept], SEP.join(t for _, t in kept)
    return unsafe, strip, strip_blob


@dataclass(frozen=True, slots=True)
class Light:
    """What the prefilter's scan of lower-cased messages found.

    ``pairs``: (message, pattern) candidates of the messages not in ``untrusted``;
    ``untrusted``: messages to be normalised (some "untrusted" expression fired);
    ``non_ascii``: of the rest, those with non-ASCII bytes;
    ``unsafe``: of those, the ones with a run of non-ASCII characters that is neither safe nor
    strippable (:func:`vigil.analysis.prefilter.run_verdict`; to be normalised too);
    ``trailing``: of the rest, those ending in spaces (their normalised text is the lower-cased
    text without them, see :func:`vigil.analysis.prefilter.plain_form`);
    ``strippable``: of the non-ASCII ones not unsafe, those with invisible characters in a run
    of safe ones (their normalised text is :func:`vigil.analysis.prefilter.stripped`).
    """

    pairs: list[tuple[int, int]]
    untrusted: list[int]
    non_ascii: list[int]
    unsafe: list[int]
    trailing: list[int]
    strippable: list[int]


class _Hyperscan:
    name = "hyperscan"

    def __init__(self, patterns: tuple[str, ...]) -> None:
        import hyperscan as hs

        self._hs = hs
        self.db = _hs_database(hs, patterns, [hs.HS_FLAG_UTF8] * len(patterns))
        self.scratch = hs.Scratch(self.db)
        self._n = len(patterns)
        self._patterns = patterns
        self._light: Any = None

    def _light_db(self) -> Any:
        """The patterns plus the prefilter's "untrusted" expressions, in one database."""
        if self._light is None:
            from vigil.analysis.prefilter import untrusted_patterns

            hs = self._hs
            extra = untrusted_patterns()
            db = _hs_database(
                hs, (*self._patterns, *extra), [hs.HS_FLAG_UTF8] * self._n + [0] * len(extra)
            )
            self._light = (db, hs.Scratch(db))
        return self._light

    def light_candidates(self, data: bytes, messages: int) -> Light | None:
        """Scan ``messages`` NUL-joined lower-cased messages; see :class:`Light` for what comes
        back. None when ``data`` holds more NULs than separators: a message holds one."""
        import numpy as np

        from vigil.analysis.prefilter import NON_ASCII, STRIPPABLE, UNSAFE, run_verdicts

        arr = np.frombuffer(data, dtype=np.uint8)
        seps = np.flatnonzero(arr == 0)
        if len(seps) != messages - 1:
            return None
        trailing = _ending_in_space(arr, seps)
        db, scratch = self._light_db()
        ends: list[int] = []
        ids: list[int] = []
        append_end, append_id = ends.append, ids.append

        def on_match(pid: int, _from: int, to: int, _flags: int, _ctx: Any) -> None:
            append_end(to)
            append_id(pid)

        db.scan(data, match_event_handler=on_match, scratch=scratch)
        if not ends:
            return Light([], [], [], [], trailing.tolist(), [])
        end_arr = np.asarray(ends, dtype=np.int64)
        id_arr = np.asarray(ids, dtype=np.int64)
        msg = np.searchsorted(seps, end_arr - 1, side="right")
        flagged = id_arr >= self._n
        non_ascii = id_arr == self._n + NON_ASCII
        other = flagged & ~non_ascii
        # an "untrusted" expression may end on the NUL after its message: flag both sides
        # (the non-ASCII one never does: it matches one byte that is not a NUL)
        before = np.searchsorted(seps, end_arr[other] - 2, side="right")
        bad = np.unique(np.concatenate([msg[other], before]))
        odd = np.setdiff1d(_unique(msg[non_ascii]), bad, assume_unique=True)
        # each non-ASCII hit is the first byte of a run of whole characters: check the run
        at_run = non_ascii & ~np.isin(msg, bad)
        verdict = run_verdicts(data, end_arr[at_run] - 1)
        unsafe = np.unique(msg[at_run][verdict == UNSAFE])
        strip = np.unique(msg[at_run][verdict == STRIPPABLE])
        strip = np.setdiff1d(strip, unsafe, assume_unique=True)
        trimmed = np.setdiff1d(trailing, bad, assume_unique=True)
        keep = ~flagged & ~np.isin(msg, bad)
        pairs = np.unique(np.stack([msg[keep], id_arr[keep]], axis=1), axis=0)
        return Light(
            [(int(m), int(p)) for m, p in pairs],
            bad.tolist(),
            odd.tolist(),
            unsafe.tolist(),
            trimmed.tolist(),
            strip.tolist(),
        )

    def candidates(self, norm_texts: Sequence[str], blob: str) -> list[tuple[int, int]]:
        data = blob.encode("utf-8")
        ends: list[int] = []
        ids: list[int] = []
        append_end, append_id = ends.append, ids.append

        def on_match(pid: int, _from: int, to: int, _flags: int, _ctx: Any) -> None:
            append_end(to)
            append_id(pid)

        self.db.scan(data, match_event_handler=on_match, scratch=self.scratch)
        if not ends:
            return []
        if len(ends) <= SMALL_BATCH and data.count(0) <= SMALL_BATCH:
            return _pairs_small(data, ends, ids)
        import numpy as np

        seps = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0)
        msg = np.searchsorted(seps, np.asarray(ends, dtype=np.int64) - 1, side="right")
        key = _unique(msg.astype(np.int64) * self._n + np.asarray(ids, dtype=np.int64))
        return list(zip((key // self._n).tolist(), (key % self._n).tolist(), strict=True))


class _RE2:
    name = "re2"

    def __init__(self, patterns: tuple[str, ...]) -> None:
        import re2

        self.set = re2.Set.SearchSet()
        for p in patterns:
            self.set.Add(p)
        self.set.Compile()

    def candidates(self, norm_texts: Sequence[str], blob: str) -> list[tuple[int, int]]:
        match = self.set.Match
        return [(i, p) for i, t in enumerate(norm_texts) if t for p in (match(t) or ())]


class _Python:
    name = "python"

    def __init__(self, patterns: tuple[str, ...]) -> None:
        self.compiled = [re.compile(p) for p in patterns]

    def candidates(self, norm_texts: Sequence[str], blob: str) -> list[tuple[int, int]]:
        out = []
        for i, t in enumerate(norm_texts):
            for p, rx in enumerate(self.compiled):
                if rx.search(t):
                    out.append((i, p))
        return out


_BUILDERS: dict[str, Callable[[tuple[str, ...]], _Engine]] = {
    "hyperscan": _Hyperscan,
    "re2": _RE2,
    "python": _Python,
}


@lru_cache(maxsize=8)
def _compiled(patterns: tuple[str, ...], engine: str) -> _Engine:
    """Compile once per process per (pattern list, engine)."""
    return _BUILDERS[engine](patterns)


_UNSET: Any = object()
_RE2_ODD = re.compile(r"[\x0b\x1c-\x1f]")
r"""ASCII characters Python's ``\s`` matches and RE2's does not."""


def _same_in_re2(text: str) -> bool:
    r"""True when RE2 and Python ``re`` read every character of ``text`` alike: ASCII (their
    ``\b``, ``\w`` and ``\d`` differ only beyond it), without the spaces of :data:`_RE2_ODD`."""
    return text.isascii() and _RE2_ODD.search(text) is None


def _re2_bytes(text: str) -> bytes | None:
    """``text`` as bytes for RE2 when :func:`_same_in_re2`, else None."""
    return text.encode("ascii") if _same_in_re2(text) else None


@lru_cache(maxsize=4096)
def _re2_compiled(expr: str) -> Any:
    """``expr`` (in the taxonomy's regex subset) compiled with RE2, else None."""
    try:
        import re2
    except ImportError:  # pragma: no cover - a dependency; Python re then does it all
        return None
    try:
        return re2.compile(expr.encode("utf-8"))  # bytes: read as UTF-8, matched on bytes
    except re2.error:
        return None


class Scanner:
    """All patterns in one matcher. ``scan`` takes many messages per call."""

    def __init__(
        self,
        patterns: Sequence[ScanPattern],
        engine: str = "auto",
        normaliser: Normaliser | None = None,
        prefilter: bool = True,
        subset: bool = False,
    ) -> None:
        """``subset``: every pattern is in the taxonomy's regex subset (checked by
        :func:`vigil.analysis.pattern_subset.check_pattern`), so exact matches on plain ASCII
        text may be found with RE2 (see :meth:`_rx2`)."""
        self.patterns: tuple[ScanPattern, ...] = tuple(patterns)
        if engine == "auto":
            engine = available_engines()[0]
        if engine not in ENGINES:
            raise ValueError(f"unknown scanner engine {engine!r}; choose from {ENGINES}")
        self.engine_name = engine
        self._custom_norm = normaliser
        self._norm = normaliser or _default_normaliser()
        self._exprs = tuple(p.pattern for p in self.patterns)
        self._exact: list[re.Pattern[str] | None] = [None] * len(self._exprs)
        self._subset = subset
        self._exact2: list[Any] = [_UNSET if subset else None] * len(self._exprs)
        self.fingerprint = _fingerprint(self.patterns)
        self._prefilter_wanted = prefilter
        # the prefilter encodes the default normaliser's rules, and needs Hyperscan
        self.prefilter = prefilter and normaliser is None and engine == "hyperscan"

    def _rx(self, p: int) -> re.Pattern[str]:
        """Pattern ``p`` compiled for Python ``re`` (on first use: most never match a batch)."""
        rx = self._exact[p]
        if rx is None:
            rx = self._exact[p] = re.compile(self._exprs[p])
        return rx

    def _rx2(self, p: int) -> Any:
        r"""Pattern ``p`` compiled with RE2 when the patterns are in the taxonomy's regex subset
        (``subset=True``), else None.

        On ASCII text without the rare ASCII spaces Python counts and RE2 does not (see
        :func:`_same_in_re2`), RE2 finds exactly the matches and spans Python ``re`` does for
        such a pattern (leftmost-first, greedy, bounded, no anchors but ASCII ``\b``), in a
        fraction of the time for the long messages of a batch (and compiles 20 times faster).
        """
        rx = self._exact2[p]
        if rx is _UNSET:
            rx = self._exact2[p] = _re2_compiled(self._exprs[p])
        return rx

    def _spans(self, p: int, text: str, ascii_bytes: bytes | None) -> Iterator[tuple[int, int]]:
        """Spans of the non-empty matches of pattern ``p`` in ``text``, as ``re.finditer``.

        ``ascii_bytes``: ``text`` encoded, when :func:`_same_in_re2` allows RE2 (which reads
        bytes faster than text; on ASCII their offsets are the same)."""
        rx = self._rx2(p) if ascii_bytes is not None else None
        matches = rx.finditer(ascii_bytes) if rx is not None else self._rx(p).finditer(text)
        for mt in matches:
            s, e = mt.span()
            if e != s:
                yield s, e

    def __reduce__(self) -> tuple[Any, ...]:
        args = (
            self.patterns,
            self.engine_name,
            self._custom_norm,
            self._prefilter_wanted,
            self._subset,
        )
        return (Scanner, args)

    @property
    def engine(self) -> _Engine:
        return _compiled(self._exprs, self.engine_name)

    def candidates(self, texts: Sequence[str]) -> list[tuple[int, int]]:
        """(message index, pattern index) pairs that may match, no spans."""
        return self._candidates(texts)[0]

    def _candidates(
        self, texts: Sequence[str]
    ) -> tuple[list[tuple[int, int]], set[int] | None, set[int], dict[int, str]]:
        """Candidate pairs, the messages that were normalised (None: all of them), of the
        others those whose normalised text is the lower-cased text without trailing spaces,
        and the normalised text of each normalised message where it is at hand."""
        if self.prefilter and texts and sum(map(len, texts)) < PREFILTER_MEAN_LIMIT * len(texts):
            return self._prefiltered(texts)
        blob = self._norm.normalise_blob(texts, SEP)
        parts = blob.split(SEP)
        norm = parts if self.engine_name != "hyperscan" else []
        texts_of = dict(enumerate(parts)) if len(parts) == len(texts) else {}
        return self.engine.candidates(norm, blob), None, set(), texts_of

    def _prefiltered(
        self, texts: Sequence[str]
    ) -> tuple[list[tuple[int, int]], set[int], set[int], dict[int, str]]:
        """Scan ``str.lower()`` text; normalise only messages the prefilter cannot vouch for.

        See :mod:`vigil.analysis.prefilter`: a message none of its expressions fire on
        normalises to its own lower-cased text (without trailing spaces, for a message ending in
        spaces), so its pattern hits there are exact; a strippable one is matched on its
        stripped text (:func:`vigil.analysis.prefilter.stripped`).
        """
        engine = self.engine
        assert isinstance(engine, _Hyperscan)
        # bytes.lower() folds ASCII only; a message with other characters takes the full path
        # unless every one of them is a character the normaliser leaves alone
        light = engine.light_candidates(SEP.join(texts).encode("utf-8").lower(), len(texts))
        with_nul: list[int] = []
        if light is None:  # a message holds a NUL: scan without it, and normalise that message
            with_nul = [i for i, t in enumerate(texts) if SEP in t]
            joined = SEP.join(t.replace(SEP, "") for t in texts)
            light = engine.light_candidates(joined.encode("utf-8").lower(), len(texts))
            assert light is not None
        pairs, others = light.pairs, light.untrusted
        nul = set(with_nul)
        unsafe, strip, strip_blob = _settle_non_ascii(texts, light, nul)
        if unsafe or strip:
            others = sorted({*others, *unsafe})
            drop = unsafe.union(strip)
            pairs = [(m, p) for m, p in pairs if m not in drop]
        if with_nul:
            others = sorted({*others, *with_nul})
            pairs = [(m, p) for m, p in pairs if m not in nul]
        normalised = set(others).union(strip)
        texts_of: dict[int, str] = {}
        if others or strip:
            # the normaliser's text for the others, the stripped text (what the normaliser
            # would give) for the strippable ones: scanned together
            parts = []
            if others:
                parts.append(self._norm.normalise_blob([texts[i] for i in others], SEP))
            if strip:
                parts.append(strip_blob)
            order = [*others, *strip]
            blob = SEP.join(parts)
            pairs.extend((order[m], p) for m, p in engine.candidates([], blob))
            split = blob.split(SEP)
            if len(split) == len(order):  # (a message that kept a NUL would shift them)
                texts_of = dict(zip(order, split, strict=True))
        return pairs, normalised, set(light.trailing).difference(normalised), texts_of

    def scan(self, texts: Sequence[str], spans: bool = True) -> list[Sequence[Hit]]:
        """Every hit in every message, with its span in the original text.

        ``spans=False``: for a message that went through the normaliser, the span and quote are
        those of the normalised text (no offset map is built: a third of the time on long
        messages). Same hits, patterns and counts; for callers that show no quotes
        (``vigil scan``).

        A message without hits gets one shared empty tuple (most messages have none, and a
        million fresh lists cost more than the scan), one with hits a list of its own.
        A lone surrogate (JSON can carry one) cannot be encoded for the byte-level engines:
        such a batch is scanned with each one replaced by U+FFFD, one character for one, so
        spans are unchanged. A long batch is scanned :data:`CHUNK` messages at a time, with
        the cyclic garbage collector paused.
        """
        with gc_paused():  # no reference cycles made here; a collection would walk them all
            if len(texts) <= CHUNK:
                return self._scan_chunk(texts, 0, spans)
            out: list[Sequence[Hit]] = []
            for base in range(0, len(texts), CHUNK):
                out.extend(self._scan_chunk(texts[base : base + CHUNK], base, spans))
            return out

    def _scan_chunk(
        self, texts: Sequence[str], base: int, spans: bool = True
    ) -> list[Sequence[Hit]]:
        try:
            return self._scan(texts, base, spans)
        except UnicodeEncodeError:
            return self._scan([_SURROGATE.sub("\ufffd", t) for t in texts], base, spans)

    def _same_offsets(self, pids: list[int], msg: int, text: str, quote_from: str) -> list[Hit]:
        """Hits of patterns ``pids`` in ``text``, quoted from ``quote_from`` at the same offsets."""
        data = _re2_bytes(text)
        return [
            Hit(p, msg, s, e, quote_from[s:e])
            for p in sorted(set(pids))
            for s, e in self._spans(p, text, data)
        ]

    def _scan(self, texts: Sequence[str], base: int, spans: bool = True) -> list[Sequence[Hit]]:
        """:meth:`scan` of one chunk; ``base`` is the chunk's first message number."""
        out: list[Sequence[Hit]] = [()] * len(texts)
        by_msg: dict[int, list[int]] = {}
        pairs, normalised, trailing, texts_of = self._candidates(texts)
        for m, p in pairs:
            by_msg.setdefault(m, []).append(p)
        for m, pids in by_msg.items():
            original = texts[m]
            if normalised is not None and m not in normalised:
                # a plain message: its normalised text is its lower-cased text, offsets unchanged
                # (trailing spaces trimmed: a prefix of it)
                text = original.lower().rstrip(" ") if m in trailing else original.lower()
                found = self._same_offsets(pids, base + m, text, original)
            elif not spans and m in texts_of:  # quotes from the normalised text, no offset map
                found = self._same_offsets(pids, base + m, texts_of[m], texts_of[m])
            else:
                n = self._norm.normalise(original)
                data = _re2_bytes(n.text)
                found = []
                for p in sorted(set(pids)):
                    for a, b in self._spans(p, n.text, data):
                        s, e = n.span_to_original(a, b)
                        found.append(Hit(p, base + m, s, e, original[s:e]))
            if found:
                out[m] = found
        return out
