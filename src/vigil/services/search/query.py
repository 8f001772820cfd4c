"""Reading a search query, and the words the index holds: pure functions, no database.

Messages are indexed as the scanner's normaliser reads them (:mod:`vigil.analysis.normalise`:
leet, spacing tricks, stretched letters and shorthand undone, case folded), cut into words
(runs of letters and digits, :func:`words`) with the accents of Latin letters removed; both
backends index exactly these words. A query goes through the same steps, so "m33t", "meeeet"
and "MEET" are all found by "meet", and "meet" by each.

Query language:

- ``word``: a message must hold the word (every word given must be there, in any order);
- ``"quoted phrase"``: the words in this order, next to each other (an unclosed quote runs
  to the end of the query);
- ``pref*``: a word starting with ``pref`` (at least two letters or digits; taken as typed,
  lower-cased, not expanded as shorthand); ``"see you tom*"`` (or ``"see you tom"*``): a phrase
  whose last word is a prefix.

A typed word the normaliser turns into several (``wanna`` to "want to") is searched as that
phrase. Operators such as ``OR`` and ``-`` are not special: they are words like any other.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vigil.analysis.normalise import normalise, normalise_blob
from vigil.errors import UserError

MAX_QUERY = 500
MAX_TERMS = 16
MAX_PHRASE = 32
MIN_PREFIX = 2
MAX_TOKEN = 255
"""Longer "words" (a pasted hash, a run of emoji-less letters) are left out of the index."""
PG_MAX_POSITION = 16383
"""PostgreSQL keeps word positions up to this; later words are kept at this position."""
PG_MAX_LEXEME_BYTES = 900_000
"""Bytes of distinct words one message's ``tsvector`` holds at most (PostgreSQL's limit is
1 MiB)."""

_TOKEN_RE = re.compile(r"[^\W_]+")
_PART_RE = re.compile(r'"([^"]*)(?:"(\*)?|$)|([^\s"]+)')
_LATIN_END = 0x0250  # Basic Latin to Latin Extended-B
_LATIN_EXTRA = range(0x1E00, 0x1F00)  # Latin Extended Additional


@dataclass(frozen=True, slots=True)
class Term:
    """One thing every hit must hold: a word, a phrase (several words in order) or, when
    ``prefix``, words whose last one is a prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False

    def __str__(self) -> str:
        text = " ".join(self.tokens) + ("*" if self.prefix else "")
        return f'"{text}"' if len(self.tokens) > 1 else text


def _latin(ch: str) -> bool:
    cp = ord(ch)
    return cp < _LATIN_END or cp in _LATIN_EXTRA


def fold(token: str) -> str:
    """A word without the accents of Latin letters ("café" to "cafe"), as SQLite's
    ``unicode61 remove_diacritics 2`` reads it; other scripts keep their marks."""
    if token.isascii():
        return token
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", token):
        if unicodedata.combining(ch) and out and _latin(out[-1][-1]):
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def words(normalised: str) -> list[str]:
    """The index's words of a normalised text, in order."""
    return [fold(t) for t in _TOKEN_RE.findall(normalised) if len(t) <= MAX_TOKEN]


def normalised_texts(texts: Sequence[str]) -> list[str]:
    """Each message as the scanner's normaliser reads it (one fast pass for many)."""
    if not texts:
        return []
    return normalise_blob(texts).split("\x00")


def tsvector_literal(normalised: str) -> str:
    """A PostgreSQL ``tsvector`` of a normalised text's words with their positions (the same
    words :func:`words` gives; no dictionary, no stop words). Distinct words beyond
    :data:`PG_MAX_LEXEME_BYTES` in all are left out (PostgreSQL refuses a larger one)."""
    parts: list[str] = []
    late: set[str] = set()
    seen: set[str] = set()
    size = 0
    for pos, tok in enumerate(words(normalised), start=1):
        if tok not in seen:
            size += len(tok.encode())
            if size > PG_MAX_LEXEME_BYTES:
                break
            seen.add(tok)
        if pos < PG_MAX_POSITION:
            parts.append(f"'{tok}':{pos}")
        else:
            late.add(tok)
    parts.extend(f"'{tok}':{PG_MAX_POSITION}" for tok in sorted(late))
    return " ".join(parts)


# --- reading a query ---------------------------------------------------------------------


