"""Hash-set categories as (scheme, code, label), and the explicit mappings between schemes.

The schemes and mappings are data (``categories.yaml`` beside this module, with sources); this
module only reads them and answers questions. A category code that a scheme does not define is
an error, never a guess; a mapping that does not exist is an error, never a silent identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from vigil.errors import ParseError, UserError

DATA_FILE = "categories.yaml"


@dataclass(frozen=True, slots=True)
class Category:
    """One category as stored: the scheme it belongs to, its code and its label."""

    scheme: str
    code: str
    label: str

    def __str__(self) -> str:
        return f"{self.scheme}:{self.code} ({self.label})"


@dataclass(frozen=True, slots=True)
class CategoryDef:
    """A code's definition in a scheme: label, whether it is indecent (None: not decided)."""

    code: str
    label: str
    indecent: bool | None
    note: str | None


@dataclass(frozen=True, slots=True)
class Scheme:
    """A category scheme (for example ``projectvic-us`` or ``uk-sentencing``)."""

    id: str
    name: str
    source: str
    codes: dict[str, CategoryDef]


@dataclass(frozen=True, slots=True)
class SchemeMapping:
    """An explicit code-to-code mapping from one scheme to another."""

    source_scheme: str
    target_scheme: str
    pairs: dict[str, str]
    lossy: bool
    source: str


class CategoryRegistry:
    """Every known scheme and mapping; build with :func:`registry` or :meth:`from_data`."""

    def __init__(self, schemes: dict[str, Scheme], mappings: list[SchemeMapping]) -> None:
        self.schemes = schemes
        self._mappings = {(m.source_scheme, m.target_scheme): m for m in mappings}

    @classmethod
    def from_data(cls, data: dict[str, Any], label: str = DATA_FILE) -> CategoryRegistry:
        """Build a registry from the parsed YAML mapping (checked; ParseError on bad shape)."""
        raw_schemes = data.get("schemes")
        if not isinstance(raw_schemes, dict) or not raw_schemes:
            raise ParseError("no 'schemes' mapping", file=label, expected="schemes: {id: ...}")
        schemes: dict[str, Scheme] = {}
        for sid, raw in raw_schemes.items():
            where = f"schemes.{sid}"
            if not isinstance(raw, dict) or not isinstance(raw.get("codes"), dict):
                raise ParseError("scheme without codes", file=label, location=where)
            codes: dict[str, CategoryDef] = {}
            for code, spec in raw["codes"].items():
                if not isinstance(spec, dict) or not isinstance(spec.get("label"), str):
                    raise ParseError("code without label", file=label, location=f"{where}.{code}")
                codes[str(code)] = CategoryDef(
                    str(code), spec["label"], spec.get("indecent"), spec.get("note")
                )
            schemes[str(sid)] = Scheme(
                str(sid), str(raw.get("name", sid)), str(raw.get("source", "")), codes
            )
        mappings: list[SchemeMapping] = []
        for i, raw in enumerate(data.get("mappings") or []):
            where = f"mappings[{i}]"
            src, dst, pairs = raw.get("from"), raw.get("to"), raw.get("pairs")
            if src not in schemes or dst not in schemes or not isinstance(pairs, dict):
                raise ParseError(
                    "mapping needs known from/to schemes and pairs", file=label, location=where
                )
            clean = {str(k): str(v) for k, v in pairs.items()}
            for k, v in clean.items():
                if k not in schemes[src].codes or v not in schemes[dst].codes:
                    raise ParseError(
                        f"pair {k}->{v} names an unknown code", file=label, location=where
                    )
            mappings.append(
                SchemeMapping(src, dst, clean, bool(raw.get("lossy")), str(raw.get("source", "")))
            )
        return cls(schemes, mappings)

    def scheme(self, scheme: str) -> Scheme:
        """The named scheme, or a UserError listing the known ones."""
        try:
            return self.schemes[scheme]
        except KeyError:
            known = ", ".join(sorted(self.schemes))
            raise UserError(f"unknown category scheme {scheme!r} (known: {known})") from None

    def category(self, scheme: str, code: str | int) -> Category:
        """The category ``code`` of ``scheme``; UserError when the scheme has no such code."""
        sch = self.scheme(scheme)
        key = str(code).strip()
        if key not in sch.codes and key.upper() in sch.codes:
            key = key.upper()
        if key not in sch.codes:
            known = ", ".join(sch.codes)
            raise UserError(f"scheme {scheme!r} has no category {str(code)!r} (known: {known})")
        return Category(scheme, key, sch.codes[key].label)

    def definition(self, category: Category) -> CategoryDef:
        """The full definition (indecent flag, note) behind a stored category."""
        return self.scheme(category.scheme).codes[category.code]

    def mapping(self, source_scheme: str, target_scheme: str) -> SchemeMapping:
        """The explicit mapping between two schemes; UserError when there is none."""
        found = self._mappings.get((source_scheme, target_scheme))
        if found is None:
            raise UserError(f"no category mapping from {source_scheme!r} to {target_scheme!r}")
        return found

    def map(self, category: Category, target_scheme: str) -> Category:
        """``category`` expressed in ``target_scheme`` through an explicit mapping."""
        if category.scheme == target_scheme:
            return self.category(target_scheme, category.code)
        mapping = self.mapping(category.scheme, target_scheme)
        if category.code not in mapping.pairs:
            raise UserError(f"{category} has no counterpart in {target_scheme!r}")
        return self.category(target_scheme, mapping.pairs[category.code])


@cache
def registry() -> CategoryRegistry:
    """The packaged registry (``vigil/media/categories.yaml``), loaded once."""
    text = (resources.files("vigil.media") / DATA_FILE).read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ParseError(str(exc).splitlines()[0], file=f"vigil/media/{DATA_FILE}") from exc
    if not isinstance(data, dict):
        raise ParseError("top level is not a mapping", file=f"vigil/media/{DATA_FILE}")
    return CategoryRegistry.from_data(data, f"vigil/media/{DATA_FILE}")
