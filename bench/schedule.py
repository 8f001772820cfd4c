"""Benchmark: disclosure schedules for a case with 5,000 items (issue 20 item 3: ≤ 5 s).

Builds a fresh workspace under ``bench/out/schedule/ws`` with one case holding ``--items``
items (half exhibits, half conversations read from them), bulk-inserted as the other
benchmarks do (tests/web/bulk.py); the disclosure officer then gives every item a status
through the service (``decide_many``: the same checks and one custody entry per item), in
the mix of a large case (60 % unused, 25 % sensitive, 10 % used, 5 % not relevant; one in ten
flagged for the MG6E). Then it times ``write_schedule`` (load the items, build the rows,
store the revision, render, write the file atomically, two custody entries) for the MG6C, the
largest schedule, in each format, and the MG6D and MG6E as PDF.

The peer, timed in the same run on the same rows, is the bare library dump of each format:
``csv.writer``, openpyxl's write-only ``append`` of plain tuples, odfpy's table of plain
cells, and reportlab's own platypus ``LongTable`` (a plain table, no wrapping, no header or
page numbers). Prints seconds, the ratio Vigil / peer and the target, with the machine and
date. Figures taken while other work runs on the machine are upper bounds.

    .venv/bin/python bench/schedule.py [--items 5000] [--repeat 3] [--all-unused]

``--all-unused`` makes every item unused, so the MG6C holds all 5,000 (the worst case).
"""

from __future__ import annotations

import argparse
import csv
import functools
import hashlib
import io
import os
import platform
import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vigil.config import Settings
from vigil.db.tables.access import User
from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import ConversationRow
from vigil.db.tables.evidence import Blob, Exhibit
from vigil.services.access import as_user
from vigil.services.cases import create_case
from vigil.services.disclosure.decide import Decision, decide_many
from vigil.services.disclosure.schedules import write_schedule
from vigil.services.users import create_user, set_membership
from vigil.services.workspace import Workspace, init_workspace

OUT = Path(__file__).resolve().parent / "out" / "schedule"
CASE = "OP-BENCH-DISC"
OFFICER = "bench.do"
TARGET = 5.0
MIX = ["unused"] * 12 + ["sensitive"] * 5 + ["used"] * 2 + ["not_relevant"]


def build(items: int) -> Workspace:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    ws, _, _ = init_workspace(Settings(home=OUT / "ws", user="bench.admin", database_url=None))
    create_case(ws, CASE, "Benchmark operation", "Bench unit", "Europe/London")
    create_user(ws, OFFICER, "disclosure_officer", "Bench Officer")
    set_membership(ws, OFFICER, CASE, True)
    now = datetime.now(UTC)
    half = items // 2
    with ws.transaction() as s:
        case = s.execute(select(Case).where(Case.ref == CASE)).scalar_one()
        admin = s.execute(select(User).where(User.username == "bench.admin")).scalar_one()
        shas = [hashlib.sha256(f"bench {n}".encode()).hexdigest() for n in range(half)]
        s.execute(insert(Blob), [{"sha256": h, "sha1": "0" * 40, "md5": "0" * 32, "size": 1000,
                                  "stored_at": now} for h in shas])  # fmt: skip
        s.execute(insert(Exhibit), [
            {"case_id": case.id, "ref": f"BD/{n + 1}", "initials": "BD", "seq": n + 1,
             "blob_sha256": h, "original_name": f"handset-extract-{n + 1}.json",
             "mime_type": "application/json", "size": 1000, "registered_at": now,
             "registered_by_id": admin.id, "tool_version": "bench"}
            for n, h in enumerate(shas)
        ])  # fmt: skip
        ids = list(s.execute(select(Exhibit.id).where(Exhibit.case_id == case.id)
                             .order_by(Exhibit.id)).scalars())  # fmt: skip
        s.execute(insert(ConversationRow), [
            {"case_id": case.id, "exhibit_id": ids[n % len(ids)], "platform": "chatsite",
             "title": f"chat {n + 1}", "parser": "bench", "tool_version": "bench",
             "message_count": 40, "first_at": now, "last_at": now, "created_at": now}
            for n in range(items - half)
        ])  # fmt: skip
    return ws


