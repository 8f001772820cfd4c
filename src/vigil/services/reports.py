"""Loading the rows the reports need, and building the statistics and platform reports.

Reports read records only; they never run analysis. Indicator categories and platform
migrations come from :class:`FindingsSource` objects: by default the officers' recorded
platform observations (:class:`RecordedObservations`); the analysis findings plug in as
another source with the same two methods.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vigil import tool_version
from vigil.cases.taxonomy import taxonomy
from vigil.db.tables.cases import (
    Case,
    CaseUnit,
    Child,
    Offence,
    OffencePlatform,
    Outcome,
    PlatformObservation,
    SafeguardingAction,
    Suspect,
    Unit,
)
from vigil.errors import AccessDenied, UserError
from vigil.reports import platforms as plat
from vigil.reports import stats
from vigil.reports.periods import Period, trend_periods
from vigil.reports.stats import StatsReport
from vigil.services import audit
from vigil.services.access import Principal, acting
from vigil.services.casework.units import get_unit, unit_tree
from vigil.services.workspace import Workspace


class FindingsSource(Protocol):
    """Where indicator categories and platform migrations come from."""

    name: str

    def indicators(self, session: Session, until: datetime) -> Iterable[plat.IndicatorRow]:
        """Every (case, platform, category, first seen) up to ``until``."""
        ...

    def migrations(
        self, session: Session, start: datetime, end: datetime
    ) -> Iterable[plat.MigrationRow]:
        """Moves between platforms between ``start`` and ``end``."""
        ...


class RecordedObservations:
    """Indicators and migrations recorded as platform observations (``vigil observation add``)."""

    name = "recorded platform observations"

    def indicators(self, session: Session, until: datetime) -> Iterable[plat.IndicatorRow]:
        stmt = (
            select(
                Case.ref,
                PlatformObservation.platform,
                PlatformObservation.category,
                PlatformObservation.observed_at,
            )
            .join(Case, Case.id == PlatformObservation.case_id)
            .where(
                PlatformObservation.kind == "indicator", PlatformObservation.observed_at <= until
            )
        )
        for ref, p, c, t in session.execute(stmt):
            yield plat.IndicatorRow(ref, p, c or "", t)

    def migrations(
        self, session: Session, start: datetime, end: datetime
    ) -> Iterable[plat.MigrationRow]:
        stmt = (
            select(
                Case.ref,
                PlatformObservation.platform,
                PlatformObservation.to_platform,
                PlatformObservation.observed_at,
            )
            .join(Case, Case.id == PlatformObservation.case_id)
            .where(
                PlatformObservation.kind == "migration",
                PlatformObservation.observed_at >= start,
                PlatformObservation.observed_at <= end,
            )
        )
        for ref, a, b, t in session.execute(stmt):
            yield plat.MigrationRow(ref, a, b or a, t)


PLATFORM_WORDS: tuple[str, ...] = (
    "snapchat", "whatsapp", "instagram", "discord", "telegram", "kik", "facebook", "messenger",
    "tiktok", "skype", "signal", "wickr", "omegle", "roblox", "xbox", "playstation", "twitter",
)  # fmt: skip


class AnalysisFindings:
    """Indicator categories and platform migrations from triage findings (``vigil triage``)."""

    name = "indicator findings"

    def indicators(self, session: Session, until: datetime) -> Iterable[plat.IndicatorRow]:
        from vigil.db.tables.analysis import FindingRow
        from vigil.db.tables.conversations import ConversationRow, MessageRow

        stmt = (
            select(Case.ref, ConversationRow.platform, FindingRow.category, func.min(MessageRow.sent_at))
            .join(ConversationRow, ConversationRow.id == FindingRow.conversation_id)
            .join(Case, Case.id == ConversationRow.case_id)
            .join(MessageRow, (MessageRow.conversation_id == FindingRow.conversation_id)
                  & (MessageRow.seq == FindingRow.message_seq))
            .where(FindingRow.counted.is_(True), MessageRow.sent_at.is_not(None))
            .group_by(Case.ref, ConversationRow.platform, FindingRow.category)
        )  # fmt: skip
        for ref, p, c, t in session.execute(stmt):
            if t is not None and t <= until:
                yield plat.IndicatorRow(ref, p, c, t)

    def migrations(
        self, session: Session, start: datetime, end: datetime
    ) -> Iterable[plat.MigrationRow]:
        from vigil.db.tables.analysis import FindingRow
        from vigil.db.tables.conversations import ConversationRow, MessageRow

        stmt = (
            select(Case.ref, ConversationRow.platform, FindingRow.quote, MessageRow.sent_at)
            .join(ConversationRow, ConversationRow.id == FindingRow.conversation_id)
            .join(Case, Case.id == ConversationRow.case_id)
            .join(MessageRow, (MessageRow.conversation_id == FindingRow.conversation_id)
                  & (MessageRow.seq == FindingRow.message_seq))
            .where(FindingRow.counted.is_(True), FindingRow.category == "platform_migration",
                   MessageRow.sent_at >= start, MessageRow.sent_at <= end)
        )  # fmt: skip
        for ref, p, quote, t in session.execute(stmt):
            low = quote.lower()
            to = next((w for w in PLATFORM_WORDS if w in low or w[:4] == low.split()[-1][:4]), None)
            if to is not None and to != p and t is not None:
                yield plat.MigrationRow(ref, p, to, t)


def _bounds(p: Period) -> tuple[datetime, datetime]:
    return (
        datetime.combine(p.start, time.min, tzinfo=UTC),
        datetime.combine(p.end, time.max, tzinfo=UTC),
    )


# --- statistics ------------------------------------------------------------------------


class _Labeller:
    """Maps cases to unit buckets and suspects to offence type and platforms."""

    def __init__(self, session: Session, unit_code: str | None) -> None:
        units, children = unit_tree(session)
        self.units = units
        roots = children.get(None, [])
        if unit_code is not None:
            scope_unit = get_unit(session, unit_code)
            self.level: int | None = scope_unit.id
            self.scope = f"{scope_unit.name} ({scope_unit.code})"
        else:
            self.level = roots[0] if len(roots) == 1 else None
            self.scope = "National view (all units)"
        self.restricted = unit_code is not None
        self.case_unit = dict(session.execute(select(CaseUnit.case_id, CaseUnit.unit_id)).all())
        self.suspect_case = dict(session.execute(select(Suspect.id, Suspect.case_id)).all())
        first: dict[int, int] = {}
        for sid, cid in sorted(self.suspect_case.items()):
            first.setdefault(cid, sid)
        self.case_first_suspect = first
        self.suspect_type: dict[int, str] = {}
        ranked = session.execute(
            select(Offence.suspect_id, Offence.offence_type)
            .where(Offence.suspect_id.is_not(None))
            .order_by(Offence.suspect_id, Offence.principal.desc(), Offence.id)
        ).all()
        for ranked_sid, otype in ranked:
            if ranked_sid is not None:
                self.suspect_type.setdefault(ranked_sid, otype)
        self.suspect_platforms: dict[int, set[str]] = {}
        for plat_sid, p in session.execute(
            select(Offence.suspect_id, OffencePlatform.platform).join(
                OffencePlatform, OffencePlatform.offence_id == Offence.id
            )
        ):
            if plat_sid is not None:
                self.suspect_platforms.setdefault(plat_sid, set()).add(p)
        self._bucket_cache: dict[int | None, str | None] = {}

    def bucket(self, case_id: int) -> str | None:
        """The unit row a case counts under, or None when it is outside the scope."""
        uid = self.case_unit.get(case_id)
        if uid not in self._bucket_cache:
            self._bucket_cache[uid] = self._bucket(uid)
        return self._bucket_cache[uid]

    def _bucket(self, uid: int | None) -> str | None:
        if uid is None:
            return None if self.restricted else stats.NO_UNIT
        cur = self.units[uid]
        if self.level is not None and cur.id == self.level:
            return f"{cur.code} (direct)"
        seen = set()
        while cur.id not in seen:
            seen.add(cur.id)
            if cur.parent_id == self.level:
                return cur.code
            if cur.parent_id is None:
                break
            cur = self.units[cur.parent_id]
        return None if self.restricted else cur.code

    def fact(
        self, kind: str, on: date, case_id: int, suspect_id: int | None, **kw: object
    ) -> stats.Fact | None:
        unit = self.bucket(case_id)
        if unit is None:
            return None
        sid = suspect_id if suspect_id is not None else self.case_first_suspect.get(case_id)
        otype = (
            self.suspect_type.get(sid, stats.NOT_RECORDED)
            if sid is not None
            else stats.NOT_RECORDED
        )
        plats = tuple(sorted(self.suspect_platforms.get(sid, ()))) if sid is not None else ()
        return stats.Fact(kind, on, unit, otype, plats, **kw)  # type: ignore[arg-type]


def load_facts(
    session: Session, start: date, end: date, unit_code: str | None
) -> tuple[list[stats.Fact], str, dict[str, dict[str, str]]]:
    """Every arrest, safeguarding action and sentence dated ``start``..``end`` in scope."""
    lab = _Labeller(session, unit_code)
    facts: list[stats.Fact | None] = []
    outcomes = session.execute(
        select(
            Outcome.kind,
            Outcome.occurred_on,
            Outcome.case_id,
            Outcome.suspect_id,
            Outcome.custodial_months,
            Outcome.suspended,
        ).where(
            Outcome.kind.in_(("arrest", "sentence")),
            Outcome.occurred_on >= start,
            Outcome.occurred_on <= end,
        )
    )
    for kind, on, cid, sid, months, suspended in outcomes:
        if kind == "arrest":
            facts.append(lab.fact("arrest", on, cid, sid))
        else:
            facts.append(
                lab.fact("sentence", on, cid, sid, months=months or 0, suspended=bool(suspended))
            )
    actions = session.execute(
        select(SafeguardingAction.action_on, Child.id, Child.case_id, Child.suspect_id)
        .join(Child, Child.id == SafeguardingAction.child_id)
        .where(SafeguardingAction.action_on >= start, SafeguardingAction.action_on <= end)
    )
    for on, child_id, child_case, child_suspect in actions:
        facts.append(lab.fact("safeguard", on, child_case, child_suspect, key=child_id))
    tax = taxonomy()
    labels = {
        "unit": {u.code: f"{u.name}" for u in lab.units.values()},
        "offence_type": {k: v.label for k, v in tax.offence_types.items()},
        "platform": dict(tax.platforms),
    }
    return [f for f in facts if f is not None], lab.scope, labels


def data_start(session: Session) -> date | None:
    """The date of the earliest arrest, safeguarding action or sentence held."""
    a = session.execute(select(func.min(Outcome.occurred_on))).scalar_one_or_none()
    b = session.execute(select(func.min(SafeguardingAction.action_on))).scalar_one_or_none()
    found = [d for d in (a, b) if d is not None]
    return min(found) if found else None


def stats_report(
    ws: Workspace, start: date, end: date, unit_code: str | None = None
) -> stats.StatsReport:
    """The statistics report for ``start``..``end`` (inclusive), national or for one unit, if
    the acting person's role may see reports (:data:`REPORT_ROLES`)."""
    _require_reports_for(ws)
    period = Period(start, end)
    first = min(period.start, trend_periods(period.end)[0].start)
    with ws.sessions() as session:
        facts, scope, labels = load_facts(session, first, period.end, unit_code)
        return stats.compute(
            facts,
            period,
            scope=scope,
            generated_at=ws.now(),
            tool_version=tool_version(),
            data_start=data_start(session),
            labels=labels,
        )


