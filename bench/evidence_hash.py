"""Benchmark: Vigil's one-pass registration against sha256sum, sha1sum and md5sum in sequence.

Registers a 1 GB file (hash SHA-256 + SHA-1 + MD5, copy into the store, fsync, commit) and,
in the same run, times the three coreutils one after another on the same (page-cached) file.
Prints MB/s for both and the ratio (target: ≥ 1.0).

    .venv/bin/python bench/evidence_hash.py [--size-mb 1024] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from vigil.config import Settings
from vigil.services.cases import create_case
from vigil.services.evidence.exhibits import register_file
from vigil.services.workspace import init_workspace


def make_file(path: Path, size_mb: int) -> None:
    block = os.urandom(1024 * 1024)
    with path.open("wb") as fh:
        for i in range(size_mb):
            fh.write(i.to_bytes(8, "big") + block[8:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="vigil-bench-"))
    try:
        src = root / "big.bin"
        make_file(src, args.size_mb)
        size = src.stat().st_size
        os.sync()  # let the new file reach the disk before anything is timed
        subprocess.run(["cat", str(src)], stdout=subprocess.DEVNULL, check=True)  # warm cache
        vigil_times, tool_times = [], []
        for i in range(args.repeat):
            home = root / f"ws{i}"
            ws, _, _ = init_workspace(Settings(home=home, user="bench"))
            create_case(ws, "OP-BENCH", "bench", None, "UTC")
            t0 = time.perf_counter()
            register_file(ws, "OP-BENCH", src, source="bench", acquired_by="Bench Mark")
            vigil_times.append(time.perf_counter() - t0)
            ws.engine.dispose()
            shutil.rmtree(home)
            os.sync()
            t0 = time.perf_counter()
            for tool in ("sha256sum", "sha1sum", "md5sum"):
                subprocess.run([tool, str(src)], stdout=subprocess.DEVNULL, check=True)
            tool_times.append(time.perf_counter() - t0)
        v, t = min(vigil_times), min(tool_times)
        mb = size / 1e6
        print(f"file: {mb:.0f} MB, best of {args.repeat}")
        print(
            f"vigil register (3 digests + store copy + fsync + commit): {v:6.2f} s  {mb / v:7.1f} MB/s"
        )
        print(
            f"sha256sum; sha1sum; md5sum in sequence:                  {t:6.2f} s  {mb / t:7.1f} MB/s"
        )
        print(f"ratio (vigil speed / coreutils speed): {t / v:.2f}  (target >= 1.0)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