def decide_all(ws: Workspace, mix: list[str]) -> float:
    from vigil.services.disclosure.schedules import overview

    do = as_user(ws, OFFICER)
    keys = [i.key for i in overview(do, CASE).items]
    decisions = [
        Decision(k, mix[n % len(mix)],
                 f"Item {n + 1}: download of a handset account's messages over three weeks; "
                 "reviewed, no further lines of enquiry", n % 10 == 0)
        for n, k in enumerate(keys)
    ]  # fmt: skip
    t = time.perf_counter()
    decide_many(do, CASE, decisions)
    return time.perf_counter() - t


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def peer(fmt: str, rows: list[tuple[str, ...]], out: Path) -> None:
    """The bare library dump of ``rows`` as ``fmt``."""
    if fmt == "csv":
        with out.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows)
    elif fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        sheet = wb.create_sheet("MG6C")
        for r in rows:
            sheet.append(r)
        wb.save(out)
    elif fmt == "ods":
        from odf.opendocument import OpenDocumentSpreadsheet
        from odf.table import Table, TableCell, TableRow
        from odf.text import P

        doc = OpenDocumentSpreadsheet()
        table = Table(name="MG6C")
        for r in rows:
            tr = TableRow()
            for v in r:
                c = TableCell(valuetype="string")
                c.addElement(P(text=v))
                tr.addElement(c)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
        doc.write(str(out))
    else:
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.platypus import LongTable, SimpleDocTemplate

        SimpleDocTemplate(str(out), pagesize=landscape(A4)).build(
            [
                LongTable(
                    [("No.", "Ref", "Description", "Location", "Status", "CPS"), *rows],
                    repeatRows=1,
                )
            ]
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--all-unused",
        action="store_true",
        help="every item unused: the MG6C holds all of them (the worst case)",
    )
    args = ap.parse_args()
    t = time.perf_counter()
    ws = build(args.items)
    print(f"built {args.items:,} items in {time.perf_counter() - t:.1f} s")
    took = decide_all(ws, ["unused"] if args.all_unused else MIX)
    print(f"decide_many: {args.items:,} statuses, one custody entry each: {took:.2f} s")
    do = as_user(ws, OFFICER)
    files = OUT / "files"
    files.mkdir()
    first = write_schedule(do, CASE, "mg6c", "csv", files / "mg6c-first.csv")
    rows_csv = list(csv.reader(io.StringIO((files / "mg6c-first.csv").read_text("utf-8-sig"))))
    rows = [tuple(r) for r in rows_csv[6 : 6 + first.revision.rows]]
    print(f"MG6C revision {first.revision.number}: {first.revision.rows:,} rows\n")
    print(f"{'schedule':<14}{'Vigil s':>9}{'peer s':>9}{'ratio':>8}  target ≤ {TARGET:.0f} s")
    worst = 0.0
    runs = [("mg6c", f) for f in ("csv", "xlsx", "ods", "pdf")] + [("mg6d", "pdf"), ("mg6e", "pdf")]
    for kind, fmt in runs:
        out = files / f"{kind}.{fmt}"
        ours = best(functools.partial(write_schedule, do, CASE, kind, fmt, out), args.repeat)
        base = None
        if kind == "mg6c":
            base = best(functools.partial(peer, fmt, rows, files / f"peer.{fmt}"), args.repeat)
        worst = max(worst, ours)
        ratio = f"{ours / base:8.2f}" if base else f"{'':>8}"
        peer_s = f"{base:9.2f}" if base else f"{'':>9}"
        ok = "ok" if ours <= TARGET else "OVER"
        print(f"{kind.upper() + ' ' + fmt:<14}{ours:9.2f}{peer_s}{ratio}  {ok}")
    print(f"\nslowest: {worst:.2f} s (target ≤ {TARGET:.0f} s); best of {args.repeat}")
    print(f"{platform.node()} · {platform.processor() or platform.machine()} · "
          f"{os.cpu_count()} cores · Python {platform.python_version()} · "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")  # fmt: skip


if __name__ == "__main__":
    main()
