"""The offence taxonomy and controlled vocabularies, read from YAML, with checks.

``check_offence`` validates an (offence type, legal form, image category, platforms)
combination and says what is allowed when it is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from vigil.cases._data import load_yaml, need
from vigil.errors import ParseError, UserError


@dataclass(frozen=True, slots=True)
class LegalForm:
    id: str
    label: str
    statute: str
    image_offence: bool


@dataclass(frozen=True, slots=True)
class OffenceType:
    id: str
    label: str
    legal_forms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Taxonomy:
    version: str
    sources: tuple[str, ...]
    offence_types: dict[str, OffenceType]
    legal_forms: dict[str, LegalForm]
    image_categories: dict[str, str]
    platforms: dict[str, str]
    """platform id -> label."""

    def type_label(self, tid: str) -> str:
        t = self.offence_types.get(tid)
        return t.label if t else tid

    def platform_label(self, pid: str) -> str:
        return self.platforms.get(pid, pid)


@lru_cache(maxsize=1)
def taxonomy() -> Taxonomy:
    """The packaged offence taxonomy (cached; it is read-only data)."""
    data = load_yaml("offences.yaml")
    forms = {}
    for fid, raw in need(data, "legal_forms", dict, "top level").items():
        where = f"legal_forms.{fid}"
        forms[fid] = LegalForm(
            fid,
            need(raw, "label", str, where),
            need(raw, "statute", str, where),
            bool(raw.get("image_offence", False)),
        )
    types = {}
    for tid, raw in need(data, "offence_types", dict, "top level").items():
        where = f"offence_types.{tid}"
        lf = tuple(str(x) for x in need(raw, "legal_forms", list, where))
        missing = [x for x in lf if x not in forms]
        if missing:
            raise ParseError(f"unknown legal forms {missing}", location=where)
        types[tid] = OffenceType(tid, need(raw, "label", str, where), lf)
    platforms = {
        str(pid): str(need(raw, "label", str, f"platforms.{pid}"))
        for pid, raw in need(data, "platforms", dict, "top level").items()
    }
    return Taxonomy(
        version=str(data.get("version", "")),
        sources=tuple(str(s) for s in data.get("sources", [])),
        offence_types=types,
        legal_forms=forms,
        image_categories={
            str(k): str(v) for k, v in need(data, "image_categories", dict, "top level").items()
        },
        platforms=platforms,
    )


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, dict[str, str]]:
    """Controlled vocabularies (safeguarding actions, outcome kinds, partners, ...)."""
    data = load_yaml("vocabulary.yaml")
    return {
        k: {str(a): str(b) for a, b in v.items()} for k, v in data.items() if isinstance(v, dict)
    }


def check_term(vocab: str, value: str) -> str:
    """``value`` if it is in the named vocabulary, else a UserError listing the choices."""
    terms = vocabulary()[vocab]
    if value not in terms:
        raise UserError(
            f"unknown {vocab.rstrip('s').replace('_', ' ')} {value!r}",
            hint="one of: " + ", ".join(terms),
        )
    return value


def normalise_platform(name: str) -> str:
    """Platform ids are lower case with underscores ("Facebook Messenger" -> facebook_messenger)."""
    return "_".join(name.strip().lower().replace("-", " ").split())


def check_offence(
    offence_type: str, legal_form: str, image_category: str | None, platforms: list[str]
) -> list[str]:
    """Validate an offence; returns the normalised platform ids."""
    tax = taxonomy()
    if offence_type not in tax.offence_types:
        raise UserError(
            f"unknown offence type {offence_type!r}", hint="one of: " + ", ".join(tax.offence_types)
        )
    if legal_form not in tax.legal_forms:
        raise UserError(
            f"unknown legal form {legal_form!r}", hint="one of: " + ", ".join(tax.legal_forms)
        )
    form = tax.legal_forms[legal_form]
    if form.image_offence and image_category not in tax.image_categories:
        raise UserError(
            f"{form.label} needs an image category",
            hint="--category " + " | ".join(tax.image_categories),
        )
    if not form.image_offence and image_category is not None:
        raise UserError(f"{form.label} is not an image offence; give no image category")
    return sorted({normalise_platform(p) for p in platforms if p.strip()})
