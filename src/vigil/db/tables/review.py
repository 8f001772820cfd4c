"""Review decisions on conversations and messages (issue 17): filled in by that change."""

from __future__ import annotations
