"""Police-style exhibit references: the acquiring officer's initials and a sequence number."""

from __future__ import annotations

import re
import string

from vigil.errors import UserError


def initials(name: str) -> str:
    """Initials of an officer's name: ``"Jane Smith"`` → ``"JS"``, ``"Anne-Marie O'Neil"`` → ``"AMO"``.

    A name given as initials already (``"JS"``) is kept.
    """
    cleaned = name.strip()
    if not cleaned:
        raise UserError("the acquiring officer's name is empty", hint="pass --acquired-by NAME")
    if re.fullmatch(r"[A-Z]{1,6}", cleaned):
        return cleaned
    parts = [p for p in re.split(r"[\s\-]+", cleaned) if p]
    letters = []
    for part in parts:
        first = next((c for c in part if c.isalpha()), None)
        if first:
            letters.append(first.upper())
    if not letters:
        raise UserError(f"cannot take initials from {name!r}", hint="pass a name with letters")
    return "".join(letters)


def format_ref(template: str, officer_initials: str, n: int) -> str:
    """Render the configured template (fields ``{initials}`` and ``{n}``)."""
    fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    if not fields <= {"initials", "n"} or "n" not in fields:
        raise UserError(
            f"exhibit reference template {template!r} must use {{n}} and may use {{initials}}",
            hint="set VIGIL_EXHIBIT_REF_TEMPLATE, e.g. '{initials}/{n}'",
        )
    return template.format(initials=officer_initials, n=n)