def _run_terms(run: str) -> list[Term]:
    """Terms of a run of plain words, normalised together (so "d e l e t e" is one word);
    the words one typed word became form a phrase."""
    n = normalise(run)
    bounds = [(m.start(), m.end()) for m in re.finditer(r"\S+", run)]
    groups: list[tuple[int, list[str]]] = []
    for m in _TOKEN_RE.finditer(n.text):
        tok = m.group()
        if len(tok) > MAX_TOKEN:
            continue
        start, _ = n.span_to_original(m.start(), m.end())
        origin = next((i for i, (a, b) in enumerate(bounds) if a <= start < b), -1)
        if groups and groups[-1][0] == origin:
            groups[-1][1].append(fold(tok))
        else:
            groups.append((origin, [fold(tok)]))
    return [Term(tuple(toks)) for _, toks in groups]


def parse(text: str) -> list[Term]:
    """The terms of a query, every one of which a hit must hold. UserError when there is
    nothing to search for, a prefix is too short, or the query is too long."""
    text = text.strip()
    if len(text) > MAX_QUERY:
        raise UserError(f"the query is longer than {MAX_QUERY} characters", hint="shorten it")
    terms: list[Term] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            terms.extend(_run_terms(" ".join(run)))
            run.clear()

    for m in _PART_RE.finditer(text):
        phrase, star, word = m.group(1), m.group(2), m.group(3)
        if phrase is not None and (star or phrase.rstrip().endswith("*")):
            flush()
            head, _, last = phrase.rstrip().rstrip("*").rpartition(" ")
            terms.extend(_prefix(words(normalise(head).text), last, f'"{phrase}"'))
        elif phrase is not None:
            flush()
            toks = tuple(words(normalise(phrase).text))
            if toks:
                terms.append(Term(toks[:MAX_PHRASE]))
        elif word.endswith("*"):
            flush()
            terms.extend(_prefix([], word.rstrip("*"), word))
        else:
            run.append(word)
    flush()
    unique = list(dict.fromkeys(terms))
    if not unique:
        raise UserError("nothing to search for", hint='give words, a "quoted phrase" or a prefix*')
    if len(unique) > MAX_TERMS:
        raise UserError(f"more than {MAX_TERMS} search terms", hint="use fewer words")
    return unique


def _prefix(head: list[str], last: str, given: str) -> list[Term]:
    """A prefix term: the words of ``head`` (normalised), then ``last`` as typed (lower-cased,
    not expanded), its last word a prefix. None if there are no words."""
    toks = (*head, *(fold(t) for t in _TOKEN_RE.findall(_typed(last))))
    if not toks:
        return []
    if len(toks[-1]) < MIN_PREFIX:
        raise UserError(
            f"the prefix {given!r} is too short",
            hint=f"give at least {MIN_PREFIX} letters before the *",
        )
    return [Term(toks[-MAX_PHRASE:], prefix=True)]


def _typed(text: str) -> str:
    """A prefix as typed: compatibility forms unified and case folded, nothing expanded."""
    return unicodedata.normalize("NFKC", text).casefold()


def fts5_match(terms: Iterable[Term]) -> str:
    """The terms as an SQLite FTS5 query: quoted phrases joined by AND."""
    return " AND ".join(
        '"' + " ".join(t.tokens).replace('"', '""') + '"' + ("*" if t.prefix else "") for t in terms
    )


def pg_tsquery(terms: Iterable[Term]) -> str:
    """The terms as a PostgreSQL ``tsquery``: phrases with ``<->``, prefixes with ``:*``."""
    out = []
    for t in terms:
        lexemes = ["'" + tok.replace("'", "''") + "'" for tok in t.tokens]
        if t.prefix:
            lexemes[-1] += ":*"
        out.append("(" + " <-> ".join(lexemes) + ")" if len(lexemes) > 1 else lexemes[0])
    return " & ".join(out)


# --- where a message matched ---------------------------------------------------------------


def marks(text: str, terms: Sequence[Term]) -> list[tuple[int, int]]:
    """The spans of the original ``text`` where ``terms`` matched, sorted and merged."""
    n = normalise(text)
    toks = [
        (fold(m.group()), m.start(), m.end())
        for m in _TOKEN_RE.finditer(n.text)
        if m.end() - m.start() <= MAX_TOKEN
    ]
    spans: list[tuple[int, int]] = []
    for term in terms:
        size = len(term.tokens)
        for i in range(len(toks) - size + 1):
            window = toks[i : i + size]
            if all(
                w[0] == tok or (term.prefix and k == size - 1 and w[0].startswith(tok))
                for k, (w, tok) in enumerate(zip(window, term.tokens, strict=True))
            ):
                spans.append(n.span_to_original(window[0][1], window[-1][2]))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged
