"""The content of the MG6E, the disclosure officer's report to the prosecutor.

Its rows are the items the disclosure officer flagged as ones that might reasonably be
considered capable of undermining the prosecution case or assisting the case for the accused
(:func:`vigil.disclosure.status.on_schedule`); the certification is the officer's, in the
words below, with their name and the date. The flag is the officer's judgement, recorded
with who set it and when; Vigil never sets it.
"""

from __future__ import annotations

from collections.abc import Sequence

from vigil.disclosure.schedule import ScheduleRow

NIL = (
    "No item has been identified by the disclosure officer as one that might reasonably be "
    "considered capable of undermining the prosecution case or assisting the case for the "
    "accused."
)


def certification(case_ref: str, officer: str, on: str) -> str:
    """The disclosure officer's certification text for case ``case_ref``, signed ``on``."""
    return (
        f"I am the disclosure officer for case {case_ref}. To the best of my knowledge and "
        "belief, the relevant material gathered or generated in this investigation has been "
        "recorded and retained, and each item of relevant unused material is listed on the "
        "schedule of non-sensitive (MG6C) or sensitive (MG6D) unused material served with "
        "this report. The items below are those I have identified as ones that might "
        "reasonably be considered capable of undermining the prosecution case or of assisting "
        "the case for the accused; the decision to disclose rests with the prosecutor. "
        f"Signed: {officer}, {on}."
    )


def notes(rows: Sequence[ScheduleRow]) -> tuple[str, ...]:
    """Lines printed before the rows (the nil return when nothing is flagged)."""
    return () if rows else (NIL,)
