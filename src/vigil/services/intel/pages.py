"""What the intelligence pages and their API show: a case's identifiers (grouped, with their
validation and where they were seen), cross-case hits under need to know, the link graph as
nodes and edges, and graph exports as downloads.

Each function takes the signed-in :class:`~vigil.services.access.Principal`, checks that they
are on the case with a role that reads it and that they stated a purpose for it in this
sign-in (identifiers are case content), and writes the view to the custody log with that
purpose. Other cases appear only as the unit and officer to contact
(:mod:`vigil.services.intel.hits`); the graph is built from this case's material alone.
Vigil's output is a lead for a trained person, never a verdict.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, or_, select, tuple_
from sqlalchemy.orm import Session

from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import ConversationRow
from vigil.db.tables.intel import IdentifierRow, IntelExtraction
from vigil.errors import UserError
from vigil.intel import graph as intel_graph
from vigil.intel.exports import FORMATS
from vigil.services import access, links
from vigil.services.intel import hits as intel_hits
from vigil.services.intel.graph import _resolution, export_case
from vigil.services.intel.identifiers import ensure_fresh
from vigil.services.listing import ListQuery, Page, Sorts, order_by
from vigil.services.workspace import Workspace

KIND_LABELS: dict[str, str] = {
    "phone": "phone number",
    "email": "e-mail address",
    "url": "web address",
    "ip": "IP address",
    "handle": "account or user name",
    "crypto": "crypto wallet",
    "payment": "payment handle",
    "bank_account": "bank account",
    "postcode": "postcode",
    "money": "sum of money",
    "meeting_time": "meeting time",
    "account": "account",
    "wallet": "crypto wallet",
}
"""Identifier and entity kinds in officers' words."""

WEB_FORMATS = ("ftm", "anx", "maltego", "graphml")
"""Export formats offered on the page (the API takes any registered format)."""

IDENTIFIER_SORTS = Sorts(
    {"seen": ("times seen", "desc"), "kind": ("kind", "asc"), "value": ("value", "asc")}, "seen"
)
SHOWN_PLACES = 3
MAX_NODES = 1500


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " "))


def _reader(
    session: Session, ws: Workspace, user: access.Principal, case_ref: str
) -> tuple[Case, str]:
    """The case and the purpose stated for it, if ``user`` may read it; else AccessDenied or
    PurposeRequired."""
    case_ = access.require_case(session, user, case_ref, "read")
    return case_, access.require_purpose(session, user, case_, ws.now())


# --- identifiers and hits -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """Where an identifier was seen: a conversation (and message), with its link."""

    conversation: str
    message_seq: int | None
    source: str
    url: str


@dataclass(frozen=True, slots=True)
class IdentifierView:
    """One distinct identifier of the case: kind, value, validation, how often and where."""

    kind: str
    kind_label: str
    value: str
    platform: str | None
    validation: str  # "passes its check", "fails its check", "no check for this kind"
    valid: bool | None
    reason: str
    seen: int
    places: list[Place]
    cross_case: bool = False


@dataclass(frozen=True, slots=True)
class HitView:
    """A cross-case hit: the identifier, and whom to contact. Nothing of the other case."""

    kind: str
    kind_label: str
    value: str
    platform: str | None
    contacts: list[intel_hits.Holder]
    seen_here: int
    notice: str


@dataclass(slots=True)
class IntelPage:
    case_ref: str
    title: str
    purpose: str
    identifiers: Page[IdentifierView]
    hits: list[HitView]
    checked: int
    extracted_at: str | None
    formats: list[tuple[str, str]] = field(default_factory=list)
    note: str = "Identifiers and hits are leads for a trained person to check, never a verdict."


def _validation(passes: int, fails: int) -> tuple[str, bool | None]:
    if fails:
        return "fails its check", False
    if passes:
        return "passes its check", True
    return "no check for this kind", None


