"""Which language a conversation is written in, so triage can say what it could not check.

Pure: text in, a :class:`Language` out. (Interface stub; the detector is being built.)
"""

from __future__ import annotations

from dataclasses import dataclass

UNDETERMINED = "und"


@dataclass(frozen=True, slots=True)
class Language:
    """An ISO 639-1 code (``und`` when the text is too short or unclear) and a confidence."""

    code: str
    confidence: float


def detect(text: str) -> Language:
    """The language of ``text``."""
    return Language("en", 1.0)
