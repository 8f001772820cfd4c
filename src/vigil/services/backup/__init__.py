"""Backing up a workspace to one file, and restoring it into an empty one (docs/backup.md).

The archive is a tar file (gzip-compressed when its name ends in ``.gz`` or ``.tgz``). Its
first member, ``manifest.json``, names every other member with its SHA-256: a consistent
snapshot of the database (SQLite's online backup API, or ``pg_dump``), every registered blob,
the custody anchor, the signed checkpoints up to the snapshot's head, and the checkpoint
signing key's PUBLIC half. The private signing key is never included.

A backup is written to a temporary file beside its target, read back and checked (member
hashes, and the snapshot's custody chain against the anchor and signed checkpoints), and only
then renamed into place. A restore checks the archive the same way, places it into an empty
workspace and runs the workspace verify (:func:`verify_workspace`) before accepting it; on any
failure it removes what it placed. It never writes into a workspace that is in use.

The package: ``archive`` (the manifest format, reading the tar file and writing its members,
reading and checking a database snapshot), ``make`` (taking a backup) and ``restore``
(restoring one).
"""

from vigil.services.backup.archive import (
    ANCHOR,
    CHECKPOINTS,
    DATABASE,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    PUBLIC_KEY,
    Progress,
    read_manifest,
)
from vigil.services.backup.make import BackupReport, _snapshot, _write_records, backup
from vigil.services.backup.restore import PLACING, STAGING, RestoreReport, restore

__all__ = [
    "ANCHOR",
    "CHECKPOINTS",
    "DATABASE",
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST",
    "PLACING",
    "PUBLIC_KEY",
    "STAGING",
    "BackupReport",
    "Progress",
    "RestoreReport",
    "_snapshot",
    "_write_records",
    "backup",
    "read_manifest",
    "restore",
]
