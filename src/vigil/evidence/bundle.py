"""Evidence bundles: a zip a defence expert can check with no database.

Layout::

    manifest.json        every exhibit: reference, path in the bundle, hashes, size, acquisitions
    custody.jsonl        the case's custody entries, one JSON object a line
    chain.json           the whole log's hash skeleton (seq, prev_hash, entry_hash), no content
    exhibits/<ref>/<name> the exhibits' bytes
    SHA256SUMS           `sha256sum -c` lines for every other file
    README.txt           how to check the bundle by hand
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from vigil.errors import ParseError
from vigil.evidence.chain import GENESIS, entry_hash
from vigil.evidence.hashing import hash_stream
from vigil.ingest.safezip import iter_member_chunks, open_zip, read_member

FORMAT = "vigil-evidence-bundle/1"
README = """Vigil evidence bundle ({fmt})

Check it with standard tools (no Vigil needed):

  unzip bundle.zip -d bundle && cd bundle
  sha256sum -c SHA256SUMS                # every file, including manifest.json
  jq -r '.exhibits[] | "\\(.sha1)  \\(.path)"' manifest.json | sha1sum -c
  jq -r '.exhibits[] | "\\(.md5)  \\(.path)"'  manifest.json | md5sum -c

Each line of custody.jsonl is one custody entry. Its entry_hash is the SHA-256 of the entry
without entry_hash, written as compact JSON with sorted keys:

  while read -r line; do
    want=$(jq -r .entry_hash <<<"$line")
    got=$(jq -jcS 'del(.entry_hash)' <<<"$line" | sha256sum | cut -d' ' -f1)
    [ "$want" = "$got" ] && echo "ok $want" || echo "BAD $(jq .seq <<<"$line")"
  done < custody.jsonl

