"""Verifying the evidence store and the custody log of a workspace."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from vigil.db.tables.cases import Case
from vigil.db.tables.evidence import Blob, Exhibit
from vigil.evidence import custody
from vigil.evidence.chain import ChainReport, verify_chain
from vigil.services import audit
from vigil.services.workspace import Workspace


@dataclass(slots=True)
class VerifyReport:
    blobs_checked: int = 0
    bytes_checked: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    chain: ChainReport | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and (self.chain is None or self.chain.ok)


def verify_workspace(ws: Workspace, progress: Callable[[int], None] | None = None) -> VerifyReport:
    """Re-hash every stored blob, walk the custody chain, and log the verification."""
    rep = VerifyReport()
    with ws.sessions() as session:
        blobs = session.execute(select(Blob).order_by(Blob.sha256)).scalars().all()
        users: dict[str, list[str]] = defaultdict(list)
        for ex, case_ref in session.execute(
            select(Exhibit, Case.ref).join(Case, Case.id == Exhibit.case_id)
        ):
            users[ex.blob_sha256].append(f"{case_ref} {ex.ref}")
        entries = custody.all_entries(session)
    known = set()
    for b in blobs:
        known.add(b.sha256)
        who = ", ".join(users.get(b.sha256, [])) or "no exhibit"
        if not ws.store.exists(b.sha256):
            rep.problems.append(f"blob {b.sha256} ({who}) is missing from the store")
            continue
        d = ws.store.rehash(b.sha256)
        rep.blobs_checked += 1
        rep.bytes_checked += d.size
        if progress is not None:
            progress(d.size)
        changed = [
            f"{name} now {now}"
            for name, now, was in (
                ("SHA-256", d.sha256, b.sha256),
                ("SHA-1", d.sha1, b.sha1),
                ("MD5", d.md5, b.md5),
                ("size", str(d.size), str(b.size)),
            )
            if now != was
        ]
        if changed:
            rep.problems.append(
                f"blob {b.sha256} ({who}): bytes changed since registration ({'; '.join(changed)})"
            )
    for name in ws.store.iter_blob_names():
        if name not in known:
            rep.warnings.append(
                f"stored file {name} is not registered (an interrupted registration); "
                "it is never shown as evidence"
            )
    anchor = custody.read_anchor(ws.settings.anchor_path)
    if anchor is None and entries:
        rep.warnings.append("no custody anchor file: tail deletions cannot be detected")
    rep.chain = verify_chain(entries, anchor)
    with ws.transaction() as session:
        ws.ensure_user(session)
        audit.record(
            session,
            ws.actor,
            "verify",
            audit.Subject("workspace", str(ws.settings.resolved_home)),
            details={
                "blobs_checked": rep.blobs_checked,
                "problems": len(rep.problems) + len(rep.chain.problems),
                "entries_checked": rep.chain.entries,
            },
            now=ws.now(),
        )
    return rep
