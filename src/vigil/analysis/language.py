"""Which language a conversation is written in, so triage can say what it could not check.

Pure: text in, a :class:`Language` out. The detector is Google's Compact Language Detector 2
(CLD2, through ``pycld2``): its tables are compiled into the package, so nothing is downloaded
or read from disk at run time, and it reads a 2 KB chat in about 50 µs (a long one is read as
three slices of :data:`MAX_CHARS` characters in all).

Chat is short, informal and full of shorthand ("u", "r", "lol", "asl"), and a wrong code is
costly: a conversation said to be in a language without patterns is reported as *not checked*.
So the detector only names a language when it is reasonably sure, and otherwise says ``und``
(undetermined), which triage treats like a checked language:

- too little text (fewer than :data:`MIN_LETTERS` bytes of letters CLD2 could score) is ``und``;
- CLD2 must call its answer reliable, and the language must hold at least :data:`MIN_SHARE`
  per cent of the scored text;
- a non-English answer is overruled when English chat words and shorthand make up at least
  :data:`ENGLISH_GUARD` of the distinct words (``hbu? im bored af`` is not Danish): the
  answer is then English when CLD2 also saw English, else ``und``. CLD2's Scots is English.

Codes are ISO 639-1 where the language has one (``de``, ``pl``), else the ISO 639-2/3 code
CLD2 uses (``ceb``, ``haw``). A code is a lead for the analyst like everything else triage says.
See docs/taxonomy.md ("Languages").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pycld2  # type: ignore[import-untyped]

UNDETERMINED = "und"
ENGLISH = "en"

MIN_LETTERS = 32
"""Fewest bytes of letters CLD2 must have scored to name a language."""
MIN_SHARE = 60
"""Least share (per cent of the scored text) the top language needs to be named."""
ENGLISH_GUARD = 0.2
"""Share of English chat words above which a non-English answer is not trusted."""
MAX_CHARS = 900
"""Longer texts are read as three slices (start, middle, end) of this many characters in all."""

# Characters CLD2 rejects as invalid UTF-8: C0 and C1 controls (except tab, newline, carriage
# return), lone surrogates, and Unicode noncharacters.
_INVALID = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U000efffe\U000effff"
    "\U000ffffe\U000fffff\U0010fffe\U0010ffff]"
)
_NOISE = re.compile(r"(?:https?://|www\.)\S{0,300}|\S{0,100}@\S{1,100}")
_NOISE_HINT = re.compile(r"@|http|www\.")
_SPACE = re.compile(r"\s")
_PUNCT_TO_SPACE = bytes(32 if chr(b) in '.,!?:;"()[]*~-' else b for b in range(256))

# Words of English chat and its shorthand that are rare as words of the languages CLD2 confuses
# such chat with (so not "a", "i", "me", "no", "is", "was", "die", "so", "to", "ya", "ok").
_ENGLISH_WORDS = frozenset(
    b"""
    the you your u ur r yeah and are what wat that that's thats this with have has how why
    when where there they them not cant can't dont don't wont won't im i'm it's its my just
    like know get got want wanna gonna going would could should about from been were did
    didn't does doing thanks thx ty pls plz please sorry sry hi hello hiii heyy sup wassup
    idk idek tbh ngl wyd hbu wbu brb ttyl asl lol lmao lmfao omg rofl np gl gg ez noob fr
    tho kinda lowkey bestie bruh sus ily luv rn btw omw gtg nvm tmrw 2moro 2day 2nite l8r
    b4 gr8 u2 cya cu wot wut bored good funny same here anymore hungry says phone see tell
    send home mum mom dad after school today tomorrow tonight later now then yea yh nah lmk
    hmu ikr smh af
    """.split()
)

_CODE_FIXES = {"iw": "he", "jw": "jv", "zh-Hant": "zh", "sr-ME": "sr", "sco": ENGLISH}


@dataclass(frozen=True, slots=True)
class Language:
    """An ISO 639-1 code (``und`` when the text is too short or unclear) and a confidence."""

    code: str
    confidence: float


def _code(cld2_code: str) -> str:
    """Vigil's code for a CLD2 code; CLD2's script-only and test codes are undetermined."""
    if cld2_code in ("un", "xxx") or cld2_code.startswith(("xx-", "zz")):
        return UNDETERMINED
    return _CODE_FIXES.get(cld2_code, cld2_code)


def english_share(text: str) -> float:
    """Share of the distinct words of ``text`` that are English chat words or shorthand."""
    words = set(text.lower().encode("utf-8", "replace").translate(_PUNCT_TO_SPACE).split())
    if not words:
        return 0.0
    return len(words & _ENGLISH_WORDS) / len(words)


def _sample(text: str) -> str:
    """The text, or for a long one its start, middle and end (:data:`MAX_CHARS` in all)."""
    if len(text) <= MAX_CHARS:
        return text
    part = MAX_CHARS // 3
    middle = (len(text) - part) // 2
    return "\n".join((text[:part], text[middle : middle + part], text[-part:]))


def _cld2(text: str) -> tuple[bool, int, tuple[tuple[str, str, int, float], ...]]:
    """CLD2's verdict; characters it cannot take (controls, lone surrogates) become spaces."""
    try:
        reliable, scored, details = pycld2.detect(text, isPlainText=True)
    except (pycld2.error, UnicodeEncodeError):
        text = _INVALID.sub(" ", text)
        try:
            reliable, scored, details = pycld2.detect(text, isPlainText=True)
        except (pycld2.error, UnicodeEncodeError):  # anything else it rejects: letters only
            letters = " ".join(re.findall(r"[^\W\d_]+", text))
            reliable, scored, details = pycld2.detect(letters, isPlainText=True)
    return bool(reliable), int(scored), tuple(details)


def _without_noise(text: str) -> str:
    """``_NOISE.sub(" ", text)``, with the pattern run only over the runs of non-space
    characters that hold ``@``, ``http`` or ``www.``.

    The same text: a match of :data:`_NOISE` is all non-space and none can start on a space,
    so each run of non-space characters is matched on its own, and a run without any of the
    three holds no match. The pattern run over the whole text tries every position, which took
    a hundred microseconds for a long chat with one address in it.
    """
    out: list[str] = []
    done = 0
    for hint in _NOISE_HINT.finditer(text):
        at = hint.start()
        if at < done:  # in a run already replaced
            continue
        start = max(done, text.rfind(" ", 0, at) + 1, text.rfind("\n", 0, at) + 1)
        while (space := _SPACE.search(text, start, at)) is not None:  # other white space
            start = space.end()
        space = _SPACE.search(text, at)
        end = space.start() if space is not None else len(text)
        out.append(text[done:start])
        out.append(_NOISE.sub(" ", text[start:end]))
        done = end
    out.append(text[done:])
    return "".join(out)


def detect(text: str) -> Language:
    """The language of ``text``, or ``und`` when it is too short or unclear to say."""
    text = _sample(text)
    if "@" in text or "http" in text or "www." in text:
        text = _without_noise(text)
    reliable, scored, details = _cld2(text)
    _name, cld2_code, share, _score = details[0]
    code = _code(cld2_code)
    if not reliable or scored < MIN_LETTERS or share < MIN_SHARE or code == UNDETERMINED:
        return Language(UNDETERMINED, 0.0)
    if code != ENGLISH and english_share(text) >= ENGLISH_GUARD:
        english = [d for d in details if d[1] == ENGLISH]
        if english:
            return Language(ENGLISH, english[0][2] / 100)
        return Language(UNDETERMINED, 0.0)
    return Language(code, share / 100)
