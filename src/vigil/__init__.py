"""Vigil: an investigation workbench for online child-protection units.

Vigil's output is a lead for a trained person, never a verdict.
"""

__version__ = "0.1.0"

TOOL_NAME = "vigil"

LEAD_NOT_VERDICT = "Vigil's output is a lead for a trained person, never a verdict."
"""Said beside every score, list and report Vigil shows."""


def tool_version() -> str:
    """The version string stamped on every output and custody entry."""
    return f"{TOOL_NAME} {__version__}"
