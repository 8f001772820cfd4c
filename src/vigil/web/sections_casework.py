"""The case-work sections of the case page (suspects, children, outcomes, personas, and evidence
captured under a persona outside its authorisations at the time), given to the
``vigil_case_sections`` hook by :mod:`vigil.web.extensions`."""

from __future__ import annotations

from vigil.web.extensions import CaseSection


def sections() -> list[CaseSection]:
    from vigil.services.casework import cover
    from vigil.services.casework import sections as casework

    return [
        CaseSection("suspects", "Suspects", "suspects.html", casework.suspects_section),
        CaseSection("children", "Children and safeguarding", "children.html",
                    casework.children_section),
        CaseSection("outcomes", "Outcomes", "outcomes.html", casework.outcomes_section),
        CaseSection("personas", "Personas and authorisations", "case_personas.html",
                    casework.case_personas),
        CaseSection("cover", "Evidence outside authorisation cover", "cover_gaps.html",
                    cover.cover_section),
    ]  # fmt: skip
