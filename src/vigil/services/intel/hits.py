"""Cross-case hits under need to know: identifiers of a case that also appear in other cases.

Matching runs in the database on the ``(kind, platform, value)`` index of the identifiers
table; the pure :func:`vigil.intel.crosscase.cross_case_hits` groups the matches and applies
the hit kinds. Other cases are handled by internal id only: what leaves this module about
them is the holding unit and the officer in charge (the case creator), never the case's
reference, title, messages or participants.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from vigil.db.tables.access import User
from vigil.db.tables.cases import Case, CaseUnit, PersonaHandle, Unit
from vigil.db.tables.intel import IdentifierRow
from vigil.intel.crosscase import HIT_KINDS, cross_case_hits
from vigil.intel.entities import canonical_account, canonical_platform
from vigil.intel.extract import Identifier, IdentifierKind
from vigil.intel.model import Sighting
from vigil.services import access, audit
from vigil.services.cases import get_case
from vigil.services.intel.identifiers import authorise, purpose_text, refresh_all
from vigil.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Holder:
    """Who to contact about another case: its unit and officer in charge. Nothing else."""

    unit: str
    officer: str | None


@dataclass(frozen=True, slots=True)
class CaseHit:
    """An identifier of this case that also appears in other cases."""

    kind: str  # entity type: phone, email, account, wallet, bank_account
    value: str
    platform: str | None
    holders: tuple[Holder, ...]
    seen_here: int  # sightings in this case
    where: tuple[str, ...]  # up to five places in this case
    notice: str


@dataclass(frozen=True, slots=True)
class HitsReport:
    case_ref: str
    checked: int  # distinct identifiers of this case that could raise a hit
    hits: list[CaseHit]


def _holder(session: Session, case_id: int) -> Holder:
    case = session.get(Case, case_id)
    assert case is not None
    unit = session.execute(
        select(Unit.name)
        .join(CaseUnit, CaseUnit.unit_id == Unit.id)
        .where(CaseUnit.case_id == case_id)
    ).scalar_one_or_none()
    creator = session.get(User, case.created_by_id)
    officer = (creator.display_name or creator.username) if creator else None
    return Holder(unit or case.unit or "an unnamed unit", officer)


def _notice(kind: str, value: str, platform: str | None, holders: tuple[Holder, ...]) -> str:
    what = f"{platform} {kind} {value}" if platform else f"{kind} {value}"
    held = "; and in ".join(
        f"a case held by {h.unit} — contact its officer in charge"
        + (f" ({h.officer})" if h.officer else "")
        for h in holders
    )
    return f"{what} also appears in {held}."


def _persona_accounts(session: Session) -> set[tuple[str, str]]:
    rows = session.execute(select(PersonaHandle.platform, PersonaHandle.handle))
    return {canonical_account(plat, handle)[:2] for plat, handle in rows}


def hits(
    ws: Workspace, case_ref: str, *, purpose: str, user: access.Principal | None = None
) -> HitsReport:
    """Identifiers of the case also found in other cases, each with whom to contact.

    The other case is named only by its unit and officer in charge. The accounts of the
    unit's own personas never raise hits. Each listing is recorded in the custody log.
    """
    why = purpose_text(purpose, required=True)
    with ws.sessions() as s:
        authorise(s, ws, get_case(s, case_ref), user, "read")
    refresh_all(ws)
    kinds = sorted(k.value for k in HIT_KINDS)
    with ws.transaction() as session:
        case = get_case(session, case_ref)
        authorise(session, ws, case, user, "read")
        mine, other = aliased(IdentifierRow), aliased(IdentifierRow)
        ok = or_(mine.valid.is_(None), mine.valid.is_(True))
        eligible = and_(
            mine.case_id == case.id,
            mine.kind.in_(kinds),
            ok,
            or_(mine.kind != IdentifierKind.HANDLE.value, mine.platform != ""),
        )
        checked = session.execute(
            select(func.count()).select_from(
                select(mine.kind, mine.platform, mine.value).where(eligible).distinct().subquery()
            )
        ).scalar_one()
        matched = session.execute(
            select(other.case_id, mine.kind, mine.platform, mine.value)
            .join(
                other,
                and_(
                    other.kind == mine.kind,
                    other.platform == mine.platform,
                    other.value == mine.value,
                    other.case_id != mine.case_id,
                    or_(other.valid.is_(None), other.valid.is_(True)),
                ),
            )
            .where(eligible)
            .distinct()
        ).all()
        personas = _persona_accounts(session)
        me = f"case:{case.id}"
        sightings: list[Sighting] = []
        for ocid, kind, plat, value in matched:
            if (
                kind == IdentifierKind.HANDLE.value
                and (canonical_platform(plat), value) in personas
            ):
                continue
            ident = Identifier(IdentifierKind(kind), value, value, 0, 0, plat or None)
            sightings.append(Sighting(me, "", None, None, ident))
            sightings.append(Sighting(f"case:{ocid}", "", None, None, ident))
        out: list[CaseHit] = []
        for h in cross_case_hits(sightings, for_case=me):
            holders = tuple(
                sorted(
                    {_holder(session, int(o.case_ref.split(":")[1])) for o in h.others},
                    key=lambda x: (x.unit, x.officer or ""),
                )
            )
            places = session.execute(
                select(
                    IdentifierRow.conversation_id, IdentifierRow.message_seq, IdentifierRow.source
                )
                .where(
                    IdentifierRow.case_id == case.id,
                    IdentifierRow.value == h.value,
                    IdentifierRow.platform == (h.platform or ""),
                    IdentifierRow.kind.in_(kinds),
                )
                .order_by(IdentifierRow.conversation_id, IdentifierRow.message_seq)
            ).all()
            where = tuple(
                f"conversation {c} message #{seq}"
                if seq is not None
                else f"conversation {c} ({src})"
                for c, seq, src in places[:5]
            )
            notice = _notice(h.kind, h.value, h.platform, holders)
            out.append(CaseHit(h.kind, h.value, h.platform, holders, len(places), where, notice))
        audit.record(
            session,
            ws.actor,
            "view",
            audit.Subject("cross_case_hits", case.ref, case.ref),
            purpose=why,
            details={
                "checked": checked,
                "hits": len(out),
                "identifiers": [f"{h.kind} {h.value}" for h in out][:100],
                "units": sorted({x.unit for h in out for x in h.holders}),
            },
            now=ws.now(),
        )
    return HitsReport(case.ref, checked, out)