# --- platforms -------------------------------------------------------------------------


def offence_rows(session: Session) -> list[plat.OffenceRow]:
    """Offences with their platforms; an offence's dates fall back to when it was recorded."""
    stmt = (
        select(
            Case.ref,
            OffencePlatform.platform,
            Offence.offence_type,
            Offence.committed_from,
            Offence.committed_to,
            Offence.created_at,
        )
        .join(Offence, Offence.id == OffencePlatform.offence_id)
        .join(Case, Case.id == Offence.case_id)
    )
    out = []
    for ref, p, t, a, b, created in session.execute(stmt):
        start = a or b or created.date()
        out.append(plat.OffenceRow(ref, p, t, start, b or start))
    return out


def platform_report(
    ws: Workspace, start: date, end: date, sources: Sequence[FindingsSource] | None = None
) -> plat.PlatformReport:
    """The platform intelligence report; indicator and migration rows from ``sources``
    (default: recorded observations and indicator findings), if the acting person's role may
    see reports (:data:`REPORT_ROLES`)."""
    _require_reports_for(ws)
    period = Period(start, end)
    srcs: list[FindingsSource] = (
        list(sources) if sources is not None else [RecordedObservations(), AnalysisFindings()]
    )
    lo, hi = _bounds(period)
    with ws.sessions() as session:
        offences = offence_rows(session)
        indicators = [r for s in srcs for r in s.indicators(session, hi)]
        migrations = [r for s in srcs for r in s.migrations(session, lo, hi)]
    return plat.compute(
        offences,
        indicators,
        migrations,
        period,
        labels=dict(taxonomy().platforms),
        generated_at=ws.now(),
        tool_version=tool_version(),
        sources=["offence records"] + [s.name for s in srcs],
    )


