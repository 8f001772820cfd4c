"""Plain CSV: one row per link (with both ends' type, label and value), and an entity table."""

from __future__ import annotations

import csv
import io

from vigil.intel.model import Resolution

LINK_HEADERS = [
    "source_id", "source_type", "source_label", "relation", "target_id", "target_type",
    "target_label", "count", "cases", "reasons", "evidence",
]  # fmt: skip
ENTITY_HEADERS = ["id", "type", "label", "value", "platform", "cases", "observations", "written_as"]


def links(res: Resolution) -> str:
    """One row per link; ``evidence`` lists case/conversation/message references, no content."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(LINK_HEADERS)
    for lk in res.links.values():
        s, t = res.entities[lk.source], res.entities[lk.target]
        refs = ["/".join(x for x in (ev.case_ref, ev.conversation_id, ev.message_id) if x)
                for ev in lk.evidence]  # fmt: skip
        cases = sorted({ev.case_ref for ev in lk.evidence})
        w.writerow([s.id, s.type.value, s.label, lk.relation.value, t.id, t.type.value, t.label,
                    lk.count, ";".join(cases), " | ".join(lk.reasons), ";".join(refs)])  # fmt: skip
    return out.getvalue()


def entities(res: Resolution) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(ENTITY_HEADERS)
    for e in sorted(res.entities.values(), key=lambda x: (x.type.value, x.value)):
        w.writerow([e.id, e.type.value, e.label, e.value, e.platform or "", ";".join(sorted(e.cases)),
                    e.observations, " | ".join(sorted(e.raw_forms))])  # fmt: skip
    return out.getvalue()


def render(res: Resolution) -> str:
    return links(res)
