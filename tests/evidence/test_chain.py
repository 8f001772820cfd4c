"""Tamper analysis of the custody hash chain: each kind of tampering is detected and named."""

from __future__ import annotations

from typing import Any

import pytest

from vigil.evidence.chain import GENESIS, entry_hash, verify_chain


def make_log(n: int) -> list[dict[str, Any]]:
    log: list[dict[str, Any]] = []
    prev = GENESIS
    for i in range(1, n + 1):
        e: dict[str, Any] = {
            "seq": i,
            "recorded_at": f"2026-01-01T00:00:{i:02d}.000000Z",
            "actor": "js",
            "action": "register" if i % 2 else "view",
            "object_type": "exhibit",
            "object_id": f"JS/{i}",
            "case_ref": "OP-1",
            "purpose": None,
            "tool_version": "vigil test",
            "details": {"n": i},
            "prev_hash": prev,
        }
        e["entry_hash"] = entry_hash(e)
        prev = e["entry_hash"]
        log.append(e)
    return log


def anchor(log: list[dict[str, Any]]) -> dict[str, Any]:
    return {"seq": log[-1]["seq"], "entry_hash": log[-1]["entry_hash"]}


def kinds(rep: Any) -> set[str]:
    return {p.kind for p in rep.problems}


def rehash_from(log: list[dict[str, Any]], start: int) -> None:
    """What a careful forger does: recompute hashes and links from index ``start`` on."""
    for i in range(start, len(log)):
        log[i]["prev_hash"] = GENESIS if i == 0 else log[i - 1]["entry_hash"]
        log[i]["entry_hash"] = entry_hash(log[i])


def test_intact_chain_verifies() -> None:
    log = make_log(10)
    rep = verify_chain(log, anchor(log))
    assert rep.ok, rep.problems
    assert rep.entries == 10


def test_edited_entry_is_named() -> None:
    log = make_log(10)
    a = anchor(log)
    log[4]["purpose"] = "changed"
    rep = verify_chain(log, a)
    assert kinds(rep) == {"edited"}
    assert [p.seq for p in rep.problems] == [5]


def test_edited_and_rehashed_entry_is_named() -> None:
    log = make_log(10)
    a = anchor(log)
    log[4]["actor"] = "someone-else"
    log[4]["entry_hash"] = entry_hash(log[4])
    rep = verify_chain(log, a)
    assert kinds(rep) == {"edited"}
    assert rep.problems[0].seq == 5


def test_deleted_entry_is_named() -> None:
    log = make_log(10)
    a = anchor(log)
    del log[3]
    rep = verify_chain(log, a)
    assert kinds(rep) == {"deleted"}
    assert "entry 4 was deleted" in rep.problems[0].message


def test_deleted_and_renumbered_is_named() -> None:
    log = make_log(10)
    a = anchor(log)
    del log[3]
    for e in log[3:]:
        e["seq"] -= 1
    rep = verify_chain(log, a)
    assert "deleted" in kinds(rep)
    assert "edited" not in kinds(rep)
    assert any("renumbered" in p.message for p in rep.problems)


def test_deleted_tail_is_caught_by_anchor() -> None:
    log = make_log(10)
    a = anchor(log)
    del log[-2:]
    rep = verify_chain(log, a)
    assert kinds(rep) == {"deleted"}


def test_inserted_entry_with_renumbering_is_named() -> None:
    log = make_log(10)
    a = anchor(log)
    forged = dict(log[4])
    forged["object_id"] = "JS/99"
    forged["prev_hash"] = log[4]["entry_hash"]
    forged["seq"] = 6
    forged["entry_hash"] = entry_hash(forged)
    for e in log[5:]:
        e["seq"] += 1
    log.insert(5, forged)
    rep = verify_chain(log, a)
    assert "inserted" in kinds(rep)
    assert "edited" not in kinds(rep)
    assert any(p.kind == "inserted" and p.seq == 6 for p in rep.problems)


def test_reordered_entries_are_named() -> None:
    log = make_log(10)
    a = anchor(log)
    log[3]["seq"], log[4]["seq"] = log[4]["seq"], log[3]["seq"]
    rep = verify_chain(log, a)
    assert kinds(rep) == {"reordered"}


def test_forged_rechained_tail_detected_by_anchor() -> None:
    log = make_log(10)
    a = anchor(log)
    log[6]["purpose"] = "rewritten"
    rehash_from(log, 6)
    rep = verify_chain(log, a)
    assert not rep.ok
    assert "anchor" in kinds(rep)


@pytest.mark.parametrize("n", [1, 2, 50])
def test_chain_sizes(n: int) -> None:
    log = make_log(n)
    assert verify_chain(log, anchor(log)).ok
