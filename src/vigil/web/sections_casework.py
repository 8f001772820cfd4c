"""Registers the case-work sections (suspects, children, outcomes) and the navigation links to
the personas and reports pages, when the case-work services are installed."""

from __future__ import annotations

from vigil.web import extensions


def register() -> None:
    if not extensions.available("vigil.services.casework_suspects"):
        return
    from vigil.web.guarded import casework

    for section in (
        extensions.CaseSection("suspects", "Suspects", "suspects.html", casework.suspects_section),
        extensions.CaseSection("children", "Children and safeguarding", "children.html",
                               casework.children_section),
        extensions.CaseSection("outcomes", "Outcomes", "outcomes.html", casework.outcomes_section),
        extensions.CaseSection("personas", "Personas and authorisations", "case_personas.html",
                               casework.case_personas),
    ):  # fmt: skip
        extensions.case_section(section)
    for link in (("Personas", "/personas"), ("Reports", "/reports")):
        if link not in extensions.NAV_LINKS:
            extensions.NAV_LINKS.append(link)