chain.json lists every entry of the whole log (all cases) by seq with prev_hash and
entry_hash: each prev_hash must equal the entry_hash before it (the first is 64 zeros), and
each custody.jsonl entry must appear in it. Or run: vigil evidence verify-bundle bundle.zip
"""


def safe_component(text: str) -> str:
    """A file-name-safe form of an exhibit reference or name (keeps Unicode letters)."""
    cleaned = re.sub(r"[\\/\x00-\x1f:*?\"<>|]", "-", text).strip(" .")
    return cleaned or "file"


def bundle_path(ref: str, name: str) -> str:
    return f"exhibits/{safe_component(ref)}/{safe_component(name)}"


def write_bundle(
    out: BinaryIO,
    manifest: Mapping[str, Any],
    exhibits: Iterable[tuple[str, BinaryIO]],
    custody_entries: list[dict[str, Any]],
    links: list[dict[str, Any]],
) -> None:
    """Write a bundle. ``exhibits`` yields (path in bundle, open stream) in manifest order."""
    sums: list[tuple[str, str]] = []
    with zipfile.ZipFile(out, "w", allowZip64=True) as zf:
        for path, stream in exhibits:
            h = hashlib.sha256()
            with zf.open(
                zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0)), "w", force_zip64=True
            ) as dst:
                while block := stream.read(4 * 1024 * 1024):
                    h.update(block)
                    dst.write(block)
            sums.append((h.hexdigest(), path))
        texts = {
            "manifest.json": json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True),
            "custody.jsonl": "".join(
                json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in custody_entries
            ),
            "chain.json": json.dumps(links, indent=1),
            "README.txt": README.format(fmt=FORMAT),
        }
        for name, text in texts.items():
            data = text.encode("utf-8")
            zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
            sums.append((hashlib.sha256(data).hexdigest(), name))
        zf.writestr(
            "SHA256SUMS",
            "".join(f"{digest}  {name}\n" for digest, name in sums),
            compress_type=zipfile.ZIP_DEFLATED,
        )


@dataclass(slots=True)
class BundleReport:
    exhibits: int = 0
    entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _json(zf: zipfile.ZipFile, name: str, file: str) -> Any:
    try:
        return json.loads(read_member(zf, name, file))
    except KeyError as exc:
        raise ParseError(f"bundle has no {name}", file=file) from exc
    except json.JSONDecodeError as exc:
        raise ParseError(
            f"{name} is not valid JSON: {exc.msg}", file=file, location=f"{name} offset {exc.pos}"
        ) from exc


def verify_bundle(stream: BinaryIO, file: str) -> BundleReport:
    """Check a bundle with no database: files against the manifest and SHA256SUMS, the
    custody entries against their hashes and the chain, and the manifest against the
    custody registrations."""
    rep = BundleReport()
    zf = open_zip(stream, file)
    names = set(zf.namelist())
    manifest = _json(zf, "manifest.json", file)
    links = _json(zf, "chain.json", file)
    if manifest.get("format") != FORMAT:
        rep.problems.append(f"manifest.json: unknown format {manifest.get('format')!r}")
    # SHA256SUMS over every file
    sums: dict[str, str] = {}
    if "SHA256SUMS" in names:
        for line in read_member(zf, "SHA256SUMS", file).decode("utf-8").splitlines():
            digest, _, name = line.partition("  ")
            sums[name] = digest
    else:
        rep.problems.append("SHA256SUMS is missing")
    for name in sorted(names - {"SHA256SUMS"}):
        if name.endswith("/"):
            continue
        h = hashlib.sha256()
        for block in iter_member_chunks(zf, name, file):
            h.update(block)
        if name not in sums:
            rep.problems.append(f"{name}: not listed in SHA256SUMS (added to the bundle?)")
        elif sums[name] != h.hexdigest():
            rep.problems.append(f"{name}: SHA-256 {h.hexdigest()} differs from SHA256SUMS")
    for name in sorted(set(sums) - names):
        rep.problems.append(f"{name}: listed in SHA256SUMS but missing from the bundle")
    # custody entries: self-hash and presence in the chain skeleton
    entries: list[dict[str, Any]] = []
    raw = read_member(zf, "custody.jsonl", file) if "custody.jsonl" in names else b""
    for lineno, line in enumerate(raw.decode("utf-8").splitlines(), 1):
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError as exc:
            rep.problems.append(f"custody.jsonl line {lineno}: not JSON ({exc.msg})")
    rep.entries = len(entries)
    prev = GENESIS
    by_seq: dict[int, str] = {}
    for i, link in enumerate(links):
        if link["prev_hash"] != prev or link["seq"] != i + 1:
            rep.problems.append(f"chain.json: link {link['seq']} does not follow the one before")
        prev = link["entry_hash"]
        by_seq[int(link["seq"])] = link["entry_hash"]
    for e in entries:
        s = int(e["seq"])
        if entry_hash(e) != e.get("entry_hash"):
            rep.problems.append(f"custody.jsonl entry {s}: content does not match its hash")
        if by_seq.get(s) != e.get("entry_hash") or (s > 1 and by_seq.get(s - 1) != e["prev_hash"]):
            rep.problems.append(f"custody.jsonl entry {s}: not where chain.json puts it")
    registered = {
        e["details"].get("ref"): e["details"]
        for e in entries
        if e["action"] in ("register", "derive") and e["object_type"] == "exhibit"
    }
    # exhibits against the manifest and the registrations
    for ex in manifest.get("exhibits", []):
        rep.exhibits += 1
        path, ref = ex["path"], ex["ref"]
        if PurePosixPath(path).parts[:1] != ("exhibits",) or path not in names:
            rep.problems.append(f"{ref}: file {path} is missing from the bundle")
            continue
        with zf.open(path) as fh:
            d = hash_stream(fh)
        for label, got, want in (
            ("SHA-256", d.sha256, ex["sha256"]),
            ("SHA-1", d.sha1, ex["sha1"]),
            ("MD5", d.md5, ex["md5"]),
            ("size", d.size, ex["size"]),
        ):
            if got != want:
                rep.problems.append(f"{ref} ({path}): {label} is {got}, manifest says {want}")
        reg = registered.get(ref)
        if reg is None:
            rep.problems.append(f"{ref}: no registration of it in custody.jsonl")
            continue
        for key in ("sha256", "sha1", "md5", "size"):
            if reg.get(key) != ex.get(key):
                rep.problems.append(
                    f"{ref}: manifest {key} {ex.get(key)} differs from the "
                    f"registration in the custody log ({reg.get(key)})"
                )
        first = (ex.get("acquisitions") or [{}])[0]
        for key in ("source", "acquired_by", "acquired_at"):
            if first.get(key) != reg.get(key):
                rep.problems.append(
                    f"{ref}: manifest {key} {first.get(key)!r} differs from the "
                    f"registration in the custody log ({reg.get(key)!r})"
                )
    listed = {ex["path"] for ex in manifest.get("exhibits", [])}
    for name in sorted(n for n in names if n.startswith("exhibits/") and not n.endswith("/")):
        if name not in listed:
            rep.problems.append(f"{name}: in the bundle but not in the manifest")
    return rep
