"""Spark triage against `vigil scan` in one process and against a plain PySpark `re` UDF.

Issue 21's targets, on the same generated Parquet input (synthetic chat segments in the
``id,segment`` layout, about ten messages each; a taxonomy cue in about 2 % of messages; the
words and cues of bench/scan_segments.py, whose generator writes them):

  (a) `vigil scan` (local engine), one process pinned to one core;
  (b) `vigil scan --engine spark --master local[1]`, the whole Spark process tree pinned to one
      core; (c) the same with `local[2]` on two cores;
  (d) the peer: a plain PySpark Python UDF that splits each segment into messages and runs
      Python `re` per message over the same 260 taxonomy patterns (compiled once per worker,
      case-insensitive), `local[1]` on one core, on the first ``--udf-messages`` messages
      (it is slow).

Every rate is messages per second per core. Spark runs report their job time (reading,
scoring, writing the results, the error check and the run manifest) after a warm-up run on a
small file in the same session; the session's start-up and the warm-up (the JVM compiling
Spark's hot paths, paid once per session) are printed separately. Targets: (b) >= 0.7x (a) per core;
(c) >= 1.7x (b) in total; (b) >= 10x (d) per core.

The input is written under ``--out`` (default bench/out/scale), never in the repository's
tracked files; it is reused when it exists with the same size.

    .venv/bin/python bench/scale.py [--messages 10000000] [--udf-messages 200000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from scan_segments import segment

HERE = Path(__file__).resolve().parent
MESSAGE_WORDS = (3, 12)
CUE_RATE = 0.02
INPUT = "g2"
"""The generator's version, in the input's file name: an input written by an earlier generator
(its own word list) is not reused."""


def generate(path: Path, messages: int, seed: int = 21) -> int:
    """Write ``messages`` messages as segments of 5-15 lines (bench/scan_segments.py's words
    and cues: 3-12 words a message, a cue in 2 % of messages); returns the segment count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(seed)
    tmp = path.with_suffix(".part")
    writer = None
    done, n, ids, segs = 0, 0, [], []
    schema = pa.schema([("id", pa.string()), ("segment", pa.string())])
    while done < messages:
        k = min(rng.randint(5, 15), messages - done)
        ids.append(f"seg-{n}")
        segs.append(segment(rng, lines=k, words=MESSAGE_WORDS, cue_rate=CUE_RATE, cues=1))
        done, n = done + k, n + 1
        if len(ids) == 50_000 or done >= messages:
            writer = writer or pq.ParquetWriter(str(tmp), schema)
            writer.write_table(pa.table({"id": ids, "segment": segs}, schema=schema), 10_000)
            ids, segs = [], []
    assert writer is not None
    writer.close()
    os.replace(tmp, path)
    return n


def vigil_cmd() -> list[str]:
    return [str(Path(sys.executable).with_name("vigil")), "scan"]


def run_json(cmd: list[str]) -> tuple[dict[str, object], float]:
    t0 = time.perf_counter()
    res = subprocess.run(cmd, check=True, capture_output=True, text=True)
    whole = time.perf_counter() - t0
    return json.loads(res.stdout[res.stdout.index("{") :]), whole


def time_local(src: Path, out: Path) -> float:
    cmd = ["taskset", "-c", "0", *vigil_cmd(), "--in", str(src), "--out", str(out), "--json"]
    _, whole = run_json(cmd)
    return whole


def time_spark(src: Path, warm: Path, out: Path, cores: int, split_mb: int) -> dict[str, float]:
    """Run the Spark child pinned to ``cores`` cores; its timings (seconds)."""
    cpus = ",".join(str(i) for i in range(cores))
    cmd = ["taskset", "-c", cpus, sys.executable, __file__, "--spark-child", str(src), str(warm),
           str(out), str(cores), str(split_mb)]  # fmt: skip
    doc, _ = run_json(cmd)
    return {k: float(v) for k, v in doc.items()}  # type: ignore[arg-type]


def spark_child(src: str, warm: str, out: str, cores: int, split_mb: int) -> None:
    """One Spark session (run in a child process): start-up, a warm-up run on a small file
    (the JVM compiles Spark's hot paths on first use), then the timed run, all through the
    documented API (:func:`vigil.scale.spark.run`, as `vigil scan --engine spark` calls it)."""
    from vigil.scale import spark as vs

    t0 = time.perf_counter()
    spark = vs.session(
        f"local[{cores}]", conf={"spark.sql.files.maxPartitionBytes": f"{split_mb}m"}
    )
    spec = vs.scoring_spec()
    t1 = time.perf_counter()
    vs.run(spark, warm, out, spec=spec, hash_input=False)
    t2 = time.perf_counter()
    r = vs.run(spark, src, out, spec=spec, hash_input=False)
    t3 = time.perf_counter()
    print(json.dumps({"startup": t1 - t0, "warmup": t2 - t1, "seconds": t3 - t2,
                      "messages": r.messages}))  # fmt: skip
    spark.stop()


