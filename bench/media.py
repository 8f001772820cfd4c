"""Benchmark: Vigil's PDQ hashing and PDQ look-ups against python-threatexchange, same run.

(a) Images hashed per second on the PDQ fixture set (``../shared/fixtures/media/pdq``): one
    process, and all cores (a multiprocessing pool of ``--workers``, default 2). threatexchange
    has no parallel hasher of its own; its one-process figure is the baseline for both targets
    (>= 1.0x on one process, >= 1.8x with both cores); it is also run in the same pool.
(b) PDQ look-ups per second against N indexed hashes (``--sizes``, default 1,000,000), for
    random hashes and for clustered near-duplicates: one query at a time through each tool's
    public API (Vigil ``PdqIndex.lookup``, threatexchange ``PDQIndex.query``) and in one batch
    (Vigil ``lookup_many``, threatexchange's underlying ``search_with_distance_in_result``);
    recall at distance 31 against a numpy brute force; build time; peak memory. Each tool's
    index lives in its own subprocess, whose peak-RSS counter is reset after the data are
    generated; the parent alternates query rounds between the processes (best of ``--rounds``)
    so that every tool meets the same machine load. Rates are reported per CPU second (steady
    on a shared machine) and per wall-clock second.
    Targets: look-ups >= 1.0x threatexchange's PDQIndex at 1M, 100 % recall, <= half its memory.

    Vigil tools: ``vigil`` (the default engine choice), ``vigil-mih`` (Vigil's numpy multi-index
    hashing), ``vigil-flat`` (faiss exhaustive), ``vigil-multihash`` (faiss multi-hash, the
    structure threatexchange uses). All get the same queries and the same process setup.

    .venv/bin/python bench/media.py                         # quick run: hashing + 1M
    # 10 million hashes, a few minutes:
    .venv/bin/python bench/media.py --skip-hashing --sizes 10000000 --kinds random
        --queries 300 --recall-queries 50 --rounds 2 --tools vigil,tx
    .venv/bin/python bench/media.py --skip-hashing --tools vigil,vigil-flat,vigil-multihash,tx

Needs the ``bench`` extra (``threatexchange``). Figures are noisy on a shared machine.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import multiprocessing as mp
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "fixtures" / "media" / "pdq"
SEED = 20260101
TOOL_ENGINES = {
    "vigil": "auto",  # faiss flat up to FLAT_LIMIT, Vigil's numpy multi-index hashing above
    "vigil-mih": "mih",
    "vigil-flat": "flat",
    "vigil-multihash": "multihash",  # faiss IndexBinaryMultiHash, as threatexchange uses
}


# ---------------------------------------------------------------- (a) hashing
def _vigil_hash(path: str) -> str:
    from vigil.media.hashers.pdq import hash_image

    return hash_image(Path(path).read_bytes()).hash.hex


def _tx_hash(path: str) -> str:
    from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_file

    return str(pdq_from_file(Path(path))[0])


def _time_serial(fn: Any, paths: list[str]) -> tuple[float, float]:
    """(wall seconds, this process's CPU seconds) to hash every path in turn."""
    t0, c0 = time.perf_counter(), time.process_time()
    for p in paths:
        fn(p)
    return time.perf_counter() - t0, time.process_time() - c0


def _time_pool(pool: Any, fn: Any, paths: list[str]) -> float:
    t0 = time.perf_counter()
    list(pool.imap_unordered(fn, paths, chunksize=1))
    return time.perf_counter() - t0


def bench_hashing(repeat: int, workers: int) -> None:
    with (FIXTURES / "expected-pdq.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    paths = [str(FIXTURES / r["path"]) for r in rows]
    expected = {str(FIXTURES / r["path"]): r["pdq_pdqhash_fullres"] for r in rows}
    wrong = {
        name: sum(fn(p) != expected[p] for p in paths)
        for name, fn in (("vigil", _vigil_hash), ("threatexchange", _tx_hash))
    }
    times: dict[str, list[float]] = {
        k: [] for k in ("vigil", "tx", "vigil_cpu", "tx_cpu", "vigil_pool", "tx_pool")
    }
    load0 = os.getloadavg()[0]
    with mp.get_context("fork").Pool(workers) as pool:
        for _ in range(repeat):  # interleaved, best of `repeat`
            for name, fn in (("vigil", _vigil_hash), ("tx", _tx_hash)):
                wall, cpu = _time_serial(fn, paths)
                times[name].append(wall)
                times[f"{name}_cpu"].append(cpu)
            times["vigil_pool"].append(_time_pool(pool, _vigil_hash, paths))
            times["tx_pool"].append(_time_pool(pool, _tx_hash, paths))
    rate = {k: len(paths) / min(v) for k, v in times.items()}
    print(
        f"\n(a) PDQ hashing, {len(paths)} fixture images, best of {repeat}; load average "
        f"{load0:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"    hashes differing from expected-pdq.csv: vigil {wrong['vigil']}, "
        f"threatexchange {wrong['threatexchange']}"
    )
    print("    | run | images/s | ratio vs threatexchange one process |")
    print("    |---|---|---|")
    for key, base, label in (
        ("tx_cpu", "tx_cpu", "threatexchange, one process, per CPU second"),
        ("vigil_cpu", "tx_cpu", "vigil, one process, per CPU second"),
        ("tx", "tx", "threatexchange, one process, wall clock"),
        ("vigil", "tx", "vigil, one process, wall clock"),
        ("tx_pool", "tx", f"threatexchange, pool of {workers}, wall clock"),
        ("vigil_pool", "tx", f"vigil, pool of {workers}, wall clock"),
    ):
        print(f"    | {label} | {rate[key]:.2f} | {rate[key] / rate[base]:.2f} |")
    print(
        f"    target: one process >= 1.0 (got {rate['vigil_cpu'] / rate['tx_cpu']:.2f} CPU, "
        f"{rate['vigil'] / rate['tx']:.2f} wall), all cores >= 1.8 "
        f"(got {rate['vigil_pool'] / rate['tx']:.2f} wall)"
    )


# ---------------------------------------------------------------- (b) look-ups
def _flip(rng: np.random.Generator, codes: np.ndarray, bits: np.ndarray) -> np.ndarray:
    """Flip ``bits[i]`` distinct random bits of row i."""
    out = np.unpackbits(codes, axis=1)
    order = np.argsort(rng.random(out.shape), axis=1)
    mask = order < bits[:, None]
    return np.packbits(out ^ mask, axis=1)


def make_data(n: int, kind: str, n_queries: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED + n + (kind == "clustered"))
    if kind == "random":
        listed = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    else:  # clusters of 10 near-duplicates, 1-24 bits from their centre
        centres = rng.integers(0, 256, (n // 10 + 1, 32), dtype=np.uint8)
        listed = np.empty((n, 32), np.uint8)
        step = 500_000
        for s in range(0, n, step):
            e = min(n, s + step)
            base = centres[np.arange(s, e) // 10]
            listed[s:e] = _flip(rng, base, rng.integers(1, 25, e - s))
    picks = rng.integers(0, n, n_queries)
    queries = _flip(rng, listed[picks], rng.integers(0, 41, n_queries))
    queries[: n_queries // 10] = rng.integers(0, 256, (n_queries // 10, 32), dtype=np.uint8)
    return listed, queries


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _brute(listed: np.ndarray, queries: np.ndarray) -> list[set[int]]:
    x = listed.view(np.uint64)
    out = []
    for q in queries.view(np.uint64):
        d = np.zeros(len(x), np.int32)
        for w in range(4):
            d += np.bitwise_count(x[:, w] ^ q[w])
        out.append(set(np.nonzero(d <= 31)[0].tolist()))
    return out


def serve_case(tool: str, n: int, kind: str, n_queries: int, n_recall: int) -> None:
    """Child process: build one index, then answer ``round``/``finish`` lines on stdin.

    Each reply is one JSON line on stdout. Rounds are driven by the parent, which alternates
    between the tools' processes so that every tool sees the same machine load.
    """
    listed, queries = make_data(n, kind, n_queries)
    hexes = [bytes(q).hex() for q in queries]
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak-RSS counter
    base = _rss_kb("VmRSS")
    t0 = time.perf_counter()
    if tool == "tx":
        import faiss
        from threatexchange.signal_type.pdq.pdq_index import PDQIndex

        faiss.omp_set_num_threads(1)  # as Vigil does: OpenMP on shared cores slows single look-ups
        tx = PDQIndex((bytes(listed[i]).hex(), i) for i in range(n))
        build = time.perf_counter() - t0
        single: Any = lambda h: len(tx.query(h))  # noqa: E731
        batch: Any = lambda: tx.index.search_with_distance_in_result(hexes, 31)  # noqa: E731
        ids_of: Any = lambda h: {int(m.metadata) for m in tx.query(h)}  # noqa: E731
        kind_name = "multihash (16x16)"
    else:
        from vigil.media.hashers.pdq import PdqHash
        from vigil.media.index import PdqIndex
        from vigil.media.matching import ListRef

        ix = PdqIndex(engine=TOOL_ENGINES[tool])
        ix.add_codes(listed, ListRef("bench", "bench"))
        ix.build()
        build = time.perf_counter() - t0
        qh = [PdqHash(h, 100) for h in hexes]
        single = lambda h: len(ix.lookup(PdqHash(h, 100)).matches)  # noqa: E731
        batch = lambda: ix.lookup_many(qh)  # noqa: E731
        ids_of = lambda h: {int(m.record_key[1:]) for m in ix.lookup(PdqHash(h, 100)).matches}  # noqa: E731
        kind_name = ix.kind
    resident = (_rss_kb("VmRSS") - base) / 1024
    print(json.dumps({"built": build, "index": kind_name}), flush=True)
    for line in sys.stdin:
        if line.strip() == "round":
            t0, c0 = time.perf_counter(), time.process_time()
            hits = sum(single(h) for h in hexes)
            t1, c1 = time.perf_counter(), time.process_time()
            batch()
            t2, c2 = time.perf_counter(), time.process_time()
            reply = {"single": t1 - t0, "single_cpu": c1 - c0, "batch": t2 - t1}
            print(json.dumps(reply | {"batch_cpu": c2 - c1, "hits": hits}), flush=True)
            continue
        peak = (_rss_kb("VmHWM") - base) / 1024
        truth = _brute(listed, queries[:n_recall])
        got = [ids_of(h) for h in hexes[:n_recall]]
        total = sum(len(t) for t in truth)
        found = sum(len(g & t) for g, t in zip(got, truth, strict=True))
        wrong = sum(len(g - t) for g, t in zip(got, truth, strict=True))
        reply = {"recall": found / total if total else 1.0, "truth": total, "false_hits": wrong}
        print(json.dumps(reply | {"peak_mb": peak, "resident_mb": resident}), flush=True)
        return


def _ask(proc: subprocess.Popen[str], line: str | None) -> dict[str, Any]:
    assert proc.stdin is not None and proc.stdout is not None
    if line is not None:
        proc.stdin.write(line + "\n")
        proc.stdin.flush()
    reply = proc.stdout.readline()
    if not reply:
        raise RuntimeError(f"benchmark child exited: {proc.args!r}")
    result: dict[str, Any] = json.loads(reply)
    return result


def run_cases(
    tools: list[str], n: int, kind: str, queries: int, recall: int, rounds: int
) -> dict[str, dict[str, Any]]:
    """Build every tool's index in its own process, then alternate query rounds between them."""
    out: dict[str, dict[str, Any]] = {}
    procs: dict[str, subprocess.Popen[str]] = {}
    for tool in tools:  # built one after another so that builds do not compete
        cmd = [sys.executable, __file__, "--case", tool, str(n), kind, str(queries), str(recall)]
        procs[tool] = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        out[tool] = _ask(procs[tool], None)
    for _ in range(rounds):
        for tool in tools:
            r = _ask(procs[tool], "round")
            for key in ("single", "single_cpu", "batch", "batch_cpu"):
                out[tool][key] = min(out[tool].get(key, float("inf")), r[key])
            out[tool]["hits"] = r["hits"]
    for tool in tools:
        out[tool] |= _ask(procs[tool], "finish")
        procs[tool].wait()
        for key in ("single", "single_cpu", "batch", "batch_cpu"):
            out[tool][f"{key}_qps"] = queries / out[tool][key]
    return out


def bench_lookups(
    tools: list[str], sizes: list[int], kinds: list[str], queries: int, recall: int, rounds: int
) -> None:
    print(
        f"\n(b) PDQ look-ups, {queries} queries (10 % unrelated), recall on {recall}, distance "
        f"<= 31, best of {rounds} interleaved rounds; one process per tool; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(
        "    | N | data | tool | index | build s | single q/s (CPU) | single q/s (wall) | "
        "batch q/s (CPU) | batch q/s (wall) | recall (true pairs) | peak MB | resident MB |"
    )
    print("    |---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        for kind in kinds:
            results = run_cases(tools, n, kind, queries, recall, rounds)
            for tool, r in results.items():
                print(
                    f"    | {n:,} | {kind} | {tool} | {r['index']} | {r['built']:.1f} | "
                    f"{r['single_cpu_qps']:,.0f} | {r['single_qps']:,.0f} | "
                    f"{r['batch_cpu_qps']:,.0f} | {r['batch_qps']:,.0f} | {r['recall']:.4f} "
                    f"({r['truth']}) | {r['peak_mb']:,.0f} | {r['resident_mb']:,.0f} |",
                    flush=True,
                )
            tx = results.get("tx")
            for tool, r in results.items():
                if tool == "tx" or tx is None:
                    continue
                ratio = {k: r[k] / tx[k] for k in ("single_cpu_qps", "single_qps", "batch_cpu_qps")}
                print(
                    f"    {tool} / threatexchange at {n:,} {kind}: single "
                    f"{ratio['single_cpu_qps']:.2f}x CPU ({ratio['single_qps']:.2f}x wall), batch "
                    f"{ratio['batch_cpu_qps']:.2f}x CPU, peak memory "
                    f"{r['peak_mb'] / tx['peak_mb']:.2f}x, recall {r['recall']:.4f}",
                    flush=True,
                )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", default="1000000", help="comma-separated index sizes")
    ap.add_argument("--kinds", default="random,clustered")
    ap.add_argument(
        "--tools", default="vigil,tx", help=f"{', '.join(TOOL_ENGINES)}, tx (comma-separated)"
    )
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--recall-queries", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--pillow-blocks",
        type=int,
        default=8,
        help="keep this many freed Pillow image blocks for reuse (both tools; 0: Pillow default)",
    )
    ap.add_argument("--skip-hashing", action="store_true")
    ap.add_argument("--skip-lookups", action="store_true")
    ap.add_argument("--rounds", type=int, default=3, help="look-up rounds per case (best kept)")
    ap.add_argument("--case", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.case:
        tool, n, kind, q, rc = args.case
        serve_case(tool, int(n), kind, int(q), int(rc))
        return
    if not args.skip_hashing:
        if args.pillow_blocks:
            from vigil.media.hashers.pdq import reuse_decoder_memory

            reuse_decoder_memory(args.pillow_blocks)  # process-wide: applies to both tools
        bench_hashing(args.repeat, args.workers)
    if not args.skip_lookups:
        bench_lookups(
            args.tools.split(","),
            [int(s) for s in args.sizes.split(",")],
            args.kinds.split(","),
            args.queries,
            args.recall_queries,
            args.rounds,
        )


if __name__ == "__main__":
    main()
