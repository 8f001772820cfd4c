"""The custody log's hash chain: canonical entry hashing and tamper analysis. Pure functions.

An entry's hash is the SHA-256 of its canonical JSON: the UTF-8 bytes of ``json.dumps`` with
sorted keys, separators ``(",", ":")`` and ``ensure_ascii=False`` over the fields ``seq``,
``recorded_at``, ``actor``, ``action``, ``object_type``, ``object_id``, ``case_ref``,
``purpose``, ``tool_version``, ``details`` (a JSON object) and ``prev_hash``. The first entry's
``prev_hash`` is 64 zeros. docs/evidence.md shows how to recompute this with standard tools.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

GENESIS = "0" * 64
HASHED_FIELDS: tuple[str, ...] = (
    "seq",
    "recorded_at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "case_ref",
    "purpose",
    "tool_version",
    "details",
    "prev_hash",
)
RENUMBER_SEARCH = 64
"""How far from its position an entry's recorded sequence number is searched for."""


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entry: Mapping[str, Any], seq: int | None = None) -> str:
    """SHA-256 of an entry's hashed fields (optionally as if it had sequence number ``seq``)."""
    body = {k: entry[k] for k in HASHED_FIELDS}
    if seq is not None:
        body["seq"] = seq
    return hashlib.sha256(canonical(body)).hexdigest()


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding of chain verification."""

    kind: str  # edited | deleted | inserted | reordered | anchor
    seq: int | None
    message: str


@dataclass(slots=True)
class ChainReport:
    entries: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _recorded_seq(e: Mapping[str, Any], pos_seq: int) -> int | None:
    """The sequence number under which ``e`` was hashed, if its content is otherwise intact."""
    for delta in range(1, RENUMBER_SEARCH + 1):
        for cand in (pos_seq - delta, pos_seq + delta):
            if cand >= 1 and entry_hash(e, cand) == e["entry_hash"]:
                return cand
    return None


def verify_chain(
    entries: Sequence[Mapping[str, Any]], anchor: Mapping[str, Any] | None = None
) -> ChainReport:
    """Check a whole log (any order; sorted here by ``seq``) against itself and its anchor.

    Names each kind of tampering: an entry whose content was edited (with or without its hash
    recomputed), entries deleted (with or without the later ones renumbered), entries
    inserted, and entries reordered. ``anchor`` is ``{"seq": n, "entry_hash": h}`` of the
    last entry known to the writer.
    """
    rep = ChainReport(entries=len(entries))
    rows = sorted(entries, key=lambda e: int(e["seq"]))
    recorded: dict[int, int] = {}  # position seq -> seq it was hashed under
    moved: dict[int, int] = {}
    for e in rows:
        s = int(e["seq"])
        if entry_hash(e) == e["entry_hash"]:
            recorded[s] = s
            continue
        alt = _recorded_seq(e, s)
        if alt is None:
            recorded[s] = s
            rep.problems.append(
                Problem("edited", s, f"entry {s} was altered: its content does not match its hash")
            )
        else:
            recorded[s] = alt
            moved[s] = alt
    present = set(recorded)
    swapped = {s for s, alt in moved.items() if alt in present and moved.get(alt) == s}
    for s in sorted(swapped):
        if s < moved[s]:
            rep.problems.append(
                Problem("reordered", s, f"entries {s} and {moved[s]} were swapped (reordered)")
            )
    by_hash = {e["entry_hash"]: e for e in rows}
    referenced: dict[str, list[int]] = defaultdict(list)
    for e in rows:
        referenced[e["prev_hash"]].append(int(e["seq"]))
    chain = sorted(rows, key=lambda e: (recorded[int(e["seq"])], int(e["seq"])))
    prev: Mapping[str, Any] | None = None
    deleted_after: set[str] = set()
    for e in chain:
        s, rs = int(e["seq"]), recorded[int(e["seq"])]
        expected = GENESIS if prev is None else prev["entry_hash"]
        prev_rs = 0 if prev is None else recorded[int(prev["seq"])]
        if prev is not None and rs == prev_rs:
            # two entries claim the same recorded position: the one nobody links to is new
            loser = e if e["entry_hash"] not in referenced else prev
            rep.problems.append(
                Problem(
                    "inserted",
                    int(loser["seq"]),
                    f"entry {loser['seq']} was inserted: it is not part of the chain",
                )
            )
            if loser is prev:
                prev = e
            continue
        if rs > prev_rs + 1:
            gap = f"{prev_rs + 1}" if rs == prev_rs + 2 else f"{prev_rs + 1}-{rs - 1}"
            how = "; later entries were renumbered to hide the gap" if s != rs else ""
            rep.problems.append(Problem("deleted", rs, f"entry {gap} was deleted{how}"))
            if prev is not None:
                deleted_after.add(prev["entry_hash"])
        elif e["prev_hash"] != expected and prev is not None:
            target = by_hash.get(e["prev_hash"])
            if target is None and entry_hash(prev) == prev["entry_hash"]:
                rep.problems.append(
                    Problem(
                        "edited",
                        int(prev["seq"]),
                        f"entry {prev['seq']} was altered and its hash recomputed: "
                        f"entry {s} no longer links to it",
                    )
                )
            elif target is not None and int(target["seq"]) not in swapped and s not in swapped:
                rep.problems.append(
                    Problem(
                        "reordered",
                        s,
                        f"entry {s} links to entry {target['seq']}, not to the entry before it",
                    )
                )
        prev = e
    for s, alt in moved.items():
        if s in swapped or alt < s:
            continue
        rep.problems.append(
            Problem(
                "inserted",
                s,
                f"entry at {s} was recorded as {alt}: an entry was inserted before it",
            )
        )
    if anchor is not None and rows:
        a_seq, a_hash = int(anchor["seq"]), str(anchor["entry_hash"])
        at = next((e for e in rows if recorded[int(e["seq"])] == a_seq), None)
        if at is None and a_seq > 0:
            rep.problems.append(
                Problem(
                    "deleted",
                    a_seq,
                    f"the anchored last entry {a_seq} is missing: entries at the end were deleted",
                )
            )
        elif at is not None and at["entry_hash"] != a_hash:
            rep.problems.append(
                Problem("anchor", a_seq, f"entry {a_seq} differs from the anchored head hash")
            )
        beyond = [int(e["seq"]) for e in rows if recorded[int(e["seq"])] > a_seq]
        if beyond:
            rep.warnings.append(
                f"{len(beyond)} entr{'y' if len(beyond) == 1 else 'ies'} after the anchored "
                f"head (seq {a_seq}): written after the anchor, or appended by hand"
            )
    elif anchor is not None and int(anchor["seq"]) > 0:
        rep.problems.append(
            Problem("deleted", None, "the custody log is empty but the anchor is not")
        )
    return rep


def chain_links(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The hash skeleton of a log (seq, prev_hash, entry_hash) for bundles."""
    return [
        {"seq": int(e["seq"]), "prev_hash": e["prev_hash"], "entry_hash": e["entry_hash"]}
        for e in sorted(entries, key=lambda e: int(e["seq"]))
    ]
