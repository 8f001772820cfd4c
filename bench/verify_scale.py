"""Benchmark: `vigil evidence verify` of a workspace with 1M messages and 10,000 custody entries.

Builds, in a fresh SQLite workspace, a 1M-message WhatsApp export (the triage benchmark's
generator) ingested as one exhibit, ``--files`` small exhibits registered one by one, and view
entries (an officer opening exhibits with a purpose) until the log holds ``--entries`` entries.
Then times ``verify_workspace`` (re-hash every blob, walk the chain, check the signed
checkpoints, and recompute every record's digest including the Merkle root of every message),
and, as the peer in the same run, ``sha256sum``, ``sha1sum`` and ``md5sum`` over the same stored
blobs one after another (what re-hashing alone costs with the standard tools). Prints both and
the ratio (verify / peer; verify does far more than re-hash, so this shows what the rest costs).

    .venv/bin/python bench/verify_scale.py [--messages 1000000] [--entries 10000] [--files 500]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.whatsapp_export import messages_per_copy, write_export


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--files", type=int, default=500)
    args = ap.parse_args()
    from sqlalchemy import func, select

    from vigil.config import Settings
    from vigil.db.tables.evidence import CustodyEntry
    from vigil.services import audit
    from vigil.services.cases import create_case
    from vigil.services.evidence.exhibits import register_file
    from vigil.services.evidence.verify import verify_workspace
    from vigil.services.ingest.run import ingest_file
    from vigil.services.workspace import init_workspace

    root = Path(tempfile.mkdtemp(prefix="vigil-verify-"))
    try:
        export = root / "chat.txt"
        write_export(export, max(1, args.messages // messages_per_copy()))
        ws, _, _ = init_workspace(Settings(home=root / "ws", user="bench"))
        create_case(ws, "OP-V", "bench", None, "UTC")
        s = ingest_file(ws, "OP-V", export, fmt="whatsapp_txt", pipeline=False)
        files = root / "files"
        files.mkdir()
        for i in range(args.files):
            p = files / f"note-{i}.txt"
            p.write_text(f"officer's note {i}\n" * 50, encoding="utf-8")
            register_file(ws, "OP-V", p, source="bench", acquired_by="Bench Officer")
        with ws.sessions() as session:
            have = int(session.execute(select(func.count()).select_from(CustodyEntry)).scalar_one())
        with ws.transaction() as session:
            for i in range(max(0, args.entries - have - 1)):
                audit.record(
                    session,
                    ws.actor,
                    "view",
                    audit.Subject("exhibit", f"JS/{2 + i % args.files}", "OP-V"),
                    purpose="review before interview",
                    now=ws.now(),
                )
        with ws.sessions() as session:
            entries = int(
                session.execute(select(func.count()).select_from(CustodyEntry)).scalar_one()
            )
        t0 = time.perf_counter()
        rep = verify_workspace(ws)
        t_verify = time.perf_counter() - t0
        assert rep.ok, "the benchmark's workspace should verify"
        blobs = sorted(
            p
            for p in ws.store.root.rglob("*")
            if p.is_file() and "tmp" not in p.relative_to(ws.store.root).parts
        )
        t0 = time.perf_counter()
        for tool in ("sha256sum", "sha1sum", "md5sum"):
            subprocess.run([tool, *map(str, blobs)], check=True, capture_output=True)
        t_peer = time.perf_counter() - t0
        records = rep.records
        assert records is not None
        print(
            f"workspace: {s.messages:,} messages in {records.conversations} conversation(s), "
            f"{records.exhibits:,} exhibits, {entries:,} custody entries, "
            f"{rep.bytes_checked / 1e6:.0f} MB of blobs"
        )
        print(f"vigil evidence verify            : {t_verify:6.1f} s")
        print(f"sha256sum + sha1sum + md5sum     : {t_peer:6.1f} s  (re-hashing the blobs only)")
        print(f"ratio (verify / peer)            : {t_verify / t_peer:6.1f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
