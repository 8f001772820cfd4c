"""Synthetic, benign chats for the OCR tests and bench/ocr.py: family logistics, school,
gaming, and mild grooming cues worded the way public safeguarding guidance quotes them (age
questions, secrecy, gifts, meeting plans, supervision checks). Nothing here is from a real chat.

A chat is a list of items: day separators and messages, each message with its side (``left`` =
the other party, ``right`` = the phone's owner), its text and its clock time. Deterministic for
a seed, so a failing screenshot can be rendered again.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

LINES = [
    "hey are you coming to practice tomorrow?",
    "Mum says dinner is at 6 so don't be late",
    "did you finish the maths homework? I'm stuck on question 4",
    "lol that level was impossible, we nearly had it",
    "can you pick up milk on the way home please",
    "how old are you?",
    "what school do you go to?",
    "don't tell your parents about our chats, ok?",
    "this is just between us",
    "I can send you a gift card for the game if you want",
    "are your parents home right now?",
    "is anyone checking your phone?",
    "we should meet up at the park on Saturday",
    "you seem really mature for your age",
    "delete these messages after you read them",
    "The bus was twenty minutes late again so I missed the start of the film, can you save me a seat next time and tell me what happened in the first part?",
    "Grandma is visiting on Sunday afternoon, we are going to the garden centre first and then having lunch at the cafe by the river if the weather stays nice.",
    "ok see you at the station at half past four",
    "my team won the match 3-1 today",
    "I got a new controller for my birthday",
    "Remember to bring your PE kit and the signed permission slip for the museum trip on Thursday morning.",
    "thanks! that really helps",
    "do you want to play another round later tonight?",
    "I will be online after dinner, around 8",
    "can you keep a secret?",
    "nobody understands you like I do",
    "send me a photo of your new haircut",
    "We are driving to the coast for the weekend, back on Monday evening, so I will not be online much.",
    "ok",
    "good luck with the test tomorrow",
]
EMOJI = ["\U0001f600", "\U0001f44d", "\U0001f3ae", "\u2764\ufe0f", "\U0001f602", "\U0001f389"]


@dataclass(frozen=True, slots=True)
class Day:
    """A day separator; ``day`` is the date it stands for."""

    day: date


@dataclass(frozen=True, slots=True)
class Msg:
    side: str
    text: str
    hour: int
    minute: int
    day: date


Item = Day | Msg


def chat(seed: int, n: int, today: date, *, emoji: bool = True) -> list[Item]:
    """``n`` messages over up to three days ending ``today``, with day separators."""
    rng = random.Random(seed)
    items: list[Item] = []
    day = today - timedelta(days=rng.choice([0, 1, 1, 2, 5]))
    minute = rng.randrange(8 * 60, 14 * 60)
    items.append(Day(day))
    for i in range(n):
        text = rng.choice(LINES)
        if emoji and rng.random() < 0.25:
            text = f"{text} {rng.choice(EMOJI)}"
        minute += rng.choice([0, 1, 1, 2, 7, 31])
        if i and day < today and rng.random() < 0.12:
            day = min(today, day + timedelta(days=rng.choice([1, 2])))
            minute = rng.randrange(8 * 60, 12 * 60)
            items.append(Day(day))
        minute = min(minute, 23 * 60 + 59)
        items.append(Msg(rng.choice(["left", "right"]), text, minute // 60, minute % 60, day))
    return items
