"""Project VIC VICS JSON: import (1.3 ``odata.metadata`` and 2.0 ``@odata.context``) and export.

Both versions hold OData JSON with a ``value`` array. Vigil reads Media records (``MediaID``,
``Category``, ``MD5``, ``SHA1``, ``PhotoDNA``, ``AlternativeHashes`` of ``HashName``/``HashValue``),
either directly in ``value`` or inside Case objects that carry a ``Media`` array (the 2.0 shape).
Categories are read in a named scheme (default ``projectvic-us``). A ``Deleted``/``IsDeleted``
flag, when a file has one, moves the record to the list's deletions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from vigil.errors import ParseError, UserError
from vigil.media.categories import CategoryRegistry, registry
from vigil.media.hashsets.base import (
    HashList,
    HashRecord,
    HashValue,
    ImportIssue,
    canonical_algorithm,
    normalise_hash,
    truthy,
)

FORMAT = "vics"
CONTEXT = {
    "1.3": "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media",
    "2.0": "http://github.com/ICMEC/ProjectVic/DataModels/2.0.xml/US/$metadata#Media",
}
DIRECT_FIELDS = {"MD5": "md5", "SHA1": "sha1", "SHA256": "sha256", "PhotoDNA": "photodna"}
EXPORT_NAMES = {"sha256": "SHA256", "pdq": "PDQ", "vpdq": "vPDQ"}
KEPT_ATTRIBUTES = (
    "Series",
    "VictimIdentified",
    "OffenderIdentified",
    "IsDistributed",
    "IsPrecategorized",
    "MediaSize",
    "Comments",
)
_VERSION_IN_URL = re.compile(r"DataModels/(\d+\.\d+)")


def _version(top: dict[str, Any], source: str) -> tuple[str, str]:
    if "@odata.context" in top:
        url, default = str(top["@odata.context"]), "2.0"
    elif "odata.metadata" in top:
        url, default = str(top["odata.metadata"]), "1.3"
    else:
        raise ParseError(
            "no OData header",
            file=source,
            expected="'odata.metadata' (1.3) or '@odata.context' (2.0)",
        )
    found = _VERSION_IN_URL.search(url)
    return (found.group(1) if found else default), url


def _media(value: list[Any]) -> Iterator[tuple[str, Any, tuple[tuple[str, str], ...]]]:
    for i, item in enumerate(value):
        if isinstance(item, dict) and isinstance(item.get("Media"), list):
            case = item.get("CaseNumber") or item.get("CaseID")
            extra = (("CaseNumber", str(case)),) if case is not None else ()
            for j, media in enumerate(item["Media"]):
                yield f"value[{i}].Media[{j}]", media, extra
        else:
            yield f"value[{i}]", item, ()


def _hashes(media: dict[str, Any], where: str, issues: list[ImportIssue]) -> list[HashValue]:
    found: list[tuple[str, Any, str]] = [
        (alg, media[name], f"{where}.{name}")
        for name, alg in DIRECT_FIELDS.items()
        if media.get(name) not in (None, "")
    ]
    alternatives = media.get("AlternativeHashes") or []
    if not isinstance(alternatives, list):
        issues.append(ImportIssue(f"{where}.AlternativeHashes", "not an array; ignored"))
        alternatives = []
    for k, alt in enumerate(alternatives):
        loc = f"{where}.AlternativeHashes[{k}]"
        if not isinstance(alt, dict) or "HashName" not in alt or "HashValue" not in alt:
            issues.append(ImportIssue(loc, "expected an object with HashName and HashValue"))
            continue
        alg = canonical_algorithm(str(alt["HashName"]))
        if alg is None:
            issues.append(ImportIssue(loc, f"unknown hash name {alt['HashName']!r}; ignored"))
            continue
        found.append((alg, alt["HashValue"], loc))
    out: list[HashValue] = []
    for alg, raw, loc in found:
        try:
            out.append(HashValue(alg, normalise_hash(alg, str(raw))))
        except ValueError as exc:
            issues.append(ImportIssue(loc, f"{exc}; hash skipped"))
    return out


def read_vics(
    data: bytes, source: str, *, scheme: str = "projectvic-us", cats: CategoryRegistry | None = None
) -> HashList:
    """Read a VICS 1.3 or 2.0 JSON file into a HashList; categories are read in ``scheme``."""
    cats = cats or registry()
    cats.scheme(scheme)
    try:
        top = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ParseError("not UTF-8", file=source, location=f"byte {exc.start}") from exc
    except json.JSONDecodeError as exc:
        raise ParseError(
            exc.msg, file=source, location=f"line {exc.lineno} column {exc.colno}"
        ) from exc
    if not isinstance(top, dict):
        raise ParseError("top level is not an object", file=source, expected="a VICS JSON object")
    version, url = _version(top, source)
    value = top.get("value")
    if not isinstance(value, list):
        raise ParseError("no 'value' array", file=source, expected="'value': [ ...Media... ]")
    issues: list[ImportIssue] = []
    entries: list[HashRecord] = []
    deletions: list[HashRecord] = []
    for where, media, extra in _media(value):
        if not isinstance(media, dict):
            issues.append(ImportIssue(where, "not an object; skipped"))
            continue
        key = str(media["MediaID"]) if media.get("MediaID") not in (None, "") else where
        hashes = _hashes(media, where, issues)
        if not hashes:
            issues.append(ImportIssue(where, "no usable hash; record skipped"))
            continue
        category = None
        if media.get("Category") not in (None, ""):
            try:
                category = cats.category(scheme, media["Category"])
            except UserError as exc:
                issues.append(
                    ImportIssue(f"{where}.Category", f"{exc.message}; kept uncategorised")
                )
        attrs = extra + tuple(
            (name, str(media[name])) for name in KEPT_ATTRIBUTES if media.get(name) is not None
        )
        deleted = truthy(media.get("Deleted", False)) or truthy(media.get("IsDeleted", False))
        record = HashRecord(key, tuple(hashes), category, deleted, attrs)
        (deletions if deleted else entries).append(record)
    return HashList(
        source=source,
        format=FORMAT,
        version=version,
        entries=tuple(entries),
        deletions=tuple(deletions),
        metadata=(("odata", url), ("records", str(len(entries) + len(deletions)))),
        issues=tuple(issues),
    )


def _media_id(key: str) -> int | str:
    return int(key) if key.isdigit() else key


def export_vics(
    records: Sequence[HashRecord],
    *,
    version: str = "2.0",
    scheme: str = "projectvic-us",
    cats: CategoryRegistry | None = None,
) -> bytes:
    """Write graded records as VICS JSON (default 2.0), categories mapped into ``scheme``.

    A category that has no explicit mapping into ``scheme`` raises UserError: nothing is
    exported under a guessed category.
    """
    if version not in CONTEXT:
        raise UserError(f"VICS version {version!r} not supported (use 1.3 or 2.0)")
    cats = cats or registry()
    if not all(code.isdigit() for code in cats.scheme(scheme).codes):
        raise UserError(f"VICS categories are numbers; scheme {scheme!r} is not numeric")
    value: list[dict[str, Any]] = []
    for rec in records:
        media: dict[str, Any] = {}
        if version == "1.3":
            media["odata.id"] = f"Media({rec.key})"
        media["MediaID"] = _media_id(rec.key)
        if rec.category is not None:
            media["Category"] = int(cats.map(rec.category, scheme).code)
        alternatives = []
        for h in rec.hashes:
            direct = {"md5": "MD5", "sha1": "SHA1", "photodna": "PhotoDNA"}.get(h.algorithm)
            if direct is not None:
                media[direct] = h.value.upper() if h.algorithm != "photodna" else h.value
            else:
                name = EXPORT_NAMES.get(h.algorithm, h.algorithm)
                alternatives.append({"HashName": name, "HashValue": h.value})
        if alternatives:
            media["AlternativeHashes"] = alternatives
        for name, val in rec.attributes:
            if name in KEPT_ATTRIBUTES:
                media[name] = _typed(val)
        value.append(media)
    header = "@odata.context" if version == "2.0" else "odata.metadata"
    doc = {header: CONTEXT[version], "value": value}
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _typed(text: str) -> bool | int | str:
    if text in ("True", "False"):
        return text == "True"
    return int(text) if text.isdigit() else text