def unit_names(ws: Workspace) -> dict[str, str]:
    with ws.sessions() as session:
        return {u.code: u.name for u in session.execute(select(Unit)).scalars()}


def report_key(kind: str, start: date, end: date, unit: str | None = None) -> str:
    """The reference an exported report is recorded under: ``stats:2022-10-01/2023-09-30[:UNIT]``."""
    return f"{kind}:{start.isoformat()}/{end.isoformat()}" + (f":{unit}" if unit else "")


def export_purpose(purpose: str) -> str:
    """The stated purpose of a report's export, whitespace-normalised; a few words at least."""
    text = " ".join(purpose.split())
    if len(text) < 4:
        raise UserError(
            "give a purpose of a few words for the report",
            hint="e.g. 'quarterly return to the regional board'",
        )
    return text


def record_export(
    ws: Workspace,
    actor: str | audit.SignedIn,
    key: str,
    fmt: str,
    size: int,
    purpose: str,
    unit: str | None = None,
) -> None:
    """Write a report's export to the custody/audit log with its stated purpose: the same entry
    for a file written by ``vigil report`` and a download in the browser (``via`` aside)."""
    text = export_purpose(purpose)
    with ws.transaction() as session:
        audit.record(
            session,
            actor,
            "export",
            audit.Subject("report", key),
            purpose=text[:500],
            details={"format": fmt, "unit": unit, "bytes": size},
            now=ws.now(),
        )


