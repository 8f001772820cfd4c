"""The unit's review decisions as labelled data that ``vigil model train --data`` reads.

The format is the learned model's ``segment,label`` CSV (:mod:`vigil.analysis.learn.data`):
one row per decided conversation, its messages one per line (line breaks inside a message
become spaces; system notices and empty messages are left out; senders and times are not
kept, as the format has no place for them), labelled by the conversation's current state:

- ``escalate`` → 1 (concerning);
- ``not relevant`` → 0;
- ``reviewed`` → left out unless ``reviewed_as="negative"``: "reviewed" says an officer read
  it, not what they concluded (a conversation already handed on, or still being worked, is
  "reviewed" too), so calling it harmless would teach the model the wrong lesson;
- ``unreviewed`` → never exported: nobody decided anything.

Exporting reads case content: every case needs the ``read`` role and a purpose, and each case
exported gets one ``export`` entry in the custody log (the file's name and SHA-256, which
conversations, how many of each label). The file is written atomically with mode 0600: it
holds case material, and is kept and destroyed like it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil.analysis.learn.data import CSV_HEADER
from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import ConversationRow, MessageRow
from vigil.db.tables.review import ReviewState
from vigil.errors import UserError
from vigil.services import audit
from vigil.services.access import Principal, require_act
from vigil.services.review.decide import purpose_for
from vigil.services.workspace import Workspace

LABELS: dict[str, int] = {"escalate": 1, "not_relevant": 0}
ReviewedAs = Literal["skip", "negative"]


@dataclass(slots=True)
class ExportResult:
    out: Path
    sha256: str
    conversations: int
    positives: int
    negatives: int
    by_case: dict[str, int] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)
    """Decided conversations not written, by reason ("reviewed", "no message text")."""


def _segment(texts: Sequence[str]) -> str:
    return "\n".join(" ".join(t.split()) for t in texts if t and t.strip())


def export_decisions(
    ws: Workspace,
    case_refs: Sequence[str],
    out: Path,
    *,
    purpose: str | None = None,
    reviewed_as: ReviewedAs = "skip",
) -> ExportResult:
    """Write the decided conversations of ``case_refs`` to ``out`` as ``segment,label`` CSV."""
    refs = list(dict.fromkeys(r.strip() for r in case_refs if r.strip()))
    if not refs:
        raise UserError("name at least one case", hint="--case OP-NAME (repeat for more)")
    if out.exists():
        raise UserError(f"{out}: already exists", hint="choose a new file name")
    labels = dict(LABELS, **({"reviewed": 0} if reviewed_as == "negative" else {}))
    res = ExportResult(out, "", 0, 0, 0)
    tmp: Path | None = None
    try:
        with ws.transaction() as session:
            rows, done = _rows(ws, session, refs, labels, purpose, res)
            if not res.conversations:
                raise UserError(
                    "no decided conversation to export",
                    hint="mark conversations 'escalate' or 'not relevant' first (vigil review set)",
                )
            buf = io.StringIO(newline="")
            writer = csv.writer(buf, lineterminator="\n")
            writer.writerow(CSV_HEADER)
            writer.writerows(rows)
            blob = buf.getvalue().encode("utf-8")
            res.sha256 = hashlib.sha256(blob).hexdigest()
            tmp = _write_temp(out, blob)
            for ref, (user, why, ids, pos) in done.items():
                audit.record(
                    session, user, "export", audit.Subject("review_labels", out.name, ref),
                    purpose=why, now=ws.now(),
                    details={"format": "segment,label CSV", "sha256": res.sha256,
                             "conversations": ids, "positives": pos,
                             "negatives": len(ids) - pos, "reviewed_as": reviewed_as},
                )  # fmt: skip
        os.replace(tmp, out)
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise
    return res


def _rows(
    ws: Workspace,
    session: Session,
    refs: Sequence[str],
    labels: dict[str, int],
    purpose: str | None,
    res: ExportResult,
) -> tuple[list[tuple[str, int]], dict[str, tuple[Principal, str, list[int], int]]]:
    """The CSV rows of every case (access and purpose checked first), and per case who, why,
    which conversations and how many positives, for the custody entries."""
    rows: list[tuple[str, int]] = []
    done: dict[str, tuple[Principal, str, list[int], int]] = {}
    for ref in refs:
        user = require_act(session, ws, "read", ref)
        case = session.execute(select(Case).where(Case.ref == ref)).scalar_one()
        why = purpose_for(session, user, case, ws.now(), purpose)
        ids: list[int] = []
        pos = 0
        decided = session.execute(
            select(ReviewState.conversation_id, ReviewState.state)
            .join(ConversationRow, ConversationRow.id == ReviewState.conversation_id)
            .where(ReviewState.case_id == case.id, ReviewState.state != "unreviewed")
            .order_by(ReviewState.conversation_id)
        ).all()
        for conv_id, state in decided:
            if state not in labels:
                res.left_out[state] = res.left_out.get(state, 0) + 1
                continue
            texts = session.execute(
                select(MessageRow.text)
                .where(MessageRow.conversation_id == conv_id, MessageRow.is_system.is_(False))
                .order_by(MessageRow.seq)
            ).scalars()
            segment = _segment(list(texts))
            if not segment:
                res.left_out["no message text"] = res.left_out.get("no message text", 0) + 1
                continue
            rows.append((segment, labels[state]))
            ids.append(conv_id)
            pos += labels[state]
        done[ref] = (user, why, ids, pos)
        res.by_case[ref] = len(ids)
        res.positives += pos
        res.negatives += len(ids) - pos
    res.conversations = res.positives + res.negatives
    return rows, done


def _write_temp(out: Path, blob: bytes) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(name, 0o600)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)
