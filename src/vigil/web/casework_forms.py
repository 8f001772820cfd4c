"""The case-work page's forms: each reads the fields officers typed and calls one service of
:mod:`vigil.services.casework.work`. A mistake in a field is a UserError naming the field, shown
on the form with what was typed kept, as the services' own refusals are."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from vigil.cases import risk
from vigil.cases.taxonomy import vocabulary
from vigil.errors import UserError
from vigil.services.access import Principal
from vigil.services.casework import authorisations as auths
from vigil.services.casework import work
from vigil.services.casework.outcomes import Sentence
from vigil.services.workspace import Workspace

IDENTIFIER_ROWS = 3
"""Identifier rows on the new-suspect form (more can be added from the command line)."""
MAX_TEXT = 2000


@dataclass(frozen=True, slots=True)
class Fields:
    """A submitted form's text fields."""

    data: Mapping[str, str]

    def opt(self, name: str) -> str | None:
        value = self.data.get(name, "").strip()
        if len(value) > MAX_TEXT:
            raise UserError(f"{name.replace('_', ' ')} is too long (at most {MAX_TEXT} characters)")
        return value or None

    def text(self, name: str, what: str) -> str:
        value = self.opt(name)
        if value is None:
            raise UserError(f"{what} is required")
        return value

    def flag(self, name: str) -> bool:
        return self.data.get(name, "") in ("on", "yes", "true", "1")

    def number(self, name: str, what: str) -> int | None:
        value = self.opt(name)
        if value is None:
            return None
        try:
            n = int(value)
        except ValueError:
            raise UserError(f"{what} should be a whole number, not {value!r}") from None
        if abs(n) > work.NUMBER_LIMIT:
            raise UserError(f"{what} {n} is too large")
        return n

    def day(self, name: str, what: str, default: date | None = None) -> date:
        value = self.opt(name)
        if value is None:
            if default is None:
                raise UserError(f"{what} is required", hint="a date, e.g. 2024-03-18")
            return default
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise UserError(f"{what}: bad date {value!r}", hint="e.g. 2024-03-18") from None
        work.check_year(day, what)
        return day

    def opt_day(self, name: str, what: str) -> date | None:
        return self.day(name, what) if self.opt(name) else None

    def moment(self, name: str, what: str) -> datetime | None:
        """A time as typed; without an offset the service reads it in the case's time zone."""
        value = self.opt(name)
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise UserError(f"{what}: bad time {value!r}", hint="e.g. 2024-03-18 14:05") from None
        work.check_year(moment, what)
        return moment


Act = Callable[[Workspace, Principal, str, Fields], object]


def suspect(ws: Workspace, user: Principal, case_ref: str, f: Fields) -> object:
    ids = []
    for i in range(1, IDENTIFIER_ROWS + 1):
        value = f.opt(f"id_value_{i}")
        if value is None:
            continue
        platform = f.text(f"id_platform_{i}", f"the platform of identifier {i}")
        ids.append((platform, f.text(f"id_kind_{i}", f"the kind of identifier {i}"), value))
    return work.add_suspect(
        ws, user, case_ref, f.text("ref", "a reference"), f.text("label", "a label"),
        f.number("year_of_birth", "year of birth"), ids,
    )  # fmt: skip


def assessment(ws: Workspace, user: Principal, case_ref: str, f: Fields) -> object:
    form = risk.load_form()
    answers: dict[str, bool | str] = {}
    for q in form.questions:
        value = f.opt(f"q_{q.id}")
        if value is not None:
            answers[q.id] = risk.parse_answer(q, value)
    if not answers:
        raise UserError("answer at least one question of the risk form")
    return work.assess(
        ws, user, case_ref, f.text("suspect", "the suspect"), answers,
        f.text("assessor", "the assessor"), f.moment("assessed_at", "assessed at"),
    )  # fmt: skip


def child(ws: Workspace, user: Principal, case_ref: str, f: Fields) -> object:
    return work.add_child(
        ws, user, case_ref, f.text("ref", "a pseudonymous reference"),
        f.number("age", "age at the time"), f.opt("suspect"),
    )  # fmt: skip


def safeguarding(ws: Workspace, user: Principal, case_ref: str, f: Fields) -> object:
    return work.safeguard(
        ws, user, case_ref, f.text("child", "the child"), f.text("kind", "the action"),
        f.day("on", "the date", ws.now().date()), f.text("by", "the recording officer"),
        f.opt("detail"),
    )  # fmt: skip


