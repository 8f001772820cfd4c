"""A case's lead imports and leads, read on the record (read access to the case; one custody
entry per listing). ``vigil leads list`` and the case's leads page (and its API twin) call
:func:`list_leads`. A lead is for a trained person to review, never a verdict."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from vigil import LEAD_NOT_VERDICT
from vigil.db.tables.access import User
from vigil.db.tables.evidence import Exhibit
from vigil.db.tables.leads import Lead, LeadImport
from vigil.errors import NotFound
from vigil.services import access
from vigil.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class ImportInfo:
    """An import and the provenance of the run it came from."""

    ref: str
    exhibit_ref: str
    run_id: str
    input_path: str
    input_sha256: str | None
    results_sha256: str
    run_vigil_version: str
    spark_version: str
    taxonomy_version: str
    model_sha256: str
    run_started_at: str
    only_flagged: bool
    rows_read: int
    leads: int
    imported_at: datetime
    imported_by: str
    tool_version: str


@dataclass(frozen=True, slots=True)
class LeadInfo:
    """One lead: the platform's item id and what Vigil's run said about it."""

    ref: str
    import_ref: str
    item_id: str
    score: float
    flagged: bool
    categories: tuple[str, ...]
    flags: tuple[str, ...]
    urgency: int | None
    taxonomy_version: str
    model_sha256: str
    language: str | None = None
    """The language the run detected (``und``: it could not tell); ``None``: not in the run."""
    checked: bool | None = None
    """False when the language has no patterns: nothing was checked, so a low score says
    nothing (not the same as clean); ``None``: the run did not say."""
    note: str | None = None
    """The run's note, e.g. ``not checked: language xx``."""

    @property
    def check(self) -> str:
        """The language check in words, as the list and the page show it."""
        if self.checked is None:
            return "not recorded by the run"
        if not self.checked:
            return f"not checked: language {self.language or 'unknown'}"
        return f"checked ({self.language})" if self.language else "checked"

    @property
    def remarks(self) -> str:
        """The note, less what :attr:`check` already says."""
        said = {self.check} if self.checked is False else set()
        return "; ".join(p for p in (self.note or "").split("; ") if p and p not in said)


@dataclass(frozen=True, slots=True)
class CaseLeads:
    """The case's imports (all) and the leads asked for: ``total`` of them match the filters,
    ``leads`` are those from ``offset`` on (at most ``limit``)."""

    case_ref: str
    imports: list[ImportInfo]
    leads: list[LeadInfo]
    total: int = 0
    offset: int = 0
    limit: int | None = None
    flagged_only: bool = False
    import_ref: str | None = None
    may_write: bool = False
    """Whether the reader may also import into the case (their role writes)."""
    note: str = LEAD_NOT_VERDICT


def _split(text: str) -> tuple[str, ...]:
    return tuple(x for x in text.split(";") if x)


def list_leads(
    ws: Workspace,
    case_ref: str,
    *,
    flagged_only: bool = False,
    limit: int | None = None,
    offset: int = 0,
    import_ref: str | None = None,
) -> CaseLeads:
    """The case's imports and leads, most urgent and highest scored first; ``flagged_only``
    and ``import_ref`` (one import of the case) filter the leads, ``offset`` and ``limit``
    page them."""
    now = ws.now()
    with ws.transaction() as s:
        user = access.require_act(s, ws, "read", case_ref)
        case = access.require_case(s, user, case_ref, "read")
        imports = list(
            s.execute(
                select(LeadImport, Exhibit.ref, User.username)
                .join(Exhibit, Exhibit.id == LeadImport.exhibit_id)
                .join(User, User.id == LeadImport.imported_by_id)
                .where(LeadImport.case_id == case.id)
                .order_by(LeadImport.seq)
            )
        )
        refs = {imp.id: imp.ref for imp, _, _ in imports}
        where = [Lead.case_id == case.id]
        if flagged_only:
            where.append(Lead.flagged.is_(True))
        if import_ref is not None:
            chosen = [i for i, r in refs.items() if r == import_ref]
            if not chosen:
                raise NotFound(f"no lead import {import_ref!r} in case {case.ref}")
            where.append(Lead.import_id == chosen[0])
        total = int(s.execute(select(func.count()).select_from(Lead).where(*where)).scalar_one())
        stmt = select(Lead).where(*where)
        stmt = stmt.order_by(
            Lead.flagged.desc(), Lead.urgency.desc().nulls_last(), Lead.score.desc(), Lead.seq
        )
        if offset:
            stmt = stmt.offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        leads = [
            LeadInfo(
                x.ref,
                refs[x.import_id],
                x.item_id,
                x.score,
                x.flagged,
                _split(x.categories),
                _split(x.flags),
                x.urgency,
                x.taxonomy_version,
                x.model_sha256,
                x.language,
                x.checked,
                x.note,
            )
            for x in s.execute(stmt).scalars()
        ]
        infos = [
            ImportInfo(
                i.ref,
                ex_ref,
                i.run_id,
                i.input_path,
                i.input_sha256,
                i.results_sha256,
                i.run_vigil_version,
                i.spark_version,
                i.taxonomy_version,
                i.model_sha256,
                i.run_started_at,
                i.only_flagged,
                i.rows_read,
                i.leads,
                i.imported_at,
                who,
                i.tool_version,
            )
            for i, ex_ref, who in imports
        ]
        access.record_view(
            s, user, case.ref, object_type="leads", object_id=case.ref, purpose=None,
            details={"imports": len(infos), "leads_shown": len(leads),
                     "flagged_only": flagged_only, "import": import_ref, "offset": offset},
            now=now,
        )  # fmt: skip
    return CaseLeads(
        case.ref, infos, leads, total, offset, limit, flagged_only, import_ref,
        access.role_allows(user.role, "write"),
    )  # fmt: skip
