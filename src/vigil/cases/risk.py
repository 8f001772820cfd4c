"""Risk-assessment forms defined in YAML (KIRAT-style) and scoring answers against them.

A form has sections of questions (``yes_no`` with a weight, or ``choice`` with a weight per
option), bands by minimum score, and override rules that lift the band when all their
conditions hold. :func:`assess` returns the score, the band and the reason for each point.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vigil.cases._data import load_yaml, need
from vigil.errors import ParseError, UserError

Answer = bool | str


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    section: str
    text: str
    type: str
    weight: int = 0
    options: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Override:
    id: str
    when_all: dict[str, Answer]
    band_at_least: str
    reason: str


@dataclass(frozen=True, slots=True)
class RiskForm:
    id: str
    version: str
    title: str
    sources: tuple[str, ...]
    questions: tuple[Question, ...]
    bands: tuple[tuple[str, int], ...]
    """(band, min_score), highest first."""
    rules: tuple[Override, ...]

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise UserError(
            f"form {self.id} has no question {qid!r}",
            hint="questions: " + ", ".join(q.id for q in self.questions),
        )

    @property
    def band_order(self) -> list[str]:
        """Bands from lowest to highest."""
        return [b for b, _ in reversed(self.bands)]


def _question(section: str, raw: Any, where: str) -> Question:
    if not isinstance(raw, dict):
        raise ParseError("question should be a mapping", location=where)
    qtype = need(raw, "type", str, where)
    qid = need(raw, "id", str, where)
    text = need(raw, "text", str, where)
    if qtype == "yes_no":
        return Question(qid, section, text, qtype, weight=need(raw, "weight", int, where))
    if qtype == "choice":
        opts = need(raw, "options", dict, where)
        if not all(isinstance(v, int) for v in opts.values()):
            raise ParseError("option weights should be integers", location=where)
        return Question(qid, section, text, qtype, options={str(k): v for k, v in opts.items()})
    raise ParseError(f"unknown question type {qtype!r}", location=where, expected="yes_no|choice")


def load_form(path: Path | None = None) -> RiskForm:
    """The risk form at ``path``, or the packaged KIRAT-style form."""
    data = load_yaml("risk_form.yaml", path)
    questions: list[Question] = []
    for i, sec in enumerate(need(data, "sections", list, "top level")):
        where = f"sections[{i}]"
        if not isinstance(sec, dict):
            raise ParseError("section should be a mapping", location=where)
        sid = need(sec, "id", str, where)
        for j, q in enumerate(need(sec, "questions", list, where)):
            questions.append(_question(sid, q, f"{where}.questions[{j}]"))
    ids = [q.id for q in questions]
    if len(ids) != len(set(ids)):
        raise ParseError("question ids repeat", location="sections")
    bands = tuple(
        (need(b, "band", str, f"bands[{i}]"), need(b, "min_score", int, f"bands[{i}]"))
        for i, b in enumerate(need(data, "bands", list, "top level"))
    )
    if [s for _, s in bands] != sorted((s for _, s in bands), reverse=True) or bands[-1][1] > 0:
        raise ParseError("bands should run from highest min_score down to 0", location="bands")
    names = {b for b, _ in bands}
    rules = []
    for i, r in enumerate(data.get("rules") or []):
        where = f"rules[{i}]"
        when = need(r, "when_all", dict, where)
        unknown = set(when) - set(ids)
        if unknown:
            raise ParseError(f"unknown questions {sorted(unknown)}", location=where)
        band = need(r, "band_at_least", str, where)
        if band not in names:
            raise ParseError(f"unknown band {band!r}", location=where)
        rules.append(
            Override(need(r, "id", str, where), dict(when), band, need(r, "reason", str, where))
        )
    return RiskForm(
        id=need(data, "id", str, "top level"),
        version=str(need(data, "version", str, "top level")),
        title=str(data.get("title", "")),
        sources=tuple(str(s) for s in data.get("sources", [])),
        questions=tuple(questions),
        bands=bands,
        rules=tuple(rules),
    )


@dataclass(frozen=True, slots=True)
class RiskResult:
    form_id: str
    form_version: str
    score: int
    band: str
    reasons: list[str]
    unanswered: list[str]


def parse_answer(q: Question, text: str) -> Answer:
    """An answer typed at the command line: yes/no for yes_no, an option name for choice."""
    if q.type == "yes_no":
        low = text.strip().lower()
        if low in {"yes", "y", "true", "1"}:
            return True
        if low in {"no", "n", "false", "0"}:
            return False
        raise UserError(f"answer to {q.id} should be yes or no, not {text!r}")
    return text.strip()


def assess(form: RiskForm, answers: Mapping[str, Answer]) -> RiskResult:
    """Score ``answers`` against ``form``: the band, and a reason for every point and override."""
    score = 0
    reasons: list[str] = []
    for qid, value in answers.items():
        q = form.question(qid)
        if q.type == "yes_no":
            if not isinstance(value, bool):
                raise UserError(f"answer to {qid} should be yes or no")
            if value and q.weight:
                score += q.weight
                reasons.append(f"+{q.weight} {q.id}: {q.text}")
        else:
            if not isinstance(value, str) or value not in q.options:
                raise UserError(
                    f"answer to {qid} should be one of: " + ", ".join(q.options),
                )
            pts = q.options[value]
            if pts:
                score += pts
                reasons.append(f"+{pts} {q.id}={value}: {q.text}")
    band = next(b for b, minimum in form.bands if score >= minimum)
    reasons.append(f"score {score} gives band {band}")
    order = form.band_order
    for rule in form.rules:
        holds = all(answers.get(k) == v for k, v in rule.when_all.items())
        if holds and order.index(rule.band_at_least) > order.index(band):
            band = rule.band_at_least
            reasons.append(f"rule {rule.id} raises the band to {band}: {rule.reason}")
    unanswered = [q.id for q in form.questions if q.id not in answers]
    return RiskResult(form.id, form.version, score, band, reasons, unanswered)
