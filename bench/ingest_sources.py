"""Benchmark: device-database parsers against plain ``sqlite3`` reading the same rows.

Generates, in a temporary folder, an iOS ``sms.db`` and a WhatsApp Android ``msgstore.db``
(2021+ schema) of ``--messages`` messages each (default 1,000,000) over 20 chats, with the
table definitions of ``tests/ingest/device_fixtures.py`` and synthetic, benign text: 10 % of the
sms.db messages keep their words only in ``attributedBody`` (typedstream), 1 % carry an
attachment. Then, in the same run, for each database:

* ``sqlite3 rows``: the peer. Python's ``sqlite3`` runs the parser's own message query (same
  columns, joins and order: per chat for sms.db, one pass for msgstore.db) and reads every row
  into a tuple (``fetchall``), nothing else;
* ``vigil parse``: the format's ``PARSER.parse`` over the file, every message consumed;
* ``vigil parse+store``: ``vigil.services.ingest.run.ingest_file`` into a fresh SQLite
  workspace (hashing, exhibit, parsing, storing, one transaction).

Each is run ``--repeat`` times and the fastest counts. Prints wall seconds, messages per second
and the ratio to the peer, and the same ratio in CPU seconds (this process and its finished
children: the ingest worker process included), which a busy shared machine disturbs far less
than wall time. The load average is printed with the figures. Targets (issue 19): parse >= 0.5x
the bare read, parse+store >= 0.25x.

Run: ``.venv/bin/python bench/ingest_sources.py [--messages 1000000] [--repeat 2] [--only sms]``
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.ingest.device_fixtures import (  # noqa: E402
    IOS_SMS_SCHEMA,
    MSGSTORE_SCHEMA,
    apple_ns,
    typedstream,
    unix_ms,
)

CHATS = 20
START = datetime(2023, 1, 1, tzinfo=UTC)
WORDS = ("homework", "football", "the bus", "a game", "music", "the weekend", "school", "lunch")


def _text(i: int) -> str:
    return f"message {i} about {WORDS[i % len(WORDS)]}, see you later"


def make_sms_db(path: Path, n: int) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(IOS_SMS_SCHEMA)
    conn.executemany(
        "INSERT INTO handle VALUES (?, ?, 'gb', 'iMessage', ?)",
        [(h, f"+4477009{h:05d}", f"+4477009{h:05d}") for h in range(1, CHATS + 1)],
    )
    conn.executemany(
        "INSERT INTO chat VALUES (?, ?, 45, 3, ?, 'iMessage', NULL)",
        [(c, f"iMessage;-;+4477009{c:05d}", f"+4477009{c:05d}") for c in range(1, CHATS + 1)],
    )
    conn.executemany("INSERT INTO chat_handle_join VALUES (?, ?)", [(c, c) for c in range(1, 21)])
    base = apple_ns(START)
    blobs = {i: typedstream(_text(i)) for i in range(0, 1000, 10)}

    def rows() -> Iterator[tuple[object, ...]]:
        for i in range(1, n + 1):
            hidden = i % 10 == 0
            yield (
                i,
                f"G{i}",
                None if hidden else _text(i),
                (i % CHATS) + 1,
                "iMessage",
                base + i * 7_000_000_000,
                0,
                i % 3 == 0,
                i % 100 == 0,
                blobs[i % 1000] if hidden else None,
            )

    conn.executemany("INSERT INTO message VALUES (?,?,?,?,?,?,?,?,?,?)", rows())
    conn.executemany(
        "INSERT INTO chat_message_join VALUES (?, ?, 0)",
        (((i % CHATS) + 1, i) for i in range(1, n + 1)),
    )
    conn.executemany(
        "INSERT INTO attachment VALUES (?, ?, 0, ?, 'public.jpeg', 'image/jpeg', ?, 1000)",
        (
            (a, f"A{a}", f"~/Library/SMS/Attachments/00/00/A{a}/IMG_{a}.jpeg", f"IMG_{a}.jpeg")
            for a in range(1, n // 100 + 1)
        ),
    )
    conn.executemany(
        "INSERT INTO message_attachment_join VALUES (?, ?)",
        ((a * 100, a) for a in range(1, n // 100 + 1)),
    )
    conn.commit()
    conn.close()


def make_msgstore(path: Path, n: int) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(MSGSTORE_SCHEMA)
    conn.executemany(
        "INSERT INTO jid VALUES (?, ?, 's.whatsapp.net', 0, 0, 0, ?)",
        [(j, f"4477009{j:05d}", f"4477009{j:05d}@s.whatsapp.net") for j in range(1, CHATS + 1)],
    )
    conn.executemany(
        "INSERT INTO chat VALUES (?, ?, 0, NULL, 0, 0)", [(c, c) for c in range(1, CHATS + 1)]
    )
    base = unix_ms(START)
    conn.executemany(
        "INSERT INTO message VALUES (?,?,?,?,0,0,0,0,0,?,0,?,?,0,?)",
        (
            (
                i,
                (i % CHATS) + 1,
                int(i % 3 == 0),
                f"K{i}",
                base + i * 7000,
                int(i % 100 == 0),
                _text(i),
                i,
            )
            for i in range(1, n + 1)
        ),
    )
    conn.executemany(
        "INSERT INTO message_media VALUES (?, ?, 1, ?, 1000, 10, 10, 'image/jpeg', 1000, NULL,"
        " 'h', NULL)",
        (
            (i, (i % CHATS) + 1, f"Media/WhatsApp Images/IMG-{i}.jpg")
            for i in range(100, n + 1, 100)
        ),
    )
    conn.commit()
    conn.close()


SMS_QUERY = (
    "SELECT m.ROWID, m.guid, m.text, m.attributedBody, m.handle_id, m.date, m.is_from_me "
    "FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID WHERE j.chat_id = ? "
    "ORDER BY m.date, m.ROWID"
)
MSGSTORE_QUERY = (
    "SELECT m.chat_row_id, m._id, m.from_me, m.timestamp, m.key_id, m.sender_jid_row_id, "
    "m.message_type, m.text_data, mm.file_path, mm.media_name, mm.mime_type, mm.file_size, "
    "mm.media_caption FROM message m LEFT JOIN message_media mm ON mm.message_row_id = m._id "
    "ORDER BY m.chat_row_id, m.timestamp, m._id"
)


def bare(path: Path, query: str) -> int:
    """Every row of the parser's query as a tuple: per chat when the query takes a chat id
    (sms.db), else one pass (msgstore.db)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    total = 0
    for params in [(c,) for c in range(1, CHATS + 1)] if "?" in query else [()]:
        total += len(conn.execute(query, params).fetchall())
    conn.close()
    return total


