"""Signed checkpoints of the custody log, kept outside the database.

After every committed write the workspace appends one line to its checkpoint file: the
sequence number and hash of the newest custody entry, the time, and an Ed25519 signature over
those three, made with the workspace's signing key (a file readable by its owner only, never
in the database). The file only grows. ``vigil evidence verify`` checks every line's signature
and that the custody chain still passes through every checkpointed entry, so a rewrite of any
entry that a checkpoint covers is found on every later verify, even if whoever rewrote it also
recomputed every later hash, the database's head and the anchor file.

The canonical signed bytes are the JSON of ``{"at", "entry_hash", "seq"}`` with sorted keys and
no spaces (:func:`vigil.evidence.chain.canonical`); the public key is in the ``.pub`` file
beside the key, and in every evidence bundle, so anyone can check a checkpoint with standard
tools.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil.db.tables.evidence import CustodyCheckpoint
from vigil.evidence.chain import Problem, canonical


@dataclass(frozen=True, slots=True)
class Checkpoint:
    seq: int
    entry_hash: str
    at: str
    key_id: str
    sig: str

    def signed_bytes(self) -> bytes:
        return canonical({"at": self.at, "entry_hash": self.entry_hash, "seq": self.seq})


def key_id(public: Ed25519PublicKey) -> str:
    """The first 16 hex digits of the SHA-256 of the raw public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_path(key_path: Path) -> Path:
    return key_path.with_name(key_path.name + ".pub")


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The signing key at ``path`` (PEM, PKCS #8), made on first use readable by its owner only;
    its public key is written beside it (``.pub``, PEM)."""
    if path.is_file():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path}: not an Ed25519 signing key")
        return key
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return load_or_create_key(path)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())
    public_path(path).write_bytes(public_pem(key.public_key()))
    return key


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public(path: Path) -> Ed25519PublicKey | None:
    """The public key of the signing key at ``path`` (from the key, else its ``.pub``)."""
    if path.is_file():
        return load_or_create_key(path).public_key()
    pub = public_path(path)
    if pub.is_file():
        key = serialization.load_pem_public_key(pub.read_bytes())
        if isinstance(key, Ed25519PublicKey):
            return key
    return None


def sign(key: Ed25519PrivateKey, seq: int, digest: str, at: str) -> Checkpoint:
    unsigned = Checkpoint(seq, digest, at, key_id(key.public_key()), "")
    sig = base64.b64encode(key.sign(unsigned.signed_bytes())).decode("ascii")
    return Checkpoint(seq, digest, at, unsigned.key_id, sig)


def _last_seq(path: Path) -> int:
    """The sequence number of the file's last line (0 for none), read from the end."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 4096))
            lines = fh.read().splitlines()
    except FileNotFoundError:
        return 0
    for line in reversed(lines):
        try:
            return int(json.loads(line)["seq"])
        except (ValueError, KeyError, TypeError):
            continue
    return 0


def append(path: Path, key: Ed25519PrivateKey, seq: int, digest: str, at: str) -> bool:
    """Append a signed checkpoint of entry ``seq`` unless the file already reaches it."""
    return append_signed(path, [sign(key, seq, digest, at)]) > 0


def last_seq(path: Path) -> int:
    """The sequence number of the file's newest checkpoint (0: none)."""
    return _last_seq(path)


def append_signed(path: Path, cps: Sequence[Checkpoint]) -> int:
    """Append the checkpoints (in order) the file does not reach yet; return how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        reached = _last_seq(path)
        new = [cp for cp in cps if cp.seq > reached]
        if not new:
            return 0
        with open(path, "a", encoding="utf-8") as fh:
            for cp in new:
                fh.write(json.dumps(as_json(cp), sort_keys=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    return len(new)


def read_all(path: Path) -> tuple[list[Checkpoint], list[str]]:
    """Every checkpoint in the file, and the lines that could not be read (by line number)."""
    out: list[Checkpoint] = []
    bad: list[str] = []
    if not path.is_file():
        return out, bad
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            out.append(Checkpoint(int(d["seq"]), str(d["entry_hash"]), str(d["at"]),
                                  str(d["key_id"]), str(d["sig"])))  # fmt: skip
        except (ValueError, KeyError, TypeError):
            bad.append(f"{path}, line {n}: not a checkpoint")
    return out, bad


def check(
    checkpoints: Sequence[Checkpoint],
    public: Ed25519PublicKey,
    hashes: Mapping[int, str],
) -> list[Problem]:
    """Problems found comparing the signed checkpoints with the custody log's entry hashes
    (``hashes``: sequence number to stored entry hash)."""
    problems: list[Problem] = []
    kid = key_id(public)
    present = set(hashes.values())
    last = 0
    for cp in checkpoints:
        try:
            public.verify(base64.b64decode(cp.sig), cp.signed_bytes())
        except (InvalidSignature, ValueError):
            why = "another key" if cp.key_id != kid else "its signature does not verify"
            problems.append(
                Problem("checkpoint", cp.seq, f"the checkpoint of entry {cp.seq} ({cp.at}) was "
                        f"not signed by this workspace's key ({why}): the checkpoint file was "
                        "edited")
            )  # fmt: skip
            continue
        if cp.seq < last:
            problems.append(
                Problem("checkpoint", cp.seq, f"the checkpoint of entry {cp.seq} comes after "
                        f"one of entry {last}: the checkpoint file was reordered")
            )  # fmt: skip
        last = max(last, cp.seq)
        if cp.entry_hash in present:  # (moved or renumbered entries are the chain check's)
            continue
        have = hashes.get(cp.seq)
        if have is None:
            problems.append(
                Problem("deleted", cp.seq, f"entry {cp.seq}, checkpointed at {cp.at}, is missing "
                        "from the custody log: entries were deleted")
            )  # fmt: skip
        elif have != cp.entry_hash:
            problems.append(
                Problem("rewritten", cp.seq, f"entry {cp.seq} differs from its signed checkpoint "
                        f"of {cp.at}: the custody log was rewritten at or before entry {cp.seq}")
            )  # fmt: skip
    return problems


def stored_after(session: Session, seq: int) -> list[Checkpoint]:
    """The database's copies of checkpoints after entry ``seq``, oldest first."""
    rows = session.execute(
        select(CustodyCheckpoint).where(CustodyCheckpoint.seq > seq).order_by(CustodyCheckpoint.seq)
    ).scalars()
    return [Checkpoint(r.seq, r.entry_hash, r.at, r.key_id, r.sig) for r in rows]


def as_json(cp: Checkpoint) -> dict[str, Any]:
    return {"seq": cp.seq, "entry_hash": cp.entry_hash, "at": cp.at, "key_id": cp.key_id,
            "sig": cp.sig}  # fmt: skip
