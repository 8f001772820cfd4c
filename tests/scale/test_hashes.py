"""Hash-set look-ups under Spark give the single-process index's answers: the same status,
matches, distances and reasons for every query (PDQ within each list's threshold, MD5 exact)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from vigil.media.categories import Category
from vigil.media.hashers.pdq import PdqHash
from vigil.media.hashsets.base import HashList, HashRecord, HashValue
from vigil.media.index import ExactIndex, PdqIndex
from vigil.media.matching import ListRef, Lookup
from vigil.scale.hashes import HashSets, match_hashes

pytestmark = pytest.mark.slow  # a Spark JVM per worker: in `make slow` (CI), not `make test`

CAT = Category("projectvic-us", "1", "child abuse material")


def flip(hexed: str, bits: int, rng: random.Random) -> str:
    n = int(hexed, 16)
    for b in rng.sample(range(256), bits):
        n ^= 1 << b
    return f"{n:064x}"


def hash_sets(rng: random.Random) -> tuple[HashSets, list[str], list[str]]:
    pdq = [f"{rng.getrandbits(256):064x}" for _ in range(400)]
    md5 = [f"{rng.getrandbits(128):032x}" for _ in range(400)]
    lists = []
    for n, (name, threshold) in enumerate((("list-a", 31), ("list-b", 20))):
        recs = tuple(
            HashRecord(
                f"{name}-{i}",
                (HashValue("pdq", pdq[i]), HashValue("md5", md5[i])),
                CAT if i % 2 else None,
            )
            for i in range(n * 100, n * 100 + 300)  # the lists overlap on 200 items
        )
        lists.append((HashList(name, "plain", None, recs), ListRef(name, name.upper(), threshold)))
    return HashSets.of(lists), pdq, md5


def as_answer(look: Lookup) -> tuple[Any, ...]:
    ms = sorted((m.list_id, m.list_name, m.record_key, str(m.category) if m.category else None,
                 m.distance) for m in look.matches)  # fmt: skip
    return look.status, look.reason, tuple(ms)


def row_answer(row: Any) -> tuple[Any, ...]:
    ms = sorted((m["list_id"], m["list_name"], m["record_key"], m["category"], m["distance"])
                for m in row["matches"])  # fmt: skip
    return row["status"], row["reason"], tuple(ms)


def test_pdq_and_md5_under_spark_equal_the_single_process_index(spark: Any) -> None:
    rng = random.Random(21)
    sets, pdq, md5 = hash_sets(rng)
    queries: list[tuple[str, str | None, int | None]] = []
    for i in range(600):
        base = pdq[rng.randrange(len(pdq))]
        queries.append((f"q{i}", flip(base, rng.choice([0, 5, 19, 20, 21, 31, 32, 60]), rng),
                        rng.choice([100, 80, 49, 50])))  # fmt: skip
    queries += [(f"r{i}", f"{rng.getrandbits(256):064x}", 90) for i in range(100)]
    queries += [("bad-hex", "zz" * 32, 90), ("short", "ab12", 90), ("none", None, 90),
                ("no-quality", pdq[0], None)]  # fmt: skip
    df = spark.createDataFrame(queries, "id string, pdq string, quality int").repartition(3)
    got = {r["id"]: r for r in match_hashes(spark, df, sets, algorithm="pdq", hash_col="pdq",
                                            quality_col="quality").collect()}  # fmt: skip
    # the reference: Vigil's index in one process, with the other search engine (multi-index
    # hashing) than Spark's executors pick at this size (exhaustive), so both must agree
    reference = PdqIndex(engine="mih")
    for hl, ref in sets.lists:
        reference.add_list(hl, ref)
    good = [(i, h, q) for i, h, q in queries if h and len(h) == 64 and q is not None
            and all(c in "0123456789abcdef" for c in h)]  # fmt: skip
    answers = reference.lookup_many([PdqHash(h, q) for _, h, q in good])
    assert len(got) == len(queries)
    for (ident, _, _), look in zip(good, answers, strict=True):
        assert row_answer(got[ident]) == as_answer(look), ident
    statuses = {got[i]["status"] for i, _, _ in good}
    assert statuses == {"match", "no match", "cannot be scored"}
    assert sum(len(got[i]["matches"]) == 2 for i, _, _ in good) > 10  # in both lists
    for ident, why in (("bad-hex", "not a PDQ hash"), ("short", "not a PDQ hash"),
                       ("none", "missing hash"), ("no-quality", "missing PDQ quality")):  # fmt: skip
        assert got[ident]["status"] == "error" and why in got[ident]["reason"]

    exact = ExactIndex()
    for hl, ref in sets.lists:
        exact.add_list(hl, ref)
    md5_queries = [(f"m{i}", rng.choice(md5) if i % 2 else f"{rng.getrandbits(128):032x}")
                   for i in range(300)]  # fmt: skip
    mdf = spark.createDataFrame(md5_queries, "item string, md5 string")
    rows = match_hashes(spark, mdf, sets, algorithm="md5", hash_col="md5", id_col="item")
    got_md5 = {r["id"]: row_answer(r) for r in rows.collect()}
    want = {i: as_answer(exact.lookup([("md5", h)])) for i, h in md5_queries}
    assert got_md5 == want
    assert {v[0] for v in want.values()} == {"match", "no match"}


def test_unknown_columns_and_algorithms_are_refused(spark: Any) -> None:
    from vigil.errors import UserError

    sets, _, _ = hash_sets(random.Random(1))
    df = spark.createDataFrame([("a", "00" * 32)], "id string, pdq string")
    with pytest.raises(UserError, match="no column 'hash'"):
        match_hashes(spark, df, sets)
    with pytest.raises(UserError, match="unknown algorithm"):
        match_hashes(spark, df, sets, algorithm="photodna", hash_col="pdq")
