"""Cases: create, list, show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from vigil.db.tables.access import User
from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import ConversationRow
from vigil.db.tables.evidence import Exhibit
from vigil.errors import NotFound, UserError
from vigil.services import audit
from vigil.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class CaseInfo:
    ref: str
    title: str
    unit: str | None
    default_tz: str
    created_at: datetime
    created_by: str
    exhibits: int
    conversations: int


def check_tz(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UserError(
            f"unknown time zone {name!r}", hint="use an IANA name such as Europe/London or UTC"
        ) from exc


def get_case(session: Session, ref: str) -> Case:
    case = session.execute(select(Case).where(Case.ref == ref)).scalar_one_or_none()
    if case is None:
        raise NotFound(
            f"no case {ref!r}", hint="see `vigil case list`, or create it with `vigil case create`"
        )
    return case


def create_case(ws: Workspace, ref: str, title: str, unit: str | None, tz: str | None) -> CaseInfo:
    ref = ref.strip()
    if not ref or any(c.isspace() for c in ref) or "/" in ref:
        raise UserError(
            f"bad case reference {ref!r}", hint="use letters, digits and dashes, e.g. OP-ALDER"
        )
    zone = tz or ws.settings.default_timezone
    check_tz(zone)
    try:
        with ws.transaction() as session:
            user = ws.ensure_user(session)
            case = Case(
                ref=ref,
                title=title,
                unit=unit,
                default_tz=zone,
                created_at=ws.now(),
                created_by_id=user.id,
            )
            session.add(case)
            session.flush()
            audit.record(
                session,
                ws.actor,
                "create",
                audit.Subject("case", ref, ref),
                details={"title": title, "unit": unit, "default_tz": zone},
                now=ws.now(),
            )
    except SAIntegrityError as exc:
        raise UserError(f"case {ref!r} already exists", hint="choose another reference") from exc
    return show_case(ws, ref)


def _info(session: Session, case: Case) -> CaseInfo:
    creator = session.get(User, case.created_by_id)
    n_ex = session.execute(select(func.count()).where(Exhibit.case_id == case.id)).scalar_one()
    n_conv = session.execute(
        select(func.count()).where(ConversationRow.case_id == case.id)
    ).scalar_one()
    return CaseInfo(
        case.ref,
        case.title,
        case.unit,
        case.default_tz,
        case.created_at,
        creator.username if creator else "?",
        n_ex,
        n_conv,
    )


def list_cases(ws: Workspace) -> list[CaseInfo]:
    with ws.sessions() as session:
        cases = session.execute(select(Case).order_by(Case.ref)).scalars().all()
        return [_info(session, c) for c in cases]


def show_case(ws: Workspace, ref: str) -> CaseInfo:
    with ws.sessions() as session:
        return _info(session, get_case(session, ref))