# --- The statistics report for a signed-in person whose role may see it, and downloads -------

REPORT_ROLES: frozenset[str] = frozenset({"analyst", "investigator", "supervisor", "administrator"})
DEFAULT_START = date(2022, 10, 1)
DEFAULT_END = date(2023, 9, 30)
EARLIEST = date(1990, 1, 1)
LATEST = date(2199, 12, 31)
Format = str
REPORT_KINDS: dict[str, str] = {"stats": "statistics", "platforms": "platforms"}
"""The reports a browser may download: key (as in the custody log) -> file name part."""
"""A registered report renderer's name (``html``, ``pdf``, ``csv``, ``json`` or a plugin's)."""


def may_see_reports(user: Principal) -> bool:
    return user.role in REPORT_ROLES


def require_reports(user: Principal) -> None:
    if not may_see_reports(user):
        raise AccessDenied(
            f"the {user.role_label} role may not see the statistics reports",
            hint="reports are for analysts, investigators, supervisors and administrators",
        )


def _require_reports_for(ws: Workspace) -> None:
    """:func:`require_reports` for whoever ``ws`` acts for (the web's person, or the command
    line's ``VIGIL_USER`` account)."""
    with ws.transaction() as session:
        user = acting(session, ws)
    require_reports(user)


def statistics(
    ws: Workspace, user: Principal, start: date, end: date, unit: str | None = None
) -> StatsReport:
    """The statistics report for ``start``..``end`` (national, or for one unit)."""

    require_reports(user)
    _check_dates(start, end)
    return stats_report(ws.acting_for(user), start, end, unit or None)


def _check_dates(start: date, end: date) -> None:
    for d in (start, end):
        if not EARLIEST <= d <= LATEST:
            raise UserError(f"{d} is outside the years a report can cover",
                            hint=f"choose dates from {EARLIEST} to {LATEST}")  # fmt: skip


def platforms(ws: Workspace, user: Principal, start: date, end: date) -> plat.PlatformReport:
    """The platform intelligence report for ``start``..``end`` (national; aggregates only),
    for the same roles as the statistics."""
    require_reports(user)
    _check_dates(start, end)
    return platform_report(ws.acting_for(user), start, end)


@dataclass(frozen=True, slots=True)
class Download:
    filename: str
    media_type: str
    body: bytes


def download(
    ws: Workspace,
    user: Principal,
    start: date,
    end: date,
    fmt: Format,
    purpose: str,
    unit: str | None = None,
    report: str = "stats",
) -> Download:
    """The report (``stats``, or ``platforms``: the platform intelligence report, which has
    no unit) rendered as ``fmt``, with the export written to the custody log."""
    from vigil.reports import RENDERERS

    export_purpose(purpose)  # refused before any work
    renderer = RENDERERS.require(fmt)
    if report not in REPORT_KINDS:
        raise UserError(f"unknown report {report!r}", hint="one of: " + ", ".join(REPORT_KINDS))
    if report == "platforms":
        unit = None
    r = (
        platforms(ws, user, start, end)
        if report == "platforms"
        else statistics(ws, user, start, end, unit)
    )
    data = renderer.render(r)
    body = data if isinstance(data, bytes) else data.encode("utf-8")
    record_export(ws, user, report_key(report, start, end, unit), fmt, len(body), purpose, unit)
    name = f"vigil-{REPORT_KINDS[report]}-{start.isoformat()}-{end.isoformat()}" + (
        f"-{unit}" if unit else ""
    )
    return Download(f"{name}{renderer.extension}", renderer.media_type, body)