def udf_child(src: str, out: str, limit_rows: int) -> None:
    """The peer (run in a child process): a Python UDF with `re`, local[1]."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql.types import ArrayType, StringType

    from vigil.analysis.engine import default_engine

    patterns = [(r.id, r.pattern) for r in default_engine().rules]
    spark = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    compiled: list[object] = []

    def find(segment: str | None) -> list[str]:
        import re

        if not compiled:
            compiled.extend((pid, re.compile(p, re.IGNORECASE)) for pid, p in patterns)
        found: list[str] = []
        for msg in (segment or "").split("\n"):
            if msg.strip():
                found += [pid for pid, rx in compiled if rx.search(msg)]  # type: ignore[attr-defined]
        return found

    df = spark.read.parquet(src).limit(limit_rows)
    df = df.cache()
    messages = df.select(F.sum(F.size(F.split("segment", "\n")))).collect()[0][0]
    udf = F.udf(find, ArrayType(StringType()))
    t0 = time.perf_counter()
    df.select("id", udf("segment").alias("rules")).write.mode("overwrite").parquet(out)
    seconds = time.perf_counter() - t0
    print(json.dumps({"messages": messages, "seconds": seconds}))
    spark.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--messages", type=int, default=10_000_000)
    ap.add_argument("--udf-messages", type=int, default=200_000)
    ap.add_argument("--out", type=Path, default=HERE / "out" / "scale")
    ap.add_argument("--split-mb", type=int, default=4, help="Spark input split size (MB)")
    ap.add_argument("--udf-child", nargs=3, metavar=("SRC", "OUT", "ROWS"), help=argparse.SUPPRESS)
    ap.add_argument("--spark-child", nargs=5, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.spark_child:
        c = a.spark_child
        spark_child(c[0], c[1], c[2], int(c[3]), int(c[4]))
        return
    if a.udf_child:
        udf_child(a.udf_child[0], a.udf_child[1], int(a.udf_child[2]))
        return
    a.out.mkdir(parents=True, exist_ok=True)
    src = a.out / f"chats-{a.messages}-{INPUT}.parquet"
    if not src.exists():
        t0 = time.perf_counter()
        n = generate(src, a.messages)
        print(
            f"generated {a.messages:,} messages in {n:,} segments in {time.perf_counter() - t0:.0f} s"
        )
    warm = a.out / f"warmup-{INPUT}.parquet"
    if not warm.exists():
        generate(warm, 20_000, seed=5)
    size = src.stat().st_size / 1e6
    print(f"input: {src} ({size:,.0f} MB), {a.messages:,} messages")

    local = time_local(src, a.out / "local.parquet")
    local_rate = a.messages / local
    print(f"(a) vigil scan, one process, 1 core: {local:.1f} s, {local_rate:,.0f} msg/s/core")
    t1 = time_spark(src, warm, a.out / "spark1.parquet", 1, a.split_mb)
    s1 = t1["seconds"]
    r1 = a.messages / s1
    print(f"(b) spark local[1], 1 core: {s1:.1f} s, {r1:,.0f} msg/s/core "
          f"(session start {t1['startup']:.0f} s, warm-up run {t1['warmup']:.0f} s, not counted)")  # fmt: skip
    t2 = time_spark(src, warm, a.out / "spark2.parquet", 2, a.split_mb)
    s2 = t2["seconds"]
    r2 = a.messages / s2
    print(f"(c) spark local[2], 2 cores: {s2:.1f} s, {r2:,.0f} msg/s in all, {r2 / 2:,.0f} "
          f"msg/s/core (session start {t2['startup']:.0f} s, warm-up run {t2['warmup']:.0f} s)")  # fmt: skip
    rows = max(1, a.udf_messages // 10)
    cmd = ["taskset", "-c", "0", sys.executable, __file__, "--udf-child", str(src),
           str(a.out / "udf.parquet"), str(rows)]  # fmt: skip
    doc, _ = run_json(cmd)
    udf_rate = float(doc["messages"]) / float(doc["seconds"])  # type: ignore[arg-type]
    print(f"(d) PySpark Python UDF with re, local[1], 1 core, {doc['messages']:,} messages: "
          f"{doc['seconds']:.1f} s, {udf_rate:,.0f} msg/s/core")  # fmt: skip
    print(f"ratio (b)/(a) per core: {r1 / local_rate:.2f} (target >= 0.7)")
    print(f"ratio (c)/(b) in all:   {r2 / r1:.2f} (target >= 1.7)")
    print(f"ratio (b)/(d) per core: {r1 / udf_rate:.1f} (target >= 10)")
    uptime = os.getloadavg()
    print(f"load average at the end: {uptime[0]:.1f} (1 min), {uptime[2]:.1f} (15 min)")
    for name in ("local.parquet", "spark1.parquet", "spark2.parquet", "udf.parquet"):
        p = a.out / name
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
