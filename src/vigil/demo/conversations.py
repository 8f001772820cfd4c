"""Hook: synthetic conversations for the demo network, ingested and triaged.

Not yet wired: the ingest and triage services land in other issues. When they do, this
function should, for each ``(persona, case, authorisation)`` in ``network.persona_cases``
(a persona's captures in that case are covered by a live authorisation), write a synthetic,
non-graphic conversation export (grooming cues as public safeguarding guidance quotes
them), register and ingest it through :mod:`vigil.services.ingest` with the capture time
inside the authorisation's window (so :func:`vigil.services.casework.check_capture`
passes), run triage, and return how many conversations were added.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vigil.demo.build import DemoNetwork
    from vigil.services.workspace import Workspace


def add_demo_conversations(ws: Workspace, network: DemoNetwork) -> int:
    """Add synthetic conversations to the demo network; returns how many (none yet)."""
    return 0
