"""Benchmark: all identifier families together against ``phonenumbers.PhoneNumberMatcher`` alone.

Generates synthetic chat messages (deterministic seed; about 2 % carry an identifier, many of
the rest carry digits, times, prices, weekdays or platform words that wake the pre-filter),
then, in the same run and on one core, times

- Vigil: :func:`vigil.intel.extract.extract_many` (phones, e-mails, URLs, IPs, handles,
  wallets with checksums, payments, bank details, postcodes, money, meeting times), and
- the peer: ``phonenumbers.PhoneNumberMatcher(text, region)`` over every message (phone
  numbers only).

The two alternate over ten slices of the messages (each going first in turn) and are timed
by this process's CPU time, so other jobs on a shared machine weigh on both alike. Prints
messages per second for both and the ratio (target: ≥ 1.0).

    .venv/bin/python bench/intel.py [--messages 1000000] [--region GB] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

import phonenumbers

from vigil.intel.extract import codecs, extract_many

CHAT = [
    "hey", "lol", "how was school", "what are you doing", "are your parents home", "brb",
    "that game is so good", "i'm bored", "haha same", "love you x", "night xx", "ok",
    "did you finish your homework", "my mum says hi", "you can tell me anything",
    "keep this between us ok", "what year are you in", "who else uses your phone",
    "send me a pic of your new trainers", "how old are you", "you seem mature for your age",
    "no way", "omg", "that's so funny", "what music do you like", "i have football later",
]  # fmt: skip
NOISY = [  # look-alikes: they wake the pre-filter but hold no identifier
    "it's {h}:{m:02d} now", "i'm {age}", "year {y} is hard", "got {n} likes", "order #{o}",
    "version {a}.{b}.{c}", "it was {n}% off", "see the {d}/{mo} one", "my score is {n}",
    "on friday i had pizza", "sat on the sofa", "the sun is out today", "i was there yesterday",
    "level {n} done", "im on snap all day", "page {n} of {o}", "room {n}",
]  # fmt: skip


def _wallet(rng: random.Random) -> str:
    pick = rng.randrange(4)
    if pick == 0:
        return codecs.b58check_encode(0, rng.randbytes(20))
    if pick == 1:
        return codecs.segwit_encode("bc", 0, rng.randbytes(20))
    if pick == 2:
        return codecs.eip55(rng.randbytes(20).hex())
    return codecs.monero_encode(18, rng.randbytes(32), rng.randbytes(32))


CARRIERS: list[Callable[[random.Random], str]] = [
    lambda r: f"call me on 020 7946 0{r.randint(100, 999)}",
    lambda r: f"my number is +44 113 496 0{r.randint(100, 999)}",
    lambda r: f"text (202) 555-01{r.randint(10, 99)}",
    lambda r: f"add me on snap: {r.choice(['sunny', 'misty', 'brave'])}_fox{r.randint(1, 99)}",
    lambda r: f"my insta is cool.otter{r.randint(1, 99)}",
    lambda r: f"email me at fox{r.randint(1, 999)}@example.com",
    lambda r: f"look at https://bit.ly/{r.randint(10000, 99999)}ab",
    lambda r: f"send it to {_wallet(r)}",
    lambda r: f"i'll give you £{r.randint(5, 300)} for it",
    lambda r: f"see you saturday at {r.randint(1, 9)}pm",
    lambda r: f"paypal.me/otter{r.randint(1, 99)}",
    lambda r: f"sort code 20-00-{r.randint(10, 99)} account {r.randint(10**7, 10**8 - 1)}",
    lambda r: f"i live near M{r.randint(1, 20)} {r.randint(1, 9)}AE",
    lambda r: f"server 198.51.100.{r.randint(1, 254)}",
]


def make_messages(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    for _ in range(n):
        x = rng.random()
        if x < 0.02:
            out.append(rng.choice(CARRIERS)(rng))
        elif x < 0.20:
            out.append(
                rng.choice(NOISY).format(
                    h=rng.randint(0, 23),
                    m=rng.randint(0, 59),
                    age=rng.randint(10, 17),
                    y=rng.randint(7, 11),
                    n=rng.randint(1, 500),
                    o=rng.randint(10**6, 10**9),
                    a=rng.randint(1, 20),
                    b=rng.randint(0, 9),
                    c=rng.randint(0, 9),
                    d=rng.randint(1, 28),
                    mo=rng.randint(1, 12),
                )
            )
        else:
            a, b = rng.choice(CHAT), rng.choice(CHAT)
            out.append(a if rng.random() < 0.6 else f"{a} {b}")
    return out


def run_vigil(messages: list[str], region: str) -> tuple[float, int]:
    t0 = time.process_time()
    found = 0
    for ids in extract_many(messages, region):
        found += len(ids)
    return time.process_time() - t0, found


def run_matcher(messages: list[str], region: str) -> tuple[float, int]:
    matcher = phonenumbers.PhoneNumberMatcher
    t0 = time.process_time()
    found = 0
    for text in messages:
        for _ in matcher(text, region):
            found += 1
    return time.process_time() - t0, found


def measure(messages: list[str], region: str, rounds: int) -> tuple[float, int, float, int]:
    """Alternate the two in slices (and which goes first) so load on a shared machine hits
    both alike; times are this process's CPU time, i.e. one core."""
    v_time = p_time = 0.0
    v_found = p_found = 0
    size = -(-len(messages) // rounds)
    for i in range(rounds):
        part = messages[i * size : (i + 1) * size]
        order = (run_vigil, run_matcher) if i % 2 == 0 else (run_matcher, run_vigil)
        for fn in order:
            t, n = fn(part, region)
            if fn is run_vigil:
                v_time, v_found = v_time + t, v_found + n
            else:
                p_time, p_found = p_time + t, p_found + n
    return v_time, v_found, p_time, p_found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--region", default="GB")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=10, help="alternating slices")
    args = ap.parse_args()
    messages = make_messages(args.messages, args.seed)
    run_vigil(messages[:2000], args.region)  # load data tables and compile patterns first
    run_matcher(messages[:2000], args.region)
    v_time, v_found, p_time, p_found = measure(messages, args.region, args.rounds)
    n = len(messages)
    print(
        f"messages: {n:,} (seed {args.seed}, region {args.region}, {args.rounds} alternating slices, CPU time)"
    )
    print(f"vigil extract_many, all families: {n / v_time:12,.0f} msg/s  ({v_found:,} identifiers)")
    print(
        f"phonenumbers.PhoneNumberMatcher:  {n / p_time:12,.0f} msg/s  ({p_found:,} phone numbers)"
    )
    print(f"ratio (vigil / phonenumbers): {p_time / v_time:.2f}  (target >= 1.0)")


if __name__ == "__main__":
    main()
