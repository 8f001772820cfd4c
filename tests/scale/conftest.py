"""One local Spark session (``local[2]``) for every Spark test, and synthetic conversations.

The conversations are synthetic and benign: everyday chat, with grooming cues worded the way
public safeguarding guidance quotes them (age questions, secrecy, gifts, meeting plans,
supervision checks) in some of them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

pytest.importorskip("pyspark", reason="pyspark is not installed (make test installs it)")

TALK = [
    "hi how was your day",
    "did you watch the match last night",
    "the maths homework is on page 32",
    "football training moved to thursday",
    "lol same",
    "my mum says dinner is at six",
    "that film was so good",
    "wanna play later?",
]
CUES = [
    "how old are you",
    "are your parents home right now",
    "dont tell your parents about me",
    "keep this between us ok",
    "i can buy you a new phone",
    "can we meet this weekend",
    "delete our chats after",
    "who else uses your phone",
    "what school do you go to",
    "i'll pick you up from the station on saturday at 3",
]


def segments(n: int, seed: int = 7) -> list[tuple[str, str]]:
    """(id, segment) pairs: about one in three uses cues; some in other languages, some empty."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    for i in range(n):
        if i % 97 == 5:
            text = "hola que tal\nnos vemos mañana en el parque"
        elif i % 211 == 3:
            text = ""
        else:
            lines = []
            for _ in range(rng.randint(1, 12)):
                lines.append(rng.choice(CUES if rng.random() < 0.3 and i % 3 == 0 else TALK))
            text = "\n".join(lines)
        out.append((f"conv-{i}", text))
    return out


def chat_rows(n: int, seed: int = 11) -> list[dict[str, Any]]:
    """Row layout: (conversation, sender, time, text), conversations interleaved."""
    rng = random.Random(seed)
    start = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
    rows: list[dict[str, Any]] = []
    for i in range(n):
        who = ["adult", "kid"]
        t = start + timedelta(days=i % 30)
        for k in range(rng.randint(2, 10)):
            pool = CUES if (i % 2 and k % 2 == 0) else TALK
            text = rng.choice(pool)
            if i % 4 == 1 and k == 1:
                text = "im 13 and in year 8"
            t += timedelta(minutes=rng.randint(1, 30))
            rows.append({"conversation": f"chat-{i}", "sender": who[k % 2],
                         "time": t.isoformat(), "text": text})  # fmt: skip
    rows.sort(key=lambda r: r["time"])  # conversations interleaved, each in message order
    return rows


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    from vigil.scale.spark import session

    s = session("local[2]")
    yield s
    s.stop()
