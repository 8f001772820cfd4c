"""Writing the demo network into a workspace in one transaction, with bulk inserts.

The custody log gets one ``create`` entry per record type (with the count and the seed)
rather than one per row: the records are generated, not entered, and the entries say so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil.db.tables.cases import Unit
from vigil.demo import write
from vigil.demo.generate import Network, generate
from vigil.errors import UserError
from vigil.evidence import custody
from vigil.services.casework.common import record_change
from vigil.services.workspace import Workspace

DEFAULT_SEED = 2017
ROOT = "NAT-DEMO"


@dataclass(frozen=True, slots=True)
class DemoNetwork:
    """What was built: counts per record type, and handles the conversation hook needs."""

    seed: int
    as_of: date
    counts: dict[str, int]
    persona_cases: list[tuple[str, str, str]] = field(default_factory=list)
    """(persona ref, case ref, authorisation ref) for directed-surveillance authorisations,
    i.e. cases where a persona's captures are covered."""
    live_personas: list[str] = field(default_factory=list)
    """Personas with a live authorisation at ``as_of``."""
    conversations: int = 0


def _write(ws: Workspace, session: Session, net: Network) -> DemoNetwork:
    now = ws.now()
    user = ws.ensure_user(session)
    custody.lock(session)
    ids = write.Ids(session)
    refs = write.write_people(ids, net, now, user.id, ws.actor)
    write.write_covert(ids, net, now, ws.actor, refs)
    counts = {
        name: len(getattr(net, name))
        for name in (
            "units",
            "cases",
            "operations",
            "suspects",
            "identifiers",
            "assessments",
            "offences",
            "outcomes",
            "children",
            "actions",
            "personas",
            "authorisations",
            "reviews",
            "renewals",
            "referrals",
            "referral_files",
            "observations",
        )
    }
    for name, n in counts.items():
        record_change(
            ws,
            session,
            "create",
            f"demo_{name}",
            f"demo-seed-{net.seed}",
            None,
            {
                "count": n,
                "seed": net.seed,
                "as_of": net.as_of,
                "note": "generated fictional demo records",
            },
        )
    as_of = write.noon(net.as_of)
    live = sorted(
        {
            net.personas[a["persona"]]["ref"]
            for a in net.authorisations
            if a["granted_at"] <= as_of < a["expires_at"] and a["cancelled_at"] is None
        }
    )
    covered = [
        (
            net.personas[a["persona"]]["ref"],
            net.cases[net.operations[a["operation"]]["case"]]["ref"],
            a["ref"],
        )
        for a in net.authorisations
        if a["operation"] is not None
    ]
    return DemoNetwork(net.seed, net.as_of, counts, covered, live)


ConversationHook = Callable[[Workspace, DemoNetwork], int]


def build_demo_network(
    ws: Workspace,
    seed: int = DEFAULT_SEED,
    as_of: date | None = None,
    conversations: ConversationHook | None = None,
) -> DemoNetwork:
    """Build the fictional national network into ``ws`` (refused if it is already there).

    ``as_of`` (default: today) anchors the personas still deployed, so that some reviews
    and expiries are due; everything else depends on ``seed`` only. ``conversations`` is
    called after the records are committed, to ingest and triage synthetic conversations
    (default: :func:`vigil.demo.conversations.add_demo_conversations`).
    """
    with ws.sessions() as s:
        if s.execute(select(Unit.id).where(Unit.code == ROOT)).scalar_one_or_none() is not None:
            raise UserError(
                "the demo network is already in this workspace",
                hint="use a fresh workspace (VIGIL_HOME)",
            )
    net = generate(seed, as_of or ws.now().date())
    with ws.transaction() as session:
        built = _write(ws, session, net)
    if conversations is None:
        from vigil.demo.conversations import add_demo_conversations

        conversations = add_demo_conversations
    n = conversations(ws, built)
    return DemoNetwork(
        built.seed, built.as_of, built.counts, built.persona_cases, built.live_personas, n
    )
