"""Background jobs and resumable uploads (issue 17): filled in by that change."""

from __future__ import annotations
