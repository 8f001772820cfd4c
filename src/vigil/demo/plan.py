"""Pure helpers for the demo: the targets, months, exact apportioning, exact-sum adjustment."""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

Month = tuple[int, int]


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((resources.files("vigil.demo") / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@lru_cache(maxsize=1)
def targets() -> dict[str, Any]:
    return load("targets.yaml")


@lru_cache(maxsize=1)
def profiles() -> dict[str, Any]:
    return load("profiles.yaml")


def month_of(text: str) -> Month:
    y, m = text.split("-")
    return int(y), int(m)


def months_between(first: Month, last: Month) -> list[Month]:
    out, (y, m) = [], first
    while (y, m) <= last:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_days(m: Month) -> int:
    return calendar.monthrange(m[0], m[1])[1]


def day_in(rng: random.Random, m: Month) -> date:
    return date(m[0], m[1], rng.randint(1, month_days(m)))


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` that sum exactly to it
    (largest remainder)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


@dataclass(frozen=True, slots=True)
class Segment:
    months: list[Month]
    arrests: int
    children: int


def segments() -> list[Segment]:
    out = []
    for first, last, arrests, children in targets()["segments"]:
        out.append(
            Segment(months_between(month_of(first), month_of(last)), int(arrests), int(children))
        )
    return out


def monthly(rng: random.Random, key: str) -> dict[Month, int]:
    """Per-month counts of ``key`` (``arrests`` or ``children``): each segment's total exactly,
    spread over its months with a gentle upward drift and seed-dependent variation."""
    out: dict[Month, int] = {}
    for seg in segments():
        n = len(seg.months)
        weights = [(1.0 + 0.02 * i) * rng.uniform(0.85, 1.15) for i in range(n)]
        for m, c in zip(seg.months, apportion(getattr(seg, key), weights), strict=True):
            out[m] = c
    return out


def adjust_to_sum(
    rng: random.Random, values: list[int], target: int, lo: int, hi: int
) -> list[int]:
    """Scale ``values`` to sum exactly to ``target``, each kept within [lo, hi]; the shape of
    the distribution is kept, then single months are added or taken at random."""
    if not values:
        raise ValueError("nothing to adjust")
    if not len(values) * lo <= target <= len(values) * hi:
        raise ValueError(f"{len(values)} values in [{lo}, {hi}] cannot sum to {target}")
    f = target / sum(values)
    out = [min(hi, max(lo, round(v * f))) for v in values]
    idx = list(range(len(out)))
    while (diff := target - sum(out)) != 0:
        rng.shuffle(idx)
        step = 1 if diff > 0 else -1
        for i in idx:
            if diff == 0:
                break
            if lo <= out[i] + step <= hi:
                out[i] += step
                diff -= step
    return out


SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ren",
    "tu",
    "vo",
    "zel",
    "qua",
    "ixo",
    "bel",
    "dar",
    "fen",
    "gil",
    "hos",
    "jun",
    "kev",
    "lor",
    "mab",
    "nix",
    "ost",
    "pel",
    "rud",
    "sav",
    "tem",
    "ulo",
    "vik",
    "wes",
    "yar",
    "zon",
    "ber",
    "cal",
    "dov",
]


def code_name(rng: random.Random, parts: int = 3) -> str:
    """A made-up word from neutral syllables, upper case (no real names)."""
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).upper()
