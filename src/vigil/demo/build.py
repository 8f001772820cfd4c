"""Writing the demo network into a workspace in one transaction, through the services.

Every case-work record goes through the same service code as a user's action on the command
line or the web (:mod:`vigil.demo.write`): the same checks, the acting person's right to
write (the person running ``vigil demo``, who is on every case they open), and one
custody/audit entry per record attributed to them. One more entry notes that the records are
generated and fictional, with the seed and the counts.
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
from vigil.services import access
from vigil.services.casework.common import record_change
from vigil.services.workspace import Workspace

DEFAULT_SEED = 2017
ROOT = "NAT-DEMO"
RECORD_TYPES = (
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
    custody.lock(session)
    # the person running the demo, found once; every service below checks their role and
    # memberships and attributes its entries to them
    ws = ws.acting_for(access.acting(session, ws))
    write.write_people(ws, session, net)
    write.write_covert(ws, session, net)
    counts = {name: len(getattr(net, name)) for name in RECORD_TYPES}
    record_change(
        ws,
        session,
        "create",
        "demo_network",
        f"demo-seed-{net.seed}",
        None,
        {
            "counts": counts,
            "seed": net.seed,
            "as_of": net.as_of,
            "note": "generated fictional demo records, each entered through the services",
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