def _identifiers(session: Session, case_: Case, query: ListQuery) -> Page[IdentifierView]:
    r = IdentifierRow
    seen = func.count(r.id).label("seen")
    passes = func.sum(case((r.valid.is_(True), 1), else_=0)).label("passes")
    fails = func.sum(case((r.valid.is_(False), 1), else_=0)).label("fails")
    where = [r.case_id == case_.id]
    if query.like:
        where.append(
            or_(r.value.like(query.like, escape="\\"), r.kind.like(query.like, escape="\\"))
        )
    grouped = (
        select(r.kind, r.platform, r.value, seen, passes, fails, func.min(r.id).label("first"))
        .where(*where)
        .group_by(r.kind, r.platform, r.value)
    )
    sub = grouped.subquery()
    total = session.execute(select(func.count()).select_from(sub)).scalar_one()
    cols = {"seen": [sub.c.seen], "kind": [sub.c.kind, sub.c.value], "value": [sub.c.value]}
    rows = session.execute(
        select(sub)
        .order_by(*order_by(query, cols, sub.c.first))
        .offset(query.offset)
        .limit(query.limit)
    ).all()
    keys = [(x.kind, x.platform, x.value) for x in rows]
    places: dict[tuple[str, str, str], list[Place]] = {k: [] for k in keys}
    reasons: dict[tuple[str, str, str], str] = {}
    if keys:
        stmt = (
            select(r, ConversationRow.title, ConversationRow.platform)
            .join(ConversationRow, ConversationRow.id == r.conversation_id)
            .where(r.case_id == case_.id, tuple_(r.kind, r.platform, r.value).in_(keys))
            .order_by(r.conversation_id, r.message_seq, r.id)
        )
        for row, title, conv_platform in session.execute(stmt):
            k = (row.kind, row.platform, row.value)
            reasons.setdefault(k, row.reason)
            if len(places[k]) >= SHOWN_PLACES:
                continue
            name = title or f"{conv_platform} conversation"
            url = links.conversation(case_.ref, row.conversation_id, start=row.message_seq)
            places[k].append(Place(name, row.message_seq, row.source, url))
    items = []
    for x in rows:
        k = (x.kind, x.platform, x.value)
        status, valid = _validation(int(x.passes or 0), int(x.fails or 0))
        items.append(
            IdentifierView(
                x.kind, kind_label(x.kind), x.value, x.platform or None, status, valid,
                reasons.get(k, ""), int(x.seen), places[k],
            )
        )  # fmt: skip
    return Page.of(items, int(total), query)


def _hit_views(report: intel_hits.HitsReport) -> list[HitView]:
    return [
        HitView(h.kind, kind_label(h.kind), h.value, h.platform, list(h.holders), h.seen_here,
                h.notice)
        for h in report.hits
    ]  # fmt: skip


def intel_page(ws: Workspace, user: access.Principal, case_ref: str, query: ListQuery) -> IntelPage:
    """The case's identifiers (a page of them) and its cross-case hits, for ``user``."""
    with ws.sessions() as s:
        _, purpose = _reader(s, ws, user, case_ref)
    report = intel_hits.hits(ws.acting_for(user), case_ref, purpose=purpose, user=user)
    ensure_fresh(ws, case_ref)
    hit_keys = {(h.value, h.platform or "") for h in report.hits}
    with ws.transaction() as session:
        case_, purpose = _reader(session, ws, user, case_ref)
        page = _identifiers(session, case_, query)
        page.items = [
            replace(i, cross_case=(i.value, i.platform or "") in hit_keys) for i in page.items
        ]
        rec = session.get(IntelExtraction, case_.id)
        access.record_view(
            session, user, case_ref, object_type="identifiers", object_id=case_ref,
            purpose=purpose,
            details={"identifiers": len(page.items), "offset": query.offset, "q": query.q or None},
            now=ws.now(),
        )  # fmt: skip
        return IntelPage(
            case_.ref, case_.title, purpose, page, _hit_views(report), report.checked,
            rec.extracted_at.isoformat() if rec and rec.extracted_at else None,
            [(n, FORMATS[n].description) for n in WEB_FORMATS if n in FORMATS],
        )  # fmt: skip


# --- the link graph ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GraphNode:
    id: str
    label: str
    type: str
    type_label: str
    platform: str | None
    links: int


@dataclass(frozen=True, slots=True)
class GraphEdge:
    id: str
    source: str
    target: str
    relation: str
    count: int
    reasons: str


