"""Exporting a case's evidence bundle, and checking one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select

from vigil import tool_version
from vigil.db.tables.evidence import Exhibit
from vigil.errors import UserError
from vigil.evidence import bundle, checkpoints, custody
from vigil.evidence.chain import chain_links
from vigil.services import access, audit
from vigil.services.cases import get_case
from vigil.services.evidence.exhibits import exhibit_json, list_exhibits
from vigil.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Exported:
    path: Path
    exhibits: int
    entries: int


def export_case(ws: Workspace, case_ref: str, out: Path, purpose: str) -> Exported:
    """Write the case's bundle to ``out`` atomically; the export is logged first."""
    if out.exists() and out.is_dir():
        raise UserError(f"{out} is a folder", hint="give a file name such as bundle.zip")
    if not out.parent.exists():
        raise UserError(f"{out.parent}: no such folder", hint="create it first")
    exhibits = list_exhibits(ws, case_ref)
    for ex in exhibits:
        if not ws.store.exists(ex.sha256):
            raise UserError(
                f"exhibit {ex.ref}: bytes missing from the store",
                hint="run `vigil evidence verify` and resolve it before exporting",
            )
    now = ws.now()
    with ws.transaction() as session:
        ws.ensure_user(session)
        case = get_case(session, case_ref)
        access.require_act(session, ws, "read", case_ref)
        refs = [
            e.ref
            for e in session.execute(
                select(Exhibit).where(Exhibit.case_id == case.id).order_by(Exhibit.id)
            ).scalars()
        ]
        audit.record(
            session,
            ws.actor,
            "export",
            audit.Subject("case", case_ref, case_ref),
            purpose=purpose,
            details={"exhibits": refs, "out": out.name},
            now=now,
        )
    with ws.sessions() as session:
        entries = custody.all_entries(session, case_ref)
        links = chain_links(custody.all_entries(session))
        case = get_case(session, case_ref)
        case_json = {
            "ref": case.ref,
            "title": case.title,
            "unit": case.unit,
            "default_tz": case.default_tz,
        }
    items: list[dict[str, Any]] = []
    for ex in exhibits:
        item = exhibit_json(ex)
        item["path"] = bundle.bundle_path(ex.ref, ex.original_name)
        items.append(item)
    manifest = {
        "format": bundle.FORMAT,
        "tool_version": tool_version(),
        "exported_at": custody.utc_iso(now),
        "exported_by": ws.actor,
        "case": case_json,
        "exhibits": items,
        "custody_log": "custody.jsonl",
        "chain": "chain.json",
        "anchor": {"seq": links[-1]["seq"], "entry_hash": links[-1]["entry_hash"]},
    }
    # the newest signed checkpoint and the key that signs them, for checking the log's head
    # against a copy held outside the workspace (docs/evidence.md)
    found, _ = checkpoints.read_all(ws.settings.checkpoint_path)
    public = checkpoints.load_public(ws.settings.signing_key_path)
    if found and public is not None:
        manifest["checkpoint"] = checkpoints.as_json(found[-1])
        manifest["checkpoint_public_key"] = checkpoints.public_pem(public).decode("ascii")

    def streams() -> Iterator[tuple[str, BinaryIO]]:
        for ex, item in zip(exhibits, items, strict=True):
            with ws.store.open(ex.sha256) as fh:
                yield item["path"], fh

    fd, tmp = tempfile.mkstemp(prefix=".bundle-", suffix=".zip", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            bundle.write_bundle(fh, manifest, streams(), entries, links)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return Exported(out, len(items), len(entries))


def check_bundle(path: Path) -> bundle.BundleReport:
    """Verify a bundle file with no database."""
    if not path.is_file():
        raise UserError(f"{path}: no such file", hint="check the path")
    with path.open("rb") as fh:
        return bundle.verify_bundle(fh, str(path))