def offence(ws: Workspace, user: Principal, case_ref: str, f: Fields) -> object:
    platforms = [p.strip() for p in (f.opt("platforms") or "").split(",") if p.strip()]
    return work.offence(
        ws, user, case_ref, f.text("offence_type", "the offence type"),
        f.text("legal_form", "the legal form"), suspect_ref=f.opt("suspect"),
        image_category=f.opt("image_category"), platforms=platforms,
        principal=f.flag("principal"), committed_from=f.opt_day("committed_from", "from"),
        committed_to=f.opt_day("committed_to", "to"), child_ref=f.opt("child"),
    )  # fmt: skip


def outcome(ws: Workspace, user: Principal, case_ref: str, f: Fields) -> object:
    kind = f.text("kind", "the outcome")
    orders = [o for o in vocabulary().get("prevention_orders", {}) if f.flag(f"order_{o}")]
    months = f.number("custodial_months", "custodial months")
    licence = f.number("extended_licence_months", "extended licence months")
    notification = f.number("notification_months", "notification months")
    suspended, indefinite = f.flag("suspended"), f.flag("notification_indefinite")
    sentence = None
    if kind == "sentence" or any([months, suspended, licence, notification, indefinite, orders]):
        sentence = Sentence(months, suspended, licence, notification, indefinite, orders)
    return work.outcome(
        ws, user, case_ref, f.text("suspect", "the suspect"), kind,
        f.day("on", "the date", ws.now().date()), detail=f.opt("detail"), sentence=sentence,
    )  # fmt: skip


def referral(ws: Workspace, user: Principal, case_ref: str, f: Fields) -> object:
    return work.referral(
        ws, user, case_ref, f.text("ref", "a reference"), f.text("direction", "the direction"),
        f.text("partner_kind", "the partner"), f.text("partner", "the partner's name"),
        f.day("on", "the date", ws.now().date()), external_ref=f.opt("external_ref"),
        summary=f.opt("summary"),
    )  # fmt: skip


def grant(ws: Workspace, user: Principal, case_ref: str, f: Fields) -> object:
    g = auths.Grant(
        f.text("ref", "a reference"), f.text("persona", "the persona"), f.text("kind", "the type"),
        f.text("officer", "the authorising officer"), f.text("rank", "the rank"),
        f.moment("granted_at", "granted at") or ws.now(), f.flag("urgent_oral"),
        f.text("operation", "the operation"), f.number("review_days", "review interval"),
    )  # fmt: skip
    return work.grant(ws, user, case_ref, g)


def review(ws: Workspace, user: Principal, case_ref: str, f: Fields) -> object:
    r = auths.Review(
        f.text("ref", "the authorisation"), f.text("reviewer", "the reviewing officer"),
        f.moment("at", "reviewed at") or ws.now(), f.opt("notes"),
    )  # fmt: skip
    return work.review(ws, user, case_ref, r)


def renewal(ws: Workspace, user: Principal, case_ref: str, f: Fields) -> object:
    r = auths.Renewal(
        f.text("ref", "the authorisation"), f.text("officer", "the renewing officer"),
        f.text("rank", "the rank"), f.moment("at", "renewed at") or ws.now(),
        f.moment("judicial_approved_at", "judicial approval"), f.opt("commissioner"),
    )  # fmt: skip
    return work.renew(ws, user, case_ref, r)


def cancellation(ws: Workspace, user: Principal, case_ref: str, f: Fields) -> object:
    c = auths.Cancellation(
        f.text("ref", "the authorisation"), f.text("by", "the cancelling officer"),
        f.moment("at", "cancelled at") or ws.now(), f.text("reason", "the reason"),
    )  # fmt: skip
    return work.cancel(ws, user, case_ref, c)


FORMS: dict[str, tuple[str, Act]] = {
    "suspect": ("Suspect recorded.", suspect),
    "assessment": ("Risk assessment recorded.", assessment),
    "child": ("Child recorded.", child),
    "safeguarding": ("Safeguarding action recorded.", safeguarding),
    "offence": ("Offence recorded.", offence),
    "outcome": ("Outcome recorded.", outcome),
    "referral": ("Referral recorded.", referral),
    "grant": ("Authorisation grant recorded.", grant),
    "review": ("Authorisation review recorded.", review),
    "renewal": ("Authorisation renewal recorded.", renewal),
    "cancellation": ("Authorisation cancellation recorded.", cancellation),
}
"""Form name -> (the message after it is saved, what it does)."""
