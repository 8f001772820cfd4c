"""Plain MD5 / SHA-1 lists: one hash per line.

Blank lines and lines starting with ``#`` are skipped. A line may carry more after the hash
(``md5sum`` output: ``<hash>  <file name>``); only the first token is read, the rest is kept as
the record's ``name`` attribute. A line whose first character is ``-`` lists a deletion (the
convention for update files). Every hash in the list gets the same ``category``, if one is given.
"""

from __future__ import annotations

from vigil.errors import ParseError
from vigil.media.categories import Category
from vigil.media.hashsets.base import (
    HashList,
    HashRecord,
    HashValue,
    ImportIssue,
    guess_algorithm,
    normalise_hash,
)

FORMAT = "plain"


def read_plain(data: bytes, source: str, *, category: Category | None = None) -> HashList:
    """Read a plain MD5/SHA-1 list into a HashList."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError("not UTF-8", file=source, location=f"byte {exc.start}") from exc
    issues: list[ImportIssue] = []
    entries: list[HashRecord] = []
    deletions: list[HashRecord] = []
    counts = {"md5": 0, "sha1": 0}
    for n, line in enumerate(text.splitlines(), start=1):
        body = line.strip()
        if not body or body.startswith("#"):
            continue
        deleted = body.startswith("-")
        parts = body.lstrip("-").split(None, 1)
        value = parts[0].lstrip("\\").lstrip("*")
        alg = guess_algorithm(value)
        if alg is None:
            issues.append(ImportIssue(f"line {n}", f"not an MD5 or SHA-1 value: {value[:80]!r}"))
            continue
        counts[alg] += 1
        attrs = (("name", parts[1].lstrip("*").strip()),) if len(parts) > 1 else ()
        record = HashRecord(
            f"line {n}", (HashValue(alg, normalise_hash(alg, value)),), category, deleted, attrs
        )
        (deletions if deleted else entries).append(record)
    return HashList(
        source=source,
        format=FORMAT,
        version=None,
        entries=tuple(entries),
        deletions=tuple(deletions),
        metadata=(("md5", str(counts["md5"])), ("sha1", str(counts["sha1"]))),
        issues=tuple(issues),
    )
