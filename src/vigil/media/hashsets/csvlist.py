"""CSV hash lists with the columns ``hash, category, source`` (header optional).

Optional extra columns, when a header names them: ``algorithm`` (md5, sha1, sha256, pdq, ...),
``id`` and ``deleted``. Without an ``algorithm`` column, 32 hex digits are MD5 and 40 are SHA-1;
a 64-digit value could be SHA-256 or PDQ, so it needs the ``algorithm`` column or the
``algorithm_64`` argument and is otherwise reported as an issue. A category may be written as
``scheme:code`` (for example ``uk-sentencing:B``) or as a bare code read in ``scheme``.
"""

from __future__ import annotations

import csv
import io

from vigil.errors import ParseError, UserError
from vigil.media.categories import Category, CategoryRegistry, registry
from vigil.media.hashsets.base import (
    HashList,
    HashRecord,
    HashValue,
    ImportIssue,
    canonical_algorithm,
    guess_algorithm,
    normalise_hash,
    truthy,
)

FORMAT = "csv"
DEFAULT_COLUMNS = ("hash", "category", "source")


def _category(cats: CategoryRegistry, scheme: str, raw: str) -> Category:
    if ":" in raw:
        named, code = raw.split(":", 1)
        return cats.category(named.strip(), code.strip())
    return cats.category(scheme, raw)


def read_csv_list(
    data: bytes,
    source: str,
    *,
    scheme: str = "projectvic-us",
    algorithm_64: str | None = None,
    cats: CategoryRegistry | None = None,
) -> HashList:
    """Read a ``hash, category, source`` CSV into a HashList."""
    cats = cats or registry()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError("not UTF-8", file=source, location=f"byte {exc.start}") from exc
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ParseError(str(exc), file=source) from exc
    columns: tuple[str, ...] = DEFAULT_COLUMNS
    first = 0
    if rows and rows[0] and rows[0][0].strip().lower() in {"hash", "value", "algorithm", "id"}:
        columns = tuple(c.strip().lower() for c in rows[0])
        first = 1
    if "hash" not in columns:
        raise ParseError(
            "no 'hash' column", file=source, location="line 1", expected="hash,category,source"
        )
    issues: list[ImportIssue] = []
    entries: list[HashRecord] = []
    deletions: list[HashRecord] = []
    for n, row in enumerate(rows[first:], start=first + 1):
        where = f"line {n}"
        if not row or all(not c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        fields = dict(zip(columns, (c.strip() for c in row), strict=False))
        value = fields.get("hash", "")
        alg = canonical_algorithm(fields["algorithm"]) if fields.get("algorithm") else None
        alg = alg or guess_algorithm(value) or (algorithm_64 if len(value) == 64 else None)
        if alg is None:
            issues.append(
                ImportIssue(where, f"cannot tell the algorithm of {value[:80]!r}; skipped")
            )
            continue
        try:
            hv = HashValue(alg, normalise_hash(alg, value))
        except ValueError as exc:
            issues.append(ImportIssue(where, f"{exc}; skipped"))
            continue
        category = None
        if fields.get("category"):
            try:
                category = _category(cats, scheme, fields["category"])
            except UserError as exc:
                issues.append(ImportIssue(where, f"{exc.message}; kept uncategorised"))
        attrs = (("source", fields["source"]),) if fields.get("source") else ()
        key = fields.get("id") or where
        deleted = truthy(fields.get("deleted", ""))
        record = HashRecord(key, (hv,), category, deleted, attrs)
        (deletions if deleted else entries).append(record)
    return HashList(
        source=source,
        format=FORMAT,
        version=None,
        entries=tuple(entries),
        deletions=tuple(deletions),
        metadata=(("columns", ",".join(columns)),),
        issues=tuple(issues),
    )