@dataclass(frozen=True, slots=True)
class GraphData:
    """The case's link graph for drawing: nodes and edges (cytoscape's shape, flattened)."""

    case_ref: str
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    total_nodes: int
    total_edges: int
    truncated: bool
    note: str = "Links are leads for a trained person to check, never a verdict."


RELATION_LABELS = {
    "in_case": "in this case",
    "participant": "took part in",
    "mentioned": "mentioned",
    "uses": "uses",
    "has_phone": "has phone number",
    "has_email": "has e-mail address",
    "possibly_same": "possibly the same account",
}


def _nodes(g: Any) -> list[tuple[str, dict[str, Any]]]:
    """The graph's nodes with their data, by id."""
    return sorted((str(n), dict(d)) for n, d in g.nodes(data=True))


def _edges(g: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """The graph's edges with their data, in a stable order."""
    return sorted(
        ((str(u), str(v), dict(d)) for u, v, d in g.edges(data=True)), key=lambda e: e[:2]
    )


def _conversation_titles(session: Session, case_: Case) -> dict[str, str]:
    """Conversation node values (``REF/id``) -> a name people read: the title and platform."""
    rows = session.execute(
        select(ConversationRow.id, ConversationRow.title, ConversationRow.platform).where(
            ConversationRow.case_id == case_.id
        )
    )
    return {
        f"{case_.ref}/{cid}": f"{title or 'untitled'} ({platform} conversation)"
        for cid, title, platform in rows
    }


def graph_data(ws: Workspace, user: access.Principal, case_ref: str) -> GraphData:
    """Nodes and edges of the case's link graph (this case's material only), the most
    connected :data:`MAX_NODES` when it is larger; the view is logged."""
    with ws.sessions() as s:
        _reader(s, ws, user, case_ref)
    ensure_fresh(ws, case_ref)
    with ws.transaction() as session:
        case_, purpose = _reader(session, ws, user, case_ref)
        g = intel_graph.case_subgraph(
            intel_graph.build_graph(_resolution(session, case_)), case_.ref
        )
        total_nodes, total_edges = g.number_of_nodes(), g.number_of_edges()
        keep = sorted(g.nodes, key=lambda n: (-g.degree[n], n))[:MAX_NODES]
        sub = g.subgraph(keep)
        titles = _conversation_titles(session, case_)
        nodes = [
            GraphNode(n, titles.get(str(d["value"]), str(d["label"])), str(d["type"]),
                      kind_label(str(d["type"])), str(d["platform"]) or None, int(g.degree[n]))
            for n, d in _nodes(sub)
        ]  # fmt: skip
        edges = [
            GraphEdge(
                f"{u}-{v}", u, v,
                ", ".join(RELATION_LABELS.get(x, x) for x in str(d["relation"]).split(",")),
                int(d["count"]), str(d["reasons"])[:1000],
            )
            for u, v, d in _edges(sub)
        ]  # fmt: skip
        access.record_view(
            session, user, case_ref, object_type="intel_graph", object_id=case_ref,
            purpose=purpose, details={"nodes": len(nodes), "edges": len(edges)}, now=ws.now(),
        )  # fmt: skip
    return GraphData(case_ref, nodes, edges, total_nodes, total_edges, len(nodes) < total_nodes)


# --- exports -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Download:
    filename: str
    media_type: str
    data: bytes


def export_download(ws: Workspace, user: access.Principal, case_ref: str, fmt: str) -> Download:
    """The case's link graph as ``fmt``, through :func:`~vigil.services.intel.graph.export_case`
    (the same checks and the same ``export`` custody entry as ``vigil intel export``, with the
    purpose stated for the case), returned as bytes for a download."""
    if fmt not in FORMATS:
        raise UserError(f"unknown export format {fmt!r}", hint="one of: " + ", ".join(FORMATS))
    with ws.sessions() as s:
        _, purpose = _reader(s, ws, user, case_ref)
    spec = FORMATS[fmt]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", case_ref) + "-link-graph" + spec.extension
    with tempfile.TemporaryDirectory(prefix="vigil-export-") as tmp:
        out = Path(tmp) / name
        export_case(ws.acting_for(user), case_ref, fmt, out, purpose=purpose, user=user)
        data = out.read_bytes()
    return Download(name, spec.media_type, data)