def parse(path: Path, fmt: str) -> int:
    import importlib

    from vigil.ingest.base import ParseOptions

    parser = importlib.import_module(f"vigil.ingest.formats.{fmt}").PARSER
    total = 0
    with path.open("rb") as fh:
        for conv in parser.parse(fh, path.name, ParseOptions()):
            for _ in conv.messages:
                total += 1
    return total


def store(path: Path, fmt: str, home: Path) -> int:
    from vigil.config import Settings
    from vigil.services.cases import create_case
    from vigil.services.ingest.run import ingest_file
    from vigil.services.workspace import init_workspace

    ws, _, _ = init_workspace(Settings(home=home, user="bench", database_url=None))
    create_case(ws, "OP-BENCH", "bench", "bench", "Europe/London")
    return ingest_file(ws, "OP-BENCH", path, fmt=fmt).messages


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def best(fn: Callable[[], int], repeat: int) -> tuple[float, float, int]:
    """Fastest wall seconds, fewest CPU seconds and the count of ``repeat`` runs of ``fn``."""
    times, cpus, count = [], [], 0
    for _ in range(repeat):
        c0, t0 = _cpu(), time.perf_counter()
        count = fn()
        times.append(time.perf_counter() - t0)
        cpus.append(_cpu() - c0)
    return min(times), min(cpus), count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--only", choices=("sms", "msgstore"))
    args = ap.parse_args()
    cases = [
        ("sms", "sms.db", make_sms_db, SMS_QUERY, "ios_sms_db"),
        ("msgstore", "msgstore.db", make_msgstore, MSGSTORE_QUERY, "whatsapp_msgstore"),
    ]
    with tempfile.TemporaryDirectory(prefix="vigil-bench-") as tmp:
        root = Path(tmp)
        print(f"# load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(
            f"{'source':<12} {'tool':<20} {'wall s':>8} {'msg/s':>10} {'vs sqlite3':>11} "
            f"{'cpu s':>8} {'cpu vs sqlite3':>15}"
        )
        for key, name, make, query, fmt in cases:
            if args.only and args.only != key:
                continue
            path = root / name
            t0 = time.perf_counter()
            make(path, args.messages)
            made = time.perf_counter() - t0
            mb = path.stat().st_size / 1e6
            print(f"# {name}: {args.messages:,} messages, {mb:.0f} MB, built in {made:.1f} s")
            peer, peer_cpu, n_peer = best(partial(bare, path, query), args.repeat)
            vp, vp_cpu, n_parse = best(partial(parse, path, fmt), args.repeat)
            homes = iter([root / f"ws-{key}-{i}" for i in range(args.repeat)])
            vs, vs_cpu, n_store = best(
                lambda: store(path, fmt, next(homes)),  # noqa: B023
                args.repeat,
            )
            assert n_peer == n_parse == n_store == args.messages, (n_peer, n_parse, n_store)
            for tool, secs, cpu, target in (
                ("sqlite3 rows", peer, peer_cpu, ""),
                ("vigil parse", vp, vp_cpu, " (target >= 0.50)"),
                ("vigil parse+store", vs, vs_cpu, " (target >= 0.25)"),
            ):
                print(
                    f"{name:<12} {tool:<20} {secs:>8.2f} {args.messages / secs:>10,.0f} "
                    f"{peer / secs:>10.2f}x {cpu:>8.2f} {peer_cpu / cpu:>14.2f}x{target}"
                )
        print(f"# load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
