"""NCMEC-style hash lists: one row or object per item, one column or key per hash algorithm.

Accepted shapes (field names are matched case-insensitively):

* CSV with a header naming any of ``md5``, ``sha1``, ``sha256``, ``pdq``, ``photodna``, plus
  optional ``id`` (or ``hash_id``/``fileid``), ``classification``/``category`` and
  ``deleted``/``status`` columns;
* JSON: an array of such objects, or an object with the array under ``hashes``/``value``/``data``.

A row whose ``deleted`` is true or whose ``status`` is ``deleted``/``removed`` is a deletion.
This reads the field names NCMEC hash sharing uses for its hash values; check a real export
against this description before relying on the classification column.
"""

from __future__ import annotations

import csv
import io
import json
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

FORMAT = "ncmec"
ID_FIELDS = ("id", "hash_id", "hashid", "fileid", "file_id")
CATEGORY_FIELDS = ("classification", "category")


def _rows_from_json(data: str, source: str) -> list[tuple[str, dict[str, Any]]]:
    try:
        top = json.loads(data)
    except json.JSONDecodeError as exc:
        raise ParseError(
            exc.msg, file=source, location=f"line {exc.lineno} column {exc.colno}"
        ) from exc
    items: Any = top
    if isinstance(top, dict):
        items = next(
            (top[k] for k in ("hashes", "value", "data") if isinstance(top.get(k), list)), None
        )
    if not isinstance(items, list):
        raise ParseError("no array of hash objects", file=source, expected="[ {...}, ... ]")
    return [(f"item {i}", item) for i, item in enumerate(items)]


def _rows_from_csv(data: str, source: str) -> list[tuple[str, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(data, newline=""))
    try:
        fields = reader.fieldnames
    except csv.Error as exc:
        raise ParseError(str(exc), file=source, location="line 1") from exc
    if not fields or not any(canonical_algorithm(f or "") for f in fields):
        raise ParseError(
            "no hash column in the header",
            file=source,
            location="line 1",
            expected="a header with md5, sha1, sha256, pdq or photodna",
        )
    try:
        return [(f"line {reader.line_num}", dict(row)) for row in reader]
    except csv.Error as exc:
        raise ParseError(str(exc), file=source, location=f"line {reader.line_num}") from exc


def read_ncmec(
    data: bytes, source: str, *, scheme: str = "projectvic-us", cats: CategoryRegistry | None = None
) -> HashList:
    """Read an NCMEC-style CSV or JSON hash list; the classification is read in ``scheme``."""
    cats = cats or registry()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError("not UTF-8", file=source, location=f"byte {exc.start}") from exc
    stripped = text.lstrip()
    is_json = stripped.startswith(("[", "{"))
    rows = _rows_from_json(text, source) if is_json else _rows_from_csv(text, source)
    issues: list[ImportIssue] = []
    entries: list[HashRecord] = []
    deletions: list[HashRecord] = []
    for where, row in rows:
        if not isinstance(row, dict):
            issues.append(ImportIssue(where, "not an object; skipped"))
            continue
        fields = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
        hashes: list[HashValue] = []
        for name, raw in fields.items():
            alg = canonical_algorithm(name)
            if alg is None or raw in (None, ""):
                continue
            try:
                hashes.append(HashValue(alg, normalise_hash(alg, str(raw))))
            except ValueError as exc:
                issues.append(ImportIssue(f"{where} {name}", f"{exc}; hash skipped"))
        if not hashes:
            issues.append(ImportIssue(where, "no usable hash; record skipped"))
            continue
        key = next((str(fields[f]) for f in ID_FIELDS if fields.get(f) not in (None, "")), where)
        category = None
        raw_cat = next(
            (fields[f] for f in CATEGORY_FIELDS if fields.get(f) not in (None, "")), None
        )
        if raw_cat is not None:
            try:
                category = cats.category(scheme, str(raw_cat))
            except UserError as exc:
                issues.append(ImportIssue(where, f"{exc.message}; kept uncategorised"))
        deleted = truthy(fields.get("deleted", False)) or truthy(fields.get("status", ""))
        record = HashRecord(key, tuple(hashes), category, deleted)
        (deletions if deleted else entries).append(record)
    return HashList(
        source=source,
        format=FORMAT,
        version=None,
        entries=tuple(entries),
        deletions=tuple(deletions),
        metadata=(("shape", "json" if is_json else "csv"), ("records", str(len(rows)))),
        issues=tuple(issues),
    )
