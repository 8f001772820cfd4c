"""The disclosure officer's decisions: an item's status, its schedule description, and the
flag that it might undermine the prosecution case or assist the defence.

Only a member of the case whose role may ``disclose`` (the disclosure officer) decides; every
other role is refused before anything is written. Each decision is one ``annotate`` entry in
the custody log (the description's SHA-256 and length, never its words) and one history row
in ``disclosure_changes``; the item's current state (``disclosure_items``) is kept in the same
transaction. A decision that changes nothing records nothing. :func:`decide_many` takes many
decisions in one transaction (the same checks, one entry each), for the web's bulk form and
for loading a large case.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from vigil.db.tables.disclosure import DisclosureChange, DisclosureItem
from vigil.disclosure.items import parse_key
from vigil.disclosure.schedule import Item
from vigil.disclosure.status import LABELS, check_description, check_status
from vigil.errors import NotFound, UserError
from vigil.evidence import custody
from vigil.services import access, audit
from vigil.services.cases import get_case
from vigil.services.disclosure.items import case_items
from vigil.services.workspace import Workspace

MAX_BATCH = 10_000


@dataclass(frozen=True, slots=True)
class Decision:
    """What to set on one item; None leaves that part as it stands. An item's first
    decision needs a status and a description."""

    key: str
    status: str | None = None
    description: str | None = None
    undermines: bool | None = None


@dataclass(frozen=True, slots=True)
class Decided:
    """An item after a decision, and whether anything changed."""

    item: Item
    changed: bool


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def decide(ws: Workspace, case_ref: str, decision: Decision) -> Decided:
    """Record one decision (see :func:`decide_many`)."""
    return decide_many(ws, case_ref, [decision])[0]


def decide_many(ws: Workspace, case_ref: str, decisions: Sequence[Decision]) -> list[Decided]:
    """Record ``decisions`` on items of ``case_ref`` in one transaction: all or none.

    Every decision is checked (the item exists in the case, a known status, a description
    fit for a schedule) before anything is written."""
    if not decisions:
        raise UserError("no decision given")
    if len(decisions) > MAX_BATCH:
        raise UserError(f"{len(decisions):,} decisions at once; at most {MAX_BATCH:,}")
    now = ws.now()
    with ws.transaction() as s:
        user = access.require_act(s, ws, "disclose", case_ref)
        case = get_case(s, case_ref)
        items = {i.key: i for i in case_items(s, case)}
        planned: list[tuple[Item, str, str, bool]] = []
        seen: set[str] = set()
        for d in decisions:
            key = str(parse_key(d.key))
            if key in seen:
                raise UserError(f"item {key} is given twice in one batch")
            seen.add(key)
            item = items.get(key)
            if item is None:
                raise NotFound(f"no item {key} in case {case_ref}",
                               hint="see `vigil disclosure items --case " + case_ref + "`")  # fmt: skip
            status = check_status(d.status) if d.status is not None else item.status
            if status is None:
                raise UserError(f"item {key} has no status yet: give one")
            desc = (check_description(d.description) if d.description is not None
                    else item.description)  # fmt: skip
            if not desc:
                raise UserError(f"item {key} needs a description fit for a schedule")
            flag = d.undermines if d.undermines is not None else item.undermines
            planned.append((item, status, desc, flag))
        changes = [p for p in planned if (p[0].status, p[0].description, p[0].undermines)
                   != (p[1], p[2], p[3])]  # fmt: skip
        entries = [
            ("annotate", audit.Subject("disclosure_item", item.key, case.ref),
             {"disclosure": "decision", "status": status, "was": item.status,
              "undermines": flag, "description_sha256": _digest(desc), "chars": len(desc),
              "description_changed": desc != item.description})
            for item, status, desc, flag in changes
        ]  # fmt: skip
        audit.record_many(s, user, entries, now=now)
        first = custody.head(s)[0] - len(entries) + 1  # the lock is held: these are ours
        current = {
            r.item_key: r
            for r in s.execute(
                select(DisclosureItem).where(DisclosureItem.case_id == case.id)
            ).scalars()
        }
        history = [
            DisclosureChange(case_id=case.id, item_key=item.key, status=status, description=desc,
                             undermines=flag, changed_by_id=user.user_id, changed_at=now,
                             custody_seq=first + n)
            for n, (item, status, desc, flag) in enumerate(changes)
        ]  # fmt: skip
        s.add_all(history)
        s.flush()
        out: dict[str, Decided] = {}
        for h in history:
            row = current.get(h.item_key)
            if row is None:
                row = DisclosureItem(case_id=case.id, item_key=h.item_key)
                s.add(row)
            row.status, row.description, row.undermines = h.status, h.description, h.undermines
            row.set_by_id, row.set_at, row.change_id = user.user_id, now, h.id
        s.flush()
        after = {i.key: i for i in case_items(s, case)}
        changed_keys = {p[0].key for p in changes}
        for item, *_ in planned:
            out[item.key] = Decided(after[item.key], item.key in changed_keys)
    return [out[p[0].key] for p in planned]


def status_words(status: str | None) -> str:
    """A status in words (``unscheduled`` when there is none yet)."""
    return LABELS.get(status or "", "unscheduled")
